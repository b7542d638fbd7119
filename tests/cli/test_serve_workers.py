"""`openucs serve --workers N`: one process for 1, else uvicorn's workers from the app factory
with the worker bus named in their environment only (tests/events/test_workers.py runs them)."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar

from openucs.api.asgi import WORKER_BUS_ENV
from tests.cli.conftest import Run


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, dict[str, Any]]]:
    calls: list[tuple[Any, dict[str, Any]]] = []

    def run(app: Any, **kw: Any) -> None:
        bus = os.environ.get(WORKER_BUS_ENV)
        mode = stat.S_IMODE(Path(bus).stat().st_mode) if bus else None
        calls.append(
            (app, {**kw, "bus": bus, "mode": mode, "url": os.environ.get("OPENUCS_DATABASE_URL")})
        )

    monkeypatch.setattr("uvicorn.run", run)  # no socket
    return calls


def test_one_worker_serves_in_this_process(
    run: Run, new_sqlite: Callable[[str], str], served: list[tuple[Any, dict[str, Any]]]
) -> None:
    run("serve", "--workers", "1", "--database", new_sqlite("one"))
    [(app, kw)] = served
    assert isinstance(app, Litestar)
    assert "workers" not in kw and kw["bus"] is None


def test_several_workers_build_their_app_after_one_migration(
    run: Run, new_sqlite: Callable[[str], str], served: list[tuple[Any, dict[str, Any]]]
) -> None:
    url = new_sqlite("two")
    out = run("serve", "--workers", "3", "--database", url, "--port", "9123").stdout
    assert "3 worker processes" in out
    [(app, kw)] = served
    assert app == "openucs.api.asgi:app_factory" and kw["factory"] is True
    assert kw["workers"] == 3 and kw["port"] == 9123 and kw["url"] == url
    assert kw["mode"] == 0o700  # the bus directory: this OS user only
    assert not Path(kw["bus"]).exists()  # removed when the server stops
    assert WORKER_BUS_ENV not in os.environ  # the environment is as it was


def test_workers_default_to_the_cpu_count(
    run: Run,
    new_sqlite: Callable[[str], str],
    served: list[tuple[Any, dict[str, Any]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OPENUCS_WORKERS", raising=False)  # tests/conftest.py sets 1
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    run("serve", "--database", new_sqlite("cores"))
    assert served[0][1]["workers"] == 4

"""CLI fixtures: a command runner and database URLs that no command has touched yet."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from openucs.cli import cli
from tests.conftest import ENGINES, _fresh

# A pinned anchor day, so that seeded data (dates included) is the same on every run.
NOW = "2026-11-25"

Run = Callable[..., Result]


@pytest.fixture
def run() -> Run:
    """`run("users", "list", "--database", url)`: the command's Result, whose exit code must be
    `expect` (0 unless told)."""
    runner = CliRunner(env={"OPENUCS_DATABASE_URL": None})

    def invoke(*args: str, input: str | bytes | None = None, expect: int = 0) -> Result:
        result = runner.invoke(cli, list(args), input=input, catch_exceptions=False)
        assert result.exit_code == expect, (result.exit_code, result.output)
        return result

    return invoke


@pytest.fixture
def new_sqlite(tmp_path: Path) -> Callable[[str], str]:
    """`new_sqlite("a")`: the URL of a SQLite file in tmp_path that does not exist yet."""

    def make(name: str) -> str:
        return f"sqlite:///{tmp_path / (name + '.db')}"

    return make


@pytest.fixture(params=ENGINES)
def two_database_urls(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two fresh, empty databases of one engine (each test runs on both engines)."""
    with ExitStack() as stack:
        urls = []
        for name in ("one", "two"):
            (tmp_path / name).mkdir()
            urls.append(stack.enter_context(_fresh(request.param, tmp_path / name)))
        yield urls[0], urls[1]

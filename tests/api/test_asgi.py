"""`uvicorn --factory openucs.api.asgi:app_factory`: settings from the environment, the store
from its URL, closed at shutdown; nothing read at import."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

from openucs.api import asgi
from openucs.domain.redaction import Redaction
from openucs.store import Store, open_store
from tests.api.conftest import PASSWORD, People, ok


def test_app_factory_serves_the_configured_database(
    monkeypatch: pytest.MonkeyPatch, database_url: str, people: People
) -> None:
    monkeypatch.setenv("OPENUCS_DATABASE_URL", database_url)
    monkeypatch.setenv("OPENUCS_PUBLIC_BASE_URL", "https://history.example.com/api/v2")
    closed: list[str] = []

    def tracked(url: str, archive_url: str = "", *, redaction: Redaction) -> Store:
        assert archive_url == ""  # none configured
        store = open_store(url, archive_url, redaction=redaction)
        close = store.close

        def recorded_close() -> None:
            closed.append(url)
            close()

        monkeypatch.setattr(store, "close", recorded_close)
        return store

    monkeypatch.setattr(asgi, "open_store", tracked)
    app = asgi.app_factory()
    with TestClient(app) as client:
        me = ok(client.get("/api/v2/me", auth=("agent1", PASSWORD)))
        assert me["user"]["uri"].startswith("https://history.example.com/api/v2/users/")
    assert closed == [database_url]


def test_app_factory_migrates_a_new_database(
    monkeypatch: pytest.MonkeyPatch, empty_database_url: str
) -> None:
    monkeypatch.setenv("OPENUCS_DATABASE_URL", empty_database_url)
    app = asgi.app_factory()
    with TestClient(app) as client:
        refused = client.get("/api/v2/me", auth=("nobody", PASSWORD))
        assert refused.status_code == 401  # a store with tables to look in, not a 500
    store = open_store(empty_database_url)
    try:
        assert store.count_interactions() == 0 and store.list_users() == []
    finally:
        store.close()

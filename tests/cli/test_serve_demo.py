"""`openucs serve --demo`: the first start loads demo history and logins, later starts do not."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from openucs.cli import server as serve_module
from openucs.services.users import Authenticator
from openucs.store import Store, open_store
from tests.cli.conftest import Run


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: calls.append(kw))  # no socket
    monkeypatch.setattr(serve_module, "DEMO_INTERACTIONS", 300)
    return calls


def test_the_first_demo_start_loads_history_and_logins(
    run: Run, new_sqlite: Callable[[str], str], served: list[dict[str, Any]]
) -> None:
    url = new_sqlite("demo")
    first = run("serve", "--demo", "--database", url).stdout
    assert "loading the demo history" in first
    for name, _, password, _, _ in serve_module.DEMO_USERS:
        assert f"{name}" in first and password in first
    store = open_store(url)
    try:
        assert store.count_interactions() == 300
        auth = Authenticator(store)
        for name, role, password, _, _ in serve_module.DEMO_USERS:
            assert role in auth.basic(name, password).roles
        agent = auth.basic("agent", "agent-demo")
        assert store.owner_handled_contact(agent.id, _any_contact_of(store, agent.id))
    finally:
        store.close()
    again = run("serve", "--demo", "--database", url).stdout
    assert "loading" not in again and "agent-demo" in again
    assert len(served) == 2


def test_demo_on_a_database_with_history_prints_no_demo_login(
    run: Run, new_sqlite: Callable[[str], str], served: list[dict[str, Any]]
) -> None:
    url = new_sqlite("real")
    run("seed", "-n", "20", "--now", "2026-11-25", "--database", url)
    run("users", "add", "boss", "--role", "admin", "--password-stdin", "--database", url,
        input="boss-password\n")  # fmt: skip
    out = run("serve", "--demo", "--database", url).stdout
    assert "Demo data not loaded: the database already holds history" in out
    assert "loading" not in out
    for _, _, password, _, _ in serve_module.DEMO_USERS:
        assert password not in out
    assert "No login exists" not in out


def test_only_demo_logins_whose_demo_password_works_are_printed(
    run: Run, new_sqlite: Callable[[str], str], served: list[dict[str, Any]]
) -> None:
    url = new_sqlite("changed")
    run("serve", "--demo", "--database", url)
    run("users", "passwd", "admin", "--password-stdin", "--database", url,
        input="a-private-password\n")  # fmt: skip
    out = run("serve", "--demo", "--database", url).stdout
    assert "admin-demo" not in out
    assert "supervisor-demo" in out and "agent-demo" in out
    assert "not loaded" not in out


def test_a_server_without_any_login_says_how_to_create_one(
    run: Run, new_sqlite: Callable[[str], str], served: list[dict[str, Any]]
) -> None:
    url = new_sqlite("nologin")
    run("seed", "-n", "10", "--now", "2026-11-25", "--database", url)  # owners, no login
    out = run("serve", "--database", url).stdout
    assert "No login exists yet" in out
    assert f"openucs users add NAME --role admin --password-stdin --database {url}" in out
    run("users", "add", "first", "--role", "admin", "--password-stdin", "--database", url,
        input="first-password\n")  # fmt: skip
    assert "No login exists" not in run("serve", "--database", url).stdout


def test_demo_passwords_are_long_enough() -> None:
    assert all(len(password) >= 8 for _, _, password, _, _ in serve_module.DEMO_USERS)


def _any_contact_of(store: Store, owner_id: str) -> str:
    from openucs.domain.query import HistoryQuery

    page = store.history(HistoryQuery(owner_id=owner_id, limit=50))
    return next(i.contact_id for i in page.items if i.contact_id)

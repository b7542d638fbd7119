"""`openucs serve --demo`: the first start loads demo history and logins, later starts do not."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from openucs.cli import server as serve_module
from openucs.services.users import Authenticator
from openucs.store import Store, open_store
from tests.cli.conftest import Run


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    """The keyword arguments of each uvicorn.run call."""
    calls: list[dict[str, object]] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: calls.append(kw))  # no socket
    monkeypatch.setattr(serve_module, "DEMO_INTERACTIONS", 300)
    return calls


def test_the_first_demo_start_loads_history_and_logins(
    run: Run, new_sqlite: Callable[[str], str], served: list[dict[str, object]]
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


def test_demo_passwords_are_long_enough() -> None:
    assert all(len(password) >= 8 for _, _, password, _, _ in serve_module.DEMO_USERS)


def _any_contact_of(store: Store, owner_id: str) -> str:
    from openucs.domain.query import HistoryQuery

    page = store.history(HistoryQuery(owner_id=owner_id, limit=50))
    return next(i.contact_id for i in page.items if i.contact_id)

"""Disabling, deleting and re-roling users take effect on the user's next request, on every
path (Basic with the check remembered, a cookie session, CometD), and a deleted user's
interactions keep their owner."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from openucs.domain.enums import Role
from openucs.errors import Conflict
from openucs.services import users as user_service
from openucs.store import Store, open_store
from tests.api.conftest import PASSWORD, Api, People, error, ok, seed, seed_contact
from tests.api.test_sessions import login, with_cookie
from tests.factories import make_interaction

ME = "/api/v2/me"
AGENT = frozenset({Role.AGENT})


def _handshake(client: TestClient[Litestar], token: str) -> bool:
    reply = with_cookie(
        client,
        "POST",
        "/api/v2/notifications",
        token,
        json=[{"channel": "/meta/handshake", "version": "1.0"}],
    )
    return bool(reply.json()[0]["successful"])


def test_a_disabled_user_is_refused_at_once_everywhere(
    client: TestClient[Litestar], api: Api, store: Store, people: People
) -> None:
    token = login(client, "agent1")
    assert with_cookie(client, "GET", ME, token).status_code == 200  # session stored, cached
    ok(api.get(ME, user=people.agent))  # the Basic check is remembered now
    assert _handshake(client, token)

    user_service.set_enabled(store=store, user_name="agent1", enabled=False)

    refused = api.get(ME, user=people.agent)
    client.cookies.clear()
    wrong = client.get(ME, auth=("agent1", "not the password"))
    error(refused, 401, 20)
    assert refused.json() == wrong.json()  # nothing says "disabled"
    assert with_cookie(client, "GET", ME, token).status_code == 401
    assert not _handshake(client, token)

    user_service.set_enabled(store=store, user_name="agent1", enabled=True)
    ok(api.get(ME, user=people.agent))
    assert with_cookie(client, "GET", ME, token).status_code == 401  # its sessions ended


def test_a_user_disabled_by_another_process_is_refused_at_once(
    client: TestClient[Litestar], api: Api, database_url: str, people: People
) -> None:
    """The remembered paths (Basic checked before, a cached session) confirm the user without
    a read while nothing was committed (SQLite's change stamp); a commit by another process
    is seen on the very next request, and so is a role change."""
    token = login(client, "agent1")
    for _ in range(3):  # remembered, confirmed, then confirmed without a read
        assert with_cookie(client, "GET", ME, token).status_code == 200
        ok(api.get(ME, user=people.agent))
    other = open_store(database_url)
    try:
        user_service.set_roles(store=other, user_name="agent1", roles=frozenset({Role.SUPERVISOR}))
        assert ok(api.get(ME, user=people.agent))["user"]["roles"] == ["ROLE_SUPERVISOR"]
        user_service.set_enabled(store=other, user_name="agent1", enabled=False)
    finally:
        other.close()
    error(api.get(ME, user=people.agent), 401, 20)
    assert with_cookie(client, "GET", ME, token).status_code == 401


def test_a_role_change_applies_to_the_next_request_of_a_session(
    client: TestClient[Litestar], store: Store, people: People
) -> None:
    seed_contact(store, id="FOREIGN")
    path = "/openucs/v1/contacts/FOREIGN"
    token = login(client, "agent1")
    assert with_cookie(client, "GET", path, token).status_code == 403
    user_service.set_roles(store=store, user_name="agent1", roles=frozenset({Role.SUPERVISOR}))
    assert with_cookie(client, "GET", path, token).status_code == 200
    user_service.set_roles(store=store, user_name="agent1", roles=frozenset({Role.AGENT}))
    assert with_cookie(client, "GET", path, token).status_code == 403


def test_a_deleted_users_interactions_keep_their_owner(
    api: Api, store: Store, people: People
) -> None:
    seed(store, make_interaction(id="THEIRS", owner_id=people.agent.id))
    user_service.delete_user(store=store, user_name="agent1")
    error(api.get(ME, user=people.agent), 401, 20)
    owner = ok(api.get("/api/v2/ucs/interactions/THEIRS"))["interaction"]["ownerInformation"]
    assert owner == {
        "id": people.agent.id,
        "userName": "agent1",
        "firstName": "Ann",
        "lastName": "Lee",
    }
    # a login again, by `users add`
    user_service.add_user(
        store=store, user_name="agent1", roles=frozenset({Role.AGENT}), password=PASSWORD
    )
    ok(api.get(ME, user=people.agent))


def test_the_last_admin_is_kept(store: Store, people: People) -> None:
    changes: list[Callable[[], object]] = [
        partial(user_service.set_enabled, store=store, user_name="admin", enabled=False),
        partial(user_service.delete_user, store=store, user_name="admin"),
        partial(user_service.set_roles, store=store, user_name="admin", roles=AGENT),
    ]
    for change in changes:
        with pytest.raises(Conflict, match="last admin"):
            change()
    user_service.set_roles(store=store, user_name="super", roles=frozenset({Role.ADMIN}))
    user_service.set_enabled(store=store, user_name="admin", enabled=False)

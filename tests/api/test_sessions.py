"""Sessions of the API: every Basic login its own session, stored only when its cookie is used;
signed tokens; logout for good; the lockout even with the right password remembered."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import func, select

from openucs.api.app import create_app
from openucs.config import Settings
from openucs.services.session_tokens import KEY_NAME, TokenSigner
from openucs.store import Store
from openucs.store.schema import sessions
from openucs.store.sql import SqlStore
from tests.api.conftest import PASSWORD, Api, People, error, ok

ME = "/api/v2/me"
OPERATION = {"operationName": "RetrieveAgentHistory", "fromDate": "2024-02-01"}


def session_rows(store: Store) -> int:
    assert isinstance(store, SqlStore)  # the table itself, below the Store protocol
    with store._read() as conn:
        return conn.execute(select(func.count()).select_from(sessions)).scalar_one()


@contextmanager
def counted_writes(store: Store, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Counts the store's write transactions while the block runs."""
    assert isinstance(store, SqlStore)
    count = [0]
    write = store._write

    def counting(*args: Any, **kwargs: Any) -> Any:
        count[0] += 1
        return write(*args, **kwargs)

    monkeypatch.setattr(store, "_write", counting)
    yield count
    monkeypatch.setattr(store, "_write", write)


def login(client: TestClient[Litestar], user_name: str) -> str:
    """A fresh Basic login without cookies; the token of its Set-Cookie."""
    client.cookies.clear()
    response = client.get(ME, auth=(user_name, PASSWORD))
    assert response.status_code == 200, response.text
    client.cookies.clear()
    return response.headers["set-cookie"].split(";")[0].removeprefix("JSESSIONID=")


def with_cookie(client: TestClient[Litestar], method: str, path: str, token: str, **kw: Any) -> Any:
    client.cookies.clear()
    headers = {"Cookie": f"JSESSIONID={token}", **kw.pop("headers", {})}
    return client.request(method, path, headers=headers, **kw)


def reference_id(client: TestClient[Litestar], token: str) -> int:
    reply = with_cookie(client, "POST", "/api/v2/ucs/interactions", token, json=OPERATION)
    assert reply.status_code == 200, reply.text
    return int(reply.json()["referenceId"])


def signer(store: Store) -> TokenSigner:
    return TokenSigner(bytes.fromhex(store.server_secret(KEY_NAME, "unused")))


def test_two_basic_logins_of_one_user_are_two_sessions(
    client: TestClient[Litestar], people: People
) -> None:
    desk1, desk2 = login(client, "agent1"), login(client, "agent1")
    assert desk1 != desk2
    assert [reference_id(client, desk1), reference_id(client, desk1)] == [1, 2]
    assert reference_id(client, desk2) == 1
    assert reference_id(client, desk1) == 3

    bye = with_cookie(client, "POST", "/openucs/v1/logout", desk1)
    assert ok(bye) == {"statusCode": 0}
    error(with_cookie(client, "GET", ME, desk1), 401, 20)
    still = with_cookie(client, "GET", ME, desk2)
    assert ok(still)["user"]["userName"] == "agent1"
    assert reference_id(client, desk2) == 2


def test_two_logins_get_their_own_csrf_tokens(
    settings: Settings, store: Store, people: People
) -> None:
    with TestClient(create_app(replace(settings, csrf_protection=True), store)) as client:
        desk1, desk2 = login(client, "agent1"), login(client, "agent1")
        csrf1 = with_cookie(client, "GET", ME, desk1).headers["x-csrf-token"]
        csrf2 = with_cookie(client, "GET", ME, desk2).headers["x-csrf-token"]
        assert csrf1 != csrf2
        assert with_cookie(client, "GET", ME, desk1).headers["x-csrf-token"] == csrf1  # stable
        path = "/api/v2/ucs/interactions"
        crossed = with_cookie(
            client, "POST", path, desk1, json=OPERATION, headers={"X-CSRF-TOKEN": csrf2}
        )
        error(crossed, 403, 5, "Csrf")
        own = with_cookie(
            client, "POST", path, desk1, json=OPERATION, headers={"X-CSRF-TOKEN": csrf1}
        )
        assert own.status_code == 200, own.text
        # The token announced with a Basic answer is the one of the cookie it hands out.
        client.cookies.clear()
        first = client.get(ME, auth=("agent1", PASSWORD))
        token = first.headers["set-cookie"].split(";")[0].removeprefix("JSESSIONID=")
        again = with_cookie(client, "GET", ME, token)
        assert again.headers["x-csrf-token"] == first.headers["x-csrf-token"]


def test_basic_on_every_request_without_cookies_writes_nothing(
    api: Api, store: Store, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok(api.get(ME, user=people.agent))  # the first one of the process reads the key
    with counted_writes(store, monkeypatch) as writes:
        cookies = {api.get(ME, user=people.agent).headers["set-cookie"] for _ in range(200)}
    assert len(cookies) == 200  # a new session each time, as a new login
    assert writes == [0]
    assert session_rows(store) == 0


def test_a_cookie_client_stores_one_session(
    client: TestClient[Litestar], store: Store, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok(with_cookie(client, "GET", ME, login(client, "agent2")))  # and the first idle sweep
    token = login(client, "agent1")
    assert session_rows(store) == 1
    with counted_writes(store, monkeypatch) as writes:
        for _ in range(50):
            response = with_cookie(client, "GET", ME, token)
            assert response.status_code == 200
            assert "set-cookie" not in response.headers
    assert writes == [1]
    assert session_rows(store) == 2


def test_the_first_basic_operation_and_its_cookie_count_on(
    client: TestClient[Litestar], people: People
) -> None:
    client.cookies.clear()
    reply = client.post("/api/v2/ucs/interactions", json=OPERATION, auth=("agent1", PASSWORD))
    first = int(reply.json()["referenceId"])
    token = reply.headers["set-cookie"].split(";")[0].removeprefix("JSESSIONID=")
    assert reference_id(client, token) == first + 1


def test_forged_tampered_and_expired_tokens_are_401(
    client: TestClient[Litestar], store: Store, people: People
) -> None:
    token = login(client, "agent1")
    session_id, user, issued, mac = token.split(".")
    other = base64.urlsafe_b64encode(people.admin.id.encode()).rstrip(b"=").decode()
    old = int(issued) - 28_800 - 60  # session_idle_seconds ago, and a minute
    expired = signer(store).mint(people.agent.id, old).token
    for bad in [
        "forged",
        f"{session_id}.{other}.{issued}.{mac}",  # another user
        f"{session_id}.{user}.{int(issued) + 3600}.{mac}",  # a later issue time
        f"{session_id}x.{user}.{issued}.{mac}",
        f"{token}x",
        TokenSigner(b"k" * 32).mint(people.agent.id, int(issued)).token,  # another key
        expired,
    ]:
        error(with_cookie(client, "GET", ME, bad), 401, 20)
    assert session_rows(store) == 0
    assert ok(with_cookie(client, "GET", ME, token))["user"]["userName"] == "agent1"


def test_the_lockout_holds_while_the_right_password_is_remembered(
    client: TestClient[Litestar], people: People
) -> None:
    client.cookies.clear()
    assert client.get(ME, auth=("agent1", PASSWORD)).status_code == 200
    for _ in range(5):  # login_max_failures, by default
        client.cookies.clear()
        error(client.get(ME, auth=("agent1", "wrong password")), 401, 20)
    client.cookies.clear()
    locked = client.get(ME, auth=("agent1", PASSWORD))
    assert error(locked, 401, 20) == "Access denied"
    assert "set-cookie" not in locked.headers

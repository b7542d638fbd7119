"""HTTP Basic, the JSESSIONID session, logout, and who may read or write what."""

from __future__ import annotations

import base64
import logging
from typing import Any, NoReturn

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from openucs.api.app import create_app
from openucs.config import Settings
from openucs.domain.enums import MediaType
from openucs.domain.models import User
from openucs.store import Store
from tests.api.conftest import PASSWORD, Api, People, error, ok, seed, seed_contact
from tests.factories import make_interaction

ME = "/api/v2/me"
HISTORY = "/api/v2/ucs/interactions"
WINDOW = {"fromDate": "2024-01-01"}


def owned(user: User) -> dict[str, Any]:
    return {"owner": user.owner_info(), "owner_id": user.id}


def cookie_attributes(header: str) -> set[str]:
    return {part.strip().split("=")[0] for part in header.split(";")[1:]}


# --- authentication -------------------------------------------------------------------------


def test_no_credentials_is_401_access_denied_with_a_basic_challenge(api: Api) -> None:
    response = api.get(ME, user=None)
    assert error(response, 401, 20) == "Access denied"
    assert response.headers["www-authenticate"] == 'Basic realm="OpenUCS"'


@pytest.mark.parametrize(
    "authorization",
    [
        "Basic " + base64.b64encode(b"agent1:wrong password").decode(),
        "Basic " + base64.b64encode(b"nobody:" + PASSWORD.encode()).decode(),
        "Basic " + base64.b64encode(b"agent1:").decode(),
        "Basic " + base64.b64encode(b"no-colon").decode(),
        "Basic !!!not-base64!!!",
        "Basic " + base64.b64encode(b"\xff\xfe:\xff").decode(),
        "Bearer abc",
    ],
)
def test_bad_credentials_are_401(api: Api, people: People, authorization: str) -> None:
    response = api.get(ME, user=None, headers={"Authorization": authorization})
    assert error(response, 401, 20) == "Access denied"
    assert "set-cookie" not in response.headers


def test_every_api_route_needs_credentials(api: Api) -> None:
    for method, path in [
        ("GET", HISTORY),
        ("GET", "/api/v2/ucs/contacts/c1/interactions"),
        ("GET", f"{HISTORY}/x"),
        ("GET", ME),
        ("GET", "/api/v2/diagnostics/version"),
        ("POST", "/openucs/v1/interactions"),
        ("PUT", "/openucs/v1/interactions/x"),
        ("PATCH", "/openucs/v1/interactions/x"),
        ("DELETE", "/openucs/v1/interactions/x"),
        ("POST", "/openucs/v1/interactions/bulk"),
        ("POST", "/openucs/v1/contacts"),
        ("GET", "/openucs/v1/contacts"),
        ("GET", "/openucs/v1/contacts/x"),
        ("PUT", "/openucs/v1/contacts/x"),
        ("POST", "/openucs/v1/users"),
        ("GET", "/openucs/v1/users"),
        ("POST", "/openucs/v1/logout"),
    ]:
        error(api.call(method, path, user=None), 401, 20, "Access denied")


# --- the session cookie ---------------------------------------------------------------------


def test_basic_then_cookie_only_then_logout(client: TestClient[Litestar], people: People) -> None:
    first = client.get(ME, auth=("agent1", PASSWORD))
    assert ok(first)["user"]["userName"] == "agent1"
    header = first.headers["set-cookie"]
    assert header.startswith("JSESSIONID=")
    assert cookie_attributes(header) == {"Path", "HttpOnly", "SameSite"}
    assert "Path=/;" in header
    assert "SameSite=Lax" in header
    token = client.cookies["JSESSIONID"]

    again = client.get(ME)  # the cookie alone
    assert ok(again)["user"]["userName"] == "agent1"
    assert "set-cookie" not in again.headers

    bye = client.post("/openucs/v1/logout")
    assert ok(bye) == {"statusCode": 0}
    assert "Max-Age=0" in bye.headers["set-cookie"]
    assert "JSESSIONID" not in client.cookies

    client.cookies.clear()
    error(client.get(ME, headers={"Cookie": f"JSESSIONID={token}"}), 401, 20)  # replayed


def test_basic_for_another_user_wins_over_the_cookie(
    client: TestClient[Litestar], people: People
) -> None:
    ok(client.get(ME, auth=("agent1", PASSWORD)))
    same = client.get(ME, auth=("agent1", PASSWORD))
    assert ok(same)["user"]["userName"] == "agent1"
    assert "set-cookie" not in same.headers  # the session cookie served it
    switched = client.get(ME, auth=("agent2", PASSWORD))
    assert ok(switched)["user"]["userName"] == "agent2"
    assert switched.headers["set-cookie"].startswith("JSESSIONID=")
    error(client.get(ME, auth=("agent1", "wrong-password")), 401, 20)


def test_bad_cookie_with_good_basic_gets_a_new_session(api: Api, people: People) -> None:
    forged = {"Cookie": "JSESSIONID=forged"}
    response = api.get(ME, user=people.other_agent, headers=forged)
    assert ok(response)["user"]["userName"] == "agent2"
    assert response.headers["set-cookie"].startswith("JSESSIONID=")
    assert "forged" not in response.headers["set-cookie"]
    error(api.get(ME, user=None, headers=forged), 401, 20)


def test_failed_request_opens_no_session(api: Api, people: People) -> None:
    response = api.get(f"{HISTORY}/missing", user=people.agent)
    error(response, 404, 6)
    assert "set-cookie" not in response.headers


def test_logout_with_basic_only_opens_no_session(api: Api, people: People) -> None:
    response = api.post("/openucs/v1/logout", user=people.agent)
    assert ok(response) == {"statusCode": 0}
    assert response.headers["set-cookie"].startswith("JSESSIONID=;")


def test_secure_cookie_when_configured(settings: Settings, store: Store, people: People) -> None:
    secure = create_app(settings.with_overrides(session_cookie_secure=True), store)
    with TestClient(secure) as client:
        header = client.get(ME, auth=("agent1", PASSWORD)).headers["set-cookie"]
    assert "Secure" in cookie_attributes(header)


def test_repeated_wrong_passwords_lock_the_user_name_for_a_while(
    settings: Settings, store: Store, people: People
) -> None:
    strict = create_app(settings.with_overrides(login_max_failures=3), store)
    with TestClient(strict) as client:
        for _ in range(3):
            assert error(client.get(ME, auth=("agent1", "wrong password")), 401, 20)
        locked = client.get(ME, auth=("agent1", PASSWORD))
        other = client.get(ME, auth=("agent2", PASSWORD))
    assert error(locked, 401, 20) == "Access denied"  # as for a wrong password (spec 1.2)
    assert "set-cookie" not in locked.headers
    assert other.status_code == 200


def test_credentials_and_cookies_are_never_logged(
    client: TestClient[Litestar],
    people: People,
    store: Store,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    ok(client.get(ME, auth=("agent1", PASSWORD)))
    token = client.cookies["JSESSIONID"]

    def broken(*args: object, **kwargs: object) -> NoReturn:
        raise RuntimeError("boom")

    monkeypatch.setattr(store, "history", broken)
    error(client.get(HISTORY, auth=("agent1", PASSWORD)), 500, 4, "request id")
    client.get(ME, auth=("agent1", "a wrong password"))
    logged = caplog.text
    assert "boom" in logged  # the failure itself is logged, with its traceback
    assert "Traceback" in logged
    for secret in (PASSWORD, token, base64.b64encode(f"agent1:{PASSWORD}".encode()).decode()):
        assert secret not in logged


# --- access rules ---------------------------------------------------------------------------


def test_agent_reads_own_interactions_only(api: Api, store: Store, people: People) -> None:
    seed(
        store,
        make_interaction(id="mine", **owned(people.agent)),
        make_interaction(id="theirs", **owned(people.other_agent)),
        make_interaction(id="nobodys"),
    )
    body = ok(api.get(HISTORY, user=people.agent, params=WINDOW))
    assert [i["id"] for i in body["interactions"]] == ["mine"]
    same = ok(api.get(HISTORY, user=people.agent, params={**WINDOW, "userId": people.agent.id}))
    assert [i["id"] for i in same["interactions"]] == ["mine"]
    refused = api.get(
        HISTORY, user=people.agent, params={**WINDOW, "userId": people.other_agent.id}
    )
    error(refused, 403, 5, "agent")
    assert ok(api.get(f"{HISTORY}/mine", user=people.agent))["interaction"]["id"] == "mine"
    error(api.get(f"{HISTORY}/theirs", user=people.agent), 403, 5, "theirs")
    error(api.get(f"{HISTORY}/nobodys", user=people.agent), 403, 5, "nobodys")


def test_agent_reads_the_whole_history_of_a_contact_they_handled(
    api: Api, store: Store, people: People
) -> None:
    handled, foreign = seed_contact(store), seed_contact(store)
    seed(
        store,
        make_interaction(id="h-mine", contact_id=handled.id, **owned(people.agent)),
        make_interaction(id="h-theirs", contact_id=handled.id, **owned(people.other_agent)),
        make_interaction(id="f-theirs", contact_id=foreign.id, **owned(people.other_agent)),
    )
    body = ok(
        api.get(f"/api/v2/ucs/contacts/{handled.id}/interactions", user=people.agent, params=WINDOW)
    )
    assert sorted(i["id"] for i in body["interactions"]) == ["h-mine", "h-theirs"]
    assert ok(api.get(f"{HISTORY}/h-theirs", user=people.agent))["interaction"]["id"] == "h-theirs"
    refused = api.get(
        f"/api/v2/ucs/contacts/{foreign.id}/interactions", user=people.agent, params=WINDOW
    )
    error(refused, 403, 5, foreign.id)
    error(api.get(f"{HISTORY}/f-theirs", user=people.agent), 403, 5)
    ok(api.get(f"/openucs/v1/contacts/{handled.id}", user=people.agent))
    error(api.get(f"/openucs/v1/contacts/{foreign.id}", user=people.agent), 403, 5)
    found = ok(api.get("/openucs/v1/contacts", user=people.agent))["contacts"]
    assert [c["id"] for c in found] == [handled.id]


def test_supervisor_reads_everything_and_filters_by_agent(
    api: Api, store: Store, people: People
) -> None:
    contact = seed_contact(store)
    seed(
        store,
        make_interaction(id="a", contact_id=contact.id, **owned(people.agent)),
        make_interaction(id="b", media_type=MediaType.CHAT, **owned(people.other_agent)),
    )
    boss = people.supervisor
    assert len(ok(api.get(HISTORY, user=boss, params=WINDOW))["interactions"]) == 2
    only_b = ok(api.get(HISTORY, user=boss, params={**WINDOW, "userId": people.other_agent.id}))
    assert [i["id"] for i in only_b["interactions"]] == ["b"]
    ok(api.get(f"/api/v2/ucs/contacts/{contact.id}/interactions", user=boss))
    ok(api.get(f"{HISTORY}/b", user=boss))
    ok(api.get("/openucs/v1/contacts", user=boss))
    error(api.get(HISTORY, user=boss, params={"userId": "0" * 32}), 404, 6, "0" * 32)


@pytest.mark.parametrize("role", ["agent", "supervisor"])
def test_only_admins_write(api: Api, store: Store, people: People, role: str) -> None:
    caller = getattr(people, role)
    contact = seed_contact(store)
    seed(store, make_interaction(id="x1"))
    body = {"id": "new1", "mediaType": "call", "startDate": "2024-03-01 10:00:00.000+0000"}
    attempts = [
        api.post("/openucs/v1/interactions", user=caller, json=body),
        api.put("/openucs/v1/interactions/new1", user=caller, json=body),
        api.patch("/openucs/v1/interactions/x1", user=caller, json={"comment": "hi"}),
        api.delete("/openucs/v1/interactions/x1", user=caller),
        api.post(
            "/openucs/v1/interactions/bulk",
            user=caller,
            content=b'{"id":"new2","mediaType":"call","startDate":"2024-03-01"}\n',
            headers={"Content-Type": "application/x-ndjson"},
        ),
        api.post("/openucs/v1/contacts", user=caller, json={"FirstName": "Eve"}),
        api.put(f"/openucs/v1/contacts/{contact.id}", user=caller, json={"FirstName": "Eve"}),
        api.post("/openucs/v1/users", user=caller, json={"userName": "eve", "password": "x" * 12}),
        api.get("/openucs/v1/users", user=caller),
    ]
    for response in attempts:
        error(response, 403, 5, "admin")
    assert store.count_interactions() == 1
    untouched = store.get_interaction("x1", with_content=False)
    assert untouched is not None
    assert untouched.comment is None
    kept = store.get_contact(contact.id)
    assert kept is not None
    assert kept.first_name == contact.first_name
    assert store.get_user_by_name("eve") is None

"""Extension write routes: interactions (create, put, patch, delete, bulk), contacts, users."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import msgspec
from litestar import Litestar
from litestar.testing import TestClient

from openucs.api.app import create_app
from openucs.config import Settings
from openucs.domain.enums import Source, State
from openucs.store import Store
from tests.api.conftest import BASE_URL, PASSWORD, Api, People, error, ok, seed, seed_contact
from tests.factories import make_interaction

ROOT = "/openucs/v1"
NDJSON = {"Content-Type": "application/x-ndjson"}


def chat_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "id": "chat0000000000001",
        "mediaType": "chat",
        "typeId": "Inbound",
        "state": "Stopped",
        "startDate": "2024-03-01 11:00:00.000+0200",
        "endDate": "2024-03-01 11:05:00.000+0200",
        "subject": "Where is my order",
        "ownerInformation": {"userName": "agent1"},
        "customAttributes": {"SearchId": "1", "Team": "blue"},
        "userData": {"lang": "en"},
        "externalId": "chat-session-1",
        "messages": [
            {
                "index": 1,
                "type": "Text",
                "timestamp": "2024-03-01 11:00:01.000+0200",
                "from": {"nickname": "Ann", "type": "Customer", "participantId": "P1"},
                "text": "hello",
            }
        ],
    }
    body.update(overrides)
    return body


def ndjson(*items: dict[str, Any]) -> bytes:
    return b"".join(msgspec.json.encode(item) + b"\n" for item in items)


def line(n: int) -> dict[str, Any]:
    return {"id": f"bulk{n:05d}", "mediaType": "call", "startDate": "2024-03-01 10:00:00.000+0000"}


# --- interactions ---------------------------------------------------------------------------


def test_create_answers_the_full_interaction(api: Api, people: People) -> None:
    body = ok(api.post(f"{ROOT}/interactions", json=chat_body()), 201)
    item = body["interaction"]
    assert item["uri"] == f"{BASE_URL}/interactions/chat0000000000001"
    assert item["externalId"] == "chat-session-1"
    assert item["customAttributes"] == {"SearchId": "1", "Team": "blue"}
    assert item["ownerInformation"]["id"] == people.agent.id
    assert item["messages"][0]["text"] == "hello"
    assert item["messages"][0]["timestampSeconds"] == 1709283601000
    assert item["startDate"] == "2024-03-01 11:00:00.000+0200"
    read = ok(api.get("/api/v2/ucs/interactions/chat0000000000001"))
    assert read["messages"] == item["messages"]


def test_create_generates_an_id_and_refuses_a_taken_one(api: Api, store: Store) -> None:
    body = chat_body()
    del body["id"]
    made = ok(api.post(f"{ROOT}/interactions", json=body), 201)["interaction"]["id"]
    assert store.get_interaction(made, with_content=False) is not None
    again = api.post(f"{ROOT}/interactions", json={**body, "id": made, "subject": "changed"})
    error(again, 409, 18, made)
    kept = store.get_interaction(made, with_content=False)
    assert kept is not None
    assert kept.subject == "Where is my order"


def test_put_creates_then_replaces(api: Api, store: Store) -> None:
    path = f"{ROOT}/interactions/put1"
    created = ok(api.put(path, json=chat_body(id=None, subject="first")), 201)
    assert created["interaction"]["id"] == "put1"
    replaced = ok(api.put(path, json=chat_body(id="put1", subject="second", comment="c")), 200)
    assert replaced["interaction"]["subject"] == "second"
    stored = store.get_interaction("put1", with_content=False)
    assert stored is not None
    assert stored.comment == "c"
    assert store.count_interactions() == 1
    error(api.put(path, json=chat_body(id="other")), 400, 2, "id")


def test_create_into_the_archive(api: Api) -> None:
    ok(api.post(f"{ROOT}/interactions", params={"source": "archive"}, json=chat_body()), 201)
    path = "/api/v2/ucs/interactions/chat0000000000001"
    assert ok(api.get(path, params={"source": "archive"}))["interaction"]["id"]
    found = ok(api.get("/api/v2/ucs/interactions", params={"fromDate": "2024-03-01"}))
    assert found["interactions"] == []
    archived = {"fromDate": "2024-03-01", "source": "archive"}
    assert len(ok(api.get("/api/v2/ucs/interactions", params=archived))["interactions"]) == 1


def test_patch_changes_only_the_given_fields_and_null_clears(api: Api, store: Store) -> None:
    contact = seed_contact(store)
    seed(store, make_interaction(id="p1", comment="old", subject="keep", state=State.IN_PROCESS))
    change = {
        "state": "Stopped",
        "endDate": "2024-03-01T12:00:00Z",
        "comment": None,
        "customAttributes": {"A": "1"},
        "contactId": contact.id,
        "userData": {"k": "v"},
    }
    item = ok(api.patch(f"{ROOT}/interactions/p1", json=change))["interaction"]
    assert item["state"] == "Stopped"
    assert item["endDate"] == "2024-03-01 14:00:00.000+0200"
    assert "comment" not in item
    assert item["subject"] == "keep"
    assert item["customAttributes"] == {"A": "1"}
    assert item["contactId"] == contact.id
    assert item["userData"] == {"k": "v"}
    cleared = ok(api.patch(f"{ROOT}/interactions/p1", json={"contactId": None, "endDate": None}))
    assert "contactId" not in cleared["interaction"]
    assert "endDate" not in cleared["interaction"]


def test_patch_refusals_change_nothing(api: Api, store: Store) -> None:
    seed(store, make_interaction(id="p2", comment="old"))
    path = f"{ROOT}/interactions/p2"
    error(api.patch(path, json={"comment": "x", "startDate": "2024-01-01"}), 400, 2, "startDate")
    error(api.patch(path, json={"comment": "x", "state": None}), 400, 2, "state")
    error(api.patch(path, json={"comment": "x", "state": "Done"}), 400, 2, "state", "Done")
    error(api.patch(path, json={"comment": "x", "contactId": "nobody"}), 400, 2, "contactId")
    error(api.patch(path, json={"comment": "x", "endDate": "soon"}), 400, 2, "endDate")
    error(api.patch(path, json={}), 400, 2, "body")
    error(api.patch(f"{ROOT}/interactions/nope", json={"comment": "x"}), 404, 6, "nope")
    kept = store.get_interaction("p2", with_content=False)
    assert kept is not None
    assert kept.comment == "old"


def test_delete(api: Api, store: Store) -> None:
    seed(store, make_interaction(id="d1"))
    assert ok(api.delete(f"{ROOT}/interactions/d1")) == {"statusCode": 0}
    assert store.get_interaction("d1", with_content=False) is None
    error(api.delete(f"{ROOT}/interactions/d1"), 404, 6, "d1")


# --- bulk -----------------------------------------------------------------------------------


def test_bulk_is_idempotent_by_id(api: Api, store: Store, people: People) -> None:
    upload = ndjson(line(1), chat_body(), line(2)) + b"\n\n"  # blank lines are skipped
    assert ok(api.post(f"{ROOT}/interactions/bulk", content=upload, headers=NDJSON)) == {
        "statusCode": 0,
        "count": 3,
    }
    assert ok(api.post(f"{ROOT}/interactions/bulk", content=upload, headers=NDJSON))["count"] == 3
    assert store.count_interactions() == 3
    chat = store.get_interaction("chat0000000000001", with_content=True)
    assert chat is not None
    assert chat.messages is not None
    assert chat.owner_id == people.agent.id
    assert chat.messages[0].text == "hello"


def test_bulk_error_names_the_line_and_writes_nothing(api: Api, store: Store) -> None:
    items = [line(n) for n in range(1, 21)]
    items[16] = {**items[16], "callDuration": "87"}  # line 17
    response = api.post(f"{ROOT}/interactions/bulk", content=ndjson(*items), headers=NDJSON)
    message = error(response, 400, 2, "line 17", "callDuration")
    assert message == "line 17: callDuration: Expected `int | null`, got `str`"
    assert store.count_interactions() == 0
    broken = ndjson(line(1)) + b'{"id": "x", "mediaType": \n'
    error(api.post(f"{ROOT}/interactions/bulk", content=broken, headers=NDJSON), 400, 2, "line 2")
    assert store.count_interactions() == 0


def test_bulk_reference_errors_name_their_line(api: Api, store: Store) -> None:
    items = [line(n) for n in range(1, 6)]
    items[3] = {**items[3], "contactId": "NoSuchContact00"}  # line 4
    response = api.post(f"{ROOT}/interactions/bulk", content=ndjson(*items), headers=NDJSON)
    assert error(response, 400, 2).startswith("line 4: contactId: unknown contact")
    items[3] = {**line(4), "parentId": "NoSuchParent000"}
    response = api.post(f"{ROOT}/interactions/bulk", content=ndjson(*items), headers=NDJSON)
    assert error(response, 400, 2).startswith("line 4: parentId:")
    assert store.count_interactions() == 0


def test_bulk_into_the_archive(api: Api, store: Store) -> None:
    upload = ndjson(line(1))
    response = api.post(
        f"{ROOT}/interactions/bulk", params={"source": "archive"}, content=upload, headers=NDJSON
    )
    assert ok(response)["count"] == 1
    stored = store.get_interaction("bulk00001", with_content=False)
    assert stored is not None
    assert stored.source is Source.ARCHIVE


def test_bulk_limits(settings: Settings, store: Store, people: People) -> None:
    small = create_app(settings.with_overrides(max_bulk_lines=3, max_bulk_bytes=2000), store)
    with TestClient(small) as client:
        api = Api(client, people)
        path = f"{ROOT}/interactions/bulk"
        ok(api.post(path, content=ndjson(*(line(n) for n in range(3))), headers=NDJSON))
        too_many = api.post(path, content=ndjson(*(line(n) for n in range(4))), headers=NDJSON)
        error(too_many, 413, 10, "3 lines")
        too_big = api.post(path, content=ndjson(*(line(n) for n in range(30))), headers=NDJSON)
        error(too_big, 413, 10, "2000 bytes")
        # the JSON routes keep their own (larger) limit
        ok(api.post(f"{ROOT}/interactions", json=chat_body(subject="x" * 3000)), 201)
    assert store.count_interactions() == 4


# --- contacts -------------------------------------------------------------------------------


CONTACT = {
    "FirstName": "Kim",
    "LastName": "Brown",
    "Title": "Dr",
    "EmailAddress": [{"value": "kim@example.com"}, {"value": "k.b@example.org"}],
    "PhoneNumber": [{"value": "+1 (555) 010-0200", "description": "mobile"}],
    "customAttributes": {"Tier": "gold"},
}


def test_contact_create_read_replace(api: Api) -> None:
    made = ok(api.post(f"{ROOT}/contacts", json={**CONTACT, "id": "kim1"}), 201)["contact"]
    assert made == {
        "id": "kim1",
        "uri": f"{BASE_URL}/ucs/contacts/kim1",
        "path": "/ucs/contacts/kim1",
        "Title": "Dr",
        "FirstName": "Kim",
        "LastName": "Brown",
        "EmailAddress": [
            {"value": "kim@example.com", "primary": True},
            {"value": "k.b@example.org"},
        ],
        "PhoneNumber": [{"value": "+1 (555) 010-0200", "primary": True, "description": "mobile"}],
        "customAttributes": {"Tier": "gold"},
    }
    assert ok(api.get(f"{ROOT}/contacts/kim1"))["contact"] == made
    error(api.post(f"{ROOT}/contacts", json={**CONTACT, "id": "kim1"}), 409, 18, "kim1")
    replaced = ok(api.put(f"{ROOT}/contacts/kim1", json={"FirstName": "Kimberly"}), 200)
    assert replaced["contact"]["FirstName"] == "Kimberly"
    assert "EmailAddress" not in replaced["contact"]
    ok(api.put(f"{ROOT}/contacts/kim2", json=CONTACT), 201)
    error(api.put(f"{ROOT}/contacts/kim2", json={**CONTACT, "id": "kim3"}), 400, 2, "id")
    generated = ok(api.post(f"{ROOT}/contacts", json=CONTACT), 201)["contact"]["id"]
    assert generated not in ("kim1", "kim2")
    error(api.get(f"{ROOT}/contacts/nobody"), 404, 6, "nobody")


def test_find_contacts_by_email_phone_name_and_page_through_all(api: Api) -> None:
    for n in range(5):
        ok(
            api.post(
                f"{ROOT}/contacts",
                json={**CONTACT, "id": f"c{n}", "EmailAddress": [{"value": f"p{n}@example.com"}]},
            ),
            201,
        )
    by_email = ok(api.get(f"{ROOT}/contacts", params={"email": "P3@EXAMPLE.com"}))
    assert [c["id"] for c in by_email["contacts"]] == ["c3"]
    by_phone = ok(api.get(f"{ROOT}/contacts", params={"phone": "15550100200"}))
    assert len(by_phone["contacts"]) == 5
    by_name = ok(api.get(f"{ROOT}/contacts", params={"name": "bro", "maxSize": "2"}))
    assert [c["id"] for c in by_name["contacts"]] == ["c0", "c1"]
    assert by_name["after"] == "c1"
    seen, after = [], None
    while True:
        params = {"maxSize": 2, **({"after": after} if after else {})}
        page = ok(api.get(f"{ROOT}/contacts", params=params))
        seen += [c["id"] for c in page["contacts"]]
        after = page.get("after")
        if after is None:
            break
    assert seen == ["c0", "c1", "c2", "c3", "c4"]
    assert ok(api.get(f"{ROOT}/contacts", params={"email": "none@example.com"})) == {
        "statusCode": 0,
        "contacts": [],
    }


# --- users ----------------------------------------------------------------------------------


def test_users_create_and_list_without_secrets(
    api: Api, people: People, client: TestClient[Litestar]
) -> None:
    new = {
        "userName": "carol",
        "password": "a long enough password",
        "roles": ["ROLE_SUPERVISOR", "agent"],
        "firstName": "Carol",
        "lastName": "King",
    }
    user = ok(api.post(f"{ROOT}/users", json=new), 201)["user"]
    assert user["userName"] == "carol"
    assert user["roles"] == ["ROLE_AGENT", "ROLE_SUPERVISOR"]
    assert set(user) == {
        "id",
        "userName",
        "firstName",
        "lastName",
        "roles",
        "enabled",
        "changePasswordOnFirstLogin",
        "uri",
        "path",
    }
    client.cookies.clear()
    me = ok(client.get("/api/v2/me", auth=("carol", "a long enough password")))
    assert me["user"]["id"] == user["id"]
    listed = api.get(f"{ROOT}/users")
    names = [u["userName"] for u in ok(listed)["users"]]
    assert sorted(names) == ["admin", "agent1", "agent2", "carol", "super"]
    assert "argon2" not in listed.text
    assert "password" not in listed.text
    error(api.post(f"{ROOT}/users", json=new), 409, 18, "carol")
    error(
        api.post(f"{ROOT}/users", json={**new, "userName": "d", "password": "short"}),
        400,
        2,
        "password",
    )
    error(
        api.post(f"{ROOT}/users", json={**new, "userName": "e", "roles": ["boss"]}), 400, 2, "roles"
    )
    error(api.post(f"{ROOT}/users", json={**new, "userName": "f", "roles": []}), 400, 2, "roles")
    error(api.post(f"{ROOT}/users", json={"password": "long enough pw"}), 400, 2, "userName")


def test_concurrent_creates_of_one_id_answer_one_201_and_one_409(
    app: Litestar, store: Store, people: People
) -> None:
    """Both requests run at once in the app's worker threads, through real HTTP handling."""

    async def race(n: int) -> list[int]:
        # Litestar types its scope as a TypedDict, httpx as a MutableMapping: the same dict.
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        auth = (people.admin.user_name, PASSWORD)
        async with httpx.AsyncClient(transport=transport, base_url="http://t", auth=auth) as c:
            body = chat_body(id=f"race{n}")
            answers = await asyncio.gather(
                c.post(f"{ROOT}/interactions", json={**body, "subject": "one"}),
                c.post(f"{ROOT}/interactions", json={**body, "subject": "two"}),
            )
        return sorted(a.status_code for a in answers)

    for n in range(10):
        assert asyncio.run(race(n)) == [201, 409]
    assert store.count_interactions() == 10

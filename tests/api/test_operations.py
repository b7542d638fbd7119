"""The asynchronous UCS operations through the ASGI app in-process: sync replies, validation
errors, and the notification payloads delivered on CometD (spec 3.1-3.9)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from openucs.api.app import create_app
from openucs.config import Settings
from openucs.domain.enums import MediaType, State
from openucs.domain.models import User
from openucs.store import Store
from tests.api.conftest import PASSWORD, People, error, seed, seed_contact
from tests.factories import make_interaction, make_messages

TOPIC = "/v2/ucs/interactions"
WINDOW = {"fromDate": "2024-02-01", "toDate": "2024-03-31"}


class Comet:
    """A minimal CometD client over the test client (Basic auth on every request)."""

    def __init__(self, client: TestClient[Litestar], user_name: str) -> None:
        self.client = client
        self.auth = (user_name, PASSWORD)
        [reply] = self.post({"channel": "/meta/handshake", "version": "1.0"})
        assert reply["successful"], reply
        self.client_id = reply["clientId"]
        replies = self.post(
            [
                {"channel": "/meta/subscribe", "clientId": self.client_id, "subscription": TOPIC},
                {"channel": "/meta/connect", "clientId": self.client_id},
            ]
        )
        assert all(r["successful"] for r in replies), replies
        self.pending: list[dict[str, Any]] = []

    def post(self, messages: Any) -> list[dict[str, Any]]:
        self.client.cookies.clear()
        response = self.client.post("/api/v2/notifications", json=messages, auth=self.auth)
        assert response.status_code == 200, response.text
        replies: list[dict[str, Any]] = response.json()
        return replies

    def wait_for(self, reference_id: int, polls: int = 20) -> dict[str, Any]:
        for _ in range(polls):
            for data in self.pending:
                if data.get("referenceId") == reference_id:
                    self.pending.remove(data)
                    return data
            connect = {
                "channel": "/meta/connect",
                "clientId": self.client_id,
                "advice": {"timeout": 2000},
            }
            replies = self.post([connect])
            assert replies[-1]["successful"], replies
            self.pending += [r["data"] for r in replies[:-1]]
        raise AssertionError(f"no notification for referenceId {reference_id}")


def call(
    client: TestClient[Litestar], user: User, path: str, body: dict[str, Any]
) -> httpx.Response:
    client.cookies.clear()
    return client.post(f"/api/v2{path}", json=body, auth=(user.user_name, PASSWORD))


def accepted(response: httpx.Response) -> int:
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"statusCode", "referenceId"} and body["statusCode"] == 0, body
    return int(body["referenceId"])


def run_op(
    client: TestClient[Litestar], comet: Comet, user: User, path: str, body: dict[str, Any]
) -> dict[str, Any]:
    return comet.wait_for(accepted(call(client, user, path, body)))


# --- history ---------------------------------------------------------------------------------


def test_retrieve_interaction_history(
    client: TestClient[Litestar], people: People, store: Store
) -> None:
    seed(
        store,
        make_interaction(id="IXA", owner_id=people.agent.id, custom_attributes={"SearchId": "1"}),
        make_interaction(id="IXB", owner_id=people.other_agent.id),
    )
    comet = Comet(client, "super")
    body = {
        "operationName": "RetrieveInteractionHistory",
        **WINDOW,
        "sort": "asc",
        "maxSize": "20",
        "customAttributes": ["SearchId", "CustomerId"],
    }
    message = run_op(client, comet, people.supervisor, "/ucs/interactions", body)
    assert message["messageType"] == "GetInteractionsHistoryMessage"
    assert set(message) == {"referenceId", "messageType", "interactions"}
    assert [i["id"] for i in message["interactions"]] == ["IXA", "IXB"]
    assert message["interactions"][0]["customAttributes"] == {"SearchId": "1"}
    assert "customAttributes" not in message["interactions"][1]

    filtered = {**body, "searchCustomAttributes": {"SearchId": 1}}
    message = run_op(client, comet, people.supervisor, "/ucs/interactions", filtered)
    assert [i["id"] for i in message["interactions"]] == ["IXA"]


def test_reference_ids_count_per_session(client: TestClient[Litestar], people: People) -> None:
    body = {"operationName": "RetrieveInteractionHistory", **WINDOW}
    first = accepted(call(client, people.agent, "/ucs/interactions", body))
    second = accepted(call(client, people.agent, "/ucs/interactions", body))
    assert second == first + 1
    assert accepted(call(client, people.other_agent, "/ucs/interactions", body)) == 1


def test_retrieve_agent_history_defaults_to_the_caller(
    client: TestClient[Litestar], people: People, store: Store
) -> None:
    seed(
        store,
        make_interaction(id="MINE", owner_id=people.agent.id),
        make_interaction(id="THEIRS", owner_id=people.other_agent.id),
    )
    comet = Comet(client, "agent1")
    body = {"operationName": "RetrieveAgentHistory", **WINDOW}
    message = run_op(client, comet, people.agent, "/ucs/interactions", body)
    assert [i["id"] for i in message["interactions"]] == ["MINE"]
    other = {**body, "userId": people.other_agent.id}
    error(call(client, people.agent, "/ucs/interactions", other), 403, 5)


def test_retrieve_contact_history_and_unknown_contact(
    client: TestClient[Litestar], people: People, store: Store
) -> None:
    contact = seed_contact(store)
    seed(
        store,
        make_interaction(id="C1", contact_id=contact.id, media_type=MediaType.CHAT),
        make_interaction(id="C2", contact_id=contact.id),
    )
    comet = Comet(client, "super")
    body = {"operationName": "RetrieveContactHistory", **WINDOW, "mediaType": "chat"}
    path = f"/ucs/contacts/{contact.id}/interactions"
    message = run_op(client, comet, people.supervisor, path, body)
    assert [(i["id"], i["contactId"]) for i in message["interactions"]] == [("C1", contact.id)]

    message = run_op(client, comet, people.supervisor, "/ucs/contacts/NOPE/interactions", body)
    assert set(message) == {"referenceId", "messageType", "errorMessage"}
    assert message["messageType"] == "GetInteractionsHistoryMessage"
    assert message["errorMessage"].startswith("UCS request failed")


def test_get_interaction_content_with_transcript(
    client: TestClient[Litestar], people: People, store: Store
) -> None:
    seed(store, make_interaction(id="CHAT1", media_type=MediaType.CHAT, messages=make_messages(2)))
    comet = Comet(client, "super")
    body = {"operationName": "GetInteractionContent"}
    message = run_op(client, comet, people.supervisor, "/ucs/interactions/CHAT1", body)
    assert message["messageType"] == "GetInteractionContentMessage"
    assert message["interaction"]["id"] == "CHAT1"
    assert message["interaction"]["path"] == "/interactions/CHAT1"
    assert [m["index"] for m in message["messages"]] == [0, 1]
    assert isinstance(message["messages"][0]["timestampSeconds"], int)

    missing = run_op(client, comet, people.supervisor, "/ucs/interactions/NONE", body)
    assert missing["messageType"] == "GetInteractionContentMessage"
    assert "errorMessage" in missing and "interaction" not in missing


# --- voice -----------------------------------------------------------------------------------


def test_identify_ucs_contact_finds_creates_or_fails(
    client: TestClient[Litestar], people: People, store: Store
) -> None:
    contact = seed_contact(store)
    comet = Comet(client, "agent1")
    email = contact.emails[0].value
    body = {"operationName": "IdentifyUCSContact", "emailAddress": email, "mediaType": "call"}
    assert run_op(client, comet, people.agent, "/contacts/ucs", body)["contactId"] == contact.id

    unknown = {"operationName": "IdentifyUCSContact", "phoneNumber": "323-234-2342"}
    failed = run_op(client, comet, people.agent, "/contacts/ucs", unknown)
    assert set(failed) == {"referenceId", "errorMessage"}

    create = {**unknown, "createContactEnabled": "true", "userData": {"LastName": "Kim"}}
    made = run_op(client, comet, people.agent, "/contacts/ucs", create)
    assert set(made) == {"referenceId", "contactId"}
    stored = store.get_contact(made["contactId"])
    assert stored is not None and stored.last_name == "Kim"
    again = run_op(client, comet, people.agent, "/contacts/ucs", create)
    assert again["contactId"] == made["contactId"]  # found now, not created twice


def test_find_phone_call_creates_once(
    client: TestClient[Litestar], people: People, store: Store
) -> None:
    comet = Comet(client, "agent1")
    body = {
        "operationName": "FindPhoneCall",
        "callId": "0001ABCD",
        "status": "InProcess",
        "phoneNumber": "5551234",
        "type": "Inbound",
        "subject": "Billing",
        "userData": {"Account": "42"},
    }
    first = run_op(client, comet, people.agent, "/ucs/interactions", body)
    assert first["messageType"] == "createInteractionResponse"
    assert first["isCreated"] == "true"
    second = run_op(client, comet, people.agent, "/ucs/interactions", body)
    assert second["isCreated"] == "false"
    assert second["interactionId"] == first["interactionId"]
    item = store.get_interaction(first["interactionId"], with_content=False)
    assert item is not None
    assert (item.media_type, item.state, item.owner_id) == (
        MediaType.CALL,
        State.IN_PROCESS,
        people.agent.id,
    )
    assert item.external_id == "0001ABCD" and item.user_data == {"Account": "42"}


def test_set_call_contact_links_the_whole_thread(
    client: TestClient[Litestar], people: People, store: Store
) -> None:
    contact = seed_contact(store)
    seed(
        store,
        make_interaction(id="ROOT", owner_id=people.agent.id),
        make_interaction(id="CHILD", parent_id="ROOT", owner_id=people.agent.id),
        make_interaction(id="ELSE", owner_id=people.agent.id),
    )
    comet = Comet(client, "agent1")
    body = {"operationName": "SetCallContact", "contactPath": f"/contacts/{contact.id}"}
    message = run_op(client, comet, people.agent, "/ucs/interactions/CHILD", body)
    assert message == {
        "referenceId": message["referenceId"],
        "messageType": "UcsOperationResponse",
        "success": True,
    }
    found = store.get_interactions(["ROOT", "CHILD", "ELSE"])
    assert {k: v.contact_id for k, v in found.items()} == {
        "ROOT": contact.id,
        "CHILD": contact.id,
        "ELSE": None,
    }
    bad = {"operationName": "SetCallContact", "contactPath": "/contacts/NOPE"}
    failed = run_op(client, comet, people.agent, "/ucs/interactions/ROOT", bad)
    assert failed["success"] is False and failed["errorMessage"].startswith("UCS request failed")


def test_set_call_note_and_completed(
    client: TestClient[Litestar], people: People, store: Store
) -> None:
    seed(
        store,
        make_interaction(
            id="CALL", state=State.IN_PROCESS, owner_id=people.agent.id, user_data={"a": "1"}
        ),
        make_interaction(id="OTHER", owner_id=people.other_agent.id),
    )
    comet = Comet(client, "agent1")
    note = {"operationName": "SetCallNote", "note": "called back"}
    assert run_op(client, comet, people.agent, "/ucs/interactions/CALL", note)["success"] is True
    done = {"operationName": "SetCallCompleted", "callDuration": 87, "userData": {"b": "2"}}
    assert run_op(client, comet, people.agent, "/ucs/interactions/CALL", done)["success"] is True
    item = store.get_interaction("CALL", with_content=False)
    assert item is not None
    assert (item.comment, item.state, item.call_duration) == ("called back", State.STOPPED, 87)
    assert item.end_date is not None and item.user_data == {"a": "1", "b": "2"}
    denied = run_op(client, comet, people.agent, "/ucs/interactions/OTHER", note)
    assert denied["success"] is False


# --- synchronous errors ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "status", "code", "word"),
    [
        ("/ucs/interactions", {"fromDate": "2024-01-01"}, 400, 1, "operationName"),
        ("/ucs/interactions", {"operationName": "GetInteractionContent"}, 400, 2, "operation"),
        ("/ucs/interactions", {"operationName": "Nope"}, 400, 2, "operationName"),
        ("/contacts/ucs", {"operationName": "IdentifyUCSContact"}, 400, 1, "emailAddress"),
        (
            "/ucs/interactions",
            {"operationName": "RetrieveInteractionHistory", "mediaType": "fax"},
            400,
            2,
            "mediaType",
        ),
        (
            "/ucs/interactions",
            {"operationName": "RetrieveInteractionHistory", "maxSize": 100000},
            400,
            10,
            "maxSize",
        ),
        ("/ucs/interactions", {"operationName": "FindPhoneCall"}, 400, 1, "callId"),
        ("/ucs/interactions/X", {"operationName": "SetCallNote"}, 400, 1, "note"),
        (
            "/ucs/interactions/X",
            {"operationName": "SetCallCompleted", "callDuration": "long"},
            400,
            2,
            "callDuration",
        ),
    ],
)
def test_validation_errors_are_synchronous(
    client: TestClient[Litestar],
    people: People,
    path: str,
    body: dict[str, Any],
    status: int,
    code: int,
    word: str,
) -> None:
    error(call(client, people.agent, path, body), status, code, word)


def test_operations_need_credentials(client: TestClient[Litestar]) -> None:
    response = client.post("/api/v2/ucs/interactions", json={"operationName": "x"})
    error(response, 401, 20)


def test_disabled_feature_makes_an_invalid_operation(
    settings: Settings, store: Store, people: People
) -> None:
    app = create_app(Settings(**{**_fields(settings), "enabled_features": "api-voice"}), store)
    with TestClient(app) as client:
        body = {"operationName": "RetrieveInteractionHistory", **WINDOW}
        error(call(client, people.agent, "/ucs/interactions", body), 400, 2, "operation")
        note = {"operationName": "SetCallNote", "note": "x"}
        accepted(call(client, people.agent, "/ucs/interactions/X", note))


def _fields(settings: Settings) -> dict[str, Any]:
    return {"public_base_url": settings.public_base_url, "timezone": settings.timezone}

"""The rules of a stored interaction (domain/rules.py) through every write route, on both
engines: endDate only when Stopped and not before startDate, call fields only on calls, the
GWS transcript enumerations, and an empty note or comment that clears."""

from __future__ import annotations

import json
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from openucs.domain.enums import MediaType, State
from openucs.store import Store
from tests.api.conftest import Api, People, error, ok, seed
from tests.api.test_operations import Comet, run_op
from tests.factories import at, make_interaction

WRITE = "/openucs/v1/interactions"
START = "2024-03-01 09:00:00.000+0000"
END = "2024-03-01 09:05:00.000+0000"
BEFORE = "2024-03-01 08:59:59.999+0000"


def _chat(**fields: Any) -> dict[str, Any]:
    return {"mediaType": "chat", "startDate": START, **fields}


def _message(**fields: Any) -> dict[str, Any]:
    base = {"index": 1, "type": "Text", "timestamp": START, "text": "hi"}
    return {**base, **fields}


def _bulk(api: Api, *lines: dict[str, Any]) -> Any:
    body = "\n".join(json.dumps(line) for line in lines).encode()
    headers = {"Content-Type": "application/x-ndjson"}
    return api.post(f"{WRITE}/bulk", content=body, headers=headers)


def _stored(store: Store, iid: str) -> Any:
    return store.get_interaction(iid, with_content=True)


# --- endDate -------------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["New", "Pending", "InProcess"])
def test_a_whole_write_with_end_date_on_an_open_interaction_is_refused(
    api: Api, store: Store, state: str
) -> None:
    body = _chat(id="OPEN1", state=state, endDate=END)
    error(api.post(WRITE, json=body), 400, 2, "endDate", state)
    error(api.put(f"{WRITE}/OPEN1", json=body), 400, 2, "endDate", state)
    message = error(_bulk(api, _chat(id="OK1"), body), 400, 2, "endDate", "line 2")
    assert state in message
    assert store.get_interactions(["OPEN1", "OK1"]) == {}


def test_an_end_before_the_start_is_refused_on_every_route(api: Api, store: Store) -> None:
    body = _chat(id="BACK1", state="Stopped", endDate=BEFORE)
    error(api.post(WRITE, json=body), 400, 2, "endDate", "before startDate")
    error(api.put(f"{WRITE}/BACK1", json=body), 400, 2, "endDate", "before startDate")
    error(_bulk(api, body), 400, 2, "line 1", "endDate")
    seed(store, make_interaction(id="S1", start_date=at(0), end_date=at(5)))
    error(api.patch(f"{WRITE}/S1", json={"endDate": BEFORE}), 400, 2, "endDate")
    assert store.get_interactions(["BACK1"]) == {}
    assert _stored(store, "S1").end_date == at(5)


def test_a_stopped_interaction_keeps_its_end(api: Api) -> None:
    body = ok(api.post(WRITE, json=_chat(id="DONE1", state="Stopped", endDate=END)), 201)
    assert body["interaction"]["endDate"] == "2024-03-01 11:05:00.000+0200"  # Helsinki


def test_a_patch_out_of_stopped_drops_the_end(api: Api, store: Store) -> None:
    seed(store, make_interaction(id="S2", start_date=at(0), end_date=at(5)))
    body = ok(api.patch(f"{WRITE}/S2", json={"state": "InProcess"}))
    assert body["interaction"]["state"] == "InProcess"
    assert "endDate" not in body["interaction"]
    assert _stored(store, "S2").end_date is None
    # and the same answer on a GET
    got = ok(api.get("/api/v2/ucs/interactions/S2"))["interaction"]
    assert "endDate" not in got


def test_a_patch_giving_an_end_to_an_open_interaction_is_refused(api: Api, store: Store) -> None:
    seed(store, make_interaction(id="O3", state=State.IN_PROCESS, start_date=at(0)))
    seed(store, make_interaction(id="S3", start_date=at(0), end_date=at(5)))
    error(api.patch(f"{WRITE}/O3", json={"endDate": END}), 400, 2, "endDate", "InProcess")
    error(api.patch(f"{WRITE}/S3", json={"state": "New", "endDate": END}), 400, 2, "endDate")
    assert _stored(store, "O3").end_date is None
    assert (_stored(store, "S3").state, _stored(store, "S3").end_date) == (State.STOPPED, at(5))
    # stopping with an end is the way to give one
    stopped = ok(api.patch(f"{WRITE}/O3", json={"state": "Stopped", "endDate": END}))
    assert stopped["interaction"]["state"] == "Stopped" and "endDate" in stopped["interaction"]


def test_set_call_completed_never_ends_before_the_start(
    client: TestClient[Litestar], store: Store, people: People
) -> None:
    # a call recorded with a start ahead of the server clock ends when it starts
    future = make_interaction(id="FUT", state=State.IN_PROCESS, start_date=at(60 * 24 * 365 * 10))
    seed(store, future)
    comet = Comet(client, "admin")
    done = {"operationName": "SetCallCompleted", "callDuration": 5}
    assert run_op(client, comet, people.admin, "/ucs/interactions/FUT", done)["success"] is True
    item = _stored(store, "FUT")
    assert (item.state, item.end_date) == (State.STOPPED, future.start_date)


def test_find_phone_call_stopped_has_its_end(
    client: TestClient[Litestar], store: Store, people: People
) -> None:
    comet = Comet(client, "admin")
    find = {
        "operationName": "FindPhoneCall",
        "callId": "C-RULES-1",
        "status": "Stopped",
        "phoneNumber": "5551234",
        "type": "Inbound",
    }
    data = run_op(client, comet, people.admin, "/ucs/interactions", find)
    item = _stored(store, data["interactionId"])
    assert item.state is State.STOPPED and item.end_date == item.start_date


# --- call fields ---------------------------------------------------------------------------


@pytest.mark.parametrize(("field", "value"), [("phoneNumber", "+15550100"), ("callDuration", 7)])
def test_call_fields_only_on_calls(api: Api, store: Store, field: str, value: Any) -> None:
    body = _chat(id="CH1", **{field: value})
    error(api.post(WRITE, json=body), 400, 2, field, "chat")
    error(_bulk(api, body), 400, 2, "line 1", field)
    seed(store, make_interaction(id="CH2", media_type=MediaType.CHAT))
    if field == "callDuration":
        error(api.patch(f"{WRITE}/CH2", json={field: value}), 400, 2, field)
    assert store.get_interactions(["CH1"]) == {}
    call = {"mediaType": "call", "startDate": START, field: value}
    assert ok(api.post(WRITE, json=call), 201)["interaction"][field] == value


def test_set_call_completed_gives_no_duration_to_a_chat(
    client: TestClient[Litestar], store: Store, people: People
) -> None:
    seed(store, make_interaction(id="CHAT9", media_type=MediaType.CHAT, state=State.IN_PROCESS))
    comet = Comet(client, "admin")
    done = {"operationName": "SetCallCompleted", "callDuration": 5}
    answer = run_op(client, comet, people.admin, "/ucs/interactions/CHAT9", done)
    assert answer["success"] is False and "callDuration" in answer["errorMessage"]
    assert _stored(store, "CHAT9").call_duration is None


# --- transcript enumerations ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "field", "value"),
    [
        (_message(type="Message"), "messages[1].type", "'Message'"),
        (_message(visibility="Everyone"), "messages[1].visibility", "'Everyone'"),
        (
            _message(**{"from": {"nickname": "R2", "type": "bot"}}),
            "messages[1].from.type",
            "'bot'",
        ),
    ],
)
def test_transcript_values_outside_gws_are_refused(
    api: Api, store: Store, message: dict[str, Any], field: str, value: str
) -> None:
    body = _chat(id="TR1", messages=[_message(), message])
    text = error(api.post(WRITE, json=body), 400, 2, f"{field}: unknown value {value}", "allowed")
    assert text.startswith(field)
    error(_bulk(api, body), 400, 2, "line 1", field)
    assert store.get_interactions(["TR1"]) == {}


def test_transcript_values_are_stored_in_their_gws_spelling(api: Api) -> None:
    sender = {"nickname": "Ann", "type": "customer", "participantId": "00AF52939EBE5BC4"}
    lines = [
        _message(type="text", visibility="agents", **{"from": sender}),
        _message(index=2, type="TypingStopping"),
        _message(index=3, type="PushUrl", url="https://example.com", text=None),
    ]
    ok(api.post(WRITE, json=_chat(id="TR2", messages=lines)), 201)
    messages = ok(api.get("/api/v2/ucs/interactions/TR2"))["messages"]
    assert [m["type"] for m in messages] == ["Text", "TypingStopping", "PushUrl"]
    assert messages[0]["visibility"] == "Agents"
    assert messages[0]["from"]["type"] == "Customer"


# --- the comment ---------------------------------------------------------------------------


def test_set_call_note_with_an_empty_note_clears_the_comment(
    api: Api, client: TestClient[Litestar], store: Store, people: People
) -> None:
    seed(store, make_interaction(id="NOTE1", owner_id=people.agent.id, state=State.IN_PROCESS))
    comet = Comet(client, "agent1")
    note = {"operationName": "SetCallNote", "note": "called back"}
    assert run_op(client, comet, people.agent, "/ucs/interactions/NOTE1", note)["success"]
    assert ok(api.get("/api/v2/ucs/interactions/NOTE1"))["interaction"]["comment"] == "called back"
    clear = {"operationName": "SetCallNote", "note": ""}
    assert run_op(client, comet, people.agent, "/ucs/interactions/NOTE1", clear)["success"]
    assert _stored(store, "NOTE1").comment is None
    assert "comment" not in ok(api.get("/api/v2/ucs/interactions/NOTE1"))["interaction"]
    history = ok(api.get("/api/v2/ucs/interactions?fromDate=2024-01-01&toDate=2024-12-31"))
    assert all("comment" not in i for i in history["interactions"])


def test_an_empty_comment_is_no_comment_on_the_extension_writes(api: Api, store: Store) -> None:
    created = ok(api.post(WRITE, json=_chat(id="CM1", comment="")), 201)["interaction"]
    assert "comment" not in created
    ok(api.patch(f"{WRITE}/CM1", json={"comment": "kept"}))
    patched = ok(api.patch(f"{WRITE}/CM1", json={"comment": ""}))["interaction"]
    assert "comment" not in patched
    assert _stored(store, "CM1").comment is None

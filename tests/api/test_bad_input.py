"""Bad input gets a 400 naming the field and writes nothing, the same on every engine: dates
outside the accepted range, huge numbers, JSON nested too deep, NUL characters, strings longer
than their column, malformed parameters; and OPTIONS lists every method of a path."""

from __future__ import annotations

import json
from base64 import urlsafe_b64decode, urlsafe_b64encode
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from openucs.domain.access import EVERYTHING
from openucs.domain.enums import MediaType, State
from openucs.gws.limits import MAX_CALL_DURATION, MAX_JSON_DEPTH
from openucs.store import Store
from tests.api.conftest import PASSWORD, Api, error, ok, seed
from tests.api.test_operations import Comet, accepted, call, run_op
from tests.factories import make_interaction

CREATE = "/openucs/v1/interactions"
HISTORY = "/api/v2/ucs/interactions"
START = "2024-03-01T09:00:00.000Z"


def _nested(depth: int) -> Any:
    """`depth` objects, one inside the other."""
    value: Any = 1
    for _ in range(depth):
        value = {"a": value}
    return value


def _raw_nested(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def _refused(api: Api, store: Store, method: str, path: str, body: Any, *names: str) -> str:
    """Sends `body` as JSON text; asserts a 400 naming `names` and no interaction written."""
    before = store.count_interactions()
    text = body if isinstance(body, str) else json.dumps(body)
    response = api.call(method, path, content=text, headers={"Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    message = error(response, 400, response.json()["statusCode"], *names)
    assert store.count_interactions() == before
    return message


# --- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start",
    [
        "9999-12-31T23:59:59.999-14:00",
        "0001-01-01T00:00:00+14:00",
        "1799-12-31T23:59:59.999Z",
        "9000-01-01T00:00:00Z",
        "8999-12-31T23:59:59.999-14:00",  # 9000-01-01 in UTC
        "1800-01-01T00:00:00+00:01",  # 1799 in UTC
    ],
)
def test_a_start_outside_the_accepted_range_is_refused(api: Api, store: Store, start: str) -> None:
    body = {"mediaType": "call", "startDate": start}
    message = _refused(api, store, "POST", CREATE, body, "startDate", "1800-01-01")
    assert "8999-12-31" in message


@pytest.mark.parametrize(
    "start", ["1800-01-01T00:00:00Z", "8999-12-31T23:59:59.999Z", "1800-01-01T13:59:00-14:00"]
)
def test_the_bounds_round_trip_through_every_read(api: Api, store: Store, start: str) -> None:
    created = ok(api.post(CREATE, json={"mediaType": "chat", "startDate": start}), 201)
    iid = created["interaction"]["id"]
    read = ok(api.get(f"{HISTORY}/{iid}"))["interaction"]
    assert read["startDate"] == created["interaction"]["startDate"]
    window = {"fromDate": "1799-12-31", "toDate": "9000-01-01"}  # the days they fall on
    listed = ok(api.get(HISTORY, params=window))["interactions"]
    assert [i["id"] for i in listed] == [iid]
    page = api.get(f"/interactions/{iid}")
    assert page.status_code == 200, page.text
    assert store.count_interactions() == 1


def test_a_patch_end_date_outside_the_range_is_refused(api: Api, store: Store) -> None:
    [item] = seed(store, make_interaction())
    body = {"state": "Stopped", "endDate": "9999-12-31T23:59:59Z"}
    response = api.patch(f"{CREATE}/{item.id}", json=body)
    error(response, 400, 10, "endDate")
    read = ok(api.get(f"{HISTORY}/{item.id}"))["interaction"]
    assert read["state"] == item.state.value


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("toDate", "9999-12-31"),
        ("toDate", "9000-01-02"),
        ("fromDate", "0001-01-01"),
        ("fromDate", "1799-12-30"),
        ("toDate", "9999-12-31T23:59:59Z"),
    ],
)
def test_a_window_bound_outside_the_range_is_refused(api: Api, name: str, value: str) -> None:
    error(api.get(HISTORY, params={name: value}), 400, 10, name)


def test_the_history_operation_refuses_such_a_window_in_its_reply(
    client: TestClient[Litestar], people: Any
) -> None:
    body = {"operationName": "RetrieveInteractionHistory", "toDate": "9999-12-31"}
    error(call(client, people.admin, "/ucs/interactions", body), 400, 10, "toDate")


# --- numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("duration", ["100000000000000000000", str(2**63), "1e20", "-1"])
def test_a_call_duration_beyond_the_limit_is_refused(api: Api, store: Store, duration: str) -> None:
    body = f'{{"mediaType":"call","startDate":"{START}","callDuration":{duration}}}'
    _refused(api, store, "POST", CREATE, body, "callDuration")


def test_the_largest_call_duration_round_trips(api: Api) -> None:
    body = {"mediaType": "call", "startDate": START, "callDuration": MAX_CALL_DURATION}
    iid = ok(api.post(CREATE, json=body), 201)["interaction"]["id"]
    assert ok(api.get(f"{HISTORY}/{iid}"))["interaction"]["callDuration"] == MAX_CALL_DURATION


def test_a_patch_call_duration_beyond_the_limit_is_refused(api: Api, store: Store) -> None:
    [item] = seed(store, make_interaction(call_duration=30))
    raw = f'{{"callDuration":{2**63}}}'
    _refused(api, store, "PATCH", f"{CREATE}/{item.id}", raw, "callDuration")
    assert ok(api.get(f"{HISTORY}/{item.id}"))["interaction"]["callDuration"] == 30


@pytest.mark.parametrize("duration", ["99999999999999999999999", str(MAX_CALL_DURATION + 1)])
def test_set_call_completed_refuses_a_huge_duration_in_its_reply(
    client: TestClient[Litestar], people: Any, store: Store, duration: str
) -> None:
    [item] = seed(store, make_interaction(state=State.IN_PROCESS, owner_id=people.admin.id))
    body = {"operationName": "SetCallCompleted", "callDuration": duration}
    error(call(client, people.admin, f"/ucs/interactions/{item.id}", body), 400, 10, "callDuration")


# --- depth -----------------------------------------------------------------------------------


def test_an_operation_body_nested_a_thousand_deep_is_refused(api: Api) -> None:
    raw = '{"operationName":"RetrieveInteractionHistory","x":' + _raw_nested(1200) + "}"
    response = api.post(HISTORY, content=raw, headers={"Content-Type": "application/json"})
    error(response, 400, 2, "body", f"deeper than {MAX_JSON_DEPTH}")


def test_user_data_deeper_than_the_limit_is_refused(api: Api, store: Store) -> None:
    for depth in (MAX_JSON_DEPTH, 1200):
        raw = f'{{"mediaType":"call","startDate":"{START}","userData":{_raw_nested(depth)}}}'
        _refused(api, store, "POST", CREATE, raw, "body", str(MAX_JSON_DEPTH))


def test_user_data_just_within_the_limit_round_trips(api: Api) -> None:
    data = _nested(MAX_JSON_DEPTH - 1)  # the request body itself is the first level
    body = {"mediaType": "call", "startDate": START, "userData": data}
    iid = ok(api.post(CREATE, json=body), 201)["interaction"]["id"]
    assert ok(api.get(f"{HISTORY}/{iid}"))["interaction"]["userData"] == data


def test_a_patch_with_deep_user_data_is_refused(api: Api, store: Store) -> None:
    [item] = seed(store, make_interaction())
    raw = '{"userData":' + _raw_nested(MAX_JSON_DEPTH) + "}"
    _refused(api, store, "PATCH", f"{CREATE}/{item.id}", raw, str(MAX_JSON_DEPTH))


def test_the_notification_endpoint_refuses_a_deep_body(api: Api) -> None:
    raw = "[" * 3000 + "]" * 3000
    response = api.post("/api/v2/notifications", content=raw)
    assert response.status_code == 400, response.text


# --- NUL characters --------------------------------------------------------------------------

NUL = "a\u0000b"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"subject": NUL}, "subject"),
        ({"customAttributes": {"Lang": NUL}}, "customAttributes.Lang"),
        ({"customAttributes": {NUL: "x"}}, "customAttributes"),
        ({"userData": {"k": [1, {"z": NUL}]}}, "userData.k[1].z"),
        ({"messages": [{"index": 0, "type": "Text", "timestamp": START, "text": NUL}]}, "text"),
    ],
)
def test_a_nul_in_an_interaction_is_refused(
    api: Api, store: Store, body: dict[str, Any], field: str
) -> None:
    full = {"mediaType": "chat", "startDate": START, **body}
    _refused(api, store, "POST", CREATE, full, field, "NUL")


def test_a_nul_in_a_contact_or_user_is_refused(api: Api, store: Store) -> None:
    error(api.post("/openucs/v1/contacts", json={"LastName": NUL}), 400, 2, "LastName", "NUL")
    assert store.find_contacts(scope=EVERYTHING, name="a", limit=10) == []
    user = {"userName": "nul-user", "password": "long enough pw", "firstName": NUL}
    error(api.post("/openucs/v1/users", json=user), 400, 2, "firstName", "NUL")
    assert store.get_user_by_name("nul-user") is None


def test_a_nul_in_an_operation_or_a_parameter_is_refused(
    api: Api, client: TestClient[Litestar], people: Any, store: Store
) -> None:
    [item] = seed(store, make_interaction(owner_id=people.admin.id))
    note = {"operationName": "SetCallNote", "note": NUL}
    error(call(client, people.admin, f"/ucs/interactions/{item.id}", note), 400, 2, "note")
    error(api.get(HISTORY, params={"userId": NUL}), 400, 2, "userId", "NUL")
    error(api.get("/openucs/v1/contacts/a%00b"), 400, 2, "path", "NUL")
    assert ok(api.get(f"{HISTORY}/{item.id}"))["interaction"].get("comment") == item.comment


def test_a_nul_in_a_basic_user_name_is_wrong_credentials(
    client: TestClient[Litestar], people: Any
) -> None:
    response = client.get("/api/v2/me", auth=(f"{people.admin.user_name}\x00", PASSWORD))
    error(response, 401, 20)


def test_a_nul_in_a_web_form_is_refused(api: Api) -> None:
    response = api.get("/", params={"text": NUL})
    assert response.status_code == 400, response.text


# --- bulk lines ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "words"),
    [
        (f'{{"mediaType":"chat","startDate":"{START}","subject":"a\\u0000b"}}', ["subject"]),
        (
            f'{{"mediaType":"chat","startDate":"{START}","userData":{_raw_nested(1200)}}}',
            ["deeper"],
        ),
        (
            f'{{"mediaType":"chat","startDate":"{START}","userData":{_raw_nested(MAX_JSON_DEPTH)}}}',
            ["userData", "deeper"],
        ),
        ('{"mediaType":"chat","startDate":"0001-01-01T00:00:00+14:00"}', ["startDate"]),
        (f'{{"mediaType":"call","startDate":"{START}","callDuration":{2**63}}}', ["callDuration"]),
    ],
)
def test_a_bad_bulk_line_is_refused_by_line_and_nothing_is_written(
    api: Api, store: Store, line: str, words: list[str]
) -> None:
    good = f'{{"mediaType":"chat","startDate":"{START}"}}'
    body = f"{good}\n{line}\n"
    response = api.post(
        "/openucs/v1/interactions/bulk",
        content=body,
        headers={"Content-Type": "application/x-ndjson"},
    )
    error(response, 400, response.json()["statusCode"], "line 2", *words)
    assert store.count_interactions() == 0


# --- lengths ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"phoneNumber": "1" * 65}, "phoneNumber"),
        ({"externalId": "x" * 257}, "externalId"),
        ({"contactId": "c" * 65}, "contactId"),
        ({"ownerInformation": {"userName": "u" * 129}}, "ownerInformation.userName"),
    ],
)
def test_a_string_longer_than_its_column_is_refused(
    api: Api, store: Store, body: dict[str, Any], field: str
) -> None:
    full = {"mediaType": "call", "startDate": START, **body}
    _refused(api, store, "POST", CREATE, full, field, "length")


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (
            "/ucs/interactions",
            {
                "operationName": "FindPhoneCall",
                "callId": "c1",
                "status": "InProcess",
                "type": "Inbound",
                "phoneNumber": "5" * 65,
            },
            "phoneNumber",
        ),
        (
            "/contacts/ucs",
            {"operationName": "IdentifyUCSContact", "lastName": "L" * 257},
            "lastName",
        ),
    ],
)
def test_an_operation_refuses_a_string_longer_than_its_column_in_its_reply(
    client: TestClient[Litestar], people: Any, store: Store, path: str, body: Any, field: str
) -> None:
    error(call(client, people.admin, path, body), 400, 2, field, "length")
    assert store.count_interactions() == 0


# --- parameters ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"maxSize": ""}, ["maxSize", "empty"]),
        ({"maxSize": "\u0661\u0660"}, ["maxSize", "integer"]),
        ({"maxSize": "1" * 5000}, ["maxSize"]),
        ({"pageToken": ""}, ["pageToken", "empty"]),
        ({"pageToken": "W" * 3000}, ["pageToken"]),
        ({"customAttributes": "false"}, ["customAttributes", "false"]),
        ({"customAttributes": "Language,TRUE"}, ["customAttributes", "TRUE"]),
    ],
)
def test_a_malformed_parameter_is_refused(
    api: Api, params: dict[str, str], words: list[str]
) -> None:
    response = api.get(HISTORY, params=params)
    error(response, 400, response.json()["statusCode"], *words)


def test_a_page_token_with_an_impossible_position_is_refused(api: Api, store: Store) -> None:
    seed(store, *(make_interaction(media_type=MediaType.CHAT) for _ in range(3)))
    window = {"fromDate": "2024-01-01", "toDate": "2024-12-31", "maxSize": "1"}
    token = ok(api.get(HISTORY, params=window))["nextPageToken"]
    fingerprint, _, last_id = json.loads(urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    forged = urlsafe_b64encode(json.dumps([fingerprint, 2**70, last_id]).encode()).decode()
    error(api.get(HISTORY, params={**window, "pageToken": forged}), 400, 2, "pageToken")


def test_a_max_size_of_ascii_digits_with_spaces_still_works(api: Api) -> None:
    ok(api.get(HISTORY, params={"maxSize": " 10 "}))


def test_an_empty_body_says_so(api: Api, client: TestClient[Litestar], people: Any) -> None:
    for path in (CREATE, HISTORY):
        response = api.post(path, content=b"", headers={"Content-Type": "application/json"})
        error(response, 400, 2, "body: is empty")


@pytest.mark.parametrize(
    ("path", "methods"),
    [
        ("/openucs/v1/interactions/X1", "DELETE, OPTIONS, PATCH, PUT"),
        ("/api/v2/ucs/interactions/X1", "GET, OPTIONS, POST"),
        ("/api/v2/ucs/interactions", "GET, OPTIONS, POST"),
        ("/openucs/v1/contacts/C1", "DELETE, GET, OPTIONS, PUT"),
    ],
)
def test_options_lists_every_method_of_the_path(api: Api, path: str, methods: str) -> None:
    response = api.call("OPTIONS", path)
    assert response.status_code == 204, response.text
    assert response.headers["allow"] == methods


def test_a_refused_operation_sends_no_notification(
    client: TestClient[Litestar], people: Any, store: Store
) -> None:
    """The synchronous refusal is the whole answer: no failure notification follows it."""
    [item] = seed(store, make_interaction(state=State.IN_PROCESS, owner_id=people.admin.id))
    comet = Comet(client, people.admin.user_name)
    huge = {"operationName": "SetCallCompleted", "callDuration": str(2**63)}
    assert call(client, people.admin, f"/ucs/interactions/{item.id}", huge).status_code == 400
    good = {"operationName": "SetCallCompleted", "callDuration": 60}
    reply = comet.wait_for(
        accepted(call(client, people.admin, f"/ucs/interactions/{item.id}", good))
    )
    assert reply["success"] is True, reply
    assert comet.pending == []
    content = run_op(
        client,
        comet,
        people.admin,
        f"/ucs/interactions/{item.id}",
        {"operationName": "GetInteractionContent"},
    )
    assert content["interaction"]["callDuration"] == 60

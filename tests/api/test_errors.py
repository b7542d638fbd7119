"""The error contract: every error path answers the GWS envelope (`statusCode` int and a
`statusMessage` naming the field or problem, nothing else) with the HTTP status of
api/errors.py, and a failed write changes nothing. Then garbage in, never a 500."""

from __future__ import annotations

import logging
import random
import string
from typing import Any, NoReturn
from urllib.parse import quote

import msgspec
import pytest

from openucs.domain.access import EVERYTHING
from openucs.errors import StoreError, StoreUnavailable
from openucs.store import Store
from tests.api.conftest import Api, People, error, ok, seed, seed_contact
from tests.factories import make_interaction

ROOT = "/openucs/v1"
HISTORY = "/api/v2/ucs/interactions"
NDJSON = {"Content-Type": "application/x-ndjson"}
CALL = {"mediaType": "call", "startDate": "2024-03-01 10:00:00.000+0000"}


def bulk_with_bad_line_17() -> bytes:
    lines = [msgspec.json.encode({"id": f"b{n}", **CALL}) for n in range(1, 21)]
    lines[16] = (
        b'{"id": "b17", "mediaType": "call", "startDate": "2024-03-01T10:00:00Z", '
        b'"callDuration": "x"}'
    )
    return b"\n".join(lines) + b"\n"


# (what, method, path, request kwargs, HTTP status, statusCode, words the message must name)
CASES: list[tuple[str, str, str, dict[str, Any], int, int, tuple[str, ...]]] = [
    # history parameters
    (
        "unknown mediaType",
        "GET",
        HISTORY,
        {"params": {"mediaType": "fax"}},
        400,
        2,
        ("mediaType", "fax"),
    ),
    (
        "malformed date",
        "GET",
        HISTORY,
        {"params": {"fromDate": "01/03/2024"}},
        400,
        2,
        ("fromDate", "01/03/2024"),
    ),
    ("impossible date", "GET", HISTORY, {"params": {"toDate": "2024-02-30"}}, 400, 2, ("toDate",)),
    (
        "fromDate after toDate",
        "GET",
        HISTORY,
        {"params": {"fromDate": "2024-03-05", "toDate": "2024-03-01"}},
        400,
        2,
        ("fromDate", "after", "toDate"),
    ),
    ("maxSize zero", "GET", HISTORY, {"params": {"maxSize": "0"}}, 400, 10, ("maxSize", "range")),
    (
        "maxSize too big",
        "GET",
        HISTORY,
        {"params": {"maxSize": "1001"}},
        400,
        10,
        ("maxSize", "1001"),
    ),
    (
        "maxSize not a number",
        "GET",
        HISTORY,
        {"params": {"maxSize": "ten"}},
        400,
        2,
        ("maxSize", "ten"),
    ),
    ("bad sort", "GET", HISTORY, {"params": {"sort": "up"}}, 400, 2, ("sort", "up")),
    ("bad source", "GET", HISTORY, {"params": {"source": "cold"}}, 400, 2, ("source", "cold")),
    ("bad state", "GET", HISTORY, {"params": {"state": "Done"}}, 400, 2, ("state", "Done")),
    ("bad typeId", "GET", HISTORY, {"params": {"typeId": "Sideways"}}, 400, 2, ("typeId",)),
    (
        "mangled page token",
        "GET",
        HISTORY,
        {"params": {"pageToken": "garbage!"}},
        400,
        2,
        ("pageToken",),
    ),
    (
        "unknown parameter",
        "GET",
        HISTORY,
        {"params": {"maxsize": "5"}},
        400,
        2,
        ("maxsize", "unknown"),
    ),
    (
        "nameless custom search",
        "GET",
        HISTORY,
        {"params": {"searchCustomAttributes.": "x"}},
        400,
        2,
        ("searchCustomAttributes.",),
    ),
    ("unknown owner", "GET", HISTORY, {"params": {"userId": "f" * 32}}, 404, 6, ("user", "f" * 32)),
    # contact history and content
    (
        "unknown contact",
        "GET",
        "/api/v2/ucs/contacts/nobody/interactions",
        {},
        404,
        6,
        ("contact", "nobody"),
    ),
    (
        "contact id mismatch",
        "GET",
        "/api/v2/ucs/contacts/nobody/interactions",
        {"params": {"contactId": "other"}},
        400,
        2,
        ("contactId",),
    ),
    ("unknown interaction", "GET", f"{HISTORY}/nope", {}, 404, 6, ("interaction", "nope")),
    ("content source", "GET", f"{HISTORY}/ix1", {"params": {"source": "x"}}, 400, 2, ("source",)),
    # routing
    ("unknown path", "GET", "/api/v2/nothing/here", {}, 404, 6, ("/api/v2/nothing/here",)),
    ("unknown root", "GET", "/nothing", {}, 404, 6, ("/nothing",)),  # / is the web UI
    ("wrong method", "DELETE", HISTORY, {}, 405, 2, ("DELETE", HISTORY)),
    # interaction bodies
    (
        "missing mediaType",
        "POST",
        f"{ROOT}/interactions",
        {"json": {"startDate": "2024-03-01T10:00:00Z"}},
        400,
        1,
        ("mediaType",),
    ),
    (
        "missing startDate",
        "POST",
        f"{ROOT}/interactions",
        {"json": {"mediaType": "call"}},
        400,
        1,
        ("startDate",),
    ),
    (
        "wrong field type",
        "POST",
        f"{ROOT}/interactions",
        {"json": {**CALL, "callDuration": [1]}},
        400,
        2,
        ("callDuration",),
    ),
    (
        "unknown body field",
        "POST",
        f"{ROOT}/interactions",
        {"json": {**CALL, "bogus": 1}},
        400,
        2,
        ("bogus",),
    ),
    (
        "malformed JSON body",
        "POST",
        f"{ROOT}/interactions",
        {"content": b'{"mediaType": ', "headers": {"Content-Type": "application/json"}},
        400,
        2,
        ("body", "JSON"),
    ),
    ("body not an object", "POST", f"{ROOT}/interactions", {"json": [1, 2]}, 400, 2, ("body",)),
    (
        "bad startDate",
        "POST",
        f"{ROOT}/interactions",
        {"json": {**CALL, "startDate": "soon"}},
        400,
        2,
        ("startDate", "soon"),
    ),
    ("bad id", "POST", f"{ROOT}/interactions", {"json": {**CALL, "id": "a b"}}, 400, 2, ("id",)),
    (
        "negative duration",
        "POST",
        f"{ROOT}/interactions",
        {"json": {**CALL, "callDuration": -1}},
        400,
        2,
        ("callDuration",),
    ),
    (
        "unknown contactId",
        "POST",
        f"{ROOT}/interactions",
        {"json": {**CALL, "contactId": "ghost"}},
        400,
        2,
        ("contactId", "ghost"),
    ),
    (
        "unknown parent",
        "POST",
        f"{ROOT}/interactions",
        {"json": {**CALL, "parentId": "ghost"}},
        400,
        2,
        ("parentId", "ghost"),
    ),
    (
        "taken id",
        "POST",
        f"{ROOT}/interactions",
        {"json": {**CALL, "id": "ix1"}},
        409,
        18,
        ("ix1", "exists"),
    ),
    (
        "put id mismatch",
        "PUT",
        f"{ROOT}/interactions/ix1",
        {"json": {**CALL, "id": "ix2"}},
        400,
        2,
        ("id", "ix2"),
    ),
    (
        "patch unknown field",
        "PATCH",
        f"{ROOT}/interactions/ix1",
        {"json": {"startDate": "x"}},
        400,
        2,
        ("startDate",),
    ),
    ("patch nothing", "PATCH", f"{ROOT}/interactions/ix1", {"json": {}}, 400, 2, ("body",)),
    (
        "patch missing",
        "PATCH",
        f"{ROOT}/interactions/nope",
        {"json": {"comment": "x"}},
        404,
        6,
        ("nope",),
    ),
    ("delete missing", "DELETE", f"{ROOT}/interactions/nope", {}, 404, 6, ("nope",)),
    (
        "JSON body too large",
        "POST",
        f"{ROOT}/interactions",
        {"content": b"x" * 1_048_577, "headers": {"Content-Type": "application/json"}},
        413,
        10,
        ("body", "1048576 bytes"),
    ),
    # bulk
    (
        "bulk bad line 17",
        "POST",
        f"{ROOT}/interactions/bulk",
        {"content": bulk_with_bad_line_17(), "headers": NDJSON},
        400,
        2,
        ("line 17", "callDuration"),
    ),
    (
        "bulk bad JSON line",
        "POST",
        f"{ROOT}/interactions/bulk",
        {
            "content": msgspec.json.encode({"id": "z1", **CALL}) + b"\n{oops\n",
            "headers": NDJSON,
        },
        400,
        2,
        ("line 2", "JSON"),
    ),
    (
        "bulk duplicate ids",
        "POST",
        f"{ROOT}/interactions/bulk",
        {
            "content": b'{"id":"d","mediaType":"call","startDate":"2024-03-01T10:00:00Z"}\n' * 2,
            "headers": NDJSON,
        },
        400,
        2,
        ("id", "more than once"),
    ),
    (
        "bulk unknown contact",
        "POST",
        f"{ROOT}/interactions/bulk",
        {
            "content": msgspec.json.encode({**CALL, "contactId": "ghost"}) + b"\n",
            "headers": NDJSON,
        },
        400,
        2,
        ("contactId", "ghost"),
    ),
    (
        "bulk content type",
        "POST",
        f"{ROOT}/interactions/bulk",
        {"json": {**CALL}},
        400,
        2,
        ("Content-Type", "application/json"),
    ),
    (
        "bulk empty",
        "POST",
        f"{ROOT}/interactions/bulk",
        {"content": b"\n\n", "headers": NDJSON},
        400,
        2,
        ("body",),
    ),
    (
        "bulk source",
        "POST",
        f"{ROOT}/interactions/bulk",
        {"params": {"source": "x"}, "content": b"{}", "headers": NDJSON},
        400,
        2,
        ("source",),
    ),
    # contacts
    ("contact taken", "POST", f"{ROOT}/contacts", {"json": {"id": "ct1"}}, 409, 18, ("ct1",)),
    (
        "contact bad field",
        "POST",
        f"{ROOT}/contacts",
        {"json": {"Nickname": "x"}},
        400,
        2,
        ("Nickname",),
    ),
    (
        "contact empty email",
        "POST",
        f"{ROOT}/contacts",
        {"json": {"EmailAddress": [{"value": " "}]}},
        400,
        2,
        ("EmailAddress",),
    ),
    (
        "contact two primaries",
        "PUT",
        f"{ROOT}/contacts/ct1",
        {
            "json": {
                "PhoneNumber": [{"value": "1", "primary": True}, {"value": "2", "primary": True}]
            }
        },
        400,
        2,
        ("PhoneNumber", "primary"),
    ),
    (
        "contact id mismatch",
        "PUT",
        f"{ROOT}/contacts/ct1",
        {"json": {"id": "ct2"}},
        400,
        2,
        ("id", "ct2"),
    ),
    ("contact missing", "GET", f"{ROOT}/contacts/nobody", {}, 404, 6, ("contact", "nobody")),
    (
        "contacts maxSize type",
        "GET",
        f"{ROOT}/contacts",
        {"params": {"maxSize": "many"}},
        400,
        2,
        ("maxSize",),
    ),
    (
        "contacts maxSize range",
        "GET",
        f"{ROOT}/contacts",
        {"params": {"maxSize": "0"}},
        400,
        10,
        ("maxSize", "range"),
    ),
    (
        "contacts phone",
        "GET",
        f"{ROOT}/contacts",
        {"params": {"phone": "abc"}},
        400,
        2,
        ("phone", "digits"),
    ),
    # users
    (
        "user taken",
        "POST",
        f"{ROOT}/users",
        {"json": {"userName": "agent1", "password": "long enough 1"}},
        409,
        18,
        ("agent1",),
    ),
    (
        "user short password",
        "POST",
        f"{ROOT}/users",
        {"json": {"userName": "z", "password": "short"}},
        400,
        2,
        ("password",),
    ),
    (
        "user bad role",
        "POST",
        f"{ROOT}/users",
        {"json": {"userName": "z", "password": "long enough 1", "roles": ["god"]}},
        400,
        2,
        ("roles", "god"),
    ),
    (
        "user missing name",
        "POST",
        f"{ROOT}/users",
        {"json": {"password": "long enough 1"}},
        400,
        2,
        ("userName",),
    ),
    (
        "user blank name",
        "POST",
        f"{ROOT}/users",
        {"json": {"userName": " ", "password": "long enough 1"}},
        400,
        2,
        ("userName",),
    ),
]


@pytest.fixture
def baseline(store: Store, people: People) -> None:
    contact = seed_contact(store, id="ct1")
    seed(store, make_interaction(id="ix1", contact_id=contact.id, comment="original"))


def snapshot(store: Store) -> tuple[object, ...]:
    return (
        store.count_interactions(),
        store.get_interaction("ix1", with_content=True),
        store.get_contact("ct1"),
        store.find_contacts(scope=EVERYTHING, limit=100),
        sorted(u.user_name for u in store.list_users()),
    )


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "code", "names"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_error_path_answers_the_envelope_and_writes_nothing(
    api: Api,
    store: Store,
    baseline: None,
    method: str,
    path: str,
    kwargs: dict[str, Any],
    status: int,
    code: int,
    names: tuple[str, ...],
) -> None:
    before = snapshot(store)
    response = api.call(method, path, **kwargs)
    error(response, status, code, *names)
    if status == 405:
        assert "GET" in response.headers["allow"]
    assert snapshot(store) == before


def test_unauthenticated_and_forbidden(api: Api, people: People) -> None:
    response = api.get("/api/v2/me", user=None)
    assert error(response, 401, 20) == "Access denied"
    assert response.headers["www-authenticate"] == 'Basic realm="OpenUCS"'
    error(api.get(f"{ROOT}/users", user=people.supervisor), 403, 5, "admin")


def test_store_unavailable_is_503(
    api: Api, store: Store, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down(*args: object, **kwargs: object) -> NoReturn:
        raise StoreUnavailable("database is unreachable: connection refused")

    monkeypatch.setattr(store, "history", down)
    error(api.get(HISTORY), 503, 4, "unreachable")


def test_unexpected_errors_are_500_with_a_request_id_and_logged(
    api: Api,
    store: Store,
    people: People,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(*args: object, **kwargs: object) -> NoReturn:
        raise ZeroDivisionError("division by zero in the store")

    monkeypatch.setattr(store, "get_interaction", broken)
    message = error(api.get(f"{HISTORY}/x1"), 500, 4, "internal error", "request id")
    request_id = message.rsplit(" ", 1)[-1].rstrip(")")
    record = next(r for r in caplog.records if request_id in r.getMessage())
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None
    assert record.exc_info[0] is ZeroDivisionError

    def store_bug(*args: object, **kwargs: object) -> NoReturn:
        raise StoreError("constraint bookkeeping failed")

    monkeypatch.setattr(store, "get_interaction", store_bug)
    error(api.get(f"{HISTORY}/x1"), 500, 4, "request id")


# --- garbage in, never a 500 ----------------------------------------------------------------

ROUTES = [
    ("GET", HISTORY),
    ("GET", "/api/v2/ucs/contacts/{id}/interactions"),
    ("GET", HISTORY + "/{id}"),
    ("GET", "/api/v2/me"),
    ("GET", "/api/v2/diagnostics/version"),
    ("POST", f"{ROOT}/interactions"),
    ("PUT", f"{ROOT}/interactions/{{id}}"),
    ("PATCH", f"{ROOT}/interactions/{{id}}"),
    ("DELETE", f"{ROOT}/interactions/{{id}}"),
    ("POST", f"{ROOT}/interactions/bulk"),
    ("POST", f"{ROOT}/contacts"),
    ("GET", f"{ROOT}/contacts"),
    ("GET", f"{ROOT}/contacts/{{id}}"),
    ("PUT", f"{ROOT}/contacts/{{id}}"),
    ("POST", f"{ROOT}/users"),
    ("GET", f"{ROOT}/users"),
    ("POST", f"{ROOT}/logout"),
]
PARAM_NAMES = [
    "fromDate", "toDate", "mediaType", "state", "typeId", "userId", "contactId", "threadId",
    "sort", "maxSize", "source", "customAttributes", "pageToken", "searchCustomAttributes.X",
    "email", "phone", "name", "after", "subresources", "x",
]  # fmt: skip
WIRE_FIELDS = [
    "id", "mediaType", "typeId", "state", "startDate", "endDate", "subject", "contactId",
    "ownerInformation", "parentId", "threadId", "comment", "customAttributes", "phoneNumber",
    "callDuration", "userData", "externalId", "messages", "email", "FirstName", "EmailAddress",
    "PhoneNumber", "userName", "password", "roles",
]  # fmt: skip


def garbage_text(rng: random.Random) -> str:
    pools = [
        string.printable,
        "ÀéüΩЖ中文🙂\u202e",
        "\x00\x01\x7f",
        "%/?#&=;,\"'\\",
    ]
    size = rng.choice([0, 1, 5, 40, 300])
    return "".join(rng.choice(rng.choice(pools)) for _ in range(size))


def garbage_value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(9 if depth < 2 else 6)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return rng.choice([0, -1, 2**63, -(2**70), 3.5, 1e308])
    if kind in (3, 4, 5):
        return rng.choice(
            [garbage_text(rng), "2024-03-01", "2024-03-01 10:00:00.000+0000", "chat", "Stopped"]
        )
    if kind in (6, 7):
        return {
            rng.choice(WIRE_FIELDS): garbage_value(rng, depth + 1) for _ in range(rng.randrange(4))
        }
    return [garbage_value(rng, depth + 1) for _ in range(rng.randrange(3))]


def garbage_request(rng: random.Random, method: str, template: str) -> dict[str, Any]:
    ident = quote(rng.choice(["ix1", "ct1", garbage_text(rng) or "z", "a" * 300]), safe="")
    params = [(rng.choice(PARAM_NAMES), garbage_text(rng)) for _ in range(rng.randrange(4))]
    request: dict[str, Any] = {"params": params}
    if method in ("POST", "PUT", "PATCH"):
        body_kind = rng.randrange(3)
        if body_kind == 0:
            request["content"] = bytes(rng.randrange(256) for _ in range(rng.randrange(200)))
        elif body_kind == 1:
            body = {rng.choice(WIRE_FIELDS): garbage_value(rng) for _ in range(rng.randrange(6))}
            request["content"] = msgspec.json.encode(body)
        else:
            request["content"] = msgspec.json.encode(garbage_value(rng))
        request["headers"] = rng.choice([{"Content-Type": "application/json"}, NDJSON, {}])
    return {"path": template.replace("{id}", ident), **request}


@pytest.mark.parametrize(("method", "template"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_garbage_never_answers_500(
    api: Api, store: Store, baseline: None, method: str, template: str
) -> None:
    rng = random.Random(f"{method} {template}")
    for _ in range(30):
        request = garbage_request(rng, method, template)
        path = request.pop("path")
        response = api.call(method, path, **request)
        assert response.status_code < 500, (path, request, response.text)
        body = response.json()
        assert isinstance(body["statusCode"], int)
        if body["statusCode"]:
            assert set(body) == {"statusCode", "statusMessage"}
    ok(api.get("/api/v2/me"))  # and the app still serves

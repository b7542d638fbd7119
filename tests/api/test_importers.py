"""`POST /openucs/v1/interactions/bulk?format=`: each importer through HTTP on both engines,
all or nothing, idempotent, errors naming the record and field; no body makes a 500."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openucs.domain.access import EVERYTHING
from openucs.domain.models import Contact, ContactPoint
from openucs.store import Store
from tests.api.conftest import Api, People, error, ok

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "importers"
BULK = "/openucs/v1/interactions/bulk"
JSON = {"Content-Type": "application/json"}
NDJSON = {"Content-Type": "application/x-ndjson"}
CSV = {"Content-Type": "text/csv; charset=utf-8"}
UPLOADS = [
    ("connect-ctr", "connect-ctr.ndjson", NDJSON, 11),
    ("connect-ctr", "connect-ctr.json", JSON, 11),
    ("genesys-cloud", "genesys-cloud.json", JSON, 11),
    ("genesys-cloud", "genesys-cloud.ndjson", NDJSON, 11),
    ("csv", "interactions.csv", CSV, 12),
]


def upload(
    api: Api, format_: str, body: bytes, headers: dict[str, str], **kwargs: Any
) -> httpx.Response:
    return api.post(BULK, params={"format": format_}, content=body, headers=headers, **kwargs)


def test_every_format_imports_idempotently(api: Api, store: Store) -> None:
    total, seen = 0, set()
    for format_, name, headers, count in UPLOADS:
        body = (FIXTURES / name).read_bytes()
        assert ok(upload(api, format_, body, headers)) == {"statusCode": 0, "count": count}
        if format_ not in seen:  # the second file of a format holds the same records
            total += count
            seen.add(format_)
        assert store.count_interactions() == total, name
        contacts = len(store.find_contacts(scope=EVERYTHING, limit=1000))
        assert ok(upload(api, format_, body, headers))["count"] == count
        assert store.count_interactions() == total, name
        assert len(store.find_contacts(scope=EVERYTHING, limit=1000)) == contacts


def test_an_import_finds_the_contact_a_number_names(api: Api, store: Store) -> None:
    known = store.save_contact(
        Contact(id="KnownCaller0001", phones=[ContactPoint("+1 555-123-0001")])
    )
    ok(upload(api, "genesys-cloud", (FIXTURES / "genesys-cloud.json").read_bytes(), JSON))
    body = api.get(
        "/api/v2/ucs/interactions",
        params={"contactId": known.id, "fromDate": "2026-04-01", "toDate": "2026-04-02"},
    )
    answer = ok(body)
    assert len(answer["interactions"]) == 3  # voice, still in progress, callback
    item = answer["interactions"][0]
    assert "externalId" not in item or item["externalId"].startswith("c0a80101")


def test_a_bad_record_writes_nothing_and_is_named(api: Api, store: Store) -> None:
    records = json.loads((FIXTURES / "connect-ctr.json").read_text())
    records[7]["InitiationTimestamp"] = "2026-02-30T10:00:00Z"
    response = upload(api, "connect-ctr", json.dumps(records).encode(), JSON)
    error(response, 400, 2, "[7].InitiationTimestamp")
    rows = (FIXTURES / "interactions.csv").read_text().splitlines()
    rows[4] = rows[4].replace(",Inbound,", ",Sideways,")
    response = upload(api, "csv", "\n".join(rows).encode(), CSV)
    error(response, 400, 2, "line 5: typeId", "Sideways")
    assert store.count_interactions() == 0
    assert store.find_contacts(scope=EVERYTHING, limit=10) == []


def test_format_and_content_type_are_checked(api: Api, people: People) -> None:
    body = (FIXTURES / "interactions.csv").read_bytes()
    error(upload(api, "xml", body, CSV), 400, 2, "format", "connect-ctr")
    error(upload(api, "csv", body, {"Content-Type": "image/png"}), 400, 2, "Content-Type")
    error(upload(api, "csv", b"mediaType,startDate\n", CSV), 400, 2, "no interaction")
    error(upload(api, "connect-ctr", b"[]", JSON), 400, 2, "no interaction")
    forbidden = upload(api, "csv", body, CSV, user=people.supervisor)
    assert forbidden.status_code == 403


def test_record_limit(api: Api, store: Store) -> None:
    rows = ["mediaType,startDate"] + [f"chat,2026-01-01T00:00:{n:02d}Z" for n in range(3)]
    ok(upload(api, "csv", "\n".join(rows).encode(), CSV))
    assert store.count_interactions() == 3


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    format_=st.sampled_from(["connect-ctr", "genesys-cloud", "csv"]),
    body=st.one_of(
        st.binary(max_size=200),
        st.lists(
            st.dictionaries(
                st.sampled_from(
                    [
                        "ContactId",
                        "Channel",
                        "InitiationTimestamp",
                        "conversationId",
                        "conversationStart",
                        "participants",
                        "Agent",
                        "Attributes",
                    ]
                ),
                st.one_of(
                    st.text(max_size=10),
                    st.integers(),
                    st.none(),
                    st.sampled_from(["VOICE", "2026-01-01T00:00:00Z", "\u0000", "\ud800"]),
                ),
            ),
            max_size=3,
        ).map(lambda items: json.dumps(items).encode()),
    ),
)
def test_no_body_makes_a_500(api: Api, format_: str, body: bytes) -> None:
    response = upload(api, format_, body, JSON if format_ != "csv" else CSV)
    assert response.status_code in (200, 400, 413), response.text
    if response.status_code == 400:
        assert response.json()["statusMessage"]

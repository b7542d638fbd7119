"""`GET /openucs/v1/changes`: the change log through the API, on every engine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from openucs.store import Store
from tests.api.conftest import Api, People, error, ok, seed, seed_contact
from tests.factories import make_interaction

CHANGES = "/openucs/v1/changes"


def test_writes_through_the_api_appear_in_order_with_their_gws_resource(
    api: Api, store: Store
) -> None:
    body = {"id": "N1", "mediaType": "chat", "startDate": "2024-03-01T10:00:00Z"}
    ok(api.post("/openucs/v1/interactions", json=body), 201)
    ok(api.patch("/openucs/v1/interactions/N1", json={"comment": "hi"}))
    ok(api.post("/openucs/v1/contacts", json={"id": "K1", "FirstName": "Ann"}), 201)
    assert api.delete("/openucs/v1/interactions/N1").status_code in (200, 204)

    page = ok(api.get(CHANGES))
    assert [(c["seq"], c["type"]) for c in page["changes"]] == [
        (1, "interaction.created"),
        (2, "interaction.updated"),
        (3, "contact.created"),
        (4, "interaction.deleted"),
    ]
    assert page["next"] == 4 and page["endOfStream"] is True
    first, _, contact, deleted = page["changes"]
    assert first["interactionId"] == "N1" and "contactId" not in first
    assert first["data"] == {"id": "N1"}  # deleted since: only the id is left
    assert contact["contactId"] == "K1" and contact["data"]["FirstName"] == "Ann"
    assert deleted["data"] == {"id": "N1"}
    assert first["at"].startswith(str(datetime.now(UTC).year))

    two = ok(api.get(f"{CHANGES}?after=1&limit=2"))
    assert [c["seq"] for c in two["changes"]] == [2, 3]
    assert two["next"] == 3 and two["endOfStream"] is False
    typed = ok(api.get(f"{CHANGES}?types=contact.created,interaction.deleted"))
    assert [c["seq"] for c in typed["changes"]] == [3, 4]
    assert ok(api.get(f"{CHANGES}?after=4")) == {
        "statusCode": 0,
        "changes": [],
        "next": 4,
        "endOfStream": True,
    }


def test_a_live_record_carries_the_interaction_as_gws_shows_it(api: Api, store: Store) -> None:
    seed(store, make_interaction(id="CALL1", subject="Refund"))
    [change] = ok(api.get(CHANGES))["changes"]
    resource = ok(api.get("/api/v2/ucs/interactions/CALL1"))["interaction"]
    assert change["data"]["subject"] == "Refund"
    assert change["data"]["id"] == resource["id"] and change["data"]["uri"] == resource["uri"]


def test_an_agent_reads_only_the_records_of_what_they_may_read(
    api: Api, store: Store, people: People
) -> None:
    seed_contact(store, id="FOREIGN")
    seed(
        store,
        make_interaction(id="MINE", owner_id=people.agent.id),
        make_interaction(id="THEIRS", owner_id=people.other_agent.id, contact_id="FOREIGN"),
    )
    mine = ok(api.get(CHANGES, user=people.agent))
    assert [c.get("interactionId") or c.get("contactId") for c in mine["changes"]] == ["MINE"]
    assert mine["next"] == 3 and mine["endOfStream"] is True
    everything = ok(api.get(CHANGES, user=people.supervisor))["changes"]
    assert len(everything) == 3


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("after=x", "after"),
        ("after=-1", "after"),
        ("after=%D9%A3", "after"),
        ("after=99999999999999999999", "after"),
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("types=interaction.exploded", "types"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api: Api, query: str, field: str) -> None:
    error(api.get(f"{CHANGES}?{query}"), 400, 2, field)
    if field != "limit":  # the stream has no limit
        error(api.get(f"{CHANGES}/stream?{query}"), 400, 2, field)


def test_an_after_past_the_retention_is_410_with_the_oldest_seq(api: Api, store: Store) -> None:
    seed(store, make_interaction(id="A"), make_interaction(id="B"))
    store.prune_changes(datetime.now(UTC) + timedelta(seconds=1))
    seed(store, make_interaction(id="C"))

    response = api.get(f"{CHANGES}?after=1")
    error(response, 410, 6, "after", "3")
    assert response.headers["OpenUCS-Oldest-Seq"] == "3"
    assert [c["seq"] for c in ok(api.get(f"{CHANGES}?after=2"))["changes"]] == [3]
    error(api.get(f"{CHANGES}/stream?after=0"), 410, 6, "after")


def test_a_page_leaves_read_audit_records_of_what_it_handed_out(
    api: Api, store: Store, people: People
) -> None:
    seed_contact(store, id="FOREIGN")
    seed(
        store,
        make_interaction(id="MINE", owner_id=people.agent.id),
        make_interaction(id="THEIRS", owner_id=people.other_agent.id, contact_id="FOREIGN"),
        make_interaction(id="GONE", owner_id=people.agent.id),
    )
    assert api.delete("/openucs/v1/interactions/GONE").status_code in (200, 204)
    ok(api.get(CHANGES, user=people.agent))
    ok(api.get(CHANGES, user=people.supervisor))

    audit = ok(api.get("/openucs/v1/audit?maxSize=100"))["records"]
    pulled = [r for r in audit if r["action"] == "changes.read"]
    seen = {(r["userName"], r["via"], r.get("contactId"), *r["interactionIds"]) for r in pulled}
    assert len(pulled) == 3
    assert seen == {
        (people.supervisor.user_name, "api", None, "MINE", "THEIRS"),
        (people.supervisor.user_name, "api", "FOREIGN"),
        (people.agent.user_name, "api", None, "MINE"),  # GONE is deleted: only its id was sent
    }

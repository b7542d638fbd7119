"""Contact merge and unmerge over HTTP: the routes, a merged contact's GWS reads (its target's
history, in the GWS shapes), a GWS write naming it, and the refusals in the GWS envelope."""

from __future__ import annotations

from typing import Any

from openucs.domain.models import ContactPoint
from openucs.store import Store
from tests.api.conftest import Api, People, error, ok, seed, seed_contact
from tests.factories import make_interaction

WINDOW = {"fromDate": "2024-01-01", "toDate": "2024-12-31"}


def _world(store: Store, people: People) -> None:
    seed_contact(store, id="A", first_name="Ann", emails=[ContactPoint("a@example.com", True)])
    seed_contact(
        store,
        id="B",
        first_name="Bea",
        emails=[ContactPoint("b@example.com", True)],
        custom_attributes={"Segment": "retail"},
    )
    seed_contact(store, id="C", first_name="Cy")
    seed(
        store,
        make_interaction(id="IA", contact_id="A", owner_id=people.agent.id),
        make_interaction(id="IB", contact_id="B", owner_id=people.agent.id),
    )


def _history(api: Api, contact_id: str, **kwargs: Any) -> dict[str, Any]:
    return ok(api.get(f"/api/v2/ucs/contacts/{contact_id}/interactions", params=WINDOW, **kwargs))


def test_merge_then_b_answers_as_a_then_unmerge(api: Api, store: Store, people: People) -> None:
    _world(store, people)
    a_before = _history(api, "A")
    body = ok(api.post("/openucs/v1/contacts/A/merge", json={"from": "B"}))
    assert body["merge"]["from"] == "B"
    assert body["merge"]["into"] == "A"
    assert body["merge"]["mergedBy"] == "admin"
    assert body["merge"]["interactionIds"] == ["IB"]

    # B's history is A's, in exactly the shape A's has (an agent who handled them, too)
    a_now = _history(api, "A")
    assert _history(api, "B") == a_now
    assert _history(api, "B", user=people.agent) == a_now
    assert sorted(i["id"] for i in a_now["interactions"]) == ["IA", "IB"]
    assert a_before != a_now
    contact = ok(api.get("/openucs/v1/contacts/B"))["contact"]
    assert contact["mergedInto"] == "A"
    assert "EmailAddress" not in contact
    assert ok(api.get("/api/v2/ucs/contacts/B"))["contact"]["mergedInto"] == "A"
    a = ok(api.get("/openucs/v1/contacts/A"))["contact"]
    assert "mergedInto" not in a
    assert [e["value"] for e in a["EmailAddress"]] == ["a@example.com", "b@example.com"]
    assert a["customAttributes"] == {"Segment": "retail"}

    body = ok(api.post("/openucs/v1/contacts/B/unmerge"))
    assert body["merge"]["interactionIds"] == ["IB"]
    assert [i["id"] for i in _history(api, "B")["interactions"]] == ["IB"]
    assert _history(api, "A") == a_before
    b = ok(api.get("/openucs/v1/contacts/B"))["contact"]
    assert "mergedInto" not in b and b["customAttributes"] == {"Segment": "retail"}


def test_refusals_come_in_the_gws_envelope(api: Api, store: Store, people: People) -> None:
    _world(store, people)
    ok(api.post("/openucs/v1/contacts/A/merge", json={"from": "B"}))
    error(api.post("/openucs/v1/contacts/C/merge", json={"from": "B"}), 409, 18, "B", "merged")
    error(api.post("/openucs/v1/contacts/B/merge", json={"from": "C"}), 409, 18, "B", "merged")
    error(api.post("/openucs/v1/contacts/A/merge", json={"from": "A"}), 400, 2, "from")
    error(api.post("/openucs/v1/contacts/A/merge", json={"from": "NOPE"}), 404, 6, "NOPE")
    error(api.post("/openucs/v1/contacts/A/merge", json={}), 400, 2, "from")
    error(api.post("/openucs/v1/contacts/C/unmerge"), 409, 18, "not merged")
    error(api.put("/openucs/v1/contacts/B", json={"FirstName": "x"}), 409, 18, "unmerge")
    error(api.put("/openucs/v1/contacts/C", json={"mergedInto": "A"}), 400, 2, "mergedInto")


def test_a_gws_write_naming_a_merged_contact_goes_to_its_target(
    api: Api, store: Store, people: People
) -> None:
    """SetCallContact with B's path links the call to A, where B's history is read."""
    _world(store, people)
    seed(store, make_interaction(id="CALL", owner_id=people.agent.id))
    ok(api.post("/openucs/v1/contacts/A/merge", json={"from": "B"}))
    body = {"operationName": "SetCallContact", "contactPath": "/ucs/contacts/B"}
    reply = api.post("/api/v2/ucs/interactions/CALL", json=body)
    assert reply.status_code == 200, reply.text
    item = _wait_for_contact(store, "CALL")
    assert item == "A"
    assert "CALL" in [i["id"] for i in _history(api, "B")["interactions"]]


def _wait_for_contact(store: Store, interaction_id: str) -> str | None:
    """The operation runs after the answer (its result goes to CometD)."""
    import time

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        item = store.get_interaction(interaction_id, with_content=False)
        if item is not None and item.contact_id:
            return item.contact_id
        time.sleep(0.02)
    return None


def test_the_change_feed_says_merged(api: Api, store: Store, people: People) -> None:
    _world(store, people)
    after = store.change_bounds()[1]
    ok(api.post("/openucs/v1/contacts/A/merge", json={"from": "B"}))
    body = ok(api.get("/openucs/v1/changes", params={"after": str(after)}))
    merged, updated = body["changes"][:2]
    assert (merged["type"], merged["contactId"]) == ("contact.merged", "B")
    assert merged["data"]["mergedInto"] == "A"
    assert (updated["type"], updated["contactId"]) == ("contact.updated", "A")


def test_a_patch_naming_a_merged_contact_stores_its_target(
    api: Api, store: Store, people: People
) -> None:
    _world(store, people)
    ok(api.post("/openucs/v1/contacts/A/merge", json={"from": "B"}))
    body = ok(api.patch("/openucs/v1/interactions/IA", json={"contactId": "B"}))
    assert body["interaction"]["contactId"] == "A"


def test_bulk_and_single_writes_naming_a_merged_contact_store_its_target(
    api: Api, store: Store, people: People
) -> None:
    _world(store, people)
    ok(api.post("/openucs/v1/contacts/A/merge", json={"from": "B"}))
    new = {"mediaType": "chat", "startDate": "2024-03-01T10:00:00Z", "contactId": "B"}
    ok(api.post("/openucs/v1/interactions", json={**new, "id": "NEW1"}), 201)
    line = b'{"id":"BULK1","mediaType":"chat","startDate":"2024-03-01T10:00:00Z","contactId":"B"}\n'
    reply = api.post(
        "/openucs/v1/interactions/bulk",
        content=line,
        headers={"Content-Type": "application/x-ndjson"},
    )
    assert reply.status_code == 200, reply.text
    for interaction_id in ("NEW1", "BULK1"):
        item = store.get_interaction(interaction_id, with_content=False)
        assert item is not None and item.contact_id == "A"
    error(api.post("/openucs/v1/interactions", json={**new, "id": "N2", "contactId": "X"}), 400, 2)

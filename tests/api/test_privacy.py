"""Holds and erasure over HTTP, on every engine: the answers' shapes, the refusals (a hold,
a bad body, a missing `erase=true`) in the GWS envelope naming the field."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import TestClient

from openucs.domain.ids import new_ucs_id
from openucs.store import Store
from openucs.store.base import SavedSearch
from tests.api.conftest import PASSWORD, People, error, ok
from tests.factories import BASE_TIME
from tests.store.privacy_data import new_token, person, store_person, table_hits


def _as(people: People, role: str) -> tuple[str, str]:
    return (getattr(people, role).user_name, PASSWORD)


def test_a_hold_is_placed_listed_refuses_erasure_and_is_removed(
    client: TestClient[Litestar], store: Store, people: People, database_url: str
) -> None:
    token = new_token()
    who = person(token)
    store_person(store, who)
    admin = _as(people, "admin")
    placed = ok(
        client.post(
            "/openucs/v1/holds",
            json={"contactId": who.contact.id, "reason": "case 7"},
            auth=admin,
        ),
        201,
    )["hold"]
    assert placed["contactId"] == who.contact.id and placed["placedBy"] == people.admin.id
    assert placed["reason"] == "case 7" and placed["placedAt"]
    listed = ok(client.get("/openucs/v1/holds", auth=_as(people, "supervisor")))["holds"]
    assert listed == [placed]

    saved = SavedSearch(
        new_ucs_id(), people.agent.id, "hers", f"q={who.contact.emails[0].value}", BASE_TIME
    )
    store.save_search(saved)
    path = f"/openucs/v1/contacts/{who.contact.id}?erase=true"
    error(client.delete(path, auth=admin), 409, 18, "legal hold")
    assert table_hits(database_url, token)

    ok(client.delete(f"/openucs/v1/holds/{placed['id']}", auth=admin))
    erased = ok(client.delete(path, auth=admin))["erased"]
    assert erased["contactId"] == who.contact.id
    assert erased["interactions"] == {"archive": 1, "main": 2}
    assert erased["indexEntries"] == 3 and erased["auditRecordsDeleted"] == 2
    assert erased["savedSearches"] == 1 and store.saved_searches(people.agent.id) == []
    assert table_hits(database_url, token) == []
    error(client.delete(path, auth=admin), 404, 6)


def test_bad_holds_and_erasures_are_refused_naming_the_field(
    client: TestClient[Litestar], store: Store, people: People
) -> None:
    admin = _as(people, "admin")
    who = person(new_token())
    store_person(store, who)
    both = {"contactId": who.contact.id, "interactionId": who.interactions[0].id, "reason": "r"}
    error(client.post("/openucs/v1/holds", json=both, auth=admin), 400, 2, "contactId")
    blank = {"contactId": who.contact.id, "reason": "  "}
    error(client.post("/openucs/v1/holds", json=blank, auth=admin), 400, 2, "reason")
    unknown = {"interactionId": "NOPE", "reason": "r"}
    error(client.post("/openucs/v1/holds", json=unknown, auth=admin), 404, 6)
    path = f"/openucs/v1/contacts/{who.contact.id}"
    error(client.delete(path, auth=admin), 400, 2, "erase")
    error(client.delete(path + "?erase=yes", auth=admin), 400, 2, "erase")
    assert store.get_contact(who.contact.id) is not None

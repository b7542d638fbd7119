"""Contact merge and unmerge on every engine: what moves, what stays, what an unmerge gives
back (exactly B's, even after A changed), chains, refusals and the change log."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from openucs.domain.access import EVERYTHING
from openucs.domain.changes import ChangeQuery, ChangeType
from openucs.domain.models import Contact, ContactPoint, InteractionPatch
from openucs.domain.query import HistoryQuery
from openucs.errors import Conflict, InvalidInput, NotFound
from openucs.store import Store
from tests.factories import make_contact, make_interaction


def _contacts(store: Store) -> tuple[Contact, Contact]:
    a = make_contact(
        id="A",
        first_name="Ann",
        last_name=None,
        title=None,
        emails=[ContactPoint("ann@example.com", True)],
        phones=[],
        custom_attributes={"FirstName": "Ann", "Tier": "gold"},
    )
    b = make_contact(
        id="B",
        first_name="Annie",
        last_name="Smith",
        title="Dr",
        emails=[ContactPoint("ANN@example.com", False), ContactPoint("b@example.com", True)],
        phones=[ContactPoint("+1 555 0100", True, "mobile")],
        custom_attributes={"FirstName": "Annie", "Segment": "retail"},
    )
    store.save_contacts([a, b])
    return a, b


def _history(store: Store, contact_id: str) -> list[str]:
    page = store.history(HistoryQuery(contact_id=contact_id, limit=100, scope=EVERYTHING))
    return sorted(i.id for i in page.items)


def _own(contact: Contact | None) -> tuple[object, ...]:
    assert contact is not None
    return (
        contact.first_name,
        contact.last_name,
        contact.title,
        [(p.value, p.primary, p.description) for p in contact.emails],
        [(p.value, p.primary, p.description) for p in contact.phones],
        contact.custom_attributes,
    )


def test_merge_moves_interactions_points_and_attributes_a_wins_collisions(store: Store) -> None:
    _contacts(store)
    store.save_interactions(
        [make_interaction(id=i, contact_id=c) for i, c in (("IA", "A"), ("IB1", "B"), ("IB2", "B"))]
    )
    merge = store.merge_contacts("B", "A", merged_by="admin")
    assert (merge.from_id, merge.into_id, merge.merged_by) == ("B", "A", "admin")
    assert merge.interaction_ids == ("IB1", "IB2")
    assert _history(store, "A") == ["IA", "IB1", "IB2"]
    assert _history(store, "B") == []
    a = store.get_contact("A")
    assert a is not None
    # A's first name and FirstName win; B fills what A lacks; the shared email is not doubled
    assert (a.first_name, a.last_name, a.title) == ("Ann", "Smith", "Dr")
    assert a.custom_attributes == {"FirstName": "Ann", "Tier": "gold", "Segment": "retail"}
    assert [(p.value, p.primary) for p in a.emails] == [
        ("ann@example.com", True),
        ("b@example.com", False),  # A has a primary email already
    ]
    assert [(p.value, p.primary, p.description) for p in a.phones] == [
        ("+1 555 0100", True, "mobile")
    ]
    b = store.get_contact("B")
    assert b is not None and (b.emails, b.phones, b.custom_attributes) == ([], [], {})
    assert (b.first_name, b.last_name) == ("Annie", "Smith")  # who B was stays
    assert store.merged_into("B") == "A"
    assert store.merged_into("A") is None


def test_unmerge_gives_back_exactly_what_was_b_even_after_a_changed(store: Store) -> None:
    _, b_before = _contacts(store)
    before = _own(store.get_contact("B"))
    a_before = _own(store.get_contact("A"))
    store.save_interactions(
        [make_interaction(id="IA", contact_id="A"), make_interaction(id="IB", contact_id="B")]
    )
    store.merge_contacts("B", "A", merged_by="admin")
    # A gains things of its own after the merge, and one moved interaction is deleted
    store.save_interactions([make_interaction(id="IA2", contact_id="A")])
    a = store.get_contact("A")
    assert a is not None
    a.phones.append(ContactPoint("+44 20 7946 0000", False))
    a.custom_attributes["Note"] = "vip"
    store.save_contact(a)
    done = store.unmerge_contact("B")
    assert done.interaction_ids == ("IB",)
    assert _own(store.get_contact("B")) == before
    assert _history(store, "B") == ["IB"]
    assert _history(store, "A") == ["IA", "IA2"]
    a_after = store.get_contact("A")
    assert a_after is not None
    assert _own(a_after)[:4] == a_before[:4]  # names and emails as before the merge
    assert [p.value for p in a_after.phones] == ["+44 20 7946 0000"]  # gained since: kept
    assert a_after.custom_attributes == {"FirstName": "Ann", "Tier": "gold", "Note": "vip"}
    assert store.merged_into("B") is None
    assert b_before.id == "B"


def test_unmerge_leaves_a_value_a_changed_since_and_interactions_moved_elsewhere(
    store: Store,
) -> None:
    _contacts(store)
    store.save_contacts([make_contact(id="D")])
    store.save_interactions(
        [make_interaction(id="IB1", contact_id="B"), make_interaction(id="IB2", contact_id="B")]
    )
    store.merge_contacts("B", "A", merged_by=None)
    a = store.get_contact("A")
    assert a is not None
    a.custom_attributes["Segment"] = "business"  # A changed what B had brought
    store.save_contact(a)
    store.update_interaction(
        "IB2", InteractionPatch(contact_id="D", present=frozenset({"contact_id"}))
    )
    done = store.unmerge_contact("B")
    assert done.interaction_ids == ("IB1",)
    assert _history(store, "D") == ["IB2"]
    a = store.get_contact("A")
    assert a is not None and a.custom_attributes["Segment"] == "business"
    b = store.get_contact("B")
    assert b is not None and b.custom_attributes == {"FirstName": "Annie", "Segment": "retail"}


def test_chains_resolve_and_refusals(store: Store) -> None:
    _contacts(store)
    store.save_contacts([make_contact(id="C"), make_contact(id="E")])
    store.merge_contacts("B", "A", merged_by=None)
    with pytest.raises(Conflict, match="merged already"):
        store.merge_contacts("B", "C", merged_by=None)
    with pytest.raises(Conflict, match="is merged"):
        store.merge_contacts("E", "B", merged_by=None)
    with pytest.raises(InvalidInput):
        store.merge_contacts("A", "A", merged_by=None)
    with pytest.raises(NotFound):
        store.merge_contacts("NOPE", "A", merged_by=None)
    with pytest.raises(NotFound):
        store.unmerge_contact("NOPE")
    with pytest.raises(Conflict, match="not merged"):
        store.unmerge_contact("A")
    store.merge_contacts("A", "C", merged_by=None)
    assert store.merged_into("B") == "C"
    with pytest.raises(Conflict, match="unmerge it first"):
        store.unmerge_contact("B")
    store.unmerge_contact("A")
    store.unmerge_contact("B")
    assert store.merged_into("B") is None


def test_merged_contacts_are_not_found_by_searches(store: Store) -> None:
    _contacts(store)
    store.merge_contacts("B", "A", merged_by=None)
    found = store.find_contacts(scope=EVERYTHING, name="Annie")
    assert found == []
    assert [c.id for c in store.find_contacts(scope=EVERYTHING, email="b@example.com")] == ["A"]
    contact, created = store.identify_contact(
        email=None, phone=None, last_name="smith", create=None
    )
    assert contact is not None and contact.id == "A" and not created  # B's name joined A


def test_merge_and_unmerge_are_in_the_change_log(store: Store) -> None:
    _contacts(store)
    store.save_interactions([make_interaction(id="IB", contact_id="B")])
    after = store.change_bounds()[1]
    store.merge_contacts("B", "A", merged_by=None)
    store.unmerge_contact("B")
    found = [(r.type, r.contact_id or r.interaction_id) for r in store.changes(ChangeQuery(after))]
    assert found == [
        (ChangeType.CONTACT_MERGED, "B"),
        (ChangeType.CONTACT_UPDATED, "A"),
        (ChangeType.INTERACTION_UPDATED, "IB"),
        (ChangeType.CONTACT_UNMERGED, "B"),
        (ChangeType.CONTACT_UPDATED, "A"),
        (ChangeType.INTERACTION_UPDATED, "IB"),
    ]


def test_a_merged_database_checks_clean(store: Store) -> None:
    _contacts(store)
    store.save_interactions([make_interaction(id="IB", contact_id="B", subject="refund")])
    store.merge_contacts("B", "A", merged_by=None)
    assert store.check_integrity(sample=0) == []


def test_concurrent_merges_of_a_chain_leave_no_interaction_on_a_merged_contact(
    store: Store,
) -> None:
    """B into A and A into C at once: whichever goes first, no interaction is left on a merged
    contact (where no read would find it), and unmerges in reverse order restore everything."""
    _contacts(store)
    store.save_contacts([make_contact(id="C")])
    store.save_interactions(
        [make_interaction(id=f"I{c}{n}", contact_id=c) for c in "ABC" for n in range(20)]
    )
    for _ in range(3):
        with ThreadPoolExecutor(2) as pool:
            futures = [
                pool.submit(store.merge_contacts, "B", "A", merged_by=None),
                pool.submit(store.merge_contacts, "A", "C", merged_by=None),
            ]
        failed = [f.exception() for f in futures if f.exception() is not None]
        assert all(isinstance(e, Conflict) for e in failed), failed
        on = {
            i.contact_id
            for i in store.get_interactions([f"I{c}{n}" for c in "ABC" for n in range(20)]).values()
        }
        assert all(store.merged_into(c or "") is None for c in on), on
        for contact_id in ("A", "B"):
            if store.merged_into(contact_id) is not None:
                store.unmerge_contact(contact_id)
        for c in "ABC":
            assert _history(store, c) == sorted(f"I{c}{n}" for n in range(20))

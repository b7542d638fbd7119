"""The Store contract for interactions: round trips, replace semantics, atomicity, updates,
deletes; run on every engine (see the `store` fixture). History reads are in
test_contract_history.py."""

from __future__ import annotations

import pickle
from dataclasses import replace
from datetime import timedelta, timezone

import pytest

from openucs.domain.enums import InteractionType, MediaType, Source, State
from openucs.domain.models import Interaction, InteractionPatch, OwnerInfo
from openucs.errors import InvalidInput, NotFound, OpenUcsError
from openucs.store import Store, open_store
from tests.factories import (
    at,
    make_contact,
    make_email,
    make_interaction,
    make_messages,
    make_owner,
    make_user,
)
from tests.store.helpers import ALL, ids

# --- round trips -----------------------------------------------------------------------------


def full_interaction(contact_id: str, owner: OwnerInfo) -> Interaction:
    return make_interaction(
        media_type=MediaType.CHAT,
        type_id=InteractionType.OUTBOUND,
        state=State.IN_PROCESS,
        # an offset and sub-millisecond digits: stored as UTC epoch milliseconds
        start_date=at(5).astimezone(timezone(timedelta(hours=3))) + timedelta(microseconds=456),
        end_date=at(9),
        subject="Ünïcode subject",
        contact_id=contact_id,
        owner_id=owner.id,
        owner=owner,
        parent_id="PARENT1",
        thread_id="THREAD1",
        comment="a comment",
        custom_attributes={"SearchId": "123456", "CustomerId": "C-9", "Empty": ""},
        phone_number="+15550100",
        call_duration=77,
        user_data={"n": 1, "f": 1.5, "nested": {"list": [1, "two", None, True]}, "ü": "ß"},
        external_id="EXT-1",
        can_be_parent=False,
        messages=make_messages(3),
    )


def test_round_trip_of_every_field(store: Store) -> None:
    contact = store.save_contact(make_contact())
    owner = make_owner(first_name="Ada", last_name="Lovelace")
    original = full_interaction(contact.id, owner)
    store.save_interactions([original])

    got = store.get_interaction(original.id, with_content=True)

    expected_start = at(5)  # the microseconds below a millisecond are dropped
    assert got == replace(original, start_date=expected_start)
    assert got.start_date.utcoffset() == timedelta(0)
    assert got.messages is not None
    assert got.messages[0].timestamp.utcoffset() == timedelta(0)
    assert got.owner == owner


def test_a_batch_prepared_elsewhere_is_written_as_saved(store: Store, database_url: str) -> None:
    """Import pipelines prepare rows in one process and write them in another."""
    contact = store.save_contact(make_contact())
    owner = make_owner()
    items = [full_interaction(contact.id, owner), make_interaction(email=make_email())]
    preparer = open_store(database_url)
    try:
        prepared = pickle.loads(pickle.dumps(preparer.prepare_interactions(items)))  # noqa: S301
    finally:
        preparer.close()

    store.save_prepared(prepared)

    assert store.count_interactions() == 2
    for item in items:
        got = store.get_interaction(item.id, with_content=True)
        assert got is not None
        assert got == replace(item, start_date=got.start_date)
        assert abs(got.start_date - item.start_date) < timedelta(milliseconds=1)
    created = store.get_user(owner.id)
    assert created is not None
    assert created.user_name == owner.user_name


def test_email_content_round_trip_and_no_content_without_asking(store: Store) -> None:
    item = make_interaction(media_type=MediaType.EMAIL, email=make_email())
    store.save_interactions([item])

    assert store.get_interaction(item.id, with_content=True) == item
    bare = store.get_interaction(item.id, with_content=False)
    assert bare == replace(item, email=None)
    assert bare.messages is None and bare.email is None


def test_missing_interaction_is_none(store: Store) -> None:
    assert store.get_interaction("nope", with_content=True) is None
    assert store.get_interactions(["nope"]) == {}


def test_get_interactions_returns_existing_ones_without_content(store: Store) -> None:
    items = [make_interaction(messages=make_messages(1)) for _ in range(3)]
    store.save_interactions(items)

    found = store.get_interactions([items[0].id, items[2].id, "missing"])

    assert found == {i.id: replace(i, messages=None) for i in (items[0], items[2])}


def test_save_creates_unknown_owners_without_password_and_keeps_known_ones(store: Store) -> None:
    known = store.save_user(make_user(first_name="Kept"))
    new = make_owner(first_name="New", last_name="Agent")
    store.save_interactions(
        [
            make_interaction(owner_id=new.id, owner=new),
            make_interaction(owner_id=new.id, owner=new),
            make_interaction(
                owner_id=known.id, owner=OwnerInfo(known.id, known.user_name, "Changed")
            ),
        ]
    )

    created = store.get_user(new.id)
    assert created is not None
    assert (created.user_name, created.first_name, created.last_name) == (
        new.user_name,
        "New",
        "Agent",
    )
    assert created.password_hash is None and not created.can_login
    assert {r.value for r in created.roles} == {"agent"}
    assert store.get_user(known.id) == known


# --- replace semantics and atomicity ---------------------------------------------------------


def test_resaving_an_id_replaces_row_attributes_and_content(store: Store) -> None:
    first = make_interaction(custom_attributes={"A": "1", "B": "2"}, messages=make_messages(2))
    store.save_interactions([first])
    second = replace(first, subject="new", custom_attributes={"B": "3", "C": "4"}, messages=None)

    store.save_interactions([second])

    assert store.get_interaction(first.id, with_content=True) == second
    assert store.count_interactions() == 1

    def by(name: str, value: str) -> list[str]:
        return ids(store.history(replace(ALL, custom_equals=((name, value),))).items)

    assert (by("A", "1"), by("B", "2"), by("B", "3"), by("C", "4")) == (
        [],
        [],
        [first.id],
        [first.id],
    )


def test_a_batch_of_new_and_known_ids_inserts_the_new_and_replaces_the_known(store: Store) -> None:
    known = make_interaction(subject="old", custom_attributes={"K": "old"})
    store.save_interactions([known])
    new = make_interaction(subject="new", custom_attributes={"K": "new"})
    changed = replace(known, subject="changed", custom_attributes={"K": "changed"})

    store.save_interactions([new, changed])

    assert store.get_interaction(known.id, with_content=False) == changed
    assert store.get_interaction(new.id, with_content=False) == new
    found = store.history(replace(ALL, custom_equals=(("K", "old"),))).items
    assert found == [] and store.count_interactions() == 2


def test_saving_the_same_batch_twice_changes_nothing(store: Store) -> None:
    owner = make_owner()
    batch = [
        make_interaction(owner_id=owner.id, owner=owner, custom_attributes={"K": str(n)})
        for n in range(5)
    ]
    store.save_interactions(batch)
    before = store.history(ALL).items

    store.save_interactions(batch)

    assert store.history(ALL).items == before
    assert store.count_interactions() == 5
    assert len(store.list_users()) == 1


def test_a_batch_with_an_unknown_contact_writes_nothing(store: Store) -> None:
    kept = make_interaction(subject="kept")
    store.save_interactions([kept])
    owner = make_owner()
    batch = [
        replace(kept, subject="changed"),
        make_interaction(owner_id=owner.id, owner=owner, custom_attributes={"X": "1"}),
        make_interaction(contact_id="NO-SUCH-CONTACT"),
    ]

    with pytest.raises(InvalidInput) as caught:
        store.save_interactions(batch)

    assert caught.value.field == "contactId"
    assert "NO-SUCH-CONTACT" in caught.value.problem
    assert store.count_interactions() == 1
    untouched = store.get_interaction(kept.id, with_content=False)
    assert untouched is not None
    assert untouched.subject == "kept"
    assert store.get_user(owner.id) is None
    assert store.history(replace(ALL, custom_equals=(("X", "1"),))).items == []


def test_an_owner_name_taken_by_another_id_is_an_openucs_error(store: Store) -> None:
    taken = store.save_user(make_user())
    clash = make_owner(user_name=taken.user_name)

    with pytest.raises(OpenUcsError) as caught:
        store.save_interactions([make_interaction(owner_id=clash.id, owner=clash)])

    assert caught.value.code == "conflict"
    assert store.count_interactions() == 0


# --- updates, deletes, questions -------------------------------------------------------------


def test_update_applies_present_fields_and_none_clears(store: Store) -> None:
    contact = store.save_contact(make_contact())
    item = make_interaction(comment="old", subject="keep", call_duration=5, user_data={"a": 1})
    store.save_interactions([item])
    patch = InteractionPatch(
        state=State.STOPPED,
        end_date=at(30),
        comment=None,
        contact_id=contact.id,
        user_data=None,
        present=frozenset({"state", "end_date", "comment", "contact_id", "user_data"}),
    )

    updated = store.update_interaction(item.id, patch)

    expected = replace(
        item, state=State.STOPPED, end_date=at(30), comment=None, contact_id=contact.id,
        user_data=None,
    )  # fmt: skip
    assert updated == expected
    assert store.get_interaction(item.id, with_content=False) == expected


def test_update_replaces_custom_attributes_and_their_index(store: Store) -> None:
    item = make_interaction(custom_attributes={"A": "1", "B": "2"})
    store.save_interactions([item])

    store.update_interaction(
        item.id,
        InteractionPatch(custom_attributes={"B": "9"}, present=frozenset({"custom_attributes"})),
    )

    updated = store.get_interaction(item.id, with_content=False)
    assert updated is not None
    assert updated.custom_attributes == {"B": "9"}
    assert ids(store.history(replace(ALL, custom_equals=(("B", "9"),))).items) == [item.id]
    assert store.history(replace(ALL, custom_equals=(("A", "1"),))).items == []


def test_update_without_present_changes_only_given_fields(store: Store) -> None:
    item = make_interaction(comment="stays")
    store.save_interactions([item])

    updated = store.update_interaction(item.id, InteractionPatch(subject="new"))

    assert updated == replace(item, subject="new")


def test_update_errors(store: Store) -> None:
    item = make_interaction()
    store.save_interactions([item])

    with pytest.raises(NotFound):
        store.update_interaction("missing", InteractionPatch(comment="x"))
    with pytest.raises(InvalidInput) as caught:
        store.update_interaction(
            item.id, InteractionPatch(contact_id="NOPE", present=frozenset({"contact_id"}))
        )
    assert caught.value.field == "contactId"
    with pytest.raises(InvalidInput):
        store.update_interaction(item.id, InteractionPatch(present=frozenset({"state"})))
    assert store.get_interaction(item.id, with_content=False) == item


def test_delete_removes_the_row_its_attributes_and_content(store: Store) -> None:
    item = make_interaction(custom_attributes={"A": "1"}, messages=make_messages(2))
    store.save_interactions([item, make_interaction()])

    assert store.delete_interaction(item.id) is True
    assert store.delete_interaction(item.id) is False
    assert store.get_interaction(item.id, with_content=True) is None
    assert store.history(replace(ALL, custom_equals=(("A", "1"),))).items == []
    store.save_interactions([replace(item, custom_attributes={}, messages=None)])
    again = store.get_interaction(item.id, with_content=True)
    assert again is not None
    assert again.messages is None
    assert store.count_interactions() == 2


def test_owner_handled_contact(store: Store) -> None:
    contacts = [make_contact(), make_contact()]
    store.save_contacts(contacts)
    owners = [make_owner(), make_owner()]
    store.save_interactions(
        [
            make_interaction(
                contact_id=contacts[0].id,
                owner_id=owners[0].id,
                owner=owners[0],
                source=Source.ARCHIVE,
            ),
            make_interaction(contact_id=contacts[1].id, owner_id=owners[1].id, owner=owners[1]),
        ]
    )

    assert store.owner_handled_contact(owners[0].id, contacts[0].id)
    assert not store.owner_handled_contact(owners[0].id, contacts[1].id)
    assert not store.owner_handled_contact(owners[1].id, contacts[0].id)


def test_count_interactions_counts_both_tiers(store: Store) -> None:
    store.save_interactions([make_interaction(), make_interaction(source=Source.ARCHIVE)])

    assert store.count_interactions() == 2


def test_interaction_type(store: Store) -> None:
    """The store hands back domain objects, not rows."""
    store.save_interactions([make_interaction()])

    assert all(isinstance(i, Interaction) for i in store.history(ALL).items)

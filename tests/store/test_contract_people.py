"""The Store contract for contacts, users and sessions, and for errors, on every engine."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from openucs.domain.access import EVERYTHING
from openucs.domain.enums import Role
from openucs.domain.models import ContactPoint
from openucs.errors import Conflict, StoreUnavailable
from openucs.store import Store, open_store
from openucs.store.sqlite import SqliteStore
from tests.factories import BASE_TIME, make_contact, make_session, make_user

# --- contacts --------------------------------------------------------------------------------


def test_contact_round_trip(store: Store) -> None:
    contact = make_contact(
        emails=[ContactPoint("a@x.org", True, "work"), ContactPoint("b@y.org")],
        phones=[ContactPoint("+44 20 7946 0000", True), ContactPoint("555-0100", False, "home")],
        custom_attributes={"Segment": "VIP", "Ünï": "çødé"},
    )

    saved = store.save_contact(contact)

    assert saved.created_at is not None and saved.updated_at is not None
    assert saved == replace(contact, created_at=saved.created_at, updated_at=saved.updated_at)
    assert store.get_contact(contact.id) == saved
    assert store.get_contact("missing") is None


def test_resaving_a_contact_replaces_points_and_keeps_created_at(store: Store) -> None:
    contact = make_contact(created_at=BASE_TIME)
    first = store.save_contact(contact)
    changed = replace(
        contact,
        last_name="Changed",
        emails=[ContactPoint("new@x.org", True)],
        phones=[],
        created_at=None,
    )

    second = store.save_contact(changed)

    assert second.created_at == first.created_at == BASE_TIME
    assert (second.last_name, second.emails, second.phones) == (
        "Changed",
        [ContactPoint("new@x.org", True)],
        [],
    )
    assert store.find_contacts(scope=EVERYTHING, email=contact.emails[0].value) == []


def test_find_contacts_by_email_ignores_case_and_spaces(store: Store) -> None:
    wanted = make_contact(emails=[ContactPoint("Ann.Smith@Example.COM", True)])
    store.save_contacts([wanted, make_contact()])

    found = store.find_contacts(scope=EVERYTHING, email="  ann.smith@example.com ")

    assert [c.id for c in found] == [wanted.id]
    assert found[0].emails[0].value == "Ann.Smith@Example.COM"  # stored as given
    assert store.find_contacts(scope=EVERYTHING, email="ann.smith@example") == []


def test_find_contacts_by_phone_compares_digits(store: Store) -> None:
    wanted = make_contact(phones=[ContactPoint("15550102000", True)])
    store.save_contacts([wanted, make_contact(phones=[ContactPoint("5550102000", True)])])

    found = store.find_contacts(scope=EVERYTHING, phone="+1 (555) 010-2000")
    assert [c.id for c in found] == [wanted.id]
    assert store.find_contacts(scope=EVERYTHING, phone="no digits") == []


def test_find_contacts_by_name_prefix_of_first_or_last_name(store: Store) -> None:
    smith = make_contact(first_name="Ann", last_name="Smithers")
    anna = make_contact(first_name="Anna", last_name="Jones")
    literal = make_contact(first_name="50%_off", last_name="Deal")
    other = make_contact(first_name="Bob", last_name="Ansmith")
    store.save_contacts([smith, anna, literal, other])

    assert {c.id for c in store.find_contacts(scope=EVERYTHING, name="SMITH")} == {smith.id}
    found = store.find_contacts(scope=EVERYTHING, name="an")
    assert {c.id for c in found} == {smith.id, anna.id, other.id}
    assert {c.id for c in store.find_contacts(scope=EVERYTHING, name="50%_")} == {literal.id}
    assert store.find_contacts(scope=EVERYTHING, name="5_%") == []


def test_find_contacts_without_criteria_pages_by_id(store: Store) -> None:
    contacts = [make_contact(id=f"C{n}") for n in range(5)]
    store.save_contacts(contacts)

    first = store.find_contacts(scope=EVERYTHING, limit=2)
    rest = store.find_contacts(scope=EVERYTHING, limit=10, after_id=first[-1].id)

    assert [c.id for c in first + rest] == ["C0", "C1", "C2", "C3", "C4"]
    assert all(c.emails for c in first + rest)  # points are loaded for every contact


def test_find_contacts_combines_criteria(store: Store) -> None:
    a = make_contact(first_name="Zed", emails=[ContactPoint("z@x.org", True)])
    b = make_contact(first_name="Zoe", emails=[ContactPoint("z@x.org", True)])
    store.save_contacts([a, b])

    found = store.find_contacts(scope=EVERYTHING, email="z@x.org", name="zoe")
    assert [c.id for c in found] == [b.id]


def test_existing_contact_ids(store: Store) -> None:
    contacts = [make_contact() for _ in range(3)]
    store.save_contacts(contacts)

    assert store.existing_contact_ids([contacts[0].id, contacts[2].id, "nope"]) == {
        contacts[0].id,
        contacts[2].id,
    }
    assert store.existing_contact_ids([]) == set()


# --- users -----------------------------------------------------------------------------------


def test_user_round_trip_and_lookups(store: Store) -> None:
    user = make_user(roles=frozenset({Role.SUPERVISOR, Role.ADMIN}), enabled=False)

    assert store.save_user(user) == user
    assert store.get_user(user.id) == user
    assert store.get_user_by_name(user.user_name) == user
    assert store.get_user("f" * 32) is None
    assert store.get_user_by_name("nobody") is None


def test_save_user_replaces_and_list_users_orders_by_name(store: Store) -> None:
    b = store.save_user(make_user(user_name="bob"))
    a = store.save_user(make_user(user_name="alice"))
    renamed = store.save_user(replace(b, user_name="carol", password_hash=None))

    assert store.list_users() == [a, renamed]
    assert store.get_user_by_name("bob") is None


def test_a_taken_user_name_is_a_conflict(store: Store) -> None:
    first = store.save_user(make_user(user_name="dup"))

    with pytest.raises(Conflict):
        store.save_user(make_user(user_name="dup"))

    assert store.list_users() == [first]


def test_the_change_stamp_moves_with_every_commit_of_any_process(
    store: Store, database_url: str
) -> None:
    """SQLite tells cheaply whether anything was committed (the callers then skip a read);
    PostgreSQL has no such signal and says so."""
    first = store.change_stamp()
    if not isinstance(store, SqliteStore):
        assert first is None
        return
    assert first is not None
    store.get_user("f" * 32)  # a read commits nothing
    assert store.change_stamp() == first
    user = store.save_user(make_user(user_name="stamped"))  # this store's own write
    second = store.change_stamp()
    assert second is not None and second != first
    other = open_store(database_url)  # another process, in effect
    try:
        other.save_user(replace(user, enabled=False))
    finally:
        other.close()
    third = store.change_stamp()
    assert third is not None and third != second


# --- sessions --------------------------------------------------------------------------------


def test_sessions(store: Store) -> None:
    user = store.save_user(make_user())
    old = make_session(user.id, last_seen_at=BASE_TIME)
    fresh = make_session(user.id, last_seen_at=BASE_TIME + timedelta(hours=2))
    store.create_session(old)
    store.create_session(fresh)

    assert store.get_session(old.token_hash) == old
    cutoff = int((BASE_TIME + timedelta(hours=1)).timestamp() * 1000)
    assert store.delete_sessions_seen_before(cutoff) == 1
    assert store.get_session(old.token_hash) is None
    store.delete_session(fresh.token_hash)
    assert store.get_session(fresh.token_hash) is None
    store.delete_session("unknown")  # no error


def test_a_duplicate_session_is_a_conflict(store: Store) -> None:
    user = store.save_user(make_user())
    session = make_session(user.id)
    store.create_session(session)

    with pytest.raises(Conflict):
        store.create_session(session)


def test_add_session_keeps_a_stored_one_and_close_stores_a_closed_one(store: Store) -> None:
    user = store.save_user(make_user())
    session = make_session(user.id)
    assert store.add_session(session) == session
    later = replace(session, last_seen_at=BASE_TIME + timedelta(hours=1))
    assert store.add_session(later) == session  # the first one stays
    closed_at = BASE_TIME + timedelta(hours=2)
    store.close_session(replace(later, closed_at=closed_at))
    assert store.get_session(session.token_hash) == replace(session, closed_at=closed_at)
    never_used = make_session(user.id, closed_at=closed_at)
    store.close_session(never_used)
    assert store.get_session(never_used.token_hash) == never_used
    assert store.add_session(replace(never_used, closed_at=None)).closed_at == closed_at


def test_a_server_secret_is_the_first_one_stored(store: Store) -> None:
    assert store.server_secret("k", "first") == "first"
    assert store.server_secret("k", "second") == "first"
    assert store.server_secret("other", "second") == "second"


def test_reference_ids_go_on_after_a_given_one(store: Store) -> None:
    user = store.save_user(make_user())
    session = store.add_session(make_session(user.id))
    assert store.next_reference_id(session.token_hash, 4) == 5
    assert store.next_reference_id(session.token_hash, 2) == 6
    assert store.next_reference_id(session.token_hash) == 7


# --- unavailable databases -------------------------------------------------------------------


def test_an_unreachable_postgres_is_store_unavailable() -> None:
    store = open_store("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2")
    try:
        with pytest.raises(StoreUnavailable):
            store.count_interactions()
    finally:
        store.close()


def test_an_unopenable_sqlite_file_is_store_unavailable(tmp_path: Path) -> None:
    (tmp_path / "a-directory.db").mkdir()
    store = open_store(f"sqlite:///{tmp_path / 'a-directory.db'}")
    try:
        with pytest.raises(StoreUnavailable):
            store.get_user("x")
    finally:
        store.close()


def test_a_database_without_schema_is_a_store_error(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        with pytest.raises(StoreUnavailable, match="upgrade"):
            store.count_interactions()
    finally:
        store.close()

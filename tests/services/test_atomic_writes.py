"""Creates are one transaction: of two concurrent creates of one id exactly one wins and the
other is refused, whatever the timing, on every engine, from one store or from two (two server
processes); a failed create or put writes nothing."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest

from openucs.errors import Conflict, InvalidInput
from openucs.services import contacts, records
from openucs.store import Store, open_store
from tests.factories import make_contact, make_interaction, make_owner

ROUNDS = 15


def _race(calls: list[Callable[[], object]]) -> list[str]:
    """Run the calls at once (a barrier releases them together); each outcome's name."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], object]) -> str:
        barrier.wait()
        try:
            call()
        except Conflict:
            return "conflict"
        return "created"

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return sorted(pool.map(run, calls))


@pytest.fixture
def other_store(database_url: str, store: Store) -> Store:
    opened = open_store(database_url)
    yield opened  # type: ignore[misc]
    opened.close()


@pytest.mark.parametrize("two_stores", [False, True], ids=["one store", "two stores"])
def test_exactly_one_of_two_concurrent_creates_wins(store, other_store, two_stores):
    owner = make_owner()
    for n in range(ROUNDS):
        first = make_interaction(id=f"RACE{n:04d}", owner=owner, subject="first")
        second = replace(first, subject="second", owner=owner)
        stores = (store, other_store if two_stores else store)
        outcomes = _race(
            [
                lambda s=stores[0], i=first: records.create_interaction(store=s, interaction=i),
                lambda s=stores[1], i=second: records.create_interaction(store=s, interaction=i),
            ]
        )
        assert outcomes == ["conflict", "created"]
        stored = store.get_interaction(first.id, with_content=False)
        assert stored is not None
        assert stored.subject in {"first", "second"}
    assert store.count_interactions() == ROUNDS


@pytest.mark.parametrize("two_stores", [False, True], ids=["one store", "two stores"])
def test_exactly_one_of_two_concurrent_contact_creates_wins(store, other_store, two_stores):
    for n in range(ROUNDS):
        contact = make_contact(id=f"RACECONTACT{n:04d}")
        stores = (store, other_store if two_stores else store)
        outcomes = _race(
            [
                lambda s=stores[0], c=contact: contacts.create_contact(store=s, contact=c),
                lambda s=stores[1], c=contact: contacts.create_contact(store=s, contact=c),
            ]
        )
        assert outcomes == ["conflict", "created"]


def test_concurrent_puts_of_a_new_id_report_one_creation(store, other_store):
    for n in range(ROUNDS):
        item = make_interaction(id=f"PUT{n:04d}", owner=make_owner())
        created: list[bool] = []
        barrier = threading.Barrier(2)

        def put(s: Store, i=item, b=barrier, out=created) -> None:
            b.wait()
            out.append(records.put_interaction(store=s, interaction=replace(i))[1])

        with ThreadPoolExecutor(max_workers=2) as pool:
            for future in [pool.submit(put, store), pool.submit(put, other_store)]:
                future.result()
        assert sorted(created) == [False, True]


def test_a_create_refused_by_its_checks_writes_nothing(store):
    owner = make_owner()
    bad = make_interaction(owner=owner, contact_id="NO-SUCH-CONTACT")
    with pytest.raises(InvalidInput, match="contactId"):
        records.create_interaction(store=store, interaction=bad)
    assert store.count_interactions() == 0
    # The owner met in the refused create was not created either.
    assert store.get_user(owner.id) is None


def test_a_create_of_a_taken_id_changes_nothing(store):
    first = make_interaction(owner=make_owner(), subject="kept")
    records.create_interaction(store=store, interaction=first)
    with pytest.raises(Conflict, match=first.id):
        records.create_interaction(
            store=store, interaction=replace(first, subject="lost", owner=make_owner())
        )
    stored = store.get_interaction(first.id, with_content=False)
    assert stored is not None
    assert stored.subject == "kept"
    assert len(store.list_users()) == 1


def test_an_atomic_block_that_fails_leaves_nothing(store):
    item = make_interaction(owner=make_owner())
    with pytest.raises(RuntimeError), store.atomic():
        store.save_interactions([item])
        assert store.get_interaction(item.id, with_content=False) is not None  # sees its own
        raise RuntimeError("after the write")
    assert store.get_interaction(item.id, with_content=False) is None
    assert store.count_interactions() == 0

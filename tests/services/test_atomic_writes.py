"""Creates are one transaction: of two concurrent creates of one id exactly one wins and the
other is refused, whatever the timing, on every engine, from one store or from two (two server
processes); a failed create or put writes nothing."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from functools import partial

import pytest

from openucs.domain.models import Interaction
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
def other_store(database_url: str, store: Store) -> Iterator[Store]:
    """A second store on the same database: another server process."""
    opened = open_store(database_url)
    try:
        yield opened
    finally:
        opened.close()


@pytest.mark.parametrize("two_stores", [False, True], ids=["one store", "two stores"])
def test_exactly_one_of_two_concurrent_creates_wins(
    store: Store, other_store: Store, two_stores: bool
) -> None:
    owner = make_owner()
    for n in range(ROUNDS):
        first = make_interaction(id=f"RACE{n:04d}", owner=owner, subject="first")
        second = replace(first, subject="second", owner=owner)
        stores = (store, other_store if two_stores else store)
        outcomes = _race(
            [
                partial(records.create_interaction, store=stores[0], interaction=first),
                partial(records.create_interaction, store=stores[1], interaction=second),
            ]
        )
        assert outcomes == ["conflict", "created"]
        stored = store.get_interaction(first.id, with_content=False)
        assert stored is not None
        assert stored.subject in {"first", "second"}
    assert store.count_interactions() == ROUNDS


@pytest.mark.parametrize("two_stores", [False, True], ids=["one store", "two stores"])
def test_exactly_one_of_two_concurrent_contact_creates_wins(
    store: Store, other_store: Store, two_stores: bool
) -> None:
    for n in range(ROUNDS):
        contact = make_contact(id=f"RACECONTACT{n:04d}")
        stores = (store, other_store if two_stores else store)
        outcomes = _race(
            [
                partial(contacts.create_contact, store=stores[0], contact=contact),
                partial(contacts.create_contact, store=stores[1], contact=contact),
            ]
        )
        assert outcomes == ["conflict", "created"]


def test_concurrent_puts_of_a_new_id_report_one_creation(store: Store, other_store: Store) -> None:
    for n in range(ROUNDS):
        item = make_interaction(id=f"PUT{n:04d}", owner=make_owner())
        created: list[bool] = []
        barrier = threading.Barrier(2)

        def put(
            s: Store,
            i: Interaction = item,
            b: threading.Barrier = barrier,
            out: list[bool] = created,
        ) -> None:
            b.wait()
            out.append(records.put_interaction(store=s, interaction=replace(i))[1])

        with ThreadPoolExecutor(max_workers=2) as pool:
            for future in [pool.submit(put, store), pool.submit(put, other_store)]:
                future.result()
        assert sorted(created) == [False, True]


def test_a_create_refused_by_its_checks_writes_nothing(store: Store) -> None:
    owner = make_owner()
    bad = make_interaction(owner=owner, contact_id="NO-SUCH-CONTACT")
    with pytest.raises(InvalidInput, match="contactId"):
        records.create_interaction(store=store, interaction=bad)
    assert store.count_interactions() == 0
    # The owner met in the refused create was not created either.
    assert store.get_user(owner.id) is None


def test_a_create_of_a_taken_id_changes_nothing(store: Store) -> None:
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


def test_an_atomic_block_that_fails_leaves_nothing(store: Store) -> None:
    item = make_interaction(owner=make_owner())
    with pytest.raises(RuntimeError), store.atomic():
        store.save_interactions([item])
        assert store.get_interaction(item.id, with_content=False) is not None  # sees its own
        raise RuntimeError("after the write")
    assert store.get_interaction(item.id, with_content=False) is None
    assert store.count_interactions() == 0

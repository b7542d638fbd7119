"""The Store contract of the change log, on every engine: each write appends its records in
its own transaction, seqs are gapless, readers see what their scope allows."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from openucs.domain.access import AgentAccess, ReadScope
from openucs.domain.changes import ChangeQuery, ChangeType
from openucs.domain.models import InteractionPatch
from openucs.errors import Conflict
from openucs.services import contacts, records
from openucs.store import Store, open_store
from tests.factories import make_contact, make_interaction, make_owner, make_user

C = ChangeType


def _log(store: Store, **query: object) -> list[tuple[int, ChangeType, str | None]]:
    found = store.changes(ChangeQuery(limit=1000, **query))  # type: ignore[arg-type]
    return [(r.seq, r.type, r.interaction_id or r.contact_id) for r in found]


def test_every_write_appends_its_records_in_seq_order(store: Store) -> None:
    contact = contacts.create_contact(store=store, contact=make_contact(id="K1"))
    records.create_interaction(store=store, interaction=make_interaction(id="A"))
    records.put_interaction(store=store, interaction=make_interaction(id="A", subject="again"))
    records.put_interaction(store=store, interaction=make_interaction(id="B"))
    records.update_interaction(store=store, interaction_id="B", patch=InteractionPatch(comment="c"))
    store.assign_thread_contact("B", contact.id)
    store.complete_interaction("A", end_date=datetime.now(UTC), call_duration=3, user_data={})
    records.delete_interaction(store=store, interaction_id="A")
    contacts.put_contact(store=store, contact=make_contact(id="K1", first_name="Zoe"))

    assert _log(store) == [
        (1, C.CONTACT_CREATED, "K1"),
        (2, C.INTERACTION_CREATED, "A"),
        (3, C.INTERACTION_UPDATED, "A"),
        (4, C.INTERACTION_CREATED, "B"),
        (5, C.INTERACTION_UPDATED, "B"),
        (6, C.INTERACTION_UPDATED, "B"),
        (7, C.INTERACTION_UPDATED, "A"),
        (8, C.INTERACTION_DELETED, "A"),
        (9, C.CONTACT_UPDATED, "K1"),
    ]
    found = {r.seq: r for r in store.changes(ChangeQuery(after=3, limit=3))}
    assert list(found) == [4, 5, 6]
    assert found[6].interaction is not None and found[6].interaction.contact_id == "K1"
    assert found[6].interaction.comment == "c"
    last = store.changes(ChangeQuery(after=7))
    assert last[0].interaction is None and last[1].contact is not None
    assert last[1].contact.first_name == "Zoe"
    assert store.change_bounds() == (1, 9)


def test_a_failed_write_appends_nothing_and_leaves_no_gap(store: Store) -> None:
    records.create_interaction(store=store, interaction=make_interaction(id="A"))
    with pytest.raises(Conflict):
        records.create_interaction(store=store, interaction=make_interaction(id="A"))
    with pytest.raises(Conflict), store.atomic():
        store.save_interactions([make_interaction(id="Z")])
        raise Conflict("rolled back")
    records.create_interaction(store=store, interaction=make_interaction(id="B"))

    assert _log(store) == [(1, C.INTERACTION_CREATED, "A"), (2, C.INTERACTION_CREATED, "B")]


def test_a_batch_appends_one_record_per_interaction(store: Store) -> None:
    store.save_interactions([make_interaction(id=f"I{n}") for n in range(3)])
    store.save_interactions([make_interaction(id="I1"), make_interaction(id="I9")])
    store.save_contacts([make_contact(id="K1"), make_contact(id="K2")])

    assert [(t, i) for _, t, i in _log(store)] == [
        (C.INTERACTION_CREATED, "I0"),
        (C.INTERACTION_CREATED, "I1"),
        (C.INTERACTION_CREATED, "I2"),
        (C.INTERACTION_UPDATED, "I1"),
        (C.INTERACTION_CREATED, "I9"),
        (C.CONTACT_CREATED, "K1"),
        (C.CONTACT_CREATED, "K2"),
    ]
    assert [s for s, _, _ in _log(store, types=frozenset({C.CONTACT_CREATED}))] == [6, 7]


@pytest.mark.parametrize("access", [AgentAccess.OWN, AgentAccess.HANDLED])
def test_an_agent_reads_the_records_of_what_they_may_read(
    store: Store, access: AgentAccess
) -> None:
    ann, bob = make_owner(), make_owner()
    store.save_user(make_user(id=ann.id, user_name=ann.user_name))
    store.save_contacts([make_contact(id="K1"), make_contact(id="K2")])
    store.save_interactions(
        [
            make_interaction(id="MINE", owner=ann, owner_id=ann.id, contact_id="K1"),
            make_interaction(id="SAME-CONTACT", owner=bob, owner_id=bob.id, contact_id="K1"),
            make_interaction(id="OTHER", owner=bob, owner_id=bob.id, contact_id="K2"),
            make_interaction(id="GONE", owner=ann, owner_id=ann.id),
        ]
    )
    store.delete_interaction("GONE")

    seen = {i for _, _, i in _log(store, scope=ReadScope(ann.id, access))}
    handled = {"SAME-CONTACT", "K1"} if access is AgentAccess.HANDLED else {"K1"}
    assert seen == {"MINE", "GONE", *handled}
    assert len(_log(store)) == 7


def test_pruning_deletes_old_records_and_moves_the_oldest_seq(store: Store) -> None:
    store.save_interactions([make_interaction(id="A"), make_interaction(id="B")])
    assert store.prune_changes(datetime.now(UTC) - timedelta(days=1)) == 0
    assert store.prune_changes(datetime.now(UTC) + timedelta(seconds=1)) == 2
    assert store.change_bounds() == (3, 2)
    store.save_interactions([make_interaction(id="C")])
    assert _log(store) == [(3, C.INTERACTION_CREATED, "C")]


def test_readers_never_see_a_seq_before_an_earlier_one_commits(
    store: Store, database_url: str
) -> None:
    """Writers on two stores (two processes) commit concurrently; a reader that follows the
    log sees every seq exactly once, in order: no seq shows up after a later one was read."""
    other = open_store(database_url)
    stop = threading.Event()
    seen: list[int] = []

    def follow() -> None:
        after, deadline = 0, time.monotonic() + 60
        while (not stop.is_set() or after < 80) and time.monotonic() < deadline:
            for record in store.changes(ChangeQuery(after=after, limit=1000)):
                seen.append(record.seq)
                after = record.seq

    def write(target: Store, prefix: str) -> None:
        for n in range(20):
            records.create_interaction(
                store=target, interaction=make_interaction(id=f"{prefix}{n}")
            )

    reader = threading.Thread(target=follow)
    reader.start()
    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            for done in [pool.submit(write, (store, other)[w % 2], f"W{w}-") for w in range(4)]:
                done.result()
    finally:
        stop.set()
        reader.join(timeout=60)
        other.close()
    assert seen == list(range(1, 81))

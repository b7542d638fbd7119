"""Many threads on one store, and two stores on one database (as two server processes would
be): writes queue instead of failing, readers never block or see half a batch."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from openucs.domain.changes import ChangeQuery, ChangeType
from openucs.domain.models import InteractionPatch
from openucs.domain.query import HistoryQuery
from openucs.store import Store, open_store
from tests.factories import make_interaction, make_owner

WRITERS = 4
BATCHES = 10
BATCH = 20
ALL = HistoryQuery(limit=1000, return_attributes=None)


def _write(store: Store, writer: int) -> None:
    owner = make_owner()
    for batch in range(BATCHES):
        tag = f"w{writer}b{batch}"
        store.save_interactions(
            [
                make_interaction(owner_id=owner.id, owner=owner, custom_attributes={"Batch": tag})
                for _ in range(BATCH)
            ]
        )


def _read(store: Store, rounds: int) -> list[int]:
    """Sizes of batches seen by attribute search: always 0 or a whole batch."""
    seen = []
    for n in range(rounds):
        tag = f"w{n % WRITERS}b{n % BATCHES}"
        page = store.history(replace(ALL, custom_equals=(("Batch", tag),)))
        seen.append(len(page.items))
        store.count_interactions()
    return seen


def test_threads_share_one_store(store: Store) -> None:
    with ThreadPoolExecutor(max_workers=WRITERS * 2) as pool:
        writes = [pool.submit(_write, store, w) for w in range(WRITERS)]
        reads = [pool.submit(_read, store, 30) for _ in range(WRITERS)]
        for future in writes:
            future.result()
        seen = [size for future in reads for size in future.result()]

    assert set(seen) <= {0, BATCH}
    assert store.count_interactions() == WRITERS * BATCHES * BATCH
    assert len(store.list_users()) == WRITERS


def test_two_stores_on_one_database_write_in_turn(database_url: str, store: Store) -> None:
    other = open_store(database_url)
    try:
        with ThreadPoolExecutor(max_workers=WRITERS) as pool:
            futures = [pool.submit(_write, (store, other)[w % 2], w) for w in range(WRITERS)]
            for future in futures:
                future.result()
        assert other.count_interactions() == WRITERS * BATCHES * BATCH
    finally:
        other.close()


def test_read_then_write_transactions_of_two_stores_do_not_fail(
    database_url: str, store: Store
) -> None:
    """update_interaction reads, then writes: without taking the write lock up front, two such
    transactions on SQLite would fail with "database is locked" instead of waiting."""
    items = [make_interaction() for _ in range(40)]
    store.save_interactions(items)
    other = open_store(database_url)

    def update(worker: int) -> None:
        target = (store, other)[worker % 2]
        for item in items[worker::WRITERS]:
            target.update_interaction(item.id, InteractionPatch(comment=f"by {worker}"))

    try:
        with ThreadPoolExecutor(max_workers=WRITERS) as pool:
            for future in [pool.submit(update, w) for w in range(WRITERS)]:
                future.result()
    finally:
        other.close()
    comments = {i.comment for i in store.history(ALL).items}
    assert comments == {f"by {w}" for w in range(WRITERS)}


def test_a_batch_replaces_an_id_stored_while_it_is_written(store: Store) -> None:
    """Another transaction stores an id of the batch after the batch looked for stored ids
    (on PostgreSQL: before its COPY; on SQLite the batch waits for the lock): the batch
    still replaces it, and the change log says so, as an import run twice would."""
    owner, other_owner = make_owner(), make_owner()
    first = make_interaction(owner_id=owner.id, owner=owner, subject="first")
    again = replace(first, subject="again", owner_id=other_owner.id, owner=other_owner)
    fresh = make_interaction(owner_id=other_owner.id, owner=other_owner)
    holding = threading.Event()

    def hold() -> None:
        with store.atomic():
            store.save_interactions([first])
            holding.set()
            time.sleep(1.0)  # the batch meanwhile checks, then waits on this id

    with ThreadPoolExecutor(max_workers=2) as pool:
        holder = pool.submit(hold)
        assert holding.wait(30)
        writer = pool.submit(store.save_interactions, [again, fresh])
        holder.result()
        writer.result()

    stored = store.get_interaction(first.id, with_content=False)
    assert stored is not None
    assert (stored.subject, stored.owner_id) == ("again", other_owner.id)
    assert store.count_interactions() == 2
    logged = [(r.type, r.interaction_id) for r in store.changes(ChangeQuery())]
    assert logged == [
        (ChangeType.INTERACTION_CREATED, first.id),
        (ChangeType.INTERACTION_UPDATED, first.id),
        (ChangeType.INTERACTION_CREATED, fresh.id),
    ]

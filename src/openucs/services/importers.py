"""Writing the records of other platforms' history (`openucs.importers` reads them): each
batch finds or creates its customers' contacts (`Store.identify_contacts`: one transaction
for the batch, not one per record) and is ingested as the NDJSON import's batches are, in the
same transaction. Ids derive from the source's ids, so importing a file twice leaves the same
history. A bad record stops the import and is named by its line or JSON path: the batches
before it stay written, nothing of its own batch is (the HTTP route: nothing at all)."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence

from openucs.domain.imports import ImportRecord
from openucs.errors import InvalidInput, PayloadTooLarge
from openucs.services.bulk import (
    DEFAULT_BATCH,
    BulkStats,
    Progress,
    batched,
    check_batch_size,
    collector_paused,
)
from openucs.services.records import ingest
from openucs.store.base import Store


def import_records(
    *,
    store: Store,
    records: Iterable[ImportRecord],
    batch_size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
) -> BulkStats:
    """Write `records` a batch per transaction."""
    check_batch_size(batch_size)
    stats = BulkStats()
    began = time.perf_counter()
    with collector_paused():
        for batch in batched(records, batch_size):
            started = time.perf_counter()
            _write_batch(store, batch)
            stats.store_seconds += time.perf_counter() - started
            stats.records += len(batch)
            stats.batches += 1
            if progress:
                progress(stats.records)
    stats.seconds = time.perf_counter() - began
    return stats


def import_upload(*, store: Store, records: Iterable[ImportRecord], max_records: int) -> int:
    """One upload (the HTTP bulk route with `?format=`): all of it in one transaction or none."""
    batch = []
    for record in records:
        batch.append(record)
        if len(batch) > max_records:
            raise PayloadTooLarge(f"body: more than {max_records} records in one bulk upload")
    if not batch:
        raise InvalidInput("body", "no interaction in the upload")
    _write_batch(store, batch)
    return len(batch)


def _write_batch(store: Store, batch: Sequence[ImportRecord]) -> None:
    with store.atomic():
        _identify(store, batch)
        try:
            ingest(store=store, interactions=[r.interaction for r in batch])
        except InvalidInput as exc:
            raise _located(exc, batch) from None


def _identify(store: Store, batch: Sequence[ImportRecord]) -> None:
    """Contacts for the records that name a customer and no contact."""
    wanting = [r for r in batch if r.identity is not None and not r.interaction.contact_id]
    if not wanting:
        return
    ids = store.identify_contacts([r.identity for r in wanting if r.identity is not None])
    for record, contact_id in zip(wanting, ids, strict=True):
        record.interaction.contact_id = contact_id


def _located(exc: InvalidInput, batch: Sequence[ImportRecord]) -> InvalidInput:
    """A batch-level error on the first record whose ids it names, else on the batch."""
    for record in batch:
        item = record.interaction
        keys = (item.id, item.contact_id, item.parent_id, item.owner_id)
        if any(key and repr(key) in exc.problem for key in keys):
            return record.locate(exc)
    return exc

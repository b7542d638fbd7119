"""Bulk runs in the service layer: what they do to the process around them."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from datetime import UTC

import pytest

from openucs.domain.enums import MediaType
from openucs.domain.models import Interaction
from openucs.errors import InvalidInput
from openucs.gws.ndjson import InteractionLines
from openucs.services import bulk, records
from openucs.store import Store
from tests.factories import make_interaction


def test_the_collector_rests_during_a_bulk_run_and_wakes_after_it(store: Store) -> None:
    during: list[bool] = []

    def batches() -> Iterator[list[Interaction]]:
        during.append(gc.isenabled())
        yield from ()

    bulk.ingest_batches(store=store, batches=batches())
    assert during == [False]
    assert gc.isenabled()


def test_the_collector_wakes_after_a_failed_import(store: Store) -> None:
    with pytest.raises(InvalidInput, match="line 1"):
        bulk.import_interactions(store=store, lines=[b"{not json"], decode=InteractionLines(UTC))
    assert gc.isenabled()


def test_a_paused_collector_stays_paused(store: Store) -> None:
    gc.disable()
    try:
        bulk.ingest_batches(store=store, batches=[])
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_checking_a_batch_leaves_no_reference_cycles(store: Store) -> None:
    """With the collector paused, a cycle would keep a whole batch in memory (it once did:
    the thread rule's recursive closure held every interaction of the batch)."""
    parent = make_interaction(media_type=MediaType.EMAIL)
    batch = [parent, make_interaction(media_type=MediaType.EMAIL, parent_id=parent.id)]
    gc.collect()
    gc.disable()
    try:
        records.check_batch(store, batch)
        del batch, parent
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_an_import_line_breaking_a_rule_is_named_and_its_batch_not_written(store: Store) -> None:
    good = b'{"id":"IMP1","mediaType":"chat","startDate":"2024-03-01T09:00:00Z"}'
    bad = (
        b'{"id":"IMP2","mediaType":"chat","state":"InProcess",'
        b'"startDate":"2024-03-01T09:00:00Z","endDate":"2024-03-01T09:01:00Z"}'
    )
    with pytest.raises(InvalidInput, match="line 2: endDate: only a Stopped"):
        bulk.import_interactions(store=store, lines=[good, bad], decode=InteractionLines(UTC))
    assert store.get_interactions(["IMP1", "IMP2"]) == {}

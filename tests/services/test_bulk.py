"""Bulk runs in the service layer: what they do to the process around them."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from datetime import UTC

import pytest

from openucs.errors import InvalidInput
from openucs.services import bulk
from openucs.store import Store


def test_the_collector_rests_during_a_bulk_run_and_wakes_after_it(store: Store) -> None:
    during: list[bool] = []

    def batches() -> Iterator[list[object]]:
        during.append(gc.isenabled())
        yield from ()

    bulk.ingest_batches(store=store, batches=batches())  # type: ignore[arg-type]
    assert during == [False]
    assert gc.isenabled()


def test_the_collector_wakes_after_a_failed_import(store: Store) -> None:
    with pytest.raises(InvalidInput, match="line 1"):
        bulk.import_interactions(store=store, lines=[b"{not json"], zone=UTC)
    assert gc.isenabled()


def test_a_paused_collector_stays_paused(store: Store) -> None:
    gc.disable()
    try:
        bulk.ingest_batches(store=store, batches=[])
        assert not gc.isenabled()
    finally:
        gc.enable()

"""Large imports on two processes: one decodes (or generates), checks and prepares batches, the
other writes them.

A batch costs about as much Python to make and check as the database costs to write it, and one
process runs Python on one core. Here a child process (spawned: a fork would share the
parent's database handles) runs the source, `records.check_batch` and
`Store.prepare_interactions`, and sends the prepared rows through a pipe; this process writes
them, each batch in one transaction as `records.ingest` would, and acknowledges it.

The child checks batch k while batch k-1 may not be committed yet, so it passes
`check_batch` the interactions of the batches it sent and that were not acknowledged (the
parents an email reply may name) and the owners it gave ids by name. It runs at most `depth`
batches ahead of the writer. A failed check stops the child; the batches before stay written,
as with `bulk.import_interactions`, and the error names its line.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import time
import traceback
from collections import ChainMap, deque
from collections.abc import Callable, Iterable, Sequence
from multiprocessing.connection import Connection
from typing import Any

from openucs.domain.models import Interaction, OwnerInfo
from openucs.domain.redaction import Redaction
from openucs.errors import InvalidInput, OpenUcsError, StoreError
from openucs.services import records
from openucs.services.bulk import BulkStats, Progress, collector_paused, locate
from openucs.store.base import PreparedInteractions, Store
from openucs.store.factory import open_store

NumberedBatch = tuple[Sequence[Interaction], Sequence[int] | None]
"""A batch and the line number of each of its interactions (None: not from lines)."""

BatchSource = Callable[[], Iterable[NumberedBatch]]
"""Makes the batches, in the child: a picklable callable (a module-level class instance)."""

DEPTH = 2  # batches the child may run ahead of the writer

# Below these, starting a process (about half a second) costs more than it saves.
WORTH_A_PROCESS = 50_000  # interactions
WORTH_A_PROCESS_BYTES = 64 << 20  # of NDJSON: about 50,000 exported interactions

_BATCH, _DONE, _FAILED, _CRASHED = "batch", "done", "failed", "crashed"


def ingest_in_two_processes(
    *,
    store: Store,
    database_url: str,
    source: BatchSource,
    progress: Progress | None = None,
    depth: int = DEPTH,
) -> BulkStats:
    """Write every batch of `source` into `store` (opened on `database_url`), preparing them
    in a child process. `store_seconds` counts the writes only."""
    context = multiprocessing.get_context("spawn")
    batches_in, batches_out = context.Pipe(duplex=False)
    acks_in, acks_out = context.Pipe(duplex=False)
    child = context.Process(
        target=_prepare_batches,
        args=(database_url, store.redaction, source, batches_out, acks_in, depth),
        name="openucs-prepare",
        daemon=True,
    )
    stats = BulkStats()
    began = time.perf_counter()
    child.start()
    batches_out.close()
    acks_in.close()
    try:
        with collector_paused():
            while (message := _receive(batches_in, child)) is not None:
                prepared, lines = message
                _write(store, prepared, lines, stats)
                _acknowledge(acks_out)
                if progress:
                    progress(stats.records)
    except BaseException:
        child.terminate()
        raise
    finally:
        batches_in.close()
        acks_out.close()
        child.join()
    stats.seconds = time.perf_counter() - began
    return stats


def _acknowledge(acks: Connection) -> None:
    with contextlib.suppress(BrokenPipeError):  # the child sent its last batch and ended
        acks.send(None)


def _write(
    store: Store, prepared: PreparedInteractions, lines: tuple[int, int] | None, stats: BulkStats
) -> None:
    began = time.perf_counter()
    try:
        store.save_prepared(prepared)
    except InvalidInput as exc:  # checked in the child, so something changed since
        if lines is None or exc.line is not None:
            raise
        where = f"lines {lines[0]}-{lines[1]}"
        raise InvalidInput(exc.field, f"{exc.problem} (in the batch of {where})") from None
    stats.store_seconds += time.perf_counter() - began
    stats.records += len(prepared.ids)
    stats.batches += 1


def _receive(
    batches: Connection, child: Any
) -> tuple[PreparedInteractions, tuple[int, int] | None] | None:
    """The next prepared batch and its first and last line; None at the end."""
    try:
        kind, *body = batches.recv()
    except EOFError:
        child.join(5)
        raise StoreError(
            f"the import's preparing process stopped (exit code {child.exitcode})"
        ) from None
    if kind == _BATCH:
        return body[0], body[1]
    if kind == _FAILED:
        raise body[0]
    if kind == _CRASHED:
        raise StoreError(f"the import's preparing process failed:\n{body[0]}")
    return None


# --- the child process -------------------------------------------------------------------------


def _prepare_batches(
    database_url: str,
    redaction: Redaction,
    source: BatchSource,
    batches: Connection,
    acks: Connection,
    depth: int,
) -> None:
    store = open_store(database_url, redaction=redaction)  # checked (and redacted) here
    try:
        with collector_paused():
            _check_and_send(store, source, batches, acks, depth)
        batches.send((_DONE,))
    except OpenUcsError as exc:
        _send_last(batches, (_FAILED, exc))
    except BaseException:  # noqa: BLE001 - a bug: its traceback goes to the writer, which raises
        _send_last(batches, (_CRASHED, traceback.format_exc()))
    finally:
        store.close()
        batches.close()


def _check_and_send(
    store: Store, source: BatchSource, batches: Connection, acks: Connection, depth: int
) -> None:
    unacknowledged: deque[dict[str, records.ThreadParent]] = deque()
    owners: dict[str, OwnerInfo] = {}
    for items, numbers in source():
        while len(unacknowledged) >= depth or (unacknowledged and acks.poll()):
            acks.recv()  # blocks while the child is `depth` batches ahead
            unacknowledged.popleft()
        earlier = ChainMap(*reversed(unacknowledged))  # the newest copy of an id wins
        try:
            records.check_batch(store, items, earlier=earlier, owners=owners)
        except InvalidInput as exc:
            raise (exc if numbers is None else locate(exc, items, numbers)) from None
        lines = None if not numbers else (numbers[0], numbers[-1])
        batches.send((_BATCH, store.prepare_interactions(items), lines))
        unacknowledged.append({item.id: records.ThreadParent.of(item) for item in items})


def _send_last(batches: Connection, message: tuple[Any, ...]) -> None:
    with contextlib.suppress(OSError):  # the writer is gone: nobody to tell
        batches.send(message)

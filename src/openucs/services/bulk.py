"""Bulk moves of history: NDJSON import and export of interactions and contacts, and batched
ingest of generated data.

Imports go through `records.ingest` batch by batch, each batch in one transaction, so a failing
line leaves earlier batches written and nothing of its own batch. Errors name the line. Large
imports run the same checks and writes on two processes (`services.pipeline`), with the batch
sources defined here (`NdjsonFileBatches`) and in `openucs.demo` (`DemoBatches`). Exports
stream with `Store.iter_history` and write one line at a time: constant memory at any size.
Interactions are exported oldest first, so that an email reply comes after its parent and the
file re-imports in order. A history export may start with the contacts its interactions name
(`import_leading_contacts` reads them back first), so that it re-imports into an empty database.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO, TypeVar

from openucs.domain.access import EVERYTHING
from openucs.domain.enums import SortOrder
from openucs.domain.models import Contact, Interaction
from openucs.domain.query import HistoryQuery
from openucs.errors import InvalidInput, OutOfRange, PayloadTooLarge
from openucs.services.records import ingest
from openucs.store.base import Store

Progress = Callable[[int], None]
"""Called after each written batch with the number of records written so far."""

# Interactions per transaction. Larger batches dirty each page of the random-order indexes
# (contact, thread) once for more rows: at 600,000 rows, 25,000 a batch imported 17,600/s
# against 14,600/s with 5,000. It costs memory: `openucs seed -n 300000` peaked at 212 MB
# with batches of 20,000 and 156 MB with 5,000.
DEFAULT_BATCH = 20_000
MAX_BATCH = 100_000
CONTACT_PAGE = 1000

T = TypeVar("T")

LineDecoder = Callable[[bytes], Interaction]
"""Turns one NDJSON line into an interaction (the GWS dialect's `gws.ndjson.InteractionLines`;
picklable when a child process decodes)."""
ContactDecoder = Callable[[bytes], Contact]
Encoder = Callable[[T], bytes]


@dataclass(slots=True)
class BulkStats:
    """What a bulk write did: records written, batches, wall time and the part of it spent in
    `records.ingest` (checks and the store; with two processes, the writes alone), so that
    generation or parsing can be told apart."""

    records: int = 0
    batches: int = 0
    seconds: float = 0.0
    store_seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0

    @property
    def store_rate(self) -> float:
        return self.records / self.store_seconds if self.store_seconds else 0.0


def check_batch_size(size: int) -> int:
    if not 1 <= size <= MAX_BATCH:
        raise OutOfRange("batchSize", f"{size} is out of range (1-{MAX_BATCH})")
    return size


@contextmanager
def collector_paused() -> Iterator[None]:
    """Bulk work allocates millions of objects that live for one batch, and the cyclic garbage
    collector scans them again and again (1,000,000 demo interactions: 88.8 s with it, 68.0 s
    without). Batches hold no reference cycles, so reference counting frees them: the
    collector rests for the run."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# --- interactions ------------------------------------------------------------------------


def ingest_batches(
    *, store: Store, batches: Iterable[Sequence[Interaction]], progress: Progress | None = None
) -> BulkStats:
    """Write ready-made batches (e.g. generated demo data) through `records.ingest`."""
    stats = BulkStats()
    began = time.perf_counter()
    with collector_paused():
        for batch in batches:
            _timed_ingest(store, batch, stats)
            if progress:
                progress(stats.records)
    stats.seconds = time.perf_counter() - began
    return stats


def import_interactions(
    *,
    store: Store,
    lines: Iterable[bytes],
    decode: LineDecoder,
    batch_size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
    first_line: int = 1,
) -> BulkStats:
    """Interactions from NDJSON lines (the first numbered `first_line`), each turned into an
    interaction by `decode`. An error names its line; the batches before it stay written, its
    own batch is not."""
    check_batch_size(batch_size)
    stats = BulkStats()
    began = time.perf_counter()
    with collector_paused():
        for items, numbers in _decoded_batches(lines, decode, batch_size, first_line):
            try:
                _timed_ingest(store, items, stats)
            except InvalidInput as exc:
                raise locate(exc, items, numbers) from None
            if progress:
                progress(stats.records)
    stats.seconds = time.perf_counter() - began
    return stats


@dataclass(frozen=True, slots=True)
class NdjsonFileBatches:
    """The interactions of an NDJSON file in numbered batches, decoded where it is called (a
    `pipeline.BatchSource`: picklable, so a child process can read the file). They start at
    byte `offset`, on line `first_line` (after the contacts at the head of an export)."""

    path: str
    decode: LineDecoder
    batch_size: int = DEFAULT_BATCH
    offset: int = 0
    first_line: int = 1

    def __call__(self) -> Iterator[tuple[list[Interaction], list[int]]]:
        check_batch_size(self.batch_size)
        with Path(self.path).open("rb") as lines:
            lines.seek(self.offset)
            yield from _decoded_batches(lines, self.decode, self.batch_size, self.first_line)


def _decoded_batches(
    lines: Iterable[bytes], decode: LineDecoder, size: int, first_line: int = 1
) -> Iterator[tuple[list[Interaction], list[int]]]:
    """Interactions decoded from NDJSON lines, a batch at a time, with their line numbers."""
    for chunk in batched(_numbered(lines, first_line), size):
        numbers = [n for n, _ in chunk]
        yield [_decoded(decode, raw, n) for n, raw in chunk], numbers


def ingest_upload(
    *, store: Store, lines: Sequence[bytes], decode: LineDecoder, max_lines: int
) -> int:
    """One upload (the HTTP bulk route): every line written in one transaction or none, an
    error located on its line, checks of references (contacts, parents) included."""
    numbered = list(_numbered(lines))
    if len(numbered) > max_lines:
        raise PayloadTooLarge(f"body: more than {max_lines} lines in one bulk upload")
    if not numbered:
        raise InvalidInput("body", "no interaction in the upload")
    items = [_decoded(decode, raw, n) for n, raw in numbered]
    try:
        return ingest(store=store, interactions=items)
    except InvalidInput as exc:
        raise locate(exc, items, [n for n, _ in numbered]) from None


def export_interactions(
    *,
    store: Store,
    query: HistoryQuery,
    encode: Encoder[Interaction],
    write: Callable[[bytes], object],
) -> int:
    """Every interaction matching `query` (its limit and page are ignored), each encoded as
    one line by `encode` (all custom attributes, externalId, transcript or email), in the
    query's order (see `export_query`). Returns how many were written."""
    query = replace(query, return_attributes=None, after=None)
    count = 0
    for item in store.iter_history(query):
        write(encode(item))
        count += 1
    return count


def export_query(query: HistoryQuery, *, bounded: bool) -> HistoryQuery:
    """The export form of a history query: oldest first, all attributes, and, when the caller
    gave no dates (`bounded` False), no window at all rather than the GWS default month."""
    query = replace(query, sort=SortOrder.ASC, return_attributes=None, after=None)
    if not bounded:
        query = replace(query, start_from=None, start_to=None)
    return query


def _decoded(decode: Callable[[bytes], T], raw: bytes, number: int) -> T:
    try:
        return decode(raw)
    except InvalidInput as exc:
        raise exc.at_line(number) from None


def _numbered(lines: Iterable[bytes], first: int = 1) -> Iterator[tuple[int, bytes]]:
    """Non-blank lines with their line numbers, the first being `first`."""
    for number, raw in enumerate(lines, start=first):
        if raw.strip():
            yield number, raw


def _timed_ingest(store: Store, batch: Sequence[Interaction], stats: BulkStats) -> None:
    began = time.perf_counter()
    ingest(store=store, interactions=batch)
    stats.store_seconds += time.perf_counter() - began
    stats.records += len(batch)
    stats.batches += 1


def locate(exc: InvalidInput, items: Sequence[Interaction], numbers: Sequence[int]) -> InvalidInput:
    """Place a batch-level error on the first line whose ids it names, else on the batch."""
    if exc.line is not None:
        return exc
    for item, number in zip(items, numbers, strict=True):
        keys = (item.id, item.contact_id, item.parent_id, item.owner_id)
        if any(key and repr(key) in exc.problem for key in keys):
            return exc.at_line(number)
    where = f"lines {numbers[0]}-{numbers[-1]}"
    return InvalidInput(exc.field, f"{exc.problem} (in the batch of {where})")


# --- contacts ----------------------------------------------------------------------------


def import_contacts(
    *,
    store: Store,
    lines: Iterable[bytes],
    decode: ContactDecoder,
    batch_size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
) -> BulkStats:
    """Contacts from NDJSON lines, each decoded by `decode`; insert or replace by id."""
    check_batch_size(batch_size)
    stats = BulkStats()
    began = time.perf_counter()
    with collector_paused():
        for chunk in batched(_numbered(lines), batch_size):
            contacts = [_decoded(decode, raw, number) for number, raw in chunk]
            started = time.perf_counter()
            store.save_contacts(contacts)
            stats.store_seconds += time.perf_counter() - started
            stats.records += len(contacts)
            stats.batches += 1
            if progress:
                progress(stats.records)
    stats.seconds = time.perf_counter() - began
    return stats


@dataclass(frozen=True, slots=True)
class LeadingContacts:
    """What `import_leading_contacts` did, and where the rest of the file starts: the line it
    read after the contacts (empty at the end), its number and its byte offset."""

    stats: BulkStats
    next_line: bytes
    next_number: int
    offset: int


def import_leading_contacts(
    *,
    store: Store,
    file: BinaryIO,
    is_contact: Callable[[bytes], bool],
    decode: ContactDecoder,
    batch_size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
) -> LeadingContacts:
    """The contact lines at the head of `file` (those `is_contact` recognizes), saved as
    `import_contacts` does; reading stops at the first other line, which is returned for the
    interactions that follow."""
    head = _Head(file, is_contact)
    stats = import_contacts(
        store=store, lines=head, decode=decode, batch_size=batch_size, progress=progress
    )
    number = head.count if head.rest else head.count + 1
    return LeadingContacts(stats, head.rest, number, head.offset)


class _Head:
    """The lines of `file` up to the first non-blank one that `is_contact` refuses, which is
    kept in `rest`; `count` lines read, `offset` where `rest` starts."""

    def __init__(self, file: BinaryIO, is_contact: Callable[[bytes], bool]) -> None:
        self.file = file
        self.is_contact = is_contact
        self.rest = b""
        self.count = 0
        self.offset = _tell(file)

    def __iter__(self) -> Iterator[bytes]:
        while raw := self.file.readline():
            self.count += 1
            if raw.strip() and not self.is_contact(raw):
                self.rest = raw
                return
            self.offset += len(raw)
            yield raw


def _tell(file: BinaryIO) -> int:
    try:
        return file.tell()
    except OSError:  # a pipe
        return 0


def export_referenced_contacts(
    *,
    store: Store,
    query: HistoryQuery,
    encode: Encoder[Contact],
    write: Callable[[bytes], object],
) -> int:
    """The contacts that the interactions of `query` name, in id order, one line each."""
    ids = {item.contact_id for item in store.iter_history(query) if item.contact_id}
    count = 0
    for contact_id in sorted(ids):
        contact = store.get_contact(contact_id)
        if contact is not None:  # deleted since: its interactions are refused on import
            write(encode(contact))
            count += 1
    return count


def save_contact_batches(
    *, store: Store, batches: Iterable[Sequence[Contact]], progress: Progress | None = None
) -> BulkStats:
    stats = BulkStats()
    began = time.perf_counter()
    with collector_paused():
        for batch in batches:
            store.save_contacts(batch)
            stats.records += len(batch)
            stats.batches += 1
            if progress:
                progress(stats.records)
    stats.seconds = stats.store_seconds = time.perf_counter() - began
    return stats


def export_contacts(
    *, store: Store, encode: Encoder[Contact], write: Callable[[bytes], object]
) -> int:
    """All contacts in id order, one line each by `encode`, read a page at a time."""
    count = 0
    after: str | None = None
    while True:
        page = store.find_contacts(scope=EVERYTHING, limit=CONTACT_PAGE, after_id=after)
        for contact in page:
            write(encode(contact))
        count += len(page)
        if len(page) < CONTACT_PAGE:
            return count
        after = page[-1].id

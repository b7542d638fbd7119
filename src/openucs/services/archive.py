"""Archiving (docs/archive.md): whole threads whose interactions all ended before a cutoff and
are all Stopped move from the main tier to the archive tier, a batch of threads per
transaction; the `openucs archive` command and the in-server schedule run it.

The archive tier is the same database (rows change `source`, `Store.archive_in_place`) or a
second one (`Store.archive_store()`): a batch's stored rows are then copied there as they are
and committed (`Store.read_archive_copy`, `Store.write_archive_copy`: an upsert of the
interactions with their content, attributes and search documents, and of the contacts and
owners they name), and only then deleted from the main database in one transaction
(`Store.remove_archived`, which keeps what changed since the copy: a digest of each row
and its content, compared under lock). A crash between the two
leaves the batch in both; the next run copies it again (the same rows) and deletes it. Every
run walks the main tier from its oldest row, so a run stopped anywhere resumes where it was.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from openucs.domain.formats import to_millis
from openucs.errors import Conflict, InvalidInput
from openucs.services.periodic import PeriodicJob
from openucs.store.base import Store, ThreadIds

log = logging.getLogger("openucs.archive")

LEASE_NAME = "archive"
LEASE_SECONDS = 600  # renewed after every batch; a batch takes seconds
DEFAULT_BATCH_THREADS = 1000
_DURATION = re.compile(r"([1-9][0-9]{0,5})([dhm])")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


def parse_duration(field: str, raw: str) -> timedelta:
    """`180d`, `12h`, `30m`: a whole number of days, hours or minutes."""
    found = _DURATION.fullmatch(raw.strip())
    if found is None:
        raise InvalidInput(field, f"{raw!r} is not a duration like 180d, 12h or 30m")
    return timedelta(**{_UNITS[found.group(2)]: int(found.group(1))})


@dataclass(slots=True)
class ArchiveReport:
    """What a run moved (or, dry, would move): threads, interactions, seconds taken."""

    threads: int = 0
    interactions: int = 0
    seconds: float = 0.0
    dry_run: bool = False


Progress = Callable[[ArchiveReport], None]


class ArchiveBusy(Conflict):
    """Another process holds the archive lease."""


class Lease:
    """The archive lease of one run: at most one process archives at a time."""

    def __init__(self, store: Store, *, seconds: int = LEASE_SECONDS) -> None:
        self._store = store
        self._seconds = seconds
        self.holder = uuid.uuid4().hex

    def take(self) -> bool:
        return self._store.take_lease(LEASE_NAME, self.holder, seconds=self._seconds)

    def release(self) -> None:
        self._store.release_lease(LEASE_NAME, self.holder)


def archive_threads(
    *,
    store: Store,
    before: datetime,
    batch_threads: int = DEFAULT_BATCH_THREADS,
    dry_run: bool = False,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
) -> ArchiveReport:
    """Move (or with `dry_run` count) the threads ended before `before`; one run at a time
    (Conflict when another holds the archive lease). `stop` set ends the run after the
    batch in hand."""
    if batch_threads < 1:
        raise InvalidInput("batch_threads", "must be positive")
    if dry_run:
        return _run(store, before, batch_threads, dry_run=True, progress=progress, stop=stop)
    lease = Lease(store)
    if not lease.take():
        raise ArchiveBusy("another archive run is under way (a server's schedule or a command)")
    try:
        return _run(
            store, before, batch_threads, dry_run=False, progress=progress, stop=stop, lease=lease
        )
    finally:
        lease.release()


def _run(
    store: Store,
    before: datetime,
    batch_threads: int,
    *,
    dry_run: bool,
    progress: Progress | None,
    stop: threading.Event | None,
    lease: Lease | None = None,
) -> ArchiveReport:
    began = time.monotonic()
    report = ArchiveReport(dry_run=dry_run)
    before_ms = to_millis(before)
    counted: set[str] = set()  # a dry run meets a thread again at each of its interactions
    copied_contacts: dict[str, int] = {}  # copied to a second database: id -> updated_ms
    after = None
    while True:
        batch = store.archive_candidates(before_ms=before_ms, after=after, limit=batch_threads)
        keys = [k for k in batch.threads if k not in counted]
        if keys:
            if dry_run:
                moved = store.archivable_threads(keys, before_ms=before_ms)
                counted.update(moved)
            else:
                moved = _move(store, keys, before_ms, copied_contacts)
            report.threads += len(moved)
            report.interactions += sum(len(ids) for ids in moved.values())
            report.seconds = time.monotonic() - began
            if progress is not None:
                progress(report)
        if batch.next is None or (stop is not None and stop.is_set()):
            break
        if lease is not None and not lease.take():
            raise ArchiveBusy("the archive lease was lost to another process; run again")
        after = batch.next
    report.seconds = time.monotonic() - began
    return report


def _move(
    store: Store, keys: Sequence[str], before_ms: int, copied_contacts: dict[str, int]
) -> ThreadIds:
    """Move one batch; a second database gets the contacts named that this run has not
    copied yet at their current version (`copied_contacts`, updated)."""
    archive = store.archive_store()
    if archive is None:
        return store.archive_in_place(keys, before_ms=before_ms)
    found = store.archivable_threads(keys, before_ms=before_ms)
    ids = [i for ids in found.values() for i in ids]
    if not ids:
        return {}
    copy = store.read_archive_copy(ids, copied_contacts=copied_contacts)
    archive.write_archive_copy(copy)
    copied_contacts.update(copy.contact_versions)
    removed = store.remove_archived(copy, before_ms=before_ms)
    # A thread changed (or an interaction of it deleted) since the copy stays in the main
    # database, the one that counts: its copy goes, and a later run copies it again.
    kept = set(copy.ids) - {i for ids in removed.values() for i in ids}
    for interaction_id in sorted(kept):
        archive.delete_interaction(interaction_id)
    return removed


class ArchiveSchedule(PeriodicJob):
    """Archives threads ended `after_days` ago from a background thread, every
    `every_minutes`; off when `after_days` is 0. Processes sharing a database take turns
    through the archive lease: the others skip their turn."""

    thread_name = "openucs-archive"
    failure = "archiving failed; retrying at the next turn"

    def __init__(self, store: Store, *, after_days: int, every_minutes: int) -> None:
        super().__init__(timedelta(minutes=every_minutes), wait_first=True)
        self._store = store
        self._after = timedelta(days=after_days)

    @property
    def enabled(self) -> bool:
        return self._after > timedelta(0)

    def run_once(self, now: datetime | None = None) -> ArchiveReport | None:
        """One run; None when another process holds the lease."""
        cutoff = (now or datetime.now(UTC)) - self._after
        try:
            report = archive_threads(store=self._store, before=cutoff, stop=self.stopping)
        except ArchiveBusy:
            return None
        if report.threads:
            log.info(
                "archived %d threads (%d interactions) in %.1f s",
                report.threads,
                report.interactions,
                report.seconds,
            )
        return report

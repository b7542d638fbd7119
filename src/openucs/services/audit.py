"""The read audit: every read of interactions or contact history by a person leaves a record
(who, when, through what, from where, which interactions or contact) in the database.

Reads must stay cheap, so a read does not wait for its record: `AuditTrail.append` queues it,
and one background thread per process writes what has queued in one transaction every
`flush_seconds` (or sooner, once `batch_size` records wait). A record is therefore durable a
fraction of a second after the read it describes; a process killed in between loses at most
that fraction of a second of records (a clean stop writes them all). The same thread deletes
records older than the retention, once an hour.
"""

from __future__ import annotations

import getpass
import logging
import socket
import threading
from collections import deque
from datetime import UTC, datetime, timedelta

from openucs.domain.models import ReadRecord, User
from openucs.domain.query import AuditQuery, Page
from openucs.errors import InvalidInput
from openucs.services.access import require_admin
from openucs.store.base import Store

log = logging.getLogger("openucs.audit")

PRUNE_EVERY = timedelta(hours=1)


class AuditTrail:
    """Queues read records and writes them in batches from a background thread."""

    def __init__(
        self,
        store: Store,
        *,
        retention_days: int,
        enabled: bool = True,
        flush_seconds: float = 0.2,
        batch_size: int = 500,
    ) -> None:
        self._store = store
        self._enabled = enabled
        self._retention = timedelta(days=retention_days)
        self._flush_seconds = flush_seconds
        self._batch_size = batch_size
        self._pending: deque[ReadRecord] = deque()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._write_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pruned_at: datetime | None = None

    def append(self, record: ReadRecord) -> None:
        if not self._enabled:
            return
        self._pending.append(record)  # deque.append is atomic: no lock on the read path
        if len(self._pending) >= self._batch_size:
            self._wake.set()

    def start(self) -> None:
        if self._thread is None:
            self._stopping.clear()
            self._thread = threading.Thread(target=self._run, name="openucs-audit", daemon=True)
            self._thread.start()

    def close(self) -> None:
        """Stop the thread and write everything still queued."""
        thread, self._thread = self._thread, None
        if thread is not None:
            self._stopping.set()
            self._wake.set()
            thread.join()
        self.flush()

    def flush(self) -> int:
        """Write every queued record now (in this thread); returns how many."""
        with self._write_lock:
            batch: list[ReadRecord] = []
            while self._pending:
                batch.append(self._pending.popleft())
            if batch:
                self._store.append_reads(batch)
            return len(batch)

    def prune(self, now: datetime | None = None) -> int:
        """Delete the records older than the retention; returns how many."""
        now = now or datetime.now(UTC)
        self._pruned_at = now
        return self._store.prune_reads(now - self._retention)

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(self._flush_seconds)
            self._wake.clear()
            try:
                self.flush()
                if self._pruned_at is None or datetime.now(UTC) - self._pruned_at > PRUNE_EVERY:
                    self.prune()
            except Exception:  # the thread must survive a database outage; it retries
                log.exception("writing the read audit failed; retrying")


def record_command(store: Store, action: str, *, contact_id: str | None = None) -> None:
    """The record of a read by the command line (`openucs export`), written at once: the
    operating-system user and host stand for the person and the address. An export of many
    interactions names its filter's contact, not every interaction id."""
    store.append_reads([command_record(action, contact_id=contact_id)])


def command_record(
    action: str, *, contact_id: str | None = None, interaction_ids: tuple[str, ...] = ()
) -> ReadRecord:
    """A read by the command line, as `record_command` describes it."""
    return ReadRecord.now(
        user_id=None,
        user_name=f"cli:{getpass.getuser()}",
        action=action,
        via="cli",
        client=socket.gethostname(),
        contact_id=contact_id,
        interaction_ids=interaction_ids,
    )


def read_audit(
    *, store: Store, trail: AuditTrail | None, user: User, query: AuditQuery
) -> Page[ReadRecord]:
    """Admins read the audit, newest first. What was queued before is written first, so the
    page includes every read that happened before this request."""
    require_admin(user)
    seq = query.after.id if query.after is not None else "0"
    if not (seq.isascii() and seq.isdigit() and len(seq) <= 18):
        raise InvalidInput("pageToken", "is not a valid page token")
    if trail is not None:
        trail.flush()
    return store.reads(query)

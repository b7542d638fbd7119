"""Reading the change log (docs/changes.md): pages after a seq in the reader's scope, the
retention check, and the hourly prune.

The records are written by the store with the changes themselves (`store._changes`); this
module only reads and prunes them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from openucs.domain.access import ReadScope
from openucs.domain.changes import ChangeQuery, ChangeRecord, ChangeType
from openucs.errors import Gone, InvalidInput
from openucs.services.access import Reader
from openucs.services.audit import command_record
from openucs.services.periodic import PeriodicJob
from openucs.store.base import Store

log = logging.getLogger("openucs.changes")

MAX_CHANGES_PAGE = 1000
PRUNE_EVERY = timedelta(hours=1)
# Read-audit actions: a page of the pull route, records pushed by the event stream or CometD.
PULLED = "changes.read"
PUSHED = "changes.stream"


@dataclass(frozen=True, slots=True)
class ChangePage:
    """Records after a seq; `next` is the seq to ask after next time; `end_of_stream` says
    that nothing committed after `next` was left out."""

    changes: list[ChangeRecord]
    next: int
    end_of_stream: bool


def parse_types(raw: str | None) -> frozenset[ChangeType]:
    """`types=interaction.created,contact.updated` (empty or absent: every type)."""
    chosen: set[ChangeType] = set()
    for name in (raw or "").split(","):
        if not name.strip():
            continue
        try:
            chosen.add(ChangeType(name.strip()))
        except ValueError:
            allowed = ", ".join(t.value for t in ChangeType)
            raise InvalidInput(
                "types", f"unknown type {name.strip()!r} (allowed: {allowed})"
            ) from None
    return frozenset(chosen)


def read_changes(
    *,
    store: Store,
    scope: ReadScope,
    after: int,
    limit: int,
    types: Iterable[ChangeType] = (),
) -> ChangePage:
    """Up to `limit` records after `after` that `scope` may read; Gone when records after
    `after` were pruned already."""
    if after < 0:
        raise InvalidInput("after", "must be a seq (0 or more)")
    if not 1 <= limit <= MAX_CHANGES_PAGE:
        raise InvalidInput("limit", f"must be between 1 and {MAX_CHANGES_PAGE}")
    last = _kept_after(store, after)
    # The page ends at the last seq known before reading: a full page goes on from its last
    # record; a short one has read everything up to `last` (an agent's page may be short
    # because most records are of others).
    query = ChangeQuery(after=after, limit=limit, types=frozenset(types), scope=scope)
    found = [r for r in store.changes(query) if r.seq <= last]
    if len(found) == limit:
        return ChangePage(found, found[-1].seq, found[-1].seq >= last)
    return ChangePage(found, max(after, last), True)


def read_changes_as(
    reader: Reader,
    *,
    store: Store,
    after: int,
    limit: int,
    types: Iterable[ChangeType] = (),
    action: str = PULLED,
) -> ChangePage:
    """`read_changes` in the reader's scope, recorded in the read audit."""
    page = read_changes(store=store, scope=reader.scope, after=after, limit=limit, types=types)
    record_reads(reader, page.changes, action)
    return page


def start_position(store: Store, after: int | None) -> int:
    """Where a feed starts: after `after`, or after the last seq when None; Gone when records
    after `after` were pruned already."""
    if after is None:
        return store.change_bounds()[1]
    if after < 0:
        raise InvalidInput("after", "must be a seq (0 or more)")
    _kept_after(store, after)
    return after


def record_reads(reader: Reader, records: Sequence[ChangeRecord], action: str) -> None:
    """The read audit of records handed to a reader: one record for the interactions of the
    batch, one for each contact; a record of something deleted carries only its id and is
    no read of it."""
    seen, people = _shown(records)
    if seen:
        reader.record(action, interaction_ids=seen)
    for contact_id in people:
        reader.record(action, contact_id=contact_id)


def record_command_reads(store: Store, records: Sequence[ChangeRecord]) -> None:
    """The read audit of records printed by `openucs changes`, as `record_reads` makes it
    for the pull route, in the name of the command line's user (`audit.command_record`);
    written at once."""
    seen, people = _shown(records)
    made = [command_record(PULLED, interaction_ids=seen)] if seen else []
    made += [command_record(PULLED, contact_id=contact_id) for contact_id in people]
    if made:
        store.append_reads(made)


def _shown(records: Sequence[ChangeRecord]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The interactions and the contacts whose state a batch of records carries."""
    seen = tuple(dict.fromkeys(r.interaction.id for r in records if r.interaction is not None))
    people = tuple(dict.fromkeys(r.contact.id for r in records if r.contact is not None))
    return seen, people


def _kept_after(store: Store, after: int) -> int:
    """The last seq; Gone when records after `after` are past the retention."""
    oldest, last = store.change_bounds()
    if after + 1 < oldest:
        raise Gone(
            f"after: records after {after} are past the retention; the oldest kept is "
            f"{oldest} (ask with after={oldest - 1})",
            oldest=oldest,
        )
    return last


class ChangePruner(PeriodicJob):
    """Deletes the records older than the retention from a background thread, hourly."""

    thread_name = "openucs-changes"
    failure = "pruning the change log failed; retrying"

    def __init__(self, store: Store, *, retention_days: int) -> None:
        super().__init__(PRUNE_EVERY)
        self._store = store
        self._retention = timedelta(days=retention_days)

    def prune(self, now: datetime | None = None) -> int:
        return self._store.prune_changes((now or datetime.now(UTC)) - self._retention)

    def run_once(self) -> int:
        return self.prune()

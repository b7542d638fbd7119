"""Store methods of archiving (docs/archive.md), mixed into `SqlStore`.

A *thread* is the interactions of one `thread_id`, and an interaction without one is a thread
of its own: its key is `thread_id`, else the interaction's id. A thread is archivable when
every interaction of it in the main tier is Stopped and ended before the cutoff.

- `archive_candidates` walks the main tier along `ix_interactions_window` in (start, id) order
  and names the threads of the rows it meets; the service walks on from `next`.
- `archive_in_place` (archive in the same database) sets `source` of the archivable threads
  among some keys to "archive", rows and attribute rows, in one transaction.
- `remove_archived` (archive in a second database) deletes the archivable threads whose rows
  are still what was copied to the archive, in one transaction.

Both read the threads again in their write transaction, their rows locked (PostgreSQL: FOR
UPDATE; SQLite's writer holds the database), so a thread reopened or changed meanwhile stays.
The full-text documents hold no tier (`store._search`): moving in place leaves them as they
are; removing deletes them with the rows. Each moved interaction notes `interaction.archived`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import Connection, Insert, Table, and_, bindparam, delete, or_, select, update

from openucs.domain.changes import ChangeType, PendingChange
from openucs.domain.enums import Source, State
from openucs.domain.formats import to_millis
from openucs.domain.models import Contact, Interaction
from openucs.domain.query import Cursor
from openucs.store import _changes as changelog
from openucs.store import _people as people
from openucs.store import _rows as rows
from openucs.store._history import interactions_select
from openucs.store.base import ArchiveCandidates, ThreadIds
from openucs.store.schema import (
    contacts,
    interaction_attributes,
    interaction_contents,
    interactions,
    leases,
)

_r = interactions.c
_MAIN = Source.MAIN.value
_STOPPED = State.STOPPED.value


class _SqlBase(Protocol):
    def _read(self) -> AbstractContextManager[Connection]: ...

    def _write(self) -> AbstractContextManager[Connection]: ...

    def _upsert(self, table: Table, keys: Sequence[str], update: Sequence[str]) -> Insert: ...

    def _write_documents(
        self, conn: Connection, ids: Sequence[str], documents: list[tuple[Any, ...]]
    ) -> None: ...


def thread_key(interaction_id: str, thread_id: str | None) -> str:
    return thread_id or interaction_id


class ArchiveMethods:
    def archive_candidates(
        self: _SqlBase, *, before_ms: int, after: Cursor | None, limit: int
    ) -> ArchiveCandidates:
        """The threads of the next `limit` main-tier rows after `after` (start, id order)
        that are Stopped and ended before `before_ms`; `next` None when the walk is over."""
        stmt = select(_r.start_ms, _r.id, _r.thread_id).where(
            _r.source == _MAIN,
            _r.start_ms < before_ms,
            _r.state == _STOPPED,
            _r.end_ms < before_ms,
        )
        if after is not None:
            s, i = after.start_ms, after.id
            later = or_(_r.start_ms > s, and_(_r.start_ms == s, _r.id > i))
            stmt = stmt.where(_r.start_ms >= s, later)
        with self._read() as conn:
            found = conn.execute(stmt.order_by(_r.start_ms, _r.id).limit(limit)).all()
        keys = list(dict.fromkeys(thread_key(row.id, row.thread_id) for row in found))
        last = Cursor(found[-1].start_ms, found[-1].id) if len(found) == limit else None
        return ArchiveCandidates(keys, last)

    def archivable_threads(self: _SqlBase, keys: Sequence[str], *, before_ms: int) -> ThreadIds:
        """The threads among `keys` that are archivable now, with their main-tier ids."""
        with self._read() as conn:
            return _archivable(_members(conn, keys, lock=False), before_ms)

    def archive_in_place(self: _SqlBase, keys: Sequence[str], *, before_ms: int) -> ThreadIds:
        """Move the archivable threads among `keys` to the archive tier of this database;
        returns them with their ids."""
        with self._write() as conn:
            members = _members(conn, keys, lock=True)
            moved = _archivable(members, before_ms)
            ids = [i for ids in moved.values() for i in ids]
            to_archive = {"source": Source.ARCHIVE.value}
            _by_ids(conn, update(interactions).values(to_archive), _r.id, ids)
            attrs = interaction_attributes
            _by_ids(conn, update(attrs).values(to_archive), attrs.c.interaction_id, ids)
            changelog.note(conn, _archived(members, ids))
        return moved

    def remove_archived(
        self: _SqlBase, copied: Sequence[Interaction], *, before_ms: int
    ) -> ThreadIds:
        """Delete from this database the archivable threads of `copied` (the interactions
        written to the archive database) whose every main-tier row is still as copied, with
        their attributes, content and search documents; returns them with their ids."""
        wanted = {i.id: i for i in copied}
        keys = list(dict.fromkeys(thread_key(i.id, i.thread_id) for i in copied))
        with self._write() as conn:
            members = _members(conn, keys, lock=True)
            archivable = _archivable(members, before_ms)
            now = _current(conn, [i for ids in archivable.values() for i in ids])
            removed = {
                key: ids
                for key, ids in archivable.items()
                if all(_as_copied(now.get(i), wanted.get(i)) for i in ids)
            }
            ids = [i for ids in removed.values() for i in ids]
            for table in (interaction_attributes, interaction_contents):
                _by_ids(conn, delete(table), table.c.interaction_id, ids)
            self._write_documents(conn, ids, [])
            _by_ids(conn, delete(interactions), _r.id, ids)
            changelog.note(conn, _archived(members, ids))
        return removed

    def get_contacts(self: _SqlBase, ids: Iterable[str]) -> dict[str, Contact]:
        """The contacts among `ids` that exist, keyed by id."""
        found: dict[str, Contact] = {}
        with self._read() as conn:
            for chunk in people.chunks(set(ids)):
                stmt = select(contacts).where(contacts.c.id.in_(chunk))
                for contact in people.load_contacts(conn, conn.execute(stmt).all()):
                    found[contact.id] = contact
        return found

    # --- leases ------------------------------------------------------------------------------
    def take_lease(self: _SqlBase, name: str, holder: str, *, seconds: int) -> bool:
        """Take or renew the lease `name` for `seconds`: True when `holder` has it now (it
        had it, or it was free or expired)."""
        now = to_millis(datetime.now(UTC))
        values = {"holder": holder, "expires_ms": now + seconds * 1000}
        mine_or_free = or_(leases.c.holder == holder, leases.c.expires_ms <= now)
        with self._write() as conn:
            renew = update(leases).where(leases.c.name == name, mine_or_free).values(values)
            if conn.execute(renew).rowcount:
                return True
            insert = self._upsert(leases, ["name"], []).values(name=name, **values)
            return conn.execute(insert.returning(leases.c.name)).first() is not None

    def release_lease(self: _SqlBase, name: str, holder: str) -> None:
        with self._write() as conn:
            conn.execute(delete(leases).where(leases.c.name == name, leases.c.holder == holder))


def _members(conn: Connection, keys: Sequence[str], *, lock: bool) -> list[Any]:
    """The main-tier rows of the threads `keys` (id, thread, state, end, contact, owner).
    Read by the thread index and the primary key, the tier checked on the rows: a condition
    on `source` would lead SQLite along the window index, through the whole tier."""
    found: list[Any] = []
    columns = (_r.id, _r.thread_id, _r.state, _r.end_ms, _r.contact_id, _r.owner_id, _r.source)
    for chunk in people.chunks(keys):
        for of_threads in (
            _r.thread_id.in_(chunk),
            and_(_r.id.in_(chunk), _r.thread_id.is_(None)),
        ):
            stmt = select(*columns).where(of_threads)
            rows_ = conn.execute(stmt.with_for_update() if lock else stmt)
            found += [row for row in rows_ if row.source == _MAIN]
    return found


def _archivable(members: Iterable[Any], before_ms: int) -> ThreadIds:
    threads: dict[str, list[Any]] = {}
    for row in members:
        threads.setdefault(thread_key(row.id, row.thread_id), []).append(row)
    return {
        key: sorted(row.id for row in rows_)
        for key, rows_ in threads.items()
        if all(_ended(row, before_ms) for row in rows_)
    }


def _ended(row: Any, before_ms: int) -> bool:
    return bool(row.state == _STOPPED and row.end_ms is not None and row.end_ms < before_ms)


def _archived(members: Iterable[Any], ids: Sequence[str]) -> list[PendingChange]:
    moved = set(ids)
    kind = ChangeType.INTERACTION_ARCHIVED
    return [
        PendingChange(kind, row.id, row.contact_id, row.owner_id)
        for row in members
        if row.id in moved
    ]


def _as_copied(now: Interaction | None, copy: Interaction | None) -> bool:
    return now is not None and replace(now, source=Source.ARCHIVE) == copy


def _current(conn: Connection, ids: Sequence[str]) -> dict[str, Interaction]:
    found: dict[str, Interaction] = {}
    for chunk in people.chunks(ids):
        stmt = interactions_select(with_content=True).where(_r.id.in_(chunk))
        for row in conn.execute(stmt):
            found[row.id] = rows.row_to_interaction(row, with_content=True)
    return found


def _by_ids(conn: Connection, stmt: Any, column: Any, ids: Sequence[str]) -> None:
    """Run an UPDATE or DELETE for `ids`, a chunk at a time."""
    chosen = stmt.where(column.in_(bindparam("ids", expanding=True)))
    for chunk in people.chunks(ids):
        conn.execute(chosen, {"ids": chunk})

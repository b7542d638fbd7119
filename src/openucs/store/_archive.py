"""Store methods of archiving (docs/archive.md), mixed into `SqlStore`.

A *thread* is the interactions of one `thread_id`, and an interaction without one is a thread
of its own: its key is `thread_id`, else the interaction's id. A thread is archivable when
every interaction of it in the main tier is Stopped and ended before the cutoff.

- `archive_candidates` walks the main tier along `ix_interactions_window` in (start, id) order
  and names the threads of the rows it meets; the service walks on from `next`.
- `archive_in_place` (archive in the same database) sets `source` of the archivable threads
  among some keys to "archive", rows and attribute rows, in one transaction.
- Archive in a second database: `read_archive_copy` reads a batch's stored rows as they are
  (interactions, attributes, contents, search documents, the contacts and owners named: no
  domain objects, no documents derived again), `write_archive_copy` writes them to the
  archive database in one transaction (bulk inserts, as an import's), and `remove_archived`
  deletes from main the archivable threads whose rows are still what was copied, in one
  transaction: it compares a digest of each row with its content, read again under lock.

Both read the threads again in their write transaction, their rows locked (PostgreSQL: FOR
UPDATE; SQLite's writer holds the database), so a thread reopened or changed meanwhile stays.
The full-text documents hold no tier (`store._search`): moving in place leaves them as they
are; removing deletes them with the rows. Each moved interaction notes `interaction.archived`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Connection,
    Insert,
    String,
    Table,
    Text,
    and_,
    any_,
    bindparam,
    cast,
    delete,
    func,
    literal_column,
    or_,
    select,
    update,
)

from openucs.domain.changes import ChangeType, PendingChange
from openucs.domain.enums import Role, Source, State
from openucs.domain.formats import to_millis
from openucs.domain.models import Interaction
from openucs.domain.query import Cursor
from openucs.domain.search import INDEX_FIELDS
from openucs.store import _changes as changelog
from openucs.store import _people as people
from openucs.store import _rows as rows
from openucs.store import _search as search
from openucs.store._history import interactions_select
from openucs.store.base import ArchiveCandidates, ArchiveCopy, PreparedInteractions, ThreadIds
from openucs.store.schema import (
    contact_points,
    contacts,
    interaction_attributes,
    interaction_contents,
    interactions,
    leases,
    users,
)

_r = interactions.c
_MAIN = Source.MAIN.value
_ARCHIVE = Source.ARCHIVE.value
_STOPPED = State.STOPPED.value
_SOURCE = rows.INTERACTION_COLUMNS.index("source")
_THREAD = rows.INTERACTION_COLUMNS.index("thread_id")
_CONTACT = rows.INTERACTION_COLUMNS.index("contact_id")
_OWNER = rows.INTERACTION_COLUMNS.index("owner_id")
_START = rows.INTERACTION_COLUMNS.index("start_ms")
_ATTRIBUTE_SOURCE = rows.ATTRIBUTE_COLUMNS.index("source")
# A copied contact keeps, in the archive, its own creation time and merge mark.
_CONTACT_KEPT = ("id", "created_ms", "merged_into")
_IDS = 5000  # ids per statement (`_among`: one parameter)


class _SqlBase(Protocol):
    _index_table: str

    def _read(self) -> AbstractContextManager[Connection]: ...

    def _write(self) -> AbstractContextManager[Connection]: ...

    def _upsert(self, table: Table, keys: Sequence[str], update: Sequence[str]) -> Insert: ...

    def _write_documents(
        self, conn: Connection, ids: Sequence[str], documents: list[tuple[Any, ...]]
    ) -> None: ...

    def _documents(self, batch: Sequence[Interaction]) -> list[tuple[Any, ...]]: ...

    def _insert_many(
        self, conn: Connection, stmt: Insert, values: list[dict[str, Any]]
    ) -> None: ...

    @property
    def _owners_insert(self) -> Insert: ...

    def _stored_rows(
        self,
        ids: list[str],
        interactions_: list[tuple[Any, ...]],
        attributes: list[tuple[Any, ...]],
        contents: list[tuple[Any, ...]],
        documents: list[tuple[Any, ...]],
    ) -> PreparedInteractions: ...

    def _write_prepared(
        self, conn: Connection, prepared: PreparedInteractions, *, replace: bool
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

    def read_archive_copy(
        self: _SqlBase, ids: Sequence[str], *, copied_contacts: Mapping[str, int]
    ) -> ArchiveCopy:
        """The stored rows of the main-tier interactions `ids` (those still there), to copy
        to the archive database, with the contacts they name, except those in
        `copied_contacts` (id -> `updated_ms` when copied) still at that version. The rows
        and their content are read first: a change after that read shows in the digests,
        and `remove_archived` keeps the thread."""
        with self._read() as conn:
            found = _rows_with_content(conn, ids)
            versions = _contact_versions(conn, {r.row[_CONTACT] for r in found if r.row[_CONTACT]})
            contact_ids = {c for c, v in versions.items() if copied_contacts.get(c) != v}
            owner_ids = {r.row[_OWNER] for r in found if r.row[_OWNER]}
            points = contact_points
            return ArchiveCopy(
                ids=[r.row[0] for r in found],
                threads=list(dict.fromkeys(thread_key(r.row[0], r.row[_THREAD]) for r in found)),
                digests={r.row[0]: r.digest for r in found},
                interactions=[_in_archive(r.row, _SOURCE) for r in found],
                attributes=_attribute_rows(conn, [r.row[0] for r in found]),
                contents=[r.content for r in found if r.content is not None],
                documents=_stored_documents(conn, self._index_table, found),
                documents_of=self._index_table,
                contact_versions=versions,
                contacts=_table_rows(conn, contacts, contacts.c.id, contact_ids),
                contact_points=_table_rows(conn, points, points.c.contact_id, contact_ids),
                owners=_owner_rows(conn, owner_ids),
            )

    def write_archive_copy(self: _SqlBase, copy: ArchiveCopy) -> None:
        """Upsert a copy read from the main database, in one transaction: the owners (new
        ones only, without a password, as an import makes them), the contacts and their
        points, then the interactions with everything that hangs on them, in bulk. Search
        documents kept by the other engine (a mixed layout) are derived again here."""
        if not copy.ids:
            return
        with self._write() as conn:
            if copy.owners:
                self._insert_many(conn, self._owners_insert, copy.owners)
            _write_contacts(conn, self._upsert, copy)
            same_index = copy.documents_of == self._index_table
            prepared = self._stored_rows(
                copy.ids,
                copy.interactions,
                copy.attributes,
                copy.contents,
                copy.documents if same_index else [],
            )
            self._write_prepared(conn, prepared, replace=True)
            if not same_index:
                stored = list(_stored_interactions(conn, copy.ids))
                self._write_documents(conn, copy.ids, self._documents(stored))

    def remove_archived(self: _SqlBase, copied: ArchiveCopy, *, before_ms: int) -> ThreadIds:
        """Delete from this database the archivable threads of `copied` (what was written to
        the archive database) whose every main-tier row is still as copied (its digest),
        with their attributes, content and search documents; returns them with their ids."""
        with self._write() as conn:
            members = _members(conn, copied.threads, lock=True)
            archivable = _archivable(members, before_ms)
            in_threads = [i for ids in archivable.values() for i in ids]
            stored = _rows_with_content(conn, in_threads, decode=False)
            now = {r.row[0]: r.digest for r in stored}
            removed = {
                key: ids
                for key, ids in archivable.items()
                if all(i in now and now[i] == copied.digests.get(i) for i in ids)
            }
            ids = [i for ids in removed.values() for i in ids]
            for table in (interaction_attributes, interaction_contents):
                _by_ids(conn, delete(table), table.c.interaction_id, ids)
            self._write_documents(conn, ids, [])
            _by_ids(conn, delete(interactions), _r.id, ids)
            changelog.note(conn, _archived(members, ids))
        return removed

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
    for chunk in people.chunks(keys, _IDS):
        for of_threads in (
            _among(conn, _r.thread_id),
            and_(_among(conn, _r.id), _r.thread_id.is_(None)),
        ):
            stmt = select(*columns).where(of_threads)
            rows_ = conn.execute(stmt.with_for_update() if lock else stmt, _ids(conn, chunk)).all()
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


@dataclass(frozen=True, slots=True)
class _Stored:
    """An interaction as read for a copy: its row, its `interaction_contents` row (None
    without content), and a digest of both as the database gave them."""

    row: tuple[Any, ...]
    content: tuple[Any, ...] | None
    digest: bytes


_CONTENT_TEXT = (
    interaction_contents.c.interaction_id,
    cast(interaction_contents.c.messages, Text),
    cast(interaction_contents.c.email, Text),
)


def _with_content(conn: Connection) -> Any:
    return (
        select(interactions, *_CONTENT_TEXT)
        .select_from(interactions.outerjoin(interaction_contents))
        .where(_among(conn, _r.id))
    )


def _rows_with_content(
    conn: Connection, ids: Sequence[str], *, decode: bool = True
) -> list[_Stored]:
    """The stored rows of `ids` with their content, in one statement per chunk (a row and
    its content of one moment), the content's JSON as the text the database gives: the
    digest is of that text, and the copy (`decode`) decodes it once."""
    found: list[_Stored] = []
    width = len(rows.INTERACTION_COLUMNS)
    stmt = _with_content(conn)
    for chunk in people.chunks(ids, _IDS):
        for read in conn.execute(stmt, _ids(conn, chunk)).all():
            values = tuple(read)
            row, (has_content, messages, email) = values[:width], values[width:]
            digest = hashlib.blake2b(repr(row).encode(), digest_size=16)
            for text in (messages, email):
                digest.update(b"\0" if text is None else b"\1" + text.encode())
            content = None
            if decode and has_content is not None:
                content = (row[0], _decoded(messages), _decoded(email))
            found.append(_Stored(row, content, digest.digest()))
    return found


def _decoded(raw: str | None) -> Any:
    return None if raw is None else rows.json_loads(raw)


def _in_archive(row: tuple[Any, ...], at: int) -> tuple[Any, ...]:
    """`row` with its `source` (at position `at`) set to the archive tier."""
    return (*row[:at], _ARCHIVE, *row[at + 1 :])


def _attribute_rows(conn: Connection, ids: Sequence[str]) -> list[tuple[Any, ...]]:
    attrs = interaction_attributes
    columns = [attrs.c[name] for name in rows.ATTRIBUTE_COLUMNS]
    stmt = select(*columns).where(_among(conn, attrs.c.interaction_id))
    out: list[tuple[Any, ...]] = []
    for chunk in people.chunks(ids, _IDS):
        for row in conn.execute(stmt, _ids(conn, chunk)).all():
            out.append(_in_archive(tuple(row), _ATTRIBUTE_SOURCE))
    return out


def _stored_documents(
    conn: Connection, index_table: str, found: Sequence[_Stored]
) -> list[tuple[Any, ...]]:
    """The search index's rows of the interactions read, as this engine's
    `_write_documents` takes them (SQLite: id, start, the four FTS columns; PostgreSQL: id,
    the tsvector's text). SQLite's search keys are not copied: the archive allocates its own."""
    starts = {r.row[0]: r.row[_START] for r in found}
    out: list[tuple[Any, ...]] = []
    if index_table == search.documents.name:
        doc = search.documents.c
        by_id = _among(conn, doc.interaction_id)
        stmt: Any = select(doc.interaction_id, cast(doc.doc, Text)).where(by_id)
        for chunk in people.chunks(starts, _IDS):
            out += [tuple(row) for row in conn.execute(stmt, _ids(conn, chunk)).all()]
        return out
    keys, fts = search.search_keys, search.fts
    stmt = (
        select(keys.c.interaction_id, *(fts.c[name] for name in INDEX_FIELDS))
        .select_from(keys.join(fts, fts.c.rowid == keys.c.search_key))
        .where(_among(conn, keys.c.interaction_id))
    )
    for chunk in people.chunks(starts, _IDS):
        for interaction_id, *fields in conn.execute(stmt, _ids(conn, chunk)).all():
            out.append((interaction_id, starts[interaction_id], *fields))
    return out


def _table_rows(
    conn: Connection, table: Table, key: Any, ids: Iterable[str]
) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    stmt = select(table).where(_among(conn, key))
    for chunk in people.chunks(sorted(ids), _IDS):
        found += [dict(row._mapping) for row in conn.execute(stmt, _ids(conn, chunk)).all()]
    return found


def _contact_versions(conn: Connection, ids: Iterable[str]) -> dict[str, int]:
    """The `updated_ms` of the contacts `ids` (every write of a contact sets it)."""
    c = contacts.c
    stmt = select(c.id, c.updated_ms).where(_among(conn, c.id))
    found: dict[str, int] = {}
    for chunk in people.chunks(sorted(ids), _IDS):
        found.update((str(i), int(v)) for i, v in conn.execute(stmt, _ids(conn, chunk)))
    return found


def _owner_rows(conn: Connection, ids: Iterable[str]) -> list[dict[str, Any]]:
    """The owners' users as the archive creates them: their names only, no password (they
    cannot log in there), as an import makes an owner it meets."""
    now = to_millis(datetime.now(UTC))
    names = select(users.c.id, users.c.user_name, users.c.first_name, users.c.last_name)
    found: list[dict[str, Any]] = []
    for chunk in people.chunks(sorted(ids), _IDS):
        for row in conn.execute(names.where(_among(conn, users.c.id)), _ids(conn, chunk)):
            found.append(
                {
                    **row._mapping,
                    "roles": Role.AGENT.value,
                    "enabled": True,
                    "password_hash": None,
                    "created_ms": now,
                }
            )
    return found


def _write_contacts(conn: Connection, upsert: Any, copy: ArchiveCopy) -> None:
    """Upsert the copied contacts (a stored one keeps its creation time and merge mark) and
    replace their points; each is noted as created or updated in the archive's log."""
    if not copy.contacts:
        return
    ids = [c["id"] for c in copy.contacts]
    existing = people.existing_contact_ids(conn, ids)
    changed = [c.name for c in contacts.c if c.name not in _CONTACT_KEPT]
    values = [{k: v for k, v in c.items() if k != "merged_into"} for c in copy.contacts]
    conn.execute(upsert(contacts, ["id"], changed), values)
    points = delete(contact_points).where(_among(conn, contact_points.c.contact_id))
    for chunk in people.chunks(ids, _IDS):
        conn.execute(points, _ids(conn, chunk))
    if copy.contact_points:
        conn.execute(contact_points.insert(), copy.contact_points)
    changelog.note(conn, _contacts_noted(ids, existing))


def _contacts_noted(ids: Sequence[str], existing: set[str]) -> Iterator[PendingChange]:
    for contact_id in ids:
        kind = ChangeType.CONTACT_UPDATED if contact_id in existing else ChangeType.CONTACT_CREATED
        yield PendingChange(kind, contact_id=contact_id)


def _stored_interactions(conn: Connection, ids: Sequence[str]) -> Iterator[Interaction]:
    for chunk in people.chunks(ids):
        stmt = interactions_select(with_content=True).where(_r.id.in_(chunk))
        for row in conn.execute(stmt):
            yield rows.row_to_interaction(row, with_content=True)


def _by_ids(conn: Connection, stmt: Any, column: Any, ids: Sequence[str]) -> None:
    """Run an UPDATE or DELETE for `ids`, a chunk at a time."""
    chosen = stmt.where(_among(conn, column))
    for chunk in people.chunks(ids, _IDS):
        conn.execute(chosen, _ids(conn, chunk))


def _among(conn: Connection, column: ColumnElement[Any]) -> ColumnElement[bool]:
    """`column` among the ids bound by `_ids`, one parameter however many they are (an
    expanding IN costs SQLAlchemy a bound parameter per id, a large part of a batch's time
    in a profile): SQLite reads them from a JSON array, PostgreSQL from an array."""
    if conn.dialect.name == "postgresql":
        return column == any_(bindparam("ids", type_=ARRAY(String)))
    value: ColumnElement[Any] = literal_column("value")
    each = select(value).select_from(func.json_each(bindparam("ids")))
    return column.in_(each.scalar_subquery())


def _ids(conn: Connection, ids: Sequence[str]) -> dict[str, Any]:
    """The parameters of `_among`."""
    if conn.dialect.name == "postgresql":
        return {"ids": list(ids)}
    return {"ids": json.dumps(list(ids))}

"""Store methods of the change log (docs/changes.md), mixed into `SqlStore`.

Writes: a store method that changes history notes its changes on the connection (`note`);
the transaction writes them just before it commits (`flush`), so a change and its record
commit together or not at all. The seqs come from the one row of `change_counter`: the
UPDATE that takes them holds that row's lock until the commit, so a writer that takes seqs
after another commits after it, and a reader never sees seq N+1 before seq N (PostgreSQL
included, whatever the isolation level; SQLite has one writer anyway). The flush is the last
statement of the transaction, so writers queue on the counter only for their commit.

Reads: the records carry ids; the state is read from the tables when the records are read
(the GWS resource of the interaction or contact as it is now; nothing for a deleted one). A
read with a search (`ChangeQuery.q`, a webhook's filter) is the search compiled to SQL
(`_search.condition`) on the joined interaction, whichever tier it is in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import (
    Connection,
    Insert,
    and_,
    delete,
    exists,
    false,
    func,
    or_,
    select,
    update,
)

from openucs.domain.access import AgentAccess, ReadScope
from openucs.domain.changes import ChangeQuery, ChangeRecord, ChangeType, PendingChange
from openucs.domain.formats import from_millis, to_millis
from openucs.domain.models import Contact, Interaction
from openucs.domain.search import Node, Or
from openucs.store import _people as people
from openucs.store import _rows as rows
from openucs.store._history import interactions_select
from openucs.store._search import TextDialect, condition
from openucs.store.schema import change_counter, changes, contacts, interactions

PENDING = "openucs.pending_changes"  # key of the noted changes in `Connection.info`
_INSERT = changes.insert()
_COLUMNS = ("seq", "type", "at_ms", "interaction_id", "contact_id", "owner_id")
_c = changes.c
# Records that keep the owner and contact of an interaction that may be gone from the tables.
_GONE = (ChangeType.INTERACTION_DELETED.value, ChangeType.INTERACTION_ARCHIVED.value)


class _SqlBase(Protocol):
    _text: TextDialect

    def _read(self) -> AbstractContextManager[Connection]: ...

    def _write(self) -> AbstractContextManager[Connection]: ...

    def _insert_tuples(
        self, conn: Connection, stmt: Insert, columns: Sequence[str], values: list[tuple[Any, ...]]
    ) -> None: ...


def note(conn: Connection, items: Iterable[PendingChange]) -> None:
    """Note changes of the transaction on `conn`; `flush` writes them before it commits."""
    conn.info.setdefault(PENDING, []).extend(items)


def note_interactions(conn: Connection, kind: ChangeType, ids: Iterable[str]) -> None:
    note(conn, (PendingChange(kind, interaction_id=i) for i in ids))


def discard(conn: Connection, keep: int = 0) -> None:
    """Forget the changes noted after the first `keep` (their savepoint rolled back)."""
    pending = conn.info.get(PENDING)
    if pending is not None:
        del pending[keep:]


def noted(conn: Connection) -> int:
    return len(conn.info.get(PENDING, ()))


def existing_interaction_ids(conn: Connection, ids: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for chunk in people.chunks(ids):
        found.update(conn.scalars(select(interactions.c.id).where(interactions.c.id.in_(chunk))))
    return found


class ChangeMethods:
    def _flush_changes(self: _SqlBase, conn: Connection) -> None:
        """Write the noted changes with the next seqs; the last statement of a transaction."""
        pending: list[PendingChange] = conn.info.pop(PENDING, None) or []
        if not pending:
            return
        taken = (
            update(change_counter)
            .where(change_counter.c.id == 1)
            .values(last_seq=change_counter.c.last_seq + len(pending))
            .returning(change_counter.c.last_seq)
        )
        first = int(conn.scalar(taken) or 0) - len(pending) + 1
        at = to_millis(datetime.now(UTC))
        values = [
            (first + n, p.type.value, at, p.interaction_id, p.contact_id, p.owner_id)
            for n, p in enumerate(pending)
        ]
        self._insert_tuples(conn, _INSERT, _COLUMNS, values)

    def changes(self: _SqlBase, query: ChangeQuery) -> list[ChangeRecord]:
        """Up to `query.limit` records after `query.after`, in seq order, with the present
        state of what they name."""
        stmt = (
            select(_c.seq, _c.type, _c.at_ms, _c.interaction_id, _c.contact_id)
            .select_from(changes.outerjoin(interactions, interactions.c.id == _c.interaction_id))
            .where(*_window(query), *_types(query), *_scope(query.scope))
            .order_by(_c.seq)
            .limit(query.limit)
        )
        if query.q is not None:
            stmt = stmt.where(interactions.c.id.is_not(None), _matching(query.q, self._text))
        with self._read() as conn:
            found = conn.execute(stmt).all()
            items = _interactions(conn, {r.interaction_id for r in found if r.interaction_id})
            people_ = _contacts(conn, {r.contact_id for r in found if r.contact_id})
        return [
            ChangeRecord(
                seq=int(r.seq),
                type=ChangeType(r.type),
                at=from_millis(r.at_ms),
                interaction_id=r.interaction_id,
                contact_id=r.contact_id if r.interaction_id is None else None,
                interaction=items.get(r.interaction_id) if r.interaction_id else None,
                contact=people_.get(r.contact_id) if r.interaction_id is None else None,
            )
            for r in found
        ]

    def change_bounds(self: _SqlBase) -> tuple[int, int]:
        """The oldest seq still kept (the next one to come when none is) and the last seq."""
        with self._read() as conn:
            oldest = conn.scalar(select(func.min(_c.seq)))
            last = int(conn.scalar(select(change_counter.c.last_seq)) or 0)
        return (last + 1 if oldest is None else int(oldest)), last

    def prune_changes(self: _SqlBase, before: datetime) -> int:
        """Delete the records written before `before`; returns how many. The times grow
        with the seqs (each is taken under the counter's lock), so the first record at or
        after `before`, found along the primary key, bounds what goes: no index on the time
        to keep up on every write, and an hourly prune reads about an hour of records."""
        kept = select(_c.seq).where(_c.at_ms >= to_millis(before)).order_by(_c.seq).limit(1)
        with self._read() as conn:
            oldest = conn.scalar(select(func.min(_c.seq)))
            first_kept = conn.scalar(kept)
        if oldest is None or first_kept == oldest:
            return 0
        old = _c.seq < first_kept if first_kept is not None else _c.seq.is_not(None)
        with self._write() as conn:
            return int(conn.execute(delete(changes).where(old)).rowcount or 0)


def _matching(q: Node, text: TextDialect) -> Any:
    if isinstance(q, Or) and not q.items:  # matches nothing (and has no text expression)
        return false()
    return condition(q, text)


def _window(query: ChangeQuery) -> list[Any]:
    after = _c.seq > query.after
    return [after] if query.until is None else [after, _c.seq <= query.until]


def _types(query: ChangeQuery) -> list[Any]:
    if not query.types:
        return []
    return [_c.type.in_(sorted(t.value for t in query.types))]


def _scope(scope: ReadScope) -> list[Any]:
    """An agent's rule (`domain.access`) on each record: on the interaction as it is now, on
    the owner and contact it had for a deleted (or archived) one; a contact's records when
    the agent may read the contact (owns an interaction of it)."""
    reader = scope.user_id
    if reader is None or scope.unlimited:
        return []
    rows_ = interactions
    handled = rows_.alias("handled")

    def readable(owner: Any, contact: Any) -> Any:
        if scope.access is AgentAccess.OWN:
            return owner == reader
        of_contact = exists(
            select(handled.c.id).where(
                handled.c.contact_id == contact, handled.c.owner_id == reader
            )
        )
        return or_(owner == reader, and_(contact.is_not(None), of_contact))

    contact_of_reader = exists(
        select(handled.c.id).where(
            handled.c.contact_id == _c.contact_id, handled.c.owner_id == reader
        )
    )
    return [
        or_(
            and_(rows_.c.id.is_not(None), readable(rows_.c.owner_id, rows_.c.contact_id)),
            and_(
                _c.type.in_(_GONE),
                readable(_c.owner_id, _c.contact_id),
            ),
            and_(_c.interaction_id.is_(None), contact_of_reader),
        )
    ]


def _interactions(conn: Connection, ids: set[str]) -> dict[str, Interaction]:
    found: dict[str, Interaction] = {}
    for chunk in people.chunks(ids):
        stmt = interactions_select(with_content=False).where(interactions.c.id.in_(chunk))
        for row in conn.execute(stmt):
            found[row.id] = rows.row_to_interaction(row)
    return found


def _contacts(conn: Connection, ids: set[str]) -> dict[str, Contact]:
    found: dict[str, Contact] = {}
    for chunk in people.chunks(ids):
        stmt = select(contacts).where(contacts.c.id.in_(chunk))
        for contact in people.load_contacts(conn, conn.execute(stmt).all()):
            found[contact.id] = contact
    return found

"""Store methods of legal holds, retention and erasure (docs/privacy.md), mixed into `SqlStore`.

Holds, prunes and erasures take one lock (`HOLDS_LOCK`) in their transactions: a hold placed
while a prune or an erasure runs is seen by it or waits for it, never slips between its check
and its delete (PostgreSQL: an advisory lock; SQLite's writer holds the database lock anyway).

An erasure deletes in one transaction, then has the engine scrub what deleted rows leave
behind in the files (`_scrub`, a dialect hook): SQLite rewrites the full-text index and
checkpoints the WAL away; PostgreSQL vacuums the tables rows left.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import (
    Connection,
    Table,
    bindparam,
    column,
    delete,
    exists,
    func,
    or_,
    select,
    table,
    tuple_,
    update,
)

from openucs.domain.changes import ChangeType, PendingChange
from openucs.domain.formats import from_millis, to_millis
from openucs.domain.privacy import ContactTerms, ErasureReport, Hold
from openucs.errors import Conflict, NotFound
from openucs.store import _changes as changelog
from openucs.store import _people as people
from openucs.store._rows import PHONE
from openucs.store.base import PruneStep
from openucs.store.schema import (
    contact_points,
    contacts,
    holds,
    interaction_attributes,
    interaction_contents,
    interactions,
    read_audit,
    saved_searches,
)

HOLDS_LOCK = "openucs:holds"
# The tables an erasure deletes from, with the engine's full-text tables (`_index_table`).
ERASED_TABLES = (
    "contacts",
    "contact_points",
    "interactions",
    "interaction_attributes",
    "interaction_contents",
    "read_audit",
)
_i = interactions.c
_h = holds.c


class _SqlBase(Protocol):
    _index_table: str

    def _read(self) -> AbstractContextManager[Connection]: ...

    def _write(self) -> AbstractContextManager[Connection]: ...

    def _lock_key(self, conn: Connection, key: str) -> None: ...

    def _joined(self) -> Connection | None: ...

    def _scrub(self) -> tuple[str, ...]: ...


class PrivacyMethods:
    # --- holds ---------------------------------------------------------------------------------
    def add_hold(self: _SqlBase, hold: Hold) -> Hold:
        with self._write() as conn:
            self._lock_key(conn, HOLDS_LOCK)
            conn.execute(holds.insert().values(_hold_values(hold)))
        return replace(hold, placed_at=from_millis(to_millis(hold.placed_at)))  # as stored

    def holds(self: _SqlBase) -> list[Hold]:
        """Every hold, oldest first."""
        with self._read() as conn:
            found = conn.execute(select(holds).order_by(_h.placed_ms, _h.id)).all()
        return [_hold(row) for row in found]

    def remove_hold(self: _SqlBase, hold_id: str) -> bool:
        with self._write() as conn:
            self._lock_key(conn, HOLDS_LOCK)
            return bool(conn.execute(delete(holds).where(_h.id == hold_id)).rowcount)

    # --- erasure -------------------------------------------------------------------------------
    def erase_contact(self: _SqlBase, contact_id: str) -> ErasureReport:
        """Delete the contact, its points, its interactions of both tiers with their
        content, attributes and search documents, and the read audit records naming them;
        note a deletion per interaction and the `contact.erased` tombstone; then scrub the
        files. NotFound for an unknown contact; Conflict while a hold covers any of it.
        Not inside `atomic()`: the scrub runs after the commit."""
        if self._joined() is not None:
            raise RuntimeError("erase_contact runs its own transaction, not inside atomic()")
        with self._write() as conn:
            self._lock_key(conn, HOLDS_LOCK)
            survivor = conn.execute(
                select(contacts.c.merged_into).where(contacts.c.id == contact_id)
            ).first()
            if survivor is None:
                raise NotFound("contact", contact_id)
            if survivor.merged_into is not None:
                raise Conflict(
                    f"contact {contact_id!r} is merged into {survivor.merged_into!r}, which "
                    f"holds its history now: erase {survivor.merged_into!r} (one person), or "
                    "unmerge first"
                )
            absorbed = _merged_into(conn, contact_id)
            for other in absorbed:
                _refuse_held(conn, other, [])
            terms = _terms(conn, [contact_id, *absorbed])
            found = conn.execute(
                select(_i.id, _i.source, _i.owner_id)
                .where(_i.contact_id == contact_id)
                .order_by(_i.id)
            ).all()
            ids = [r.id for r in found]
            _refuse_held(conn, contact_id, ids)
            tiers = dict(Counter(str(r.source) for r in found))
            counted = _counts(conn, self._index_table, ids)
            for t in (interaction_attributes, interaction_contents):
                _delete_by_ids(conn, t, ids)
            _delete_interactions(conn, ids)  # the search documents go with them
            points = conn.execute(
                delete(contact_points).where(contact_points.c.contact_id == contact_id)
            ).rowcount
            for other in absorbed:  # the same person, merged in: their rows keep names
                conn.execute(delete(contact_points).where(contact_points.c.contact_id == other))
            conn.execute(delete(contacts).where(contacts.c.id.in_([*absorbed, contact_id])))
            audit_deleted, audit_redacted = _forget_reads(conn, contact_id, set(ids))
            searches = _forget_saved_searches(conn, terms)
            gone = [
                PendingChange(ChangeType.INTERACTION_DELETED, r.id, contact_id, r.owner_id)
                for r in found
            ]
            changelog.note(
                conn,
                [
                    *gone,
                    *(PendingChange(ChangeType.CONTACT_ERASED, None, c) for c in absorbed),
                    PendingChange(ChangeType.CONTACT_ERASED, None, contact_id),
                ],
            )
        return ErasureReport(
            contact_id=contact_id,
            contact_points=int(points or 0),
            interactions=dict(sorted(tiers.items())),
            contents=counted["contents"],
            attributes=counted["attributes"],
            index_entries=counted["index_entries"],
            audit_records_deleted=audit_deleted,
            audit_records_redacted=audit_redacted,
            saved_searches=searches,
            changes_noted=len(gone) + len(absorbed) + 1,
            scrubbed=self._scrub(),
        )

    def holds_covering_contact(self: _SqlBase, contact_id: str) -> list[Hold]:
        """The holds on the contact or on any of its interactions."""
        with self._read() as conn:
            return _covering(conn, contact_id)

    # --- retention -----------------------------------------------------------------------------
    def prune_interactions(
        self: _SqlBase,
        cutoffs: Mapping[str, datetime],
        source: str,
        *,
        after: tuple[int, str] | None,
        limit: int,
        dry_run: bool = False,
    ) -> PruneStep:
        """The next `limit` interactions of tier `source` started before their media type's
        cutoff (in (start, id) order after `after`): those no hold covers are deleted (not
        when `dry_run`) with everything of theirs, a deletion noted for each; one
        transaction."""
        if not cutoffs:
            return PruneStep()
        latest = max(cutoffs.values())
        expired = or_(
            *(
                (_i.media_type == media) & (_i.start_ms < to_millis(cutoff))
                for media, cutoff in sorted(cutoffs.items())
            )
        )
        conditions = [_i.source == source, _i.start_ms < to_millis(latest), expired]
        if after is not None:
            conditions.append(tuple_(_i.start_ms, _i.id) > tuple_(*after))
        stmt = (
            select(_i.id, _i.start_ms, _i.media_type, _i.owner_id, _i.contact_id, _held())
            .where(*conditions)
            .order_by(_i.start_ms, _i.id)
            .limit(limit)
        )
        with self._write() as conn:
            self._lock_key(conn, HOLDS_LOCK)
            found = conn.execute(stmt).all()
            doomed = [r for r in found if not r.held]
            removed: dict[str, int] = {}
            for row in doomed:
                removed[row.media_type] = removed.get(row.media_type, 0) + 1
            if doomed and not dry_run:
                ids = [r.id for r in doomed]
                for t in (interaction_attributes, interaction_contents):
                    _delete_by_ids(conn, t, ids)
                _delete_interactions(conn, ids)
                changelog.note(
                    conn,
                    (
                        PendingChange(
                            ChangeType.INTERACTION_DELETED, r.id, r.contact_id, r.owner_id
                        )
                        for r in doomed
                    ),
                )
        last = (int(found[-1].start_ms), str(found[-1].id)) if len(found) == limit else None
        return PruneStep(dict(sorted(removed.items())), len(found) - len(doomed), last)


def _held() -> Any:
    on_item = exists(select(_h.id).where(_h.interaction_id == _i.id))
    on_contact = exists(select(_h.id).where(_h.contact_id == _i.contact_id))
    return or_(on_item, _i.contact_id.is_not(None) & on_contact).label("held")


def _merged_into(conn: Connection, contact_id: str) -> list[str]:
    """The contacts merged into this one, directly or along a chain of merges."""
    found: list[str] = []
    frontier = [contact_id]
    while frontier:
        frontier = list(
            conn.scalars(select(contacts.c.id).where(contacts.c.merged_into.in_(frontier)))
        )
        found += frontier
    return found


def _refuse_held(conn: Connection, contact_id: str, ids: Sequence[str]) -> None:
    found = _covering(conn, contact_id, ids)
    if found:
        raise Conflict(
            f"contact {contact_id!r} is under legal hold ({len(found)} hold(s), e.g. "
            f"{found[0].id}); remove the holds first"
        )


def _covering(conn: Connection, contact_id: str, ids: Sequence[str] | None = None) -> list[Hold]:
    if ids is None:
        ids = list(conn.scalars(select(_i.id).where(_i.contact_id == contact_id)))
    found = list(conn.execute(select(holds).where(_h.contact_id == contact_id)))
    for chunk in people.chunks(ids):
        found += conn.execute(select(holds).where(_h.interaction_id.in_(chunk))).all()
    return sorted((_hold(r) for r in found), key=lambda h: (h.placed_at, h.id))


def _counts(conn: Connection, index_table: str, ids: Sequence[str]) -> dict[str, int]:
    """The rows of `ids` in the tables whose rows go with them, for the report."""
    index = table(index_table, column("interaction_id"))
    kinds = (
        ("contents", interaction_contents),
        ("attributes", interaction_attributes),
        ("index_entries", index),
    )
    return {name: _count_by_ids(conn, t, ids) for name, t in kinds}


def _count_by_ids(conn: Connection, t: Any, ids: Sequence[str]) -> int:
    stmt = (
        select(func.count())
        .select_from(t)
        .where(t.c.interaction_id.in_(bindparam("ids", expanding=True)))
    )
    return sum(int(conn.scalar(stmt, {"ids": chunk}) or 0) for chunk in people.chunks(ids))


def _delete_by_ids(conn: Connection, t: Table, ids: Sequence[str]) -> None:
    stmt = delete(t).where(t.c.interaction_id.in_(bindparam("ids", expanding=True)))
    for chunk in people.chunks(ids):
        conn.execute(stmt, {"ids": chunk})


def _delete_interactions(conn: Connection, ids: Sequence[str]) -> None:
    stmt = delete(interactions).where(_i.id.in_(bindparam("ids", expanding=True)))
    for chunk in people.chunks(ids):
        conn.execute(stmt, {"ids": chunk})


def _forget_reads(conn: Connection, contact_id: str, ids: set[str]) -> tuple[int, int]:
    """Read audit records that name the contact, or only its interactions, are deleted;
    those that name other interactions too lose the erased ids. (deleted, rewritten)"""
    a = read_audit.c
    naming: dict[int, tuple[str | None, str]] = {}
    for row in conn.execute(
        select(a.seq, a.contact_id, a.interaction_ids).where(a.contact_id == contact_id)
    ):
        naming[int(row.seq)] = (row.contact_id, row.interaction_ids)
    for chunk in people.chunks(sorted(ids), 50):
        mentions = or_(*(a.interaction_ids.contains(i, autoescape=True) for i in chunk))
        for row in conn.execute(select(a.seq, a.contact_id, a.interaction_ids).where(mentions)):
            naming[int(row.seq)] = (row.contact_id, row.interaction_ids)
    doomed: list[int] = []
    kept: list[dict[str, Any]] = []
    for seq, (contact, named) in naming.items():
        words = named.split()
        rest = [w for w in words if w not in ids]
        if contact == contact_id or (words and not rest):
            doomed.append(seq)
        elif len(rest) < len(words):
            kept.append({"s": seq, "v": " ".join(rest)})
    for seqs in people.chunks(doomed):
        conn.execute(delete(read_audit).where(a.seq.in_(seqs)))
    if kept:
        stmt = (
            update(read_audit).where(a.seq == bindparam("s")).values(interaction_ids=bindparam("v"))
        )
        conn.execute(stmt, kept)
    return len(doomed), len(kept)


def _terms(conn: Connection, contact_ids: Sequence[str]) -> ContactTerms:
    """What names the contacts (the erased one and those merged into it) as stored now."""
    c, p = contacts.c, contact_points.c
    texts: list[str | None] = list(contact_ids)
    for row in conn.execute(select(c.first_name, c.last_name).where(c.id.in_(contact_ids))):
        texts += [row.first_name, row.last_name]
    phones: list[str] = []
    for row in conn.execute(select(p.kind, p.value).where(p.contact_id.in_(contact_ids))):
        (phones if row.kind == PHONE else texts).append(row.value)
    return ContactTerms.of(texts, phones)


def _forget_saved_searches(conn: Connection, terms: ContactTerms) -> int:
    """Delete the saved searches whose query names the contact (any user's: the query
    text is the person's data too); returns how many."""
    s = saved_searches.c
    doomed = [row.id for row in conn.execute(select(s.id, s.query)) if terms.named_in(row.query)]
    for chunk in people.chunks(doomed):
        conn.execute(delete(saved_searches).where(s.id.in_(chunk)))
    return len(doomed)


def _hold_values(hold: Hold) -> dict[str, Any]:
    return {
        "id": hold.id,
        "contact_id": hold.contact_id,
        "interaction_id": hold.interaction_id,
        "reason": hold.reason,
        "placed_by": hold.placed_by,
        "placed_ms": to_millis(hold.placed_at),
    }


def _hold(row: Any) -> Hold:
    return Hold(
        id=row.id,
        contact_id=row.contact_id,
        interaction_id=row.interaction_id,
        reason=row.reason,
        placed_by=row.placed_by,
        placed_at=from_millis(row.placed_ms),
    )

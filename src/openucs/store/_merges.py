"""Store methods of contact merges (UCS MergeContacts / UnMergeContacts), mixed into `SqlStore`.

A merge of B into A is one write transaction: B's interactions take A's id, B's emails, phones
and custom attributes join A (and leave B), and a `contact_merges` row keeps exactly what moved:
the interaction ids, B as it was (`snapshot`) and what was added to A (`added`). An unmerge
reads that row back, so it gives B exactly what was B's even after A changed:

- Interactions: those of the list that still name A go back to B (one deleted since stays
  deleted; one moved elsewhere since stays there).
- Emails and phones: a point of B already on A (same normalized value) is not added twice and
  stays on A at unmerge; the others joined A (not primary when A has a primary of that kind)
  and leave A at unmerge, if A still has them.
- Attributes (first name, last name, title and custom attributes): A's value wins a collision;
  B's value is kept in the snapshot. B's values fill the ones A lacks and leave A at unmerge,
  unless A's value was changed since (then A keeps its own value).

B keeps its row, names and title (who it was); it answers as merged into A while the row is
there. A contact merged is never a target nor merged again; A merged later into C makes the
reads of B go to C (`merged_into` follows the chain), and B is unmerged only after A is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import Connection, Insert, Table, bindparam, delete, select, text, update

from openucs.domain.changes import ChangeType, PendingChange
from openucs.domain.formats import from_millis, to_millis
from openucs.domain.ids import new_user_id
from openucs.domain.models import Contact, ContactMerge, ContactPoint
from openucs.errors import Conflict, InvalidInput, NotFound
from openucs.store import _changes as changelog
from openucs.store import _people as people
from openucs.store import _rows as rows
from openucs.store.schema import contact_merges, contacts, interactions

MAX_CHAIN = 64  # merges followed from one contact (a chain cannot loop; this bounds a bad row)
_NAMES = ("first_name", "last_name", "title")
_KINDS = (("emails", rows.normalize_email), ("phones", rows.normalize_phone))
_m = contact_merges.c


class _SqlBase(Protocol):
    def _read(self) -> AbstractContextManager[Connection]: ...

    def _write(self) -> AbstractContextManager[Connection]: ...

    def _upsert(self, table: Table, keys: Sequence[str], update: Sequence[str]) -> Insert: ...


class MergeMethods:
    def merge_contacts(
        self: _SqlBase, from_id: str, into_id: str, *, merged_by: str | None
    ) -> ContactMerge:
        """Merge contact `from_id` into `into_id` (module docstring). NotFound for an unknown
        contact; Conflict when `from_id` is merged already or `into_id` is merged."""
        if from_id == into_id:
            raise InvalidInput("from", "a contact cannot be merged into itself")
        with self._write() as conn:
            _lock(conn, from_id, into_id)
            source, target = _contact(conn, from_id), _contact(conn, into_id)
            for contact_id, problem in ((from_id, "is merged already"), (into_id, "is merged")):
                found = _into_of(conn, contact_id)
                if found is not None:
                    raise Conflict(f"contact {contact_id!r} {problem} into {found!r}")
            joined, added = combine(target, source)
            moved = list(
                conn.scalars(
                    select(interactions.c.id)
                    .where(interactions.c.contact_id == from_id)
                    .order_by(interactions.c.id)
                )
            )
            conn.execute(
                update(interactions)
                .where(interactions.c.contact_id == from_id)
                .values(contact_id=into_id)
            )
            now = _now_ms()
            people.save_contacts(conn, self._upsert, [joined, _bare(source)], now)
            record = {
                "id": new_user_id(),
                "from_id": from_id,
                "into_id": into_id,
                "merged_ms": now,
                "merged_by": merged_by,
                "interaction_ids": moved,
                "snapshot": snapshot(source),
                "added": added,
            }
            conn.execute(contact_merges.insert(), record)
            _mark(conn, from_id, into_id)
            changelog.note(conn, _noted(ChangeType.CONTACT_MERGED, from_id, into_id, moved))
        return _merge(record)

    def unmerge_contact(self: _SqlBase, from_id: str) -> ContactMerge:
        """Give `from_id` back what was its own (module docstring); returns the merge undone
        with the interaction ids that went back. Conflict when it is not merged, or when its
        target was merged since (unmerge that one first)."""
        with self._write() as conn:
            row = conn.execute(select(contact_merges).where(_m.from_id == from_id)).first()
            if row is None:
                _contact(conn, from_id)
                raise Conflict(f"contact {from_id!r} is not merged")
            _lock(conn, from_id, row.into_id)
            if conn.scalar(select(_m.id).where(_m.id == row.id)) is None:  # undone meanwhile
                raise Conflict(f"contact {from_id!r} is not merged")
            later = _into_of(conn, row.into_id)
            if later is not None:
                raise Conflict(
                    f"contact {row.into_id!r} was merged into {later!r} since: unmerge it first"
                )
            target = _contact(conn, row.into_id)
            restored = restore(_contact(conn, from_id), row.snapshot)
            kept = subtract(target, row.added)
            back = _move_back(conn, row.interaction_ids or [], row.into_id, from_id)
            people.save_contacts(conn, self._upsert, [kept, restored], _now_ms())
            conn.execute(delete(contact_merges).where(_m.id == row.id))
            _mark(conn, from_id, None)
            noted = _noted(ChangeType.CONTACT_UNMERGED, from_id, row.into_id, sorted(back))
            changelog.note(conn, noted)
        return ContactMerge(
            id=row.id,
            from_id=from_id,
            into_id=row.into_id,
            merged_at=from_millis(row.merged_ms),
            merged_by=row.merged_by,
            interaction_ids=tuple(sorted(back)),
        )

    def contact_targets(self: _SqlBase, ids: Iterable[str]) -> dict[str, str]:
        """The existing contacts among `ids`, each with the contact it answers as."""
        found: dict[str, str] = {}
        with self._read() as conn:
            for chunk in people.chunks(set(ids)):
                stmt = select(contacts.c.id, contacts.c.merged_into).where(contacts.c.id.in_(chunk))
                for contact_id, into in conn.execute(stmt):
                    end = None if into is None else resolve(conn, contact_id)
                    found[contact_id] = end or contact_id
        return found

    def merged_into(self: _SqlBase, contact_id: str) -> str | None:
        """The contact that `contact_id` answers as, following merges to the end of the chain
        (B into A, A into C: C); None when `contact_id` is not merged."""
        with self._read() as conn:
            return resolve(conn, contact_id)


def _move_back(conn: Connection, ids: Sequence[str], into_id: str, from_id: str) -> list[str]:
    """The interactions among `ids` that still name `into_id` name `from_id` again; their ids."""
    back: list[str] = []
    for chunk in people.chunks(ids):
        changed = conn.execute(
            update(interactions)
            .where(interactions.c.id.in_(chunk), interactions.c.contact_id == into_id)
            .values(contact_id=from_id)
            .returning(interactions.c.id)
        )
        back.extend(str(i) for i in changed.scalars())
    return back


def resolve(conn: Connection, contact_id: str) -> str | None:
    """`merged_into` on a connection."""
    found: str | None = None
    current = contact_id
    for _ in range(MAX_CHAIN):
        step = _into_of(conn, current)
        if step is None:
            return found
        found = current = step
    return found


# Built once: every contact history read resolves its contact through this.
_INTO = select(contacts.c.merged_into).where(contacts.c.id == bindparam("contact_id"))


def _into_of(conn: Connection, contact_id: str) -> str | None:
    into = conn.scalar(_INTO, {"contact_id": contact_id})
    return None if into is None else str(into)


def _mark(conn: Connection, contact_id: str, into_id: str | None) -> None:
    stmt = update(contacts).where(contacts.c.id == contact_id).values(merged_into=into_id)
    conn.execute(stmt)


def _contact(conn: Connection, contact_id: str) -> Contact:
    found = people.get_contact(conn, contact_id)
    if found is None:
        raise NotFound("contact", contact_id)
    return found


def _lock(conn: Connection, *contact_ids: str) -> None:
    """PostgreSQL: the two contacts' write locks, in id order (SQLite's writer holds the
    database already)."""
    if conn.dialect.name != "postgresql":
        return
    for contact_id in sorted(contact_ids):
        key = {"key": f"contact:{contact_id}"}
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), key)


def _now_ms() -> int:
    return to_millis(datetime.now(UTC))


def _noted(
    kind: ChangeType, from_id: str, into_id: str, moved: Sequence[str]
) -> list[PendingChange]:
    return [
        PendingChange(kind, contact_id=from_id),
        PendingChange(ChangeType.CONTACT_UPDATED, contact_id=into_id),
        *(PendingChange(ChangeType.INTERACTION_UPDATED, interaction_id=i) for i in moved),
    ]


def _merge(record: dict[str, Any]) -> ContactMerge:
    return ContactMerge(
        id=record["id"],
        from_id=record["from_id"],
        into_id=record["into_id"],
        merged_at=from_millis(record["merged_ms"]),
        merged_by=record["merged_by"],
        interaction_ids=tuple(record["interaction_ids"]),
    )


# --- what moves ------------------------------------------------------------------------------


def combine(target: Contact, source: Contact) -> tuple[Contact, dict[str, Any]]:
    """`target` with `source`'s points and attributes joined (the target's value wins a
    collision), and what was added: {"names": {...}, "attributes": {...}, "emails": [norms],
    "phones": [norms]}."""
    joined = _copy(target)
    added: dict[str, Any] = {"names": {}, "attributes": {}}
    for name in _NAMES:
        value = getattr(source, name)
        if value and not getattr(joined, name):
            setattr(joined, name, value)
            added["names"][name] = value
    for key, value in source.custom_attributes.items():
        if key not in joined.custom_attributes:
            joined.custom_attributes[key] = value
            added["attributes"][key] = value
    for kind, norm in _KINDS:
        points: list[ContactPoint] = getattr(joined, kind)
        seen = {norm(p.value) for p in points}
        has_primary = any(p.primary for p in points)
        added[kind] = []
        for point in getattr(source, kind):
            key = norm(point.value)
            if key in seen:
                continue
            seen.add(key)
            primary = point.primary and not has_primary
            has_primary = has_primary or primary
            points.append(ContactPoint(point.value, primary, point.description))
            added[kind].append(key)
    return joined, added


def subtract(target: Contact, added: dict[str, Any]) -> Contact:
    """`target` without what a merge added to it and it still has unchanged."""
    kept = _copy(target)
    for name, value in added.get("names", {}).items():
        if getattr(kept, name) == value:
            setattr(kept, name, None)
    for key, value in added.get("attributes", {}).items():
        if kept.custom_attributes.get(key) == value:
            del kept.custom_attributes[key]
    for kind, norm in _KINDS:
        gone = set(added.get(kind, ()))
        setattr(kept, kind, [p for p in getattr(kept, kind) if norm(p.value) not in gone])
    return kept


def snapshot(contact: Contact) -> dict[str, Any]:
    """A contact's own data as JSON (no id, no times)."""
    return {
        **{name: getattr(contact, name) for name in _NAMES},
        "custom_attributes": dict(contact.custom_attributes),
        **{
            kind: [[p.value, p.primary, p.description] for p in getattr(contact, kind)]
            for kind, _ in _KINDS
        },
    }


def restore(contact: Contact, saved: dict[str, Any]) -> Contact:
    """`contact` (its id and creation time) with the data of its snapshot."""
    return Contact(
        id=contact.id,
        first_name=saved.get("first_name"),
        last_name=saved.get("last_name"),
        title=saved.get("title"),
        emails=[ContactPoint(v, bool(p), d) for v, p, d in saved.get("emails", ())],
        phones=[ContactPoint(v, bool(p), d) for v, p, d in saved.get("phones", ())],
        custom_attributes=dict(saved.get("custom_attributes") or {}),
        created_at=contact.created_at,
    )


def _bare(contact: Contact) -> Contact:
    """The merged contact as it stays: its names and title, nothing that moved."""
    return Contact(
        id=contact.id,
        first_name=contact.first_name,
        last_name=contact.last_name,
        title=contact.title,
        created_at=contact.created_at,
    )


def _copy(contact: Contact) -> Contact:
    return Contact(
        id=contact.id,
        first_name=contact.first_name,
        last_name=contact.last_name,
        title=contact.title,
        emails=list(contact.emails),
        phones=list(contact.phones),
        custom_attributes=dict(contact.custom_attributes),
        created_at=contact.created_at,
    )

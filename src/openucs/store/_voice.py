"""Store methods of the asynchronous UCS operations, mixed into `SqlStore`: the find-or-create
writes of FindPhoneCall and IdentifyUCSContact, the whole-thread contact assignment of
SetCallContact, the user-data merge of SetCallCompleted, and per-session reference ids.

Each method is one write transaction. Find-or-create serializes on a lock: SQLite's single
writer (BEGIN IMMEDIATE) already does; on PostgreSQL a transaction-scoped advisory lock on the
key (the call id, or "identify") does, so two processes cannot create the same thing twice.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import Connection, Insert, Table, case, func, select, text, update

from openucs.domain.access import EVERYTHING
from openucs.domain.changes import ChangeType, PendingChange
from openucs.domain.enums import MediaType, State
from openucs.domain.formats import to_millis
from openucs.domain.imports import Identity
from openucs.domain.models import Contact, Interaction
from openucs.errors import NotFound
from openucs.store import _changes as changelog
from openucs.store import _people as people
from openucs.store import _rows as rows
from openucs.store._history import interactions_select
from openucs.store.schema import contact_points, contacts, interactions, sessions, users

IDENTIFY_LOCK = "openucs:identify-contact"


class _SqlBase(Protocol):
    def _write(self) -> AbstractContextManager[Connection]: ...

    def _upsert(self, table: Table, keys: Sequence[str], update: Sequence[str]) -> Insert: ...

    def _write_interactions(self, conn: Connection, batch: Sequence[Interaction]) -> None: ...

    def _reindex(self, conn: Connection, interaction_id: str) -> None: ...


def _lock(conn: Connection, key: str) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})


def _now_ms() -> int:
    return to_millis(datetime.now(UTC))


def _load(conn: Connection, interaction_id: str) -> Interaction:
    stmt = interactions_select(with_content=False).where(interactions.c.id == interaction_id)
    row = conn.execute(stmt).first()
    if row is None:
        raise NotFound("interaction", interaction_id)
    return rows.row_to_interaction(row)


class VoiceMethods:
    def find_or_create_call(self: _SqlBase, candidate: Interaction) -> tuple[Interaction, bool]:
        """The call interaction whose external id is `candidate.external_id`, else
        `candidate` stored (with its owner). Returns it and whether it was created."""
        key = candidate.external_id or candidate.id
        with self._write() as conn:
            _lock(conn, f"openucs:call:{key}")
            found = conn.scalar(
                select(interactions.c.id)
                .where(
                    interactions.c.external_id == key,
                    interactions.c.media_type == MediaType.CALL.value,
                )
                .order_by(interactions.c.start_ms, interactions.c.id)
                .limit(1)
            )
            if found is not None:
                return _load(conn, found), False
            owners = rows.owner_user_rows([candidate], _now_ms())
            if owners:
                conn.execute(self._upsert(users, ["id"], []), owners)
            self._write_interactions(conn, [candidate])
            return _load(conn, candidate.id), True

    def identify_contact(
        self: _SqlBase,
        *,
        email: str | None,
        phone: str | None,
        last_name: str | None,
        create: Contact | None,
    ) -> tuple[Contact | None, bool]:
        """The first contact (by id) with this email, else this phone, else this exact last
        name (case-insensitive); else `create` stored. Returns it and whether it was created."""
        with self._write() as conn:
            if create is not None:
                _lock(conn, IDENTIFY_LOCK)
            for found in _identify(conn, email, phone, last_name):
                return found, False
            if create is None:
                return None, False
            people.save_contacts(conn, self._upsert, [create], _now_ms())
            changelog.note(conn, [PendingChange(ChangeType.CONTACT_CREATED, contact_id=create.id)])
            return people.get_contact(conn, create.id), True

    def identify_contacts(self: _SqlBase, identities: Sequence[Identity]) -> list[str | None]:
        """IdentifyUCSContact for a batch, in one transaction under its lock: for each
        identity the first contact (by id) with its email, else with its phone, else a
        contact created from it (one per distinct key; an id already taken is reused, never
        overwritten). None for an identity with neither."""
        keys = [_identity_keys(i) for i in identities]
        with self._write() as conn:
            _lock(conn, IDENTIFY_LOCK)
            found = _contacts_by_point(conn, {k for ks in keys for k in ks})
            created: dict[str, Contact] = {}
            ids: list[str | None] = []
            for identity, own in zip(identities, keys, strict=True):
                known = next((found[k] for k in own if k in found), None)
                if known is None and own:
                    contact = identity.new_contact()
                    created.setdefault(contact.id, contact)
                    known = contact.id
                    found.update(dict.fromkeys(own, known))
                ids.append(known)
            taken = people.existing_contact_ids(conn, created)
            fresh = [c for cid, c in created.items() if cid not in taken]
            if fresh:
                people.save_contacts(conn, self._upsert, fresh, _now_ms())
                made = ChangeType.CONTACT_CREATED
                changelog.note(conn, (PendingChange(made, contact_id=c.id) for c in fresh))
            return ids

    def assign_thread_contact(
        self: _SqlBase, interaction_id: str, contact_id: str, *, writer_id: str | None = None
    ) -> list[str]:
        """The interactions of the thread of `interaction_id` get `contact_id` (UCS
        AssignInteractionToContact, spec 4.4); with `writer_id`, only those that user owns or
        that have no owner. Returns the ids left unchanged (owned by someone else)."""
        with self._write() as conn:
            item = _load(conn, interaction_id)
            if people.get_contact(conn, contact_id) is None:
                raise NotFound("contact", contact_id)
            thread = item.thread_id or item.id
            in_thread = (interactions.c.thread_id == thread) | (interactions.c.id == interaction_id)
            writable = interactions.c.owner_id.is_(None) | (interactions.c.owner_id == writer_id)
            chosen = [in_thread] if writer_id is None else [in_thread, writable]
            changed = update(interactions).where(*chosen).values(contact_id=contact_id)
            ids = conn.scalars(changed.returning(interactions.c.id)).all()
            changelog.note_interactions(conn, ChangeType.INTERACTION_UPDATED, sorted(ids))
            if writer_id is None:
                return []
            others = select(interactions.c.id).where(in_thread, ~writable)
            return sorted(conn.scalars(others))

    def complete_interaction(
        self: _SqlBase,
        interaction_id: str,
        *,
        end_date: datetime,
        call_duration: int | None,
        user_data: dict[str, Any],
    ) -> Interaction:
        """State Stopped, `end_date`, the duration (kept when None) and `user_data` merged
        over the stored user data, read and written under a row lock."""
        with self._write() as conn:
            key = interactions.c.id == interaction_id
            row = conn.execute(
                select(interactions.c.user_data).where(key).with_for_update()
            ).first()
            if row is None:
                raise NotFound("interaction", interaction_id)
            stored = row.user_data
            if isinstance(stored, str | bytes):
                stored = rows.json_loads(stored)
            values: dict[str, Any] = {"state": State.STOPPED.value, "end_ms": to_millis(end_date)}
            if call_duration is not None:
                values["call_duration"] = call_duration
            if user_data:
                values["user_data"] = {**(stored or {}), **user_data}
            conn.execute(update(interactions).where(key).values(values))
            if user_data:
                self._reindex(conn, interaction_id)
            changelog.note_interactions(conn, ChangeType.INTERACTION_UPDATED, [interaction_id])
            return _load(conn, interaction_id)

    def next_reference_id(self: _SqlBase, token_hash: str, after: int = 0) -> int | None:
        """The next operation reference id of a session (1, 2, ...); None without a session."""
        last = sessions.c.last_reference_id
        with self._write() as conn:
            stmt = (
                update(sessions)
                .where(sessions.c.token_hash == token_hash)
                .values(last_reference_id=case((last < after, after), else_=last) + 1)
                .returning(sessions.c.last_reference_id)
            )
            value = conn.scalar(stmt)
            return None if value is None else int(value)


def _identify(
    conn: Connection, email: str | None, phone: str | None, last_name: str | None
) -> Iterator[Contact]:
    if email:
        yield from people.find_contacts(
            conn, scope=EVERYTHING, email=email, phone=None, name=None, limit=1, after_id=None
        )
    if phone:
        yield from people.find_contacts(
            conn, scope=EVERYTHING, email=None, phone=phone, name=None, limit=1, after_id=None
        )
    if last_name:
        stmt = (
            select(contacts)
            .where(
                func.lower(contacts.c.last_name) == last_name.lower(),
                contacts.c.merged_into.is_(None),
            )
            .order_by(contacts.c.id)
            .limit(1)
        )
        yield from people.load_contacts(conn, conn.execute(stmt).all())


def _identity_keys(identity: Identity) -> list[tuple[str, str]]:
    """(kind, norm) of the identity's email then phone, as `contact_points` keys them."""
    keys = []
    if identity.email and (norm := rows.normalize_email(identity.email)):
        keys.append((rows.EMAIL, norm))
    if identity.phone and (norm := rows.normalize_phone(identity.phone)):
        keys.append((rows.PHONE, norm))
    return keys


def _contacts_by_point(conn: Connection, keys: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """The first contact id (the smallest) of each (kind, norm) key that some contact has."""
    found: dict[tuple[str, str], str] = {}
    for kind in (rows.EMAIL, rows.PHONE):
        norms = sorted(norm for k, norm in keys if k == kind)
        for chunk in people.chunks(norms):
            stmt = (
                select(contact_points.c.norm, func.min(contact_points.c.contact_id))
                .where(contact_points.c.kind == kind, contact_points.c.norm.in_(chunk))
                .group_by(contact_points.c.norm)
            )
            found.update({(kind, norm): cid for norm, cid in conn.execute(stmt)})
    return found

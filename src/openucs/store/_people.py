"""Contacts, users and sessions: statements run on a connection the store opened.

`Upsert` is the dialect hook: (table, key columns, columns to overwrite) -> an INSERT that
updates those columns on a key conflict (or does nothing when there are none to overwrite).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Connection,
    Insert,
    Table,
    bindparam,
    delete,
    or_,
    select,
    update,
)

from openucs.domain.models import Contact, Session, User
from openucs.store import _rows as rows
from openucs.store.schema import contact_points, contacts, server_secrets, sessions, users

Upsert = Callable[[Table, Sequence[str], Sequence[str]], Insert]

CHUNK = 500  # ids per IN (...) list
T = TypeVar("T")


def chunks(values: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    it = iter(values)
    while chunk := list(islice(it, size)):
        yield chunk


def _like_prefix(value: str) -> str:
    escaped = value.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


# --- contacts --------------------------------------------------------------------------------


def load_contacts(conn: Connection, contact_rows: Sequence[Any]) -> list[Contact]:
    """Contacts from their rows, with all their points read in one query per chunk."""
    points: dict[str, list[Any]] = {}
    for ids in chunks(r.id for r in contact_rows):
        found = conn.execute(select(contact_points).where(contact_points.c.contact_id.in_(ids)))
        for point in found:
            points.setdefault(point.contact_id, []).append(point)
    return [rows.row_to_contact(r, points.get(r.id, ())) for r in contact_rows]


def get_contact(conn: Connection, contact_id: str) -> Contact | None:
    row = conn.execute(select(contacts).where(contacts.c.id == contact_id)).first()
    return None if row is None else load_contacts(conn, [row])[0]


# Compiled once: an expanding parameter, not a literal list coerced element by element.
_EXISTING_CONTACTS = select(contacts.c.id).where(
    contacts.c.id.in_(bindparam("ids", expanding=True))
)


def existing_contact_ids(conn: Connection, ids: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for chunk in chunks(set(ids)):
        found.update(conn.scalars(_EXISTING_CONTACTS, {"ids": chunk}))
    return found


def save_contacts(
    conn: Connection,
    upsert: Upsert,
    items: Sequence[Contact],
    now_ms: int,
    *,
    replace: bool = True,
) -> None:
    """Upsert the rows (keeping `created_ms` of a stored contact) and replace their points;
    without `replace`, insert them (an existing id is an IntegrityError)."""
    by_id = {c.id: c for c in items}
    update = [c.name for c in contacts.c if c.name not in ("id", "created_ms")]
    stmt = upsert(contacts, ["id"], update) if replace else contacts.insert()
    conn.execute(stmt, [rows.contact_row(c, now_ms) for c in by_id.values()])
    for ids in chunks(by_id):
        conn.execute(delete(contact_points).where(contact_points.c.contact_id.in_(ids)))
    points = [p for c in by_id.values() for p in rows.contact_point_rows(c)]
    if points:
        conn.execute(contact_points.insert(), points)


def find_contacts(
    conn: Connection,
    *,
    email: str | None,
    phone: str | None,
    name: str | None,
    limit: int,
    after_id: str | None,
) -> list[Contact]:
    conditions: list[ColumnElement[bool]] = []
    for kind, value in ((rows.EMAIL, email), (rows.PHONE, phone)):
        if value is None:
            continue
        norm = rows.normalize_email(value) if kind == rows.EMAIL else rows.normalize_phone(value)
        if not norm:
            return []
        owners = select(contact_points.c.contact_id).where(
            contact_points.c.kind == kind, contact_points.c.norm == norm
        )
        conditions.append(contacts.c.id.in_(owners))
    if name is not None and name.strip():
        pattern = _like_prefix(name.strip())
        conditions.append(
            or_(
                contacts.c.last_name.ilike(pattern, escape="\\"),
                contacts.c.first_name.ilike(pattern, escape="\\"),
            )
        )
    if after_id is not None:
        conditions.append(contacts.c.id > after_id)
    stmt = select(contacts).where(*conditions).order_by(contacts.c.id).limit(limit)
    return load_contacts(conn, conn.execute(stmt).all())


# --- users -----------------------------------------------------------------------------------


def get_user(conn: Connection, condition: ColumnElement[bool]) -> User | None:
    row = conn.execute(select(users).where(condition)).first()
    return None if row is None else rows.row_to_user(row)


def save_user(conn: Connection, upsert: Upsert, user: User, now_ms: int) -> None:
    update = [c.name for c in users.c if c.name not in ("id", "created_ms")]
    conn.execute(upsert(users, ["id"], update), rows.user_row(user, now_ms))


def list_users(conn: Connection) -> list[User]:
    found = conn.execute(select(users).order_by(users.c.user_name))
    return [rows.row_to_user(r) for r in found]


# --- sessions --------------------------------------------------------------------------------


def create_session(conn: Connection, session: Session) -> None:
    conn.execute(sessions.insert(), rows.session_row(session))


def add_session(conn: Connection, upsert: Upsert, session: Session) -> Session:
    """Insert the session unless its token is stored already; the stored row either way."""
    conn.execute(upsert(sessions, ["token_hash"], []), rows.session_row(session))
    stored = get_session(conn, session.token_hash)
    if stored is None:  # pragma: no cover - only if the database lost the row
        raise RuntimeError("a session row vanished inside its transaction")
    return stored


def close_session(conn: Connection, upsert: Upsert, session: Session) -> None:
    """Mark the session closed, storing it closed when it was never used."""
    conn.execute(upsert(sessions, ["token_hash"], ["closed_ms"]), rows.session_row(session))


def get_session(conn: Connection, token_hash: str) -> Session | None:
    row = conn.execute(select(sessions).where(sessions.c.token_hash == token_hash)).first()
    return None if row is None else rows.row_to_session(row)


def delete_session(conn: Connection, token_hash: str) -> None:
    conn.execute(delete(sessions).where(sessions.c.token_hash == token_hash))


def touch_session(conn: Connection, token_hash: str, seen_ms: int) -> None:
    conn.execute(
        update(sessions).where(sessions.c.token_hash == token_hash).values(last_seen_ms=seen_ms)
    )


def delete_sessions_seen_before(conn: Connection, cutoff_ms: int) -> int:
    result = conn.execute(delete(sessions).where(sessions.c.last_seen_ms < cutoff_ms))
    return result.rowcount


# --- server secrets --------------------------------------------------------------------------


def server_secret(conn: Connection, upsert: Upsert, name: str, candidate: str, now_ms: int) -> str:
    """The stored secret `name`; `candidate` becomes it when there is none yet."""
    row = {"name": name, "value": candidate, "created_ms": now_ms}
    conn.execute(upsert(server_secrets, ["name"], []), row)
    return str(conn.scalar(select(server_secrets.c.value).where(server_secrets.c.name == name)))

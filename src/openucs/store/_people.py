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
    and_,
    bindparam,
    delete,
    or_,
    select,
    update,
)

from openucs.domain.access import ReadScope
from openucs.domain.models import Contact, Session, User
from openucs.domain.text import fold, prefix_end
from openucs.store import _rows as rows
from openucs.store._history import RowsSelect
from openucs.store.schema import (
    KEY,
    contact_points,
    contacts,
    interactions,
    server_secrets,
    sessions,
    users,
)

Upsert = Callable[[Table, Sequence[str], Sequence[str]], Insert]

CHUNK = 500  # ids per IN (...) list
T = TypeVar("T")


def chunks(values: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    it = iter(values)
    while chunk := list(islice(it, size)):
        yield chunk


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
    kept = ("id", "created_ms", "merged_into")  # a merge sets `merged_into` (store._merges)
    update = [c.name for c in contacts.c if c.name not in kept]
    stmt = upsert(contacts, ["id"], update) if replace else contacts.insert()
    conn.execute(stmt, [_contact_row(c, now_ms) for c in by_id.values()])
    for ids in chunks(by_id):
        conn.execute(delete(contact_points).where(contact_points.c.contact_id.in_(ids)))
    points = [p for c in by_id.values() for p in rows.contact_point_rows(c)]
    if points:
        conn.execute(contact_points.insert(), points)


def _contact_row(contact: Contact, now_ms: int) -> dict[str, Any]:
    """The contact's row with its name keys, which every write path stores with it."""
    return {
        **rows.contact_row(contact, now_ms),
        "first_name_key": name_key(contact.first_name),
        "last_name_key": name_key(contact.last_name),
    }


def find_contacts(
    conn: Connection,
    *,
    scope: ReadScope,
    email: str | None,
    phone: str | None,
    name: str | None,
    limit: int,
    after_id: str | None,
    words: Sequence[str] = (),
) -> list[Contact]:
    stmt = contacts_select(
        scope=scope,
        email=email,
        phone=phone,
        name=name,
        limit=limit,
        after_id=after_id,
        words=words,
    )
    return [] if stmt is None else load_contacts(conn, conn.execute(stmt).all())


def contacts_select(
    *,
    scope: ReadScope,
    email: str | None,
    phone: str | None,
    name: str | None,
    limit: int,
    after_id: str | None,
    words: Sequence[str] = (),
) -> RowsSelect | None:
    """The one SELECT of a contact search in id order, the caller's read scope in its WHERE;
    None when a criterion can match nothing (an email or phone without a key). `name` and each
    of `words` (folded) must begin the first or the last name. Merged contacts are left out."""
    conditions: list[ColumnElement[bool]] = []
    for kind, value in ((rows.EMAIL, email), (rows.PHONE, phone)):
        if value is None:
            continue
        norm = rows.normalize_email(value) if kind == rows.EMAIL else rows.normalize_phone(value)
        if not norm:
            return None
        owners = select(contact_points.c.contact_id).where(
            contact_points.c.kind == kind, contact_points.c.norm == norm
        )
        conditions.append(contacts.c.id.in_(owners))
    after = [] if after_id is None else [contacts.c.id > after_id]
    prefixes = list(words)
    if name is not None and name.strip():
        prefix = name_key(name.strip())
        if prefix is None:
            return None
        prefixes.insert(0, prefix)
    keys = (contacts.c.last_name_key, contacts.c.first_name_key)
    for prefix in prefixes:
        # The id bound goes into each branch of the first: SQLite then reads the two name
        # indexes (a MULTI-INDEX OR) instead of walking the primary key from the bound.
        conditions.append(or_(*(and_(*_starts(key, prefix), *after) for key in keys)))
        after = []
    if not scope.unlimited:
        conditions.append(contacts.c.id.in_(_contacts_of_owner(scope.user_id)))
    # A merged contact answers as its target (`store._merges`): searches do not find it.
    conditions.append(contacts.c.merged_into.is_(None))
    stmt = select(contacts).where(*conditions, *after)
    return stmt.order_by(contacts.c.id).limit(limit)


def name_key(value: str | None) -> str | None:
    """The matching key of a name as stored in `*_name_key` (None for no name, or for one
    that folds to nothing)."""
    return (fold(value)[:KEY] or None) if value else None


def _starts(key: ColumnElement[str | None], prefix: str) -> list[ColumnElement[bool]]:
    """`key` starts with `prefix`: a range of the key's index (code point order)."""
    end = prefix_end(prefix)
    return [key >= prefix] if end is None else [key >= prefix, key < end]


def _contacts_of_owner(owner_id: str | None) -> RowsSelect:
    """The contacts an agent reads under `own` or `handled` (the two differ on interactions,
    not on contacts): those they own an interaction with. An IN list, not a correlated
    EXISTS, so that SQLite may read it from the owner's interactions (`ix_interactions_owner`)
    rather than probe every contact of the table."""
    return select(interactions.c.contact_id).where(interactions.c.owner_id == owner_id)


# --- users -----------------------------------------------------------------------------------


def get_user(conn: Connection, condition: ColumnElement[bool]) -> User | None:
    row = conn.execute(select(users).where(condition)).first()
    return None if row is None else rows.row_to_user(row)


# Built once, the key a parameter: every authenticated request reads its user by id, and
# building the SELECT and its cache key cost more than running it.
_USER_BY_ID = select(users).where(users.c.id == bindparam("user_id"))
_USER_BY_NAME = select(users).where(users.c.user_name == bindparam("user_name"))


def user_by_id(conn: Connection, user_id: str) -> User | None:
    row = conn.execute(_USER_BY_ID, {"user_id": user_id}).first()
    return None if row is None else rows.row_to_user(row)


def user_by_name(conn: Connection, user_name: str) -> User | None:
    row = conn.execute(_USER_BY_NAME, {"user_name": user_name}).first()
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


def close_user_sessions(conn: Connection, user_id: str, now_ms: int) -> int:
    """Close the user's open sessions; a closed row keeps its token refused (not deleted: a
    token without a row would be stored again on its next use)."""
    stmt = (
        update(sessions)
        .where(sessions.c.user_id == user_id, sessions.c.closed_ms.is_(None))
        .values(closed_ms=now_ms)
    )
    return int(conn.execute(stmt).rowcount or 0)


def delete_sessions_seen_before(conn: Connection, cutoff_ms: int) -> int:
    result = conn.execute(delete(sessions).where(sessions.c.last_seen_ms < cutoff_ms))
    return result.rowcount


# --- server secrets --------------------------------------------------------------------------


def server_secret(conn: Connection, upsert: Upsert, name: str, candidate: str, now_ms: int) -> str:
    """The stored secret `name`; `candidate` becomes it when there is none yet."""
    row = {"name": name, "value": candidate, "created_ms": now_ms}
    conn.execute(upsert(server_secrets, ["name"], []), row)
    return str(conn.scalar(select(server_secrets.c.value).where(server_secrets.c.name == name)))

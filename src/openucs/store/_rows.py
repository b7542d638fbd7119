"""Rows <-> domain objects for the SQL stores: plain functions, no connections.

Times are epoch milliseconds in the database and aware UTC datetimes in the domain. Content
(messages, email) is stored as JSON encoded from the domain dataclasses by msgspec and converted
back with `msgspec.convert`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC
from typing import Any

import msgspec

from openucs.domain.enums import InteractionType, MediaType, Role, Source, State
from openucs.domain.formats import from_millis, to_millis
from openucs.domain.models import (
    ChatMessage,
    Contact,
    ContactPoint,
    EmailContent,
    Interaction,
    OwnerInfo,
    Session,
    User,
)
from openucs.store._search import typed_keys
from openucs.store.schema import interactions

# Enum lookups by stored value (faster than calling the enum on every row).
_MEDIA = {m.value: m for m in MediaType}
_TYPES = {t.value: t for t in InteractionType}
_STATES = {s.value: s for s in State}
_SOURCES = {s.value: s for s in Source}
_ROLES = {r.value: r for r in Role}

_NOT_DIGIT = re.compile(r"\D+")

EMAIL = "email"
PHONE = "phone"


def json_dumps(value: Any) -> str:
    """The engines' JSON serializer (msgspec: fast, and it encodes the domain dataclasses)."""
    return msgspec.json.encode(value).decode()


def json_loads(raw: str | bytes) -> Any:
    return msgspec.json.decode(raw)


# --- interactions ----------------------------------------------------------------------------


# The columns of `interactions`, in table order: rows are written as tuples in this order, and
# read by position (`_history._select_rows` adds the owner's three names, then, with content,
# messages and email): reading 25 attributes by name costs more than the rest of a page.
INTERACTION_COLUMNS = (
    "id", "source", "media_type", "type_id", "state", "start_ms", "end_ms", "subject",
    "contact_id", "owner_id", "parent_id", "thread_id", "comment", "phone_number",
    "call_duration", "user_data", "external_id", "can_be_parent", "custom_attributes",
)  # fmt: skip
if tuple(c.name for c in interactions.c) != INTERACTION_COLUMNS:  # pragma: no cover - schema edit
    raise RuntimeError("interactions columns changed: update _rows")


def interaction_values(item: Interaction) -> tuple[Any, ...]:
    """The `interactions` row of a domain interaction, every column in `INTERACTION_COLUMNS`
    order (a full replace). Tuples, not dicts: an import builds a million of them."""
    return (
        item.id,
        # `_value_` is the member's plain attribute; `.value` is a Python-level descriptor
        # call (94 against 29 ns here, four per row).
        item.source._value_,
        item.media_type._value_,
        item.type_id._value_,
        item.state._value_,
        to_millis(item.start_date),
        to_millis(item.end_date) if item.end_date is not None else None,
        item.subject,
        item.contact_id,
        item.owner_id,
        item.parent_id,
        item.thread_id,
        item.comment,
        item.phone_number,
        item.call_duration,
        item.user_data,
        item.external_id,
        item.can_be_parent,
        item.custom_attributes or None,
    )


ATTRIBUTE_COLUMNS = ("interaction_id", "name", "value", "source", "start_ms", "num", "moment_us")
CONTENT_COLUMNS = ("interaction_id", "messages", "email")


def attribute_values(
    owners: Iterable[tuple[str, str, int, Mapping[str, str]]],
) -> list[tuple[Any, ...]]:
    """`interaction_attributes` rows (`ATTRIBUTE_COLUMNS` order) from (interaction id, source,
    start_ms, custom attributes) of each interaction."""
    return [
        (interaction_id, name, value, source, start_ms, *typed_keys(value))
        for interaction_id, source, start_ms, attributes in owners
        for name, value in attributes.items()
    ]


def content_values(batch: Iterable[Interaction]) -> list[tuple[Any, ...]]:
    """`interaction_contents` rows (`CONTENT_COLUMNS` order) of the interactions with content."""
    return [
        (item.id, item.messages, item.email)
        for item in batch
        if item.messages is not None or item.email is not None
    ]


def owner_user_rows(items: Iterable[Interaction], now_ms: int) -> list[dict[str, Any]]:
    """Users to create for the owners met in a batch (no password: they cannot log in)."""
    owners: dict[str, OwnerInfo] = {}
    for item in items:
        owner = item.owner
        if owner is not None and owner.id and owner.user_name:
            owners.setdefault(owner.id, owner)
    return [
        {
            "id": o.id,
            "user_name": o.user_name,
            "first_name": o.first_name,
            "last_name": o.last_name,
            "roles": Role.AGENT.value,
            "enabled": True,
            "password_hash": None,
            "created_ms": now_ms,
        }
        for o in owners.values()
    ]


def row_to_interaction(
    row: Any, *, attributes: tuple[str, ...] | None = None, with_content: bool = False
) -> Interaction:
    """A domain interaction from a `_select_rows` row. `attributes` keeps only those custom
    attributes (None: all of them; none: the column is not read)."""
    (
        id_, source, media_type, type_id, state, start_ms, end_ms, subject, contact_id,
        owner_id, parent_id, thread_id, comment, phone_number, call_duration, user_data,
        external_id, can_be_parent, custom, owner_name, owner_first, owner_last, *content,
    ) = row  # fmt: skip
    if not attributes and attributes is not None:
        custom = {}  # none asked for: the column may come as its undecoded text
    else:
        custom = custom or {}
        if attributes is not None:
            custom = {name: custom[name] for name in attributes if name in custom}
    owner = None
    if owner_id is not None and owner_name is not None:
        owner = OwnerInfo(owner_id, owner_name, owner_first, owner_last)
    return Interaction(
        id_, _MEDIA[media_type], _TYPES[type_id], _STATES[state], from_millis(start_ms),
        from_millis(end_ms) if end_ms is not None else None, subject, contact_id, owner_id,
        owner, parent_id, thread_id, comment, custom, phone_number, call_duration, user_data,
        external_id, _SOURCES[source], bool(can_be_parent),
        messages_from_json(content[0]) if with_content else None,
        email_from_json(content[1]) if with_content else None,
    )  # fmt: skip


def messages_from_json(raw: Any) -> list[ChatMessage] | None:
    if raw is None:
        return None
    messages = msgspec.convert(raw, list[ChatMessage])
    for message in messages:
        message.timestamp = message.timestamp.astimezone(UTC)
    return messages


def email_from_json(raw: Any) -> EmailContent | None:
    return None if raw is None else msgspec.convert(raw, EmailContent)


# --- contacts --------------------------------------------------------------------------------


def normalize_email(value: str) -> str:
    return value.strip().lower()


def normalize_phone(value: str) -> str:
    """Digits only, so `+1 (555) 010-2000` and `15550102000` are the same number."""
    return _NOT_DIGIT.sub("", value)


def contact_row(contact: Contact, now_ms: int) -> dict[str, Any]:
    created = contact.created_at
    return {
        "id": contact.id,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "title": contact.title,
        "custom_attributes": contact.custom_attributes or None,
        "created_ms": to_millis(created) if created is not None else now_ms,
        "updated_ms": now_ms,
    }


def contact_point_rows(contact: Contact) -> list[dict[str, Any]]:
    rows = []
    for kind, points, norm in (
        (EMAIL, contact.emails, normalize_email),
        (PHONE, contact.phones, normalize_phone),
    ):
        for position, point in enumerate(points):
            rows.append(
                {
                    "contact_id": contact.id,
                    "kind": kind,
                    "position": position,
                    "value": point.value,
                    "norm": norm(point.value),
                    "is_primary": point.primary,
                    "description": point.description,
                }
            )
    return rows


def row_to_contact(row: Any, points: Iterable[Any]) -> Contact:
    contact = Contact(
        id=row.id,
        first_name=row.first_name,
        last_name=row.last_name,
        title=row.title,
        custom_attributes=row.custom_attributes or {},
        created_at=from_millis(row.created_ms),
        updated_at=from_millis(row.updated_ms),
        merged_into=row.merged_into,
    )
    for point in sorted(points, key=lambda p: (p.kind, p.position)):
        target = contact.emails if point.kind == EMAIL else contact.phones
        target.append(ContactPoint(point.value, bool(point.is_primary), point.description))
    return contact


# --- users and sessions ----------------------------------------------------------------------


def user_row(user: User, now_ms: int) -> dict[str, Any]:
    return {
        "id": user.id,
        "user_name": user.user_name,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "roles": ",".join(sorted(r.value for r in user.roles)),
        "enabled": user.enabled,
        "password_hash": user.password_hash,
        "created_ms": now_ms,
    }


def row_to_user(row: Any) -> User:
    return User(
        id=row.id,
        user_name=row.user_name,
        first_name=row.first_name,
        last_name=row.last_name,
        roles=frozenset(_ROLES[r] for r in row.roles.split(",") if r),
        enabled=bool(row.enabled),
        password_hash=row.password_hash,
    )


def session_row(session: Session) -> dict[str, Any]:
    return {
        "token_hash": session.token_hash,
        "user_id": session.user_id,
        "csrf_token": session.csrf_token,
        "created_ms": to_millis(session.created_at),
        "last_seen_ms": to_millis(session.last_seen_at),
        "closed_ms": None if session.closed_at is None else to_millis(session.closed_at),
    }


def row_to_session(row: Any) -> Session:
    return Session(
        token_hash=row.token_hash,
        user_id=row.user_id,
        csrf_token=row.csrf_token,
        created_at=from_millis(row.created_ms),
        last_seen_at=from_millis(row.last_seen_ms),
        closed_at=None if row.closed_ms is None else from_millis(row.closed_ms),
    )

"""Small factories for domain objects. Every call makes fresh objects with unique ids; keyword
arguments override any field. Times are whole milliseconds (what the stores keep)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from openucs.domain.enums import InteractionType, MediaType, Role, State
from openucs.domain.ids import new_user_id
from openucs.domain.models import (
    ChatMessage,
    Contact,
    ContactPoint,
    EmailAttachment,
    EmailContent,
    Interaction,
    OwnerInfo,
    Session,
    User,
)

BASE_TIME = datetime(2024, 3, 1, 9, 0, 0, 123_000, tzinfo=UTC)
_serial = itertools.count(1)


def _next() -> int:
    return next(_serial)


def reset_serial() -> None:
    """Start numbering (ids, user names, times from BASE_TIME) again: each test sees the same
    values whatever ran before it (tests/conftest.py does this before every test)."""
    global _serial
    _serial = itertools.count(1)


def at(minutes: float = 0, *, base: datetime = BASE_TIME) -> datetime:
    """BASE_TIME plus some minutes, rounded to the millisecond."""
    return base + timedelta(milliseconds=round(minutes * 60_000))


def make_interaction(**overrides: Any) -> Interaction:
    n = _next()
    fields: dict[str, Any] = {
        "id": f"IX{n:014d}",
        "media_type": MediaType.CALL,
        "type_id": InteractionType.INBOUND,
        "state": State.STOPPED,
        "start_date": at(n),
        "subject": f"Interaction {n}",
    }
    fields.update(overrides)
    return Interaction(**fields)


def make_owner(**overrides: Any) -> OwnerInfo:
    n = _next()
    fields: dict[str, Any] = {"id": new_user_id(), "user_name": f"agent{n}"}
    fields.update(overrides)
    return OwnerInfo(**fields)


def make_messages(count: int = 2, *, start: datetime = BASE_TIME) -> list[ChatMessage]:
    return [
        ChatMessage(
            index=i,
            type="Text",
            timestamp=start + timedelta(seconds=i, milliseconds=7),
            nickname="Ann" if i % 2 == 0 else "Bob",
            participant_type="Customer" if i % 2 == 0 else "Agent",
            participant_id=f"p{i % 2}",
            text=f"message {i} ünïcode",
        )
        for i in range(count)
    ]


def make_email(**overrides: Any) -> EmailContent:
    fields: dict[str, Any] = {
        "from_address": "ann@example.com",
        "to": ["support@example.com"],
        "cc": ["boss@example.com"],
        "subject": "Order 42",
        "body_as_plain_text": "Hello,\nwhere is my order?",
        "body": "<p>Hello,<br>where is my order?</p>",
        "mime": "text/html",
        "attachments": [EmailAttachment("att1", "invoice.pdf", 1234, "application/pdf")],
    }
    fields.update(overrides)
    return EmailContent(**fields)


def make_contact(**overrides: Any) -> Contact:
    n = _next()
    fields: dict[str, Any] = {
        "id": f"CT{n:014d}",
        "first_name": "Ann",
        "last_name": f"Smith{n}",
        "title": "Ms",
        "emails": [ContactPoint(f"ann{n}@example.com", primary=True)],
        "phones": [ContactPoint(f"+1 555 {n:07d}", primary=True)],
    }
    fields.update(overrides)
    return Contact(**fields)


def make_user(**overrides: Any) -> User:
    n = _next()
    fields: dict[str, Any] = {
        "id": new_user_id(),
        "user_name": f"user{n}",
        "first_name": "Uma",
        "last_name": f"User{n}",
        "roles": frozenset({Role.AGENT}),
        "password_hash": f"$argon2id$fake${n}",
    }
    fields.update(overrides)
    return User(**fields)


def make_session(user_id: str, **overrides: Any) -> Session:
    n = _next()
    fields: dict[str, Any] = {
        "token_hash": f"{n:064x}",
        "user_id": user_id,
        "csrf_token": f"{n:032x}",
        "created_at": BASE_TIME,
        "last_seen_at": BASE_TIME,
    }
    fields.update(overrides)
    return Session(**fields)

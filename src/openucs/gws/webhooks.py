"""Webhook endpoints and their deliveries in the wire (`/openucs/v1/webhooks`, and the CLI's
JSON): times in the resource date format, the secret only when asked for (the create
answer)."""

from __future__ import annotations

from datetime import datetime, tzinfo

import msgspec

from openucs.domain.formats import format_gws
from openucs.domain.webhooks import Attempt, Delivery, DeliveryHistory, Webhook


class WebhookWire(msgspec.Struct, omit_defaults=True):
    id: str
    url: str
    types: list[str]
    enabled: bool
    cursor: int
    createdAt: str
    updatedAt: str
    q: str | None = None
    secret: str | None = None  # the create answer only


class AttemptWire(msgspec.Struct, omit_defaults=True):
    """One attempt: its number, when it ended, how long it took, and the HTTP status
    (absent: no answer) or the error."""

    number: int
    at: str
    durationMs: int
    statusCode: int | None = None
    error: str | None = None


class DeliveryWire(msgspec.Struct, omit_defaults=True):
    """A delivery; `attempts` is how many were made, `attemptHistory` each of them, oldest
    first."""

    id: str
    seq: int
    type: str
    status: str
    attempts: int
    createdAt: str
    attemptHistory: list[AttemptWire]
    nextAttemptAt: str | None = None
    lastAttemptAt: str | None = None
    lastStatusCode: int | None = None
    lastError: str | None = None


def webhook_to_wire(hook: Webhook, zone: tzinfo, *, secret: bool = False) -> WebhookWire:
    return WebhookWire(
        id=hook.id,
        url=hook.url,
        types=sorted(t.value for t in hook.types),
        enabled=hook.enabled,
        cursor=hook.cursor,
        createdAt=format_gws(hook.created_at, zone),
        updatedAt=format_gws(hook.updated_at, zone),
        q=hook.q,
        secret=hook.secret if secret else None,
    )


def delivery_to_wire(
    found: Delivery, zone: tzinfo, attempts: tuple[Attempt, ...] = ()
) -> DeliveryWire:
    def at(moment: datetime | None) -> str | None:
        return None if moment is None else format_gws(moment, zone)

    return DeliveryWire(
        id=found.id,
        seq=found.seq,
        type=found.type.value,
        status=found.status.value,
        attempts=found.attempts,
        createdAt=format_gws(found.created_at, zone),
        attemptHistory=[attempt_to_wire(a, zone) for a in attempts],
        nextAttemptAt=at(found.next_attempt_at),
        lastAttemptAt=at(found.last_attempt_at),
        lastStatusCode=found.last_status_code,
        lastError=found.last_error,
    )


def history_to_wire(found: DeliveryHistory, zone: tzinfo) -> DeliveryWire:
    return delivery_to_wire(found.delivery, zone, found.attempts)


def attempt_to_wire(attempt: Attempt, zone: tzinfo) -> AttemptWire:
    return AttemptWire(
        number=attempt.number,
        at=format_gws(attempt.at, zone),
        durationMs=attempt.duration_ms,
        statusCode=attempt.status_code,
        error=attempt.error,
    )

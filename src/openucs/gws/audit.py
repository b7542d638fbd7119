"""The read audit in the wire (`GET /openucs/v1/audit`, `openucs audit`): its parameters as
a query, and the shape of a record."""

from __future__ import annotations

from datetime import tzinfo

import msgspec

from openucs.domain.formats import format_gws, parse_window_bound
from openucs.domain.models import ReadRecord
from openucs.domain.query import AuditQuery


class ReadRecordWire(msgspec.Struct, omit_defaults=True):
    """One read audit record; `at` in the resource date format."""

    seq: int
    at: str
    userName: str
    action: str
    via: str
    interactionIds: list[str]
    userId: str | None = None
    client: str | None = None
    contactId: str | None = None


def read_record_to_wire(record: ReadRecord, zone: tzinfo) -> ReadRecordWire:
    return ReadRecordWire(
        seq=record.seq or 0,
        at=format_gws(record.at, zone),
        userName=record.user_name,
        action=record.action,
        via=record.via,
        interactionIds=list(record.interaction_ids),
        userId=record.user_id,
        client=record.client,
        contactId=record.contact_id,
    )


def audit_query(
    *, user_id: str | None, since: str | None, until: str | None, zone: tzinfo, limit: int
) -> AuditQuery:
    """The query of the audit's parameters: `since` and `until` are read as history's window
    bounds (a date-only `until` includes its whole day)."""
    return AuditQuery(
        user_id=user_id,
        since=parse_window_bound("since", since, zone, upper=False) if since else None,
        until=parse_window_bound("until", until, zone, upper=True) if until else None,
        limit=limit,
    )

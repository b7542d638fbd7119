"""The wire shape of a read audit record (`GET /openucs/v1/audit`, `openucs audit`)."""

from __future__ import annotations

from datetime import tzinfo

import msgspec

from openucs.domain.formats import format_gws
from openucs.domain.models import ReadRecord


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

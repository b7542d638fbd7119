"""The wire shape of change records (docs/changes.md): the GWS resource of what changed as
`data`, GWS dates, camelCase names. Used by the pull route, the event stream and the CLI."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

import msgspec

from openucs.domain.changes import ChangeRecord
from openucs.domain.formats import format_gws
from openucs.gws.wire import contact_to_wire, interaction_to_wire


class ChangeWire(msgspec.Struct, omit_defaults=True):
    seq: int
    type: str
    at: str
    interactionId: str | None = None
    contactId: str | None = None
    data: dict[str, Any] = msgspec.field(default_factory=dict)


class ChangesAnswer(msgspec.Struct):
    statusCode: int
    changes: list[ChangeWire]
    next: int
    endOfStream: bool


def change_to_wire(record: ChangeRecord, *, base_url: str, zone: tzinfo) -> ChangeWire:
    """The record with the present state of what it names: the GWS resource, or only the id
    when that is gone (deleted, or deleted after this change)."""
    data: dict[str, Any]
    if record.interaction is not None:
        wire = interaction_to_wire(record.interaction, base_url=base_url, zone=zone)
        data = msgspec.to_builtins(wire)
    elif record.contact is not None:
        contact = record.contact
        data = msgspec.to_builtins(
            contact_to_wire(contact, base_url=base_url, merged_into=contact.merged_into)
        )
    else:
        data = {"id": record.interaction_id or record.contact_id}
    return ChangeWire(
        seq=record.seq,
        type=record.type.value,
        at=format_gws(record.at, zone),
        interactionId=record.interaction_id,
        contactId=record.contact_id,
        data=data,
    )


def encode_change(record: ChangeRecord, *, base_url: str, zone: tzinfo) -> bytes:
    """One record as compact JSON (an NDJSON line without its newline, an SSE `data:`)."""
    return msgspec.json.encode(change_to_wire(record, base_url=base_url, zone=zone))

"""Legal holds and erasure reports in the wire (`/openucs/v1/holds`, `DELETE
/openucs/v1/contacts/{id}?erase=true`, and the CLI's JSON)."""

from __future__ import annotations

from datetime import tzinfo

import msgspec

from openucs.domain.formats import format_gws
from openucs.domain.privacy import ErasureReport, Hold, PruneReport


class NewHoldWire(msgspec.Struct, forbid_unknown_fields=True):
    """`POST /openucs/v1/holds`: a contact or an interaction, and why."""

    reason: str
    contactId: str | None = None
    interactionId: str | None = None


class HoldWire(msgspec.Struct, omit_defaults=True):
    """A hold; `placedAt` in the resource date format, `placedBy` a user id."""

    id: str
    reason: str
    placedBy: str
    placedAt: str
    contactId: str | None = None
    interactionId: str | None = None


class ErasureWire(msgspec.Struct):
    """What an erasure removed: `interactions` per tier ("main", "archive")."""

    contactId: str
    contactPoints: int
    interactions: dict[str, int]
    contents: int
    attributes: int
    indexEntries: int
    auditRecordsDeleted: int
    auditRecordsRedacted: int
    savedSearches: int
    changesNoted: int
    scrubbed: list[str]


class PruneWire(msgspec.Struct):
    """What a prune removed (or, dry, would remove): per media type, per tier."""

    removed: dict[str, dict[str, int]]
    total: int
    held: int
    dryRun: bool


def hold_to_wire(hold: Hold, zone: tzinfo) -> HoldWire:
    return HoldWire(
        id=hold.id,
        reason=hold.reason,
        placedBy=hold.placed_by,
        placedAt=format_gws(hold.placed_at, zone),
        contactId=hold.contact_id,
        interactionId=hold.interaction_id,
    )


def erasure_to_wire(report: ErasureReport) -> ErasureWire:
    return ErasureWire(
        contactId=report.contact_id,
        contactPoints=report.contact_points,
        interactions=report.interactions,
        contents=report.contents,
        attributes=report.attributes,
        indexEntries=report.index_entries,
        auditRecordsDeleted=report.audit_records_deleted,
        auditRecordsRedacted=report.audit_records_redacted,
        savedSearches=report.saved_searches,
        changesNoted=report.changes_noted,
        scrubbed=list(report.scrubbed),
    )


def prune_to_wire(report: PruneReport) -> PruneWire:
    return PruneWire(report.removed, report.total, report.held, report.dry_run)

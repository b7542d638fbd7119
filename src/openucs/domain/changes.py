"""The change log, as data: what a change record says and how a reader asks for records.

A record names what changed (`type`, the interaction or contact id) and when; the state it
carries is read when the record is read (see `store._changes`), so the log holds no copy of
personal data and an erased contact leaves nothing behind in it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from openucs.domain.access import EVERYTHING, ReadScope
from openucs.domain.models import Contact, Interaction
from openucs.domain.search import Node


class ChangeType(StrEnum):
    INTERACTION_CREATED = "interaction.created"
    INTERACTION_UPDATED = "interaction.updated"
    INTERACTION_DELETED = "interaction.deleted"
    # Moved to the archive tier (docs/archive.md); gone from the main database when the
    # archive is a database of its own.
    INTERACTION_ARCHIVED = "interaction.archived"
    CONTACT_CREATED = "contact.created"
    CONTACT_UPDATED = "contact.updated"
    # The tombstone of an erased contact (docs/privacy.md): its interactions' records are
    # `interaction.deleted` ones, noted with it.
    CONTACT_ERASED = "contact.erased"
    CONTACT_MERGED = "contact.merged"  # the record names the merged contact (UCS MergeContacts)
    CONTACT_UNMERGED = "contact.unmerged"


@dataclass(frozen=True, slots=True)
class PendingChange:
    """A change noted in a write transaction; it gets its seq and time at commit. The owner
    and contact of a deleted (or archived) interaction are kept for the readers' access
    rule."""

    type: ChangeType
    interaction_id: str | None = None
    contact_id: str | None = None
    owner_id: str | None = None


@dataclass(frozen=True, slots=True)
class ChangeRecord:
    """One record of the log, with the present state of what it names (None when that is
    gone: a deleted interaction)."""

    seq: int
    type: ChangeType
    at: datetime
    interaction_id: str | None
    contact_id: str | None
    interaction: Interaction | None = None
    contact: Contact | None = None


@dataclass(frozen=True, slots=True)
class ChangeQuery:
    """The records after `after` (a seq) and up to `until` (no bound when None), in seq
    order, of these types (all when empty), that `scope` may read. With `q` (a parsed
    search), only the records of an interaction that is stored now and matches it: a
    contact's records and those of a deleted interaction do not."""

    after: int = 0
    limit: int = 100
    types: frozenset[ChangeType] = field(default_factory=frozenset)
    scope: ReadScope = EVERYTHING
    q: Node | None = None
    until: int | None = None

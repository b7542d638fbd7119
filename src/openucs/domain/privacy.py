"""Privacy as data: legal holds, the retention policy per media type, and what an erasure
or a prune removed (docs/privacy.md)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from urllib.parse import unquote_plus

from openucs.domain.enums import MediaType
from openucs.errors import InvalidInput

MAX_REASON = 1000
_PHONE_LIKE = re.compile(r"\+?\d[\d ().\-/]*\d")
_MIN_PHONE_DIGITS = 6  # fewer digits than a phone number's are not matched as one


@dataclass(frozen=True, slots=True)
class Hold:
    """A legal hold on a contact (all its interactions) or on one interaction: while it is
    there, neither the retention nor an erasure removes what it covers."""

    id: str
    contact_id: str | None
    interaction_id: str | None
    reason: str
    placed_by: str  # user id
    placed_at: datetime


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """How long interactions of each media type are kept (by their start date); a media type
    not named is kept forever."""

    days: dict[MediaType, int] = field(default_factory=dict)

    @classmethod
    def parse(cls, raw: str, field_name: str = "retention_days") -> RetentionPolicy:
        """`chat=730,call=365`; empty: keep everything forever."""
        days: dict[MediaType, int] = {}
        for item in raw.split(","):
            if not item.strip():
                continue
            name, sep, value = item.partition("=")
            if not sep:
                raise InvalidInput(field_name, f"{item.strip()!r} is not media=days")
            media = MediaType.parse(field_name, name)
            try:
                count = int(value.strip())
            except ValueError:
                raise InvalidInput(
                    field_name, f"{value.strip()!r} is not a number of days"
                ) from None
            if count < 1:
                raise InvalidInput(field_name, f"{media.value}: days must be positive")
            if media in days:
                raise InvalidInput(field_name, f"{media.value} is named twice")
            days[media] = count
        return cls(days)

    def cutoffs(self, now: datetime) -> dict[MediaType, datetime]:
        """Per media type, the start date before which interactions are past retention."""
        return {media: now - timedelta(days=n) for media, n in sorted(self.days.items())}


@dataclass(frozen=True, slots=True)
class ErasureReport:
    """What erasing a contact removed, counted per kind of record."""

    contact_id: str
    contact_points: int = 0
    interactions: dict[str, int] = field(default_factory=dict)  # per tier ("main", "archive")
    contents: int = 0
    attributes: int = 0
    index_entries: int = 0
    audit_records_deleted: int = 0
    audit_records_redacted: int = 0
    saved_searches: int = 0  # saved searches whose query named the contact, deleted
    changes_noted: int = 0  # records appended: one deletion per interaction and the tombstone
    scrubbed: tuple[str, ...] = ()  # the physical clean-up steps run afterwards

    def plus_archive(self, archived: ErasureReport) -> ErasureReport:
        """This report of the main database with what the erasure removed from a second
        archive database (docs/archive.md): its interactions count in the archive tier."""
        tiers = dict(self.interactions)
        tiers["archive"] = tiers.get("archive", 0) + sum(archived.interactions.values())
        return replace(
            self,
            interactions=dict(sorted(tiers.items())),
            contents=self.contents + archived.contents,
            attributes=self.attributes + archived.attributes,
            index_entries=self.index_entries + archived.index_entries,
            audit_records_deleted=self.audit_records_deleted + archived.audit_records_deleted,
            audit_records_redacted=self.audit_records_redacted + archived.audit_records_redacted,
            saved_searches=self.saved_searches + archived.saved_searches,
            scrubbed=(*self.scrubbed, *(f"archive database: {s}" for s in archived.scrubbed)),
        )


@dataclass(frozen=True, slots=True)
class PruneReport:
    """What a prune removed (or, dry, would remove) per media type and tier; `held` counts
    those past retention that a hold keeps."""

    removed: dict[str, dict[str, int]] = field(default_factory=dict)
    held: int = 0
    dry_run: bool = False

    @property
    def total(self) -> int:
        return sum(sum(tiers.values()) for tiers in self.removed.values())


@dataclass(frozen=True, slots=True)
class ContactTerms:
    """What names a contact in the text of a saved search (docs/privacy.md): its id, names,
    email addresses and phone numbers, as stored before an erasure. A term matches
    case-insensitively as a whole (not inside a longer word: `Ann` is not found in
    `Annual`); a phone number also matches written with other separators (its digits)."""

    texts: frozenset[str]
    phone_digits: frozenset[str]

    @classmethod
    def of(cls, texts: Iterable[str | None], phones: Iterable[str]) -> ContactTerms:
        phones = list(phones)
        kept = {t.strip().casefold() for t in [*texts, *phones] if t and t.strip()}
        digits = {d for d in (_digits(p) for p in phones) if len(d) >= _MIN_PHONE_DIGITS}
        return cls(frozenset(kept), frozenset(digits))

    def named_in(self, query: str) -> bool:
        """Whether `query` (a saved search's URL query) names the contact, as stored or
        URL-decoded."""
        for text in {query.casefold(), unquote_plus(query).casefold()}:
            if any(_whole(term, text) for term in self.texts):
                return True
            written = [_digits(m.group()) for m in _PHONE_LIKE.finditer(text)]
            if any(number in run for number in self.phone_digits for run in written):
                return True
        return False


def _whole(term: str, text: str) -> bool:
    """`term` in `text`, not run on into a letter or digit at either end."""
    start = text.find(term)
    while start >= 0:
        end = start + len(term)
        before = text[start - 1] if start else ""
        after = text[end] if end < len(text) else ""
        if not before.isalnum() and not after.isalnum():
            return True
        start = text.find(term, start + 1)
    return False


def _digits(value: str) -> str:
    return "".join(c for c in value if c.isdigit())

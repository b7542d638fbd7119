"""The history query language: one query object that GWS parameters, native parameters and the
web UI all parse into, and that every store compiles to SQL.

Paging is keyset paging on (startDate, id) in the sort direction; `Cursor` is the position after
the last row of a page, and it is bound to the query's filters by a fingerprint so a token cannot
be replayed against a different query.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Generic, TypeVar

from openucs.domain.access import EVERYTHING, ReadScope
from openucs.domain.enums import InteractionType, MediaType, SortOrder, Source, State
from openucs.domain.formats import to_millis
from openucs.domain.search import Node, render
from openucs.errors import InvalidInput

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 100
# Counting matches stops here: a total says "at least" beyond it (`Total.exact` False).
TOTAL_CAP = 10_000


@dataclass(frozen=True, slots=True)
class Total:
    """How many interactions match: exactly `value`, or (not `exact`) at least `value`."""

    value: int
    exact: bool


@dataclass(frozen=True, slots=True)
class Cursor:
    """Position after the last row returned: that row's start (epoch ms) and id."""

    start_ms: int
    id: str


@dataclass(frozen=True, slots=True)
class HistoryQuery:
    """Which interactions, in what order, how many.

    The window is half-open, `start_from <= startDate < start_to`; either bound may be None.
    `custom_equals` is AND-ed equality on custom attributes (case-sensitive strings).
    `return_attributes` names the custom attributes each result carries (None: all of them).
    `q` is a query of the search language (`domain.search`), AND-ed with the rest.
    `scope` is who reads: the stores add its rule to the SQL. It is not part of the
    fingerprint: the services narrow a caller's query after its page token was checked.
    `every_tier` reads both tiers, merged in (startDate, id) order (`source=all`): the
    services read each tier (`tier_queries`) and merge; a store reads `source` alone.
    """

    start_from: datetime | None = None
    start_to: datetime | None = None
    media_types: tuple[MediaType, ...] = ()
    states: tuple[State, ...] = ()
    type_ids: tuple[InteractionType, ...] = ()
    owner_id: str | None = None
    contact_id: str | None = None
    thread_id: str | None = None
    custom_equals: tuple[tuple[str, str], ...] = ()
    text: str | None = None
    q: Node | None = None
    source: Source = Source.MAIN
    sort: SortOrder = SortOrder.DESC
    limit: int = DEFAULT_PAGE_SIZE
    after: Cursor | None = None
    return_attributes: tuple[str, ...] | None = ()
    scope: ReadScope = EVERYTHING
    every_tier: bool = False

    def tier_queries(self) -> list[HistoryQuery]:
        """The query of each tier it reads: itself, or with `every_tier` one per tier."""
        if not self.every_tier:
            return [self]
        return [replace(self, source=source, every_tier=False) for source in Source]

    def __post_init__(self) -> None:
        if self.start_from and self.start_to and self.start_from >= self.start_to:
            raise InvalidInput("fromDate", "is after toDate")

    def fingerprint(self) -> str:
        """A short digest of everything that selects and orders rows (not limit or cursor)."""
        parts = [
            self.start_from and to_millis(self.start_from),
            self.start_to and to_millis(self.start_to),
            sorted(m.value for m in self.media_types),
            sorted(s.value for s in self.states),
            sorted(t.value for t in self.type_ids),
            self.owner_id,
            self.contact_id,
            self.thread_id,
            sorted(self.custom_equals),
            self.text,
            "all" if self.every_tier else self.source.value,
            *([render(self.q)] if self.q is not None else []),
            self.sort.value,
        ]
        raw = json.dumps(parts, separators=(",", ":"), default=str).encode()
        return hashlib.blake2s(raw, digest_size=6).hexdigest()


def encode_page_token(query: HistoryQuery | AuditQuery, cursor: Cursor) -> str:
    raw = json.dumps([query.fingerprint(), cursor.start_ms, cursor.id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_page_token(
    query: HistoryQuery | AuditQuery, token: str, field_name: str = "pageToken"
) -> Cursor:
    """The cursor in `token`; refuses a token made for another query or a mangled one."""
    try:
        padded = token + "=" * (-len(token) % 4)
        fingerprint, start_ms, last_id = json.loads(base64.urlsafe_b64decode(padded))
        cursor = Cursor(int(start_ms), str(last_id))
    except (ValueError, TypeError):
        raise InvalidInput(field_name, "is not a valid page token") from None
    if fingerprint != query.fingerprint():
        raise InvalidInput(field_name, "was issued for a different query")
    return cursor


@dataclass(slots=True)
class Page(Generic[T]):
    """One page of results and, when more rows exist, the cursor after its last row."""

    items: list[T] = field(default_factory=list)
    next_cursor: Cursor | None = None


@dataclass(frozen=True, slots=True)
class AuditQuery:
    """Read audit records, newest first: optionally one user's, in `since <= at < until`,
    keyset paged on (at, seq) by `after` (a `Cursor` whose id is the seq)."""

    user_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = DEFAULT_PAGE_SIZE
    after: Cursor | None = None

    def __post_init__(self) -> None:
        if self.since and self.until and self.since >= self.until:
            raise InvalidInput("since", "is not before until")

    def fingerprint(self) -> str:
        parts = [
            self.user_id,
            self.since and to_millis(self.since),
            self.until and to_millis(self.until),
        ]
        raw = json.dumps(parts, separators=(",", ":")).encode()
        return hashlib.blake2s(raw, digest_size=6).hexdigest()

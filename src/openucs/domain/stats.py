"""Dashboard figures and how local days are cut out of epoch milliseconds.

A day of the dashboard is a local day of the configured zone: [local midnight, next local
midnight). The store buckets a start with `(start_ms + offset_ms) // DAY_MS`, where `offset_ms`
is the zone's UTC offset in effect at that instant. `offset_spans` cuts a window into the spans
of constant offset (a single span in UTC, or in any window without a daylight-saving change), so
the buckets stay exact on the 23- and 25-hour days; the store turns the spans into one CASE.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from openucs.domain.enums import MediaType, State
from openucs.domain.formats import from_millis, to_millis

DAY_MS = 86_400_000
HOUR_MS = 3_600_000
EPOCH_DAY = date(1970, 1, 1)


@dataclass(frozen=True, slots=True)
class OffsetSpan:
    """From `from_ms` (inclusive) until the next span, the zone is `offset_ms` ahead of UTC."""

    from_ms: int
    offset_ms: int


@dataclass(frozen=True, slots=True)
class DailyCount:
    """How many interactions of one media type and state started on one local day."""

    day: date
    media_type: MediaType
    state: State
    count: int


@dataclass(frozen=True, slots=True)
class OwnerCount:
    """How many interactions one owner has in a window, with the owner's names."""

    owner_id: str
    user_name: str | None
    first_name: str | None
    last_name: str | None
    count: int


def day_of(day_number: int) -> date:
    """The date of a local day number (days since 1970-01-01 in local time)."""
    return EPOCH_DAY + timedelta(days=day_number)


def offset_ms_at(zone: tzinfo, millis: int) -> int:
    offset = from_millis(millis).astimezone(zone).utcoffset()
    return 0 if offset is None else offset // timedelta(milliseconds=1)


def offset_spans(zone: tzinfo, start: datetime, end: datetime) -> tuple[OffsetSpan, ...]:
    """The spans of constant UTC offset covering [start, end). Offsets are probed every hour
    and each change is narrowed to the millisecond; zones change at most a few times a year,
    and never twice within an hour."""
    lo, hi = to_millis(start), to_millis(end)
    spans = [OffsetSpan(lo, offset_ms_at(zone, lo))]
    probe = lo
    while probe < hi:
        step = min(probe + HOUR_MS, hi)
        if offset_ms_at(zone, step) != spans[-1].offset_ms:
            change = _first_change(zone, probe, step, spans[-1].offset_ms)
            spans.append(OffsetSpan(change, offset_ms_at(zone, change)))
        probe = step
    return tuple(s for s in spans if s.from_ms < hi or s is spans[0])


def _first_change(zone: tzinfo, before: int, after: int, offset: int) -> int:
    """The first millisecond in (before, after] whose offset is not `offset`."""
    while after - before > 1:
        middle = (before + after) // 2
        if offset_ms_at(zone, middle) == offset:
            before = middle
        else:
            after = middle
    return after

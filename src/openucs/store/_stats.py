"""Aggregate reads for the web dashboard and the result tables, mixed into `SqlStore`.

Each method is one SQL statement on the reader engine:

- `daily_counts`: interactions per local day, media type and state in a window, a GROUP BY over
  the range of `ix_interactions_window` (source, start_ms, id). Days are local days of the
  caller's zone: `(start_ms + offset) // DAY_MS`, with the offset of the span (see
  `domain.stats.offset_spans`) the start falls in, one CASE branch per span.
- `busiest_owners`: interactions per owner in a window, the top `limit`, then joined to users
  for their names (the join is on the few aggregated rows only).
- `contact_names`: first and last names of a set of contacts, by primary key, for the tables
  that show many interactions.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, case, func, literal, select

from openucs.domain.enums import MediaType, Source, State
from openucs.domain.stats import DAY_MS, DailyCount, OffsetSpan, OwnerCount, day_of
from openucs.store._people import chunks
from openucs.store.schema import contacts, interactions, users

_rows = interactions
_MEDIA = {m.value: m for m in MediaType}
_STATES = {s.value: s for s in State}


def _window(source: Source, start_ms: int, end_ms: int) -> list[ColumnElement[bool]]:
    return [_rows.c.source == source.value, _rows.c.start_ms >= start_ms, _rows.c.start_ms < end_ms]


def _local_day(spans: Sequence[OffsetSpan]) -> ColumnElement[Any]:
    """The local day number of `start_ms`: one expression per span of constant offset."""
    if not spans:
        raise ValueError("at least one span is required")

    def day(offset_ms: int) -> ColumnElement[Any]:
        return (_rows.c.start_ms + literal(offset_ms)) // literal(DAY_MS)

    if len(spans) == 1:
        return day(spans[0].offset_ms)
    whens = [(_rows.c.start_ms < nxt.from_ms, day(s.offset_ms)) for s, nxt in _pairs(spans)]
    return case(*whens, else_=day(spans[-1].offset_ms))


def _pairs(spans: Sequence[OffsetSpan]) -> Iterator[tuple[OffsetSpan, OffsetSpan]]:
    return itertools.pairwise(spans)


def daily_counts_select(
    *, source: Source, start_ms: int, end_ms: int, spans: Sequence[OffsetSpan]
) -> Select[Any]:
    day = _local_day(spans).label("day")
    return (
        select(day, _rows.c.media_type, _rows.c.state, func.count().label("n"))
        .where(*_window(source, start_ms, end_ms))
        .group_by(day, _rows.c.media_type, _rows.c.state)
    )


def busiest_owners_select(*, source: Source, start_ms: int, end_ms: int, limit: int) -> Select[Any]:
    counted = (
        select(_rows.c.owner_id, func.count().label("n"))
        .where(*_window(source, start_ms, end_ms), _rows.c.owner_id.is_not(None))
        .group_by(_rows.c.owner_id)
        .order_by(func.count().desc(), _rows.c.owner_id)
        .limit(limit)
        .subquery("counted")
    )
    return (
        select(
            counted.c.owner_id,
            users.c.user_name,
            users.c.first_name,
            users.c.last_name,
            counted.c.n,
        )
        .select_from(counted.outerjoin(users, users.c.id == counted.c.owner_id))
        .order_by(counted.c.n.desc(), counted.c.owner_id)
    )


class StatsQueries:
    """The aggregate reads of the Store protocol; needs the host store's `_read()`."""

    def _read(self) -> AbstractContextManager[Connection]:  # pragma: no cover - SqlStore's
        raise NotImplementedError

    def daily_counts(
        self, *, source: Source, start_ms: int, end_ms: int, spans: Sequence[OffsetSpan]
    ) -> list[DailyCount]:
        stmt = daily_counts_select(source=source, start_ms=start_ms, end_ms=end_ms, spans=spans)
        with self._read() as conn:
            found = conn.execute(stmt).all()
        return sorted(
            (
                DailyCount(day_of(int(r.day)), _MEDIA[r.media_type], _STATES[r.state], int(r.n))
                for r in found
            ),
            key=lambda c: (c.day, c.media_type.value, c.state.value),
        )

    def busiest_owners(
        self, *, source: Source, start_ms: int, end_ms: int, limit: int
    ) -> list[OwnerCount]:
        stmt = busiest_owners_select(source=source, start_ms=start_ms, end_ms=end_ms, limit=limit)
        with self._read() as conn:
            found = conn.execute(stmt).all()
        return [
            OwnerCount(r.owner_id, r.user_name, r.first_name, r.last_name, int(r.n)) for r in found
        ]

    def contact_names(self, ids: Iterable[str]) -> dict[str, tuple[str | None, str | None]]:
        names: dict[str, tuple[str | None, str | None]] = {}
        wanted = sorted({i for i in ids if i})
        with self._read() as conn:
            for chunk in chunks(wanted):
                stmt = select(contacts.c.id, contacts.c.first_name, contacts.c.last_name)
                for row in conn.execute(stmt.where(contacts.c.id.in_(chunk))):
                    names[row.id] = (row.first_name, row.last_name)
        return names

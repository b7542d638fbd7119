"""The supervisors' dashboard: interactions per local day and media type over a window, the
busiest agents, and the open (InProcess, Pending) interactions. Supervisors and admins only.

Days are local days of the configured zone (see `domain.stats`): the window runs from local
midnight of its first day to local midnight after its last, and the per-day counts are exact
across daylight-saving changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo

from openucs.domain.enums import MediaType, SortOrder, Source, State
from openucs.domain.formats import to_millis
from openucs.domain.models import Interaction
from openucs.domain.query import HistoryQuery, Page
from openucs.domain.stats import OwnerCount, offset_spans
from openucs.errors import InvalidInput, OutOfRange
from openucs.services.access import Reader, require_reader_of_everything
from openucs.services.history import interaction_history
from openucs.store.base import Store

MAX_DAYS = 92
OPEN_STATES = (State.IN_PROCESS, State.PENDING)


@dataclass(slots=True)
class Dashboard:
    first_day: date
    last_day: date
    start: datetime
    end: datetime  # exclusive: local midnight after `last_day`
    source: Source
    per_day: dict[date, dict[MediaType, int]]
    per_media: dict[MediaType, int]
    per_state: dict[State, int]
    busiest: list[OwnerCount]
    open_items: Page[Interaction] = field(default_factory=Page)

    @property
    def days(self) -> list[date]:
        return list(self.per_day)

    @property
    def total(self) -> int:
        return sum(self.per_media.values())

    @property
    def open_count(self) -> int:
        return sum(self.per_state.get(s, 0) for s in OPEN_STATES)


def local_midnight(day: date, zone: tzinfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone)


def build_dashboard(
    *,
    store: Store,
    reader: Reader,
    zone: tzinfo,
    first_day: date,
    last_day: date,
    source: Source = Source.MAIN,
    top: int = 10,
    open_limit: int = 20,
) -> Dashboard:
    """The figures of [first_day, last_day] (both included, local days of `zone`)."""
    require_reader_of_everything(reader.user, "the dashboard")
    if last_day < first_day:
        raise InvalidInput("from", f"{first_day} is after {last_day}")
    if (last_day - first_day).days >= MAX_DAYS:
        raise OutOfRange("from", f"the window is longer than {MAX_DAYS} days")
    start = local_midnight(first_day, zone)
    end = local_midnight(last_day + timedelta(days=1), zone)
    start_ms, end_ms = to_millis(start), to_millis(end)
    counts = store.daily_counts(
        source=source, start_ms=start_ms, end_ms=end_ms, spans=offset_spans(zone, start, end)
    )
    board = Dashboard(
        first_day=first_day,
        last_day=last_day,
        start=start,
        end=end,
        source=source,
        per_day={first_day + timedelta(days=n): {} for n in range((last_day - first_day).days + 1)},
        per_media={},
        per_state={},
        busiest=store.busiest_owners(source=source, start_ms=start_ms, end_ms=end_ms, limit=top),
    )
    for c in counts:
        day = board.per_day.setdefault(c.day, {})
        day[c.media_type] = day.get(c.media_type, 0) + c.count
        board.per_media[c.media_type] = board.per_media.get(c.media_type, 0) + c.count
        board.per_state[c.state] = board.per_state.get(c.state, 0) + c.count
    board.open_items = interaction_history(
        store=store, reader=reader, query=open_query(board, open_limit)
    )
    return board


def open_query(board: Dashboard, limit: int) -> HistoryQuery:
    """The open interactions of the dashboard's window, newest first."""
    return HistoryQuery(
        start_from=board.start,
        start_to=board.end,
        states=OPEN_STATES,
        source=board.source,
        sort=SortOrder.DESC,
        limit=limit,
    )

"""Parsing of the history parameters (fromDate, toDate, mediaType, sort, maxSize, source,
customAttributes, searchCustomAttributes, userId ...) into the one `HistoryQuery`.

GET routes hand in query-string values, the CometD operations (a later issue) JSON values, the web
UI form values: all come through `build_history_query`, so defaults and errors are the same.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, tzinfo

from openucs.config import Settings
from openucs.domain.enums import InteractionType, MediaType, SortOrder, Source, State
from openucs.domain.formats import EARLIEST, LATEST, parse_window_bound, to_millis
from openucs.domain.query import AuditQuery, Cursor, HistoryQuery, decode_page_token
from openucs.domain.search import parse_query
from openucs.errors import InvalidInput, OutOfRange


@dataclass(slots=True)
class HistoryParams:
    """Raw parameters as received. Lists hold comma-split or repeated values."""

    fromDate: str | None = None
    toDate: str | None = None
    mediaType: Sequence[str] = ()
    state: Sequence[str] = ()
    typeId: Sequence[str] = ()
    sort: str | None = None
    maxSize: str | int | None = None
    source: str | None = None
    customAttributes: Sequence[str] = ()
    searchCustomAttributes: Sequence[tuple[str, str]] = ()
    userId: str | None = None
    contactId: str | None = None
    threadId: str | None = None
    text: str | None = None
    pageToken: str | None = None


def build_history_query(
    params: HistoryParams, *, settings: Settings, now: datetime
) -> HistoryQuery:
    zone = settings.zone
    start_from, start_to = _window(params, zone, now)
    query = HistoryQuery(
        start_from=start_from,
        start_to=start_to,
        media_types=tuple(MediaType.parse("mediaType", m) for m in params.mediaType),
        states=tuple(State.parse("state", s) for s in params.state),
        type_ids=tuple(InteractionType.parse("typeId", t) for t in params.typeId),
        owner_id=_blank_none(params.userId),
        contact_id=_blank_none(params.contactId),
        thread_id=_blank_none(params.threadId),
        custom_equals=tuple(sorted(params.searchCustomAttributes)),
        text=_blank_none(params.text),
        source=Source.parse("source", params.source) if params.source else Source.MAIN,
        sort=SortOrder.parse("sort", params.sort) if params.sort else SortOrder.DESC,
        limit=page_size(params.maxSize, settings),
        return_attributes=_attribute_names(params.customAttributes),
    )
    if params.pageToken is not None:
        query = replace(query, after=page_cursor(query, params.pageToken))
    return query


# A token we issue is ~100 characters; a longer one is not ours (and is not decoded).
_MAX_TOKEN = 512
_BOOLEANS = frozenset({"true", "false"})


def page_cursor(query: HistoryQuery | AuditQuery, token: str) -> Cursor:
    """The position a `pageToken` names, for this query; refuses empty, foreign, mangled and
    impossible tokens with a 400 naming `pageToken`."""
    if not token.strip():
        raise InvalidInput("pageToken", "is empty (omit it for the first page)")
    if len(token) > _MAX_TOKEN:
        raise InvalidInput("pageToken", "is not a valid page token")
    cursor = decode_page_token(query, token)
    if not to_millis(EARLIEST) <= cursor.start_ms <= to_millis(LATEST):
        raise InvalidInput("pageToken", "is not a valid page token")
    return cursor


def _attribute_names(names: Sequence[str]) -> tuple[str, ...]:
    """The spec's `customAttributes` is an array of attribute names to return, not a switch:
    `customAttributes=false` would silently return nothing, so it is refused."""
    for name in names:
        if name.lower() in _BOOLEANS:
            raise InvalidInput(
                "customAttributes",
                f"{name!r} is not an attribute name: list the names to return "
                "(e.g. customAttributes=Language,CaseNumber)",
            )
    return tuple(dict.fromkeys(a for a in names if a))


def default_window(zone: tzinfo, now: datetime) -> tuple[datetime, datetime]:
    """The GWS default: interactions started from today minus one month through today."""
    today = now.astimezone(zone).date()
    start = _minus_one_month(today)
    end = today + timedelta(days=1)
    return (
        datetime(start.year, start.month, start.day, tzinfo=zone),
        datetime(end.year, end.month, end.day, tzinfo=zone),
    )


def _window(
    params: HistoryParams, zone: tzinfo, now: datetime
) -> tuple[datetime | None, datetime | None]:
    if not params.fromDate and not params.toDate:
        return default_window(zone, now)
    start_from = (
        parse_window_bound("fromDate", params.fromDate, zone, upper=False)
        if params.fromDate
        else None
    )
    start_to = (
        parse_window_bound("toDate", params.toDate, zone, upper=True) if params.toDate else None
    )
    if start_from and start_to and start_from >= start_to:
        raise InvalidInput("fromDate", f"{params.fromDate} is after toDate {params.toDate}")
    return start_from, start_to


def _minus_one_month(day: date) -> date:
    """The same day of the previous month, or that month's last day (31 March -> 28/29 Feb)."""
    year, month = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def page_size(raw: str | int | None, settings: Settings) -> int:
    """`maxSize`: the default when absent, else an integer within the configured bounds."""
    if raw is None:
        return settings.default_page_size
    size = raw if isinstance(raw, int) else _integer("maxSize", raw)
    if not 1 <= size <= settings.max_page_size:
        raise OutOfRange("maxSize", f"{size} is out of range (1-{settings.max_page_size})")
    return size


def _integer(field: str, raw: str) -> int:
    """ASCII digits with an optional sign: `int()` alone reads any script's digits, and fails
    on thousands of them."""
    text = raw.strip()
    if not _INTEGER.fullmatch(text):
        raise InvalidInput(field, "is empty" if not text else f"{raw!r} is not an integer")
    if len(text) > 12:
        raise OutOfRange(field, f"{text[:12]}... has too many digits")
    return int(text)


_INTEGER = re.compile(r"[+-]?[0-9]+")


def _blank_none(value: str | None) -> str | None:
    return value.strip() or None if value else None


@dataclass(slots=True)
class SearchParams:
    """The parameters of `GET /openucs/v1/interactions` (the search language's route)."""

    q: str | None = None
    maxSize: str | int | None = None
    pageToken: str | None = None
    sort: str | None = None
    source: str | None = None
    facets: Sequence[str] = ()


SEARCH_FACETS = ("mediaType", "state")


def build_search_query(params: SearchParams, *, settings: Settings) -> HistoryQuery:
    """A search covers all time unless its `q` says otherwise (`startDate:`); `source=all`
    reads both tiers."""
    q = params.q.strip() if params.q else ""
    every_tier = (params.source or "").strip().lower() == "all"
    query = HistoryQuery(
        q=parse_query(q, zone=settings.zone) if q else None,
        source=_search_source(params.source) if not every_tier else Source.MAIN,
        every_tier=every_tier,
        sort=SortOrder.parse("sort", params.sort) if params.sort else SortOrder.DESC,
        limit=page_size(params.maxSize, settings),
        return_attributes=None,
    )
    if params.pageToken is not None:
        query = replace(query, after=page_cursor(query, params.pageToken))
    return query


def _search_source(raw: str | None) -> Source:
    if not raw:
        return Source.MAIN
    try:
        return Source.parse("source", raw)
    except InvalidInput:
        raise InvalidInput(
            "source", f"unknown value {raw!r} (allowed: main, archive, all)"
        ) from None


def search_facets(names: Sequence[str]) -> tuple[str, ...]:
    """`facets`: a comma list of mediaType and state."""
    for name in names:
        if name not in SEARCH_FACETS:
            raise InvalidInput("facets", f"unknown facet {name!r} (allowed: mediaType, state)")
    return tuple(dict.fromkeys(names))

"""The supervisors' dashboard (`/dashboard`): interactions per day by media type over the
chosen window (a server-drawn SVG chart, and the same figures as a table), the busiest agents
and the open (InProcess, Pending) interactions. Supervisors and admins only; the figures come
from `services.dashboard` (two aggregate queries and one history page)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response, get

from openucs.domain.enums import MediaType, Source
from openucs.domain.formats import parse_day
from openucs.errors import InvalidInput
from openucs.services.access import require_reader_of_everything
from openucs.services.dashboard import MAX_DAYS, Dashboard, build_dashboard
from openucs.web.chart import NARROW, WIDE, Series, stacked_bars
from openucs.web.context import CurrentViewer, Web, WebContext
from openucs.web.render import MEDIA_COLORS, MEDIA_LABELS

DEFAULT_DAYS = 30


def window(web: WebContext, start: str, end: str) -> tuple[date, date]:
    """The dashboard's days: as given, else the last 30 days through today (local)."""
    today = datetime.now(UTC).astimezone(web.settings.zone).date()
    last = parse_day("end", end) if end else today
    first = parse_day("start", start) if start else last - timedelta(days=DEFAULT_DAYS - 1)
    return first, last


def chart_series(board: Dashboard) -> list[Series]:
    """One series per media type that occurs, the most frequent at the bottom."""
    media = sorted(board.per_media, key=lambda m: (-board.per_media[m], m.value))
    return [
        Series(MEDIA_LABELS[m], MEDIA_COLORS[m], [board.per_day[d].get(m, 0) for d in board.days])
        for m in media
    ]


def search_url(board: Dashboard, **filters: Any) -> str:
    query: list[tuple[str, str]] = [
        ("start", board.first_day.isoformat()),
        ("end", board.last_day.isoformat()),
    ]
    if board.source is not Source.MAIN:
        query.append(("source", board.source.value))
    for key, value in filters.items():
        values = value if isinstance(value, list | tuple) else [value]
        query.extend((key, str(v)) for v in values)
    return "/?" + urlencode(query)


@get("/dashboard", sync_to_thread=True)
def dashboard_page(
    request: Request[Any, Any, Any], web: Web, viewer: CurrentViewer
) -> Response[str]:
    require_reader_of_everything(viewer.user, "the dashboard")
    params = request.query_params
    start, end = str(params.get("start") or ""), str(params.get("end") or "")
    source_raw = str(params.get("source") or "main")
    context: dict[str, Any] = {
        "viewer": viewer,
        "nav": "dashboard",
        "title": "Dashboard",
        "start": start,
        "end": end,
        "source": source_raw,
        "sources": list(Source),
        "max_days": MAX_DAYS,
        "board": None,
        "error": None,
    }
    try:
        first, last = window(web, start, end)
        source = Source.parse("source", source_raw)
        board = build_dashboard(
            store=web.store,
            reader=viewer.reader,
            zone=web.settings.zone,
            first_day=first,
            last_day=last,
            source=source,
        )
    except InvalidInput as exc:
        context["error"] = exc.message
        return web.templates.page("dashboard.html", context, status=400)
    context.update(_figures(web, board))
    return web.templates.page("dashboard.html", context)


def _figures(web: WebContext, board: Dashboard) -> dict[str, Any]:
    series = chart_series(board)
    title = f"Interactions per day by media type, {board.first_day} to {board.last_day}"
    items = board.open_items.items
    busiest_media = max(board.per_media, key=lambda m: board.per_media[m], default=None)
    return {
        "board": board,
        "start": board.first_day.isoformat(),
        "end": board.last_day.isoformat(),
        "series": series,
        "charts": [
            stacked_bars(board.days, series, title=title, frame=frame, key=key)
            for frame, key in ((WIDE, "chart-wide"), (NARROW, "chart-narrow"))
        ],
        "busiest_media": busiest_media,
        "top_count": max((o.count for o in board.busiest), default=0),
        "open_url": search_url(board, state=["InProcess", "Pending"]),
        "agent_url": lambda name: search_url(board, agent=name),
        "open_names": web.store.contact_names(i.contact_id for i in items if i.contact_id),
        "media_order": [m for m in MediaType if m in board.per_media],
    }

"""The contact page: the contact's attributes and the timeline of all their interactions across
channels, main and archive together, threads grouped (`services.timeline`, `web.threads`).

Paging: the "Older" link carries one cursor per tier still to read (`main=`, `archive=`), each
an API page token bound to that tier's query; `newest` means "from the newest row".
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from litestar.datastructures import MultiDict
from litestar.params import FromPath

from openucs.domain.enums import Source
from openucs.domain.query import Cursor, decode_page_token, encode_page_token
from openucs.services.contacts import read_contact
from openucs.services.timeline import TIERS, Timeline, contact_timeline, tier_query
from openucs.web.context import CurrentViewer, Web
from openucs.web.threads import group_threads

PAGE = 50
NEWEST = "newest"


def resume_from(query: MultiDict[Any], contact_id: str) -> dict[Source, Cursor | None] | None:
    """The tiers to read and their cursors, from the URL (None: the first page)."""
    if not any(tier.value in query for tier in TIERS):
        return None
    resume: dict[Source, Cursor | None] = {}
    for tier in TIERS:
        token = query.get(tier.value)
        if token is None:
            continue
        token = str(token)
        resume[tier] = (
            None
            if token == NEWEST
            else decode_page_token(tier_query(contact_id, tier, PAGE), token, tier.value)
        )
    return resume


def older_url(contact_id: str, timeline: Timeline, page_number: int) -> str | None:
    if not timeline.has_more:
        return None
    parts = []
    for tier, cursor in timeline.resume.items():
        token = (
            NEWEST
            if cursor is None
            else encode_page_token(tier_query(contact_id, tier, PAGE), cursor)
        )
        parts.append(f"{tier.value}={token}")
    return f"/contacts/{contact_id}?" + "&".join([*parts, f"n={page_number + 1}"])


@get("/contacts/{contact_id:str}", sync_to_thread=True)
def contact_page(
    request: Request[Any, Any, Any], web: Web, viewer: CurrentViewer, contact_id: FromPath[str]
) -> Response[str]:
    contact = read_contact(store=web.store, reader=viewer.reader, contact_id=contact_id)
    resume = resume_from(request.query_params, contact_id)
    timeline = contact_timeline(
        store=web.store, reader=viewer.reader, contact_id=contact_id, limit=PAGE, resume=resume
    )
    raw_n = str(request.query_params.get("n", "1"))
    page_number = int(raw_n) if raw_n.isdigit() and 0 < int(raw_n) < 1_000_000 else 1
    name = " ".join(p for p in (contact.first_name, contact.last_name) if p) or contact.id
    context = {
        "viewer": viewer,
        "nav": "search",
        "title": name,
        "contact": contact,
        "name": name,
        "groups": group_threads(timeline.items),
        "count": len(timeline.items),
        "page_number": page_number,
        "older_url": older_url(contact_id, timeline, page_number),
        "newest_url": f"/contacts/{contact_id}" if resume is not None else None,
    }
    return web.templates.page("contact.html", context)

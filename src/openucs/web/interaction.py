"""The interaction page: every field, custom attributes, user data, the chat transcript as a
conversation or the email with its headers and body, and the comment editor.

Reading uses `services.history.get_interaction` (the API's GetInteractionContent rule: an agent
reads their own interactions and those of contacts they handled; a refusal is a 403 page).
The comment is saved with `services.comments.edit_comment`: an admin edits any comment, any
other user the comments of interactions they own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from litestar import Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody

from openucs.domain.models import Interaction
from openucs.services.comments import MAX_COMMENT, edit_comment, may_edit_comment
from openucs.services.history import get_interaction
from openucs.web.content import conversation, data_rows, email_view
from openucs.web.context import CurrentViewer, Web
from openucs.web.login import redirect


@dataclass
class CommentForm:
    comment: str = ""
    csrf: str = ""


def thread_url(item: Interaction) -> str | None:
    """A search for the whole thread, oldest first, over all time."""
    if not item.thread_id:
        return None
    query = {"thread": item.thread_id, "sort": "asc"}
    if item.source.value != "main":
        query["source"] = item.source.value
    return "/?" + urlencode(query)


def duration_seconds(item: Interaction) -> float | None:
    if item.call_duration is not None:
        return float(item.call_duration)
    if item.end_date is not None:
        return (item.end_date - item.start_date).total_seconds()
    return None


@get("/interactions/{interaction_id:str}", sync_to_thread=True)
def interaction_page(
    request: Request[Any, Any, Any], web: Web, viewer: CurrentViewer, interaction_id: FromPath[str]
) -> Response[str]:
    item = get_interaction(store=web.store, reader=viewer.reader, interaction_id=interaction_id)
    names = web.store.contact_names([item.contact_id] if item.contact_id else [])
    first, last = names.get(item.contact_id or "", (None, None))
    context = {
        "viewer": viewer,
        "nav": "search",
        "title": item.subject or f"{item.media_type.value} {item.id}",
        "item": item,
        "contact_name": " ".join(p for p in (first, last) if p) or item.contact_id,
        "duration": duration_seconds(item),
        "lines": conversation(item.messages) if item.messages else [],
        "email": email_view(item.email) if item.email else None,
        "user_data": data_rows(item.user_data),
        "attributes": sorted(item.custom_attributes.items()),
        "thread_url": thread_url(item),
        "may_edit": may_edit_comment(viewer.user, item),
        "max_comment": MAX_COMMENT,
        "saved": request.query_params.get("saved") == "1",
    }
    return web.templates.page("interaction.html", context)


@post("/interactions/{interaction_id:str}/comment", sync_to_thread=True)
def save_comment(
    web: Web,
    viewer: CurrentViewer,
    interaction_id: FromPath[str],
    data: URLEncodedBody[CommentForm],
) -> Response[Any]:
    viewer.check_csrf(data.csrf)
    edit_comment(
        store=web.store, reader=viewer.reader, interaction_id=interaction_id, comment=data.comment
    )
    return redirect(web, f"/interactions/{quote(interaction_id)}?saved=1#comment")

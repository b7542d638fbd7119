"""Saved searches: `POST /searches` keeps the current search under a name, `POST
/searches/{id}/delete` drops one. Both carry the session's CSRF token and send the browser back
to the search page (the saved one, or where it was)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Response, post
from litestar.params import FromPath, URLEncodedBody

from openucs.services import saved_searches as service
from openucs.web.context import CurrentViewer, Web
from openucs.web.login import redirect


@dataclass
class SaveForm:
    name: str = ""
    query: str = ""
    csrf: str = ""


@dataclass
class DeleteForm:
    csrf: str = ""


@post("/searches", sync_to_thread=True)
def save_search(web: Web, viewer: CurrentViewer, data: URLEncodedBody[SaveForm]) -> Response[Any]:
    viewer.check_csrf(data.csrf)
    query = data.query.lstrip("?")
    saved = service.save_search(store=web.store, user=viewer.user, name=data.name, query=query)
    return redirect(web, "/?" + saved.query if saved.query else "/")


@post("/searches/{search_id:str}/delete", sync_to_thread=True)
def delete_search(
    web: Web, viewer: CurrentViewer, search_id: FromPath[str], data: URLEncodedBody[DeleteForm]
) -> Response[Any]:
    viewer.check_csrf(data.csrf)
    service.delete_saved_search(store=web.store, user=viewer.user, search_id=search_id)
    return redirect(web, "/")

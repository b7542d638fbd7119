"""`web_router`: the web UI as one Litestar router, mounted by `api.app.create_app`."""

from __future__ import annotations

import time
from typing import cast

from litestar import Router
from litestar.datastructures import CacheControlHeader
from litestar.di import Provide
from litestar.enums import ScopeType
from litestar.static_files import create_static_files_router
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from openucs.config import Settings
from openucs.services.audit import AuditTrail
from openucs.services.users import Authenticator
from openucs.store.base import Store
from openucs.web.contact import contact_page
from openucs.web.context import WebContext, resolve_viewer
from openucs.web.dashboard import dashboard_page
from openucs.web.errors import exception_handlers
from openucs.web.export import export_csv, export_ndjson
from openucs.web.interaction import interaction_page, save_comment
from openucs.web.login import login, login_page, logout
from openucs.web.render import STATIC
from openucs.web.saved import delete_search, save_search
from openucs.web.search import search_page

PAGES = [
    search_page,
    export_csv,
    export_ndjson,
    save_search,
    delete_search,
    contact_page,
    interaction_page,
    save_comment,
    dashboard_page,
    login_page,
    login,
    logout,
]


def web_router(
    settings: Settings, store: Store, authenticator: Authenticator, audit: AuditTrail
) -> Router:
    web = WebContext.build(settings, store, authenticator, audit)

    def provide_web() -> WebContext:
        return web

    static = create_static_files_router(
        path="/static",
        directories=[STATIC],
        cache_control=CacheControlHeader(max_age=3600),
        include_in_schema=False,
    )
    return Router(
        "/",
        route_handlers=[*PAGES, static],
        dependencies={
            "web": Provide(provide_web, use_cache=True, sync_to_thread=False),
            "viewer": Provide(resolve_viewer, sync_to_thread=True),
        },
        exception_handlers=exception_handlers(web),
        middleware=[ServerTiming],
        include_in_schema=False,
    )


class ServerTiming:
    """Adds `Server-Timing: app;dur=<ms>`: the time from routing to the response's start
    (session check, store reads, template), for the benchmark and the browser's dev tools."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        began = time.perf_counter()

        async def timed(message: Message) -> None:
            if message["type"] == "http.response.start":
                spent = (time.perf_counter() - began) * 1000
                headers = [
                    *message.get("headers", ()),
                    (b"server-timing", f"app;dur={spent:.2f}".encode()),
                ]
                message = cast(Message, {**message, "headers": headers})
            await send(message)

        await self.app(scope, receive, timed if scope["type"] == ScopeType.HTTP else send)

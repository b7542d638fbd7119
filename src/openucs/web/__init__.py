"""The web UI: server-rendered HTML pages for agents and supervisors, served at `/` by the same
process as the API. Pages call the services directly (never the JSON API over HTTP) and share
the API's users, roles and sessions. See docs/web.md.

`web_router(settings, store, authenticator)` is the whole UI as one Litestar router: the pages,
their error pages, and the static files under `/static`.
"""

from openucs.web.app import web_router

__all__ = ["web_router"]

"""Errors as pages. Mounted on the web router only, so the API keeps its JSON error map.

No session: a redirect to the login form that comes back here afterwards. A refusal, a missing
record, a bad parameter: a page saying so with the right status (403, 404, 400). Anything
unexpected: a 500 page with a request id, logged with its traceback.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response
from litestar.exceptions import HTTPException
from litestar.types import ExceptionHandlersMap

from openucs.errors import (
    InvalidInput,
    NotFound,
    OpenUcsError,
    PermissionDenied,
    StoreUnavailable,
    Unauthenticated,
)
from openucs.incidents import log_unexpected
from openucs.web.context import LoginRequired, WebContext, optional_viewer
from openucs.web.login import LOGIN_PATH, redirect, safe_next

log = logging.getLogger("openucs.web")

_TITLES = {
    400: "Please check the request",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed",
    500: "Something went wrong",
    503: "Temporarily unavailable",
}


def _status(exc: OpenUcsError) -> int:
    if isinstance(exc, PermissionDenied):
        return 403
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, InvalidInput):
        return 400
    if isinstance(exc, StoreUnavailable):
        return 503
    return 500


def exception_handlers(web: WebContext) -> ExceptionHandlersMap:
    def page(request: Request[Any, Any, Any], status: int, message: str) -> Response[Any]:
        context = {
            "viewer": optional_viewer(request),
            "nav": "error",
            "title": _TITLES.get(status, "Error"),
            "status": status,
            "message": message,
        }
        return web.templates.page("error.html", context, status=status)

    def login_required(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        target = safe_next(here) if request.method == "GET" else "/"
        return redirect(web, f"{LOGIN_PATH}?{urlencode({'next': target})}")

    def openucs_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        assert isinstance(exc, OpenUcsError)  # noqa: S101 - registered for OpenUcsError only
        if isinstance(exc, Unauthenticated):
            return login_required(request, exc)
        status = _status(exc)
        if status == 500:
            return internal(request, exc)
        return page(request, status, exc.message)

    def http_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        assert isinstance(exc, HTTPException)  # noqa: S101 - registered for HTTPException only
        if exc.status_code >= 500:
            return internal(request, exc)
        return page(request, exc.status_code, str(exc.detail))

    def internal(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        request_id = log_unexpected(log, request.method, request.url.path, exc)
        return page(request, 500, f"An unexpected error occurred (request id {request_id}).")

    return {
        LoginRequired: login_required,
        OpenUcsError: openucs_error,
        HTTPException: http_error,
        Exception: internal,
    }

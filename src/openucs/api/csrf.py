"""CSRF protection (spec 1.3, GWS `enableCsrfProtection`), on when `csrf_protection` is set.

Every GET answer names the header and gives the session's token:
`X-CSRF-HEADER: X-CSRF-TOKEN` and `X-CSRF-TOKEN: <token>` (the token lives as long as the
session; a Basic caller without a cookie gets the token of the session that the same answer's
`Set-Cookie` hands out). Every POST, PUT, PATCH and DELETE must be authenticated by the session
cookie and carry that header, else HTTP 403, statusCode 5, "Missing or invalid Csrf token" (via
api/errors.py). The token is derived from the session id under the shared key
(services/session_tokens.py), so every server process gives and accepts the same one.

Mounted inside `AuthMiddleware`, on the API routers only: the CometD endpoint is exempt.
"""

from __future__ import annotations

import hmac
from typing import Any, cast

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from openucs.api.auth import SessionAuth, request_session
from openucs.errors import PermissionDenied

HEADER_NAME = b"x-csrf-header"
TOKEN_HEADER = b"x-csrf-token"
REJECTED = "Missing or invalid Csrf token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class CsrfMiddleware:
    def __init__(self, app: ASGIApp, sessions: SessionAuth) -> None:
        self.app = app
        self.sessions = sessions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method in UNSAFE:
            await self._check(scope)
            await self.app(scope, receive, send)
        elif method in ("GET", "HEAD"):
            session = request_session(scope)
            token = await self.sessions.csrf_token(session.token) if session else None
            await self.app(scope, receive, _announcing(send, token) if token else send)
        else:
            await self.app(scope, receive, send)

    async def _check(self, scope: Scope) -> None:
        session = request_session(scope)
        given = _header(scope, TOKEN_HEADER)
        expected = None
        if session is not None and session.stored:  # authenticated by the cookie
            expected = await self.sessions.csrf_token(session.token)
        if not given or not expected or not hmac.compare_digest(given, expected.encode()):
            raise PermissionDenied(REJECTED)


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


def _announcing(send: Send, token: str) -> Send:
    async def send_with_token(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers: list[Any] = [
                *message.get("headers", ()),
                (HEADER_NAME, b"X-CSRF-TOKEN"),
                (TOKEN_HEADER, token.encode()),
            ]
            message = cast(Message, {**message, "headers": headers})
        await send(message)

    return send_with_token

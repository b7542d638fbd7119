"""CSRF protection (spec 1.3, GWS `enableCsrfProtection`), on when `csrf_protection` is set.

Every GET answer names the header and gives the session's token:
`X-CSRF-HEADER: X-CSRF-TOKEN` and `X-CSRF-TOKEN: <token>` (the token lives as long as the
session; a Basic caller without a cookie gets the token of the session that the same answer's
`Set-Cookie` opens). Every POST, PUT, PATCH and DELETE must carry the session cookie and that
header, else HTTP 403, statusCode 5, "Missing or invalid Csrf token" (via api/errors.py).

Mounted inside `AuthMiddleware`, on the API routers only: the CometD endpoint is exempt.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import MutableMapping
from typing import Any, cast

from litestar.concurrency import sync_to_thread
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from openucs.api.auth import SessionAuth, credentials
from openucs.errors import PermissionDenied
from openucs.store.base import Store

HEADER_NAME = b"x-csrf-header"
TOKEN_HEADER = b"x-csrf-token"
REJECTED = "Missing or invalid Csrf token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_CACHE_LIMIT = 10_000


class CsrfTokens:
    """The CSRF token of a session, from the store, remembered per session."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._known: MutableMapping[str, str] = {}

    async def of(self, session_token: str) -> str | None:
        key = hashlib.sha256(session_token.encode()).hexdigest()  # as services.users
        known = self._known.get(key)
        if known is not None:
            return known
        session = await sync_to_thread(self.store.get_session, key)
        if session is None:
            return None
        if len(self._known) > _CACHE_LIMIT:
            self._known.clear()
        self._known[key] = session.csrf_token
        return session.csrf_token


class CsrfMiddleware:
    def __init__(self, app: ASGIApp, sessions: SessionAuth, tokens: CsrfTokens) -> None:
        self.app = app
        self.sessions = sessions
        self.tokens = tokens

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method in UNSAFE:
            await self._check(scope)
            await self.app(scope, receive, send)
        elif method in ("GET", "HEAD"):
            token = await self._token_for(scope)
            await self.app(scope, receive, _announcing(send, token) if token else send)
        else:
            await self.app(scope, receive, send)

    async def _check(self, scope: Scope) -> None:
        session, _ = credentials(scope["headers"])
        given = _header(scope, TOKEN_HEADER)
        expected = await self.tokens.of(session) if session else None
        if not given or not expected or not hmac.compare_digest(given, expected.encode()):
            raise PermissionDenied(REJECTED)

    async def _token_for(self, scope: Scope) -> str | None:
        session, basic = credentials(scope["headers"])
        if session is not None:
            user = await self.sessions.from_cookie(session)
            if user is not None:
                return await self.tokens.of(session)
        user = scope.get("user")
        if basic is not None and user is not None:
            return await self.tokens.of(await self.sessions.issue(user, basic))
        return None


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

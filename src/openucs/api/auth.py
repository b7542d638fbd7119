"""Who is calling: the `JSESSIONID` session cookie first (unless Basic credentials name another
user: then they win), then HTTP Basic, resolved once per
request by `AuthMiddleware` (pure ASGI, mounted on the API routers only) into `scope["user"]`;
routes get it through the `current_user` dependency, and `request_session` tells the session
the request belongs to.

A successful Basic call without a valid session cookie is a new login: its answer carries a
new `JSESSIONID` (HttpOnly, SameSite=Lax, Path=/, Secure when configured), as GWS clients
expect, so two desktops of one user get two sessions. The token is signed, not stored
(services/session_tokens.py): the session row is written when the cookie first comes back, so
a client that sends Basic on every request without keeping cookies writes nothing. A failing
request gets no cookie.

Nothing here logs credentials, cookies or the Authorization header.
"""

from __future__ import annotations

import base64
import binascii
import logging
from dataclasses import dataclass
from typing import Any, cast

from litestar import Request
from litestar.concurrency import sync_to_thread
from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.handlers import BaseRouteHandler
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from openucs.domain.models import User
from openucs.errors import Unauthenticated
from openucs.services.access import require_admin
from openucs.services.users import Authenticator

log = logging.getLogger("openucs.api")

SESSION_COOKIE = "JSESSIONID"
# Route handler option: `opt={NO_NEW_SESSION: True}` keeps a route from issuing a cookie.
NO_NEW_SESSION = "no_new_session"
_SESSION_STATE = "openucs.session"


@dataclass(frozen=True, slots=True)
class RequestSession:
    """The session of a request: the cookie's (`stored`: its row exists), or the one minted
    for a Basic caller, which this answer's `Set-Cookie` hands out (not stored yet)."""

    token: str
    stored: bool


def request_session(scope: Scope) -> RequestSession | None:
    """The session `AuthMiddleware` resolved or minted for this request, if any."""
    found = scope.get("state", {}).get(_SESSION_STATE)
    return found if isinstance(found, RequestSession) else None


@dataclass
class SessionAuth:
    """Resolves callers and mints session cookies; one per app."""

    authenticator: Authenticator
    cookie_secure: bool = False

    async def from_cookie(self, token: str) -> User | None:
        authenticator = self.authenticator
        user = authenticator.cached_session_user(token)
        if user is not None:  # a disabled user's session is refused at once
            current = authenticator.confirmed_at_once(user)
            return current or await sync_to_thread(authenticator.confirmed, user)
        found = await sync_to_thread(authenticator.session_user, token)
        return found[1] if found else None

    async def from_basic(self, header: bytes) -> User:
        """The caller of Basic credentials; a remembered check confirmed without a thread
        when the store can tell nothing changed (`Authenticator.confirmed_at_once`)."""
        user_name, password = parse_basic(header)
        cached = self.authenticator.cached_basic(user_name, password)
        current = self.authenticator.confirmed_at_once(cached) if cached is not None else None
        if current is not None:
            return current
        return await sync_to_thread(self.authenticator.basic, user_name, password)

    async def mint(self, user: User) -> str:
        """A new session token for a Basic caller; no I/O once the key is loaded."""
        await self._key_loaded()
        return self.authenticator.mint_session(user)

    async def csrf_token(self, token: str) -> str | None:
        """The CSRF token of a session token (None when its signature is wrong)."""
        await self._key_loaded()
        return self.authenticator.csrf_token(token)

    def close(self, token: str) -> None:
        """Log out: the session is closed for good, in every process."""
        self.authenticator.close_session(token)

    def set_cookie(self, token: str) -> bytes:
        secure = "; Secure" if self.cookie_secure else ""
        return f"{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{secure}".encode()

    def clear_cookie(self) -> str:
        secure = "; Secure" if self.cookie_secure else ""
        return f"{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{secure}"

    async def _key_loaded(self) -> None:
        if not self.authenticator.signer_ready:  # the first call of the process reads it
            await sync_to_thread(lambda: self.authenticator.signer)


class AuthMiddleware:
    """Puts the authenticated `User` in `scope["user"]` or answers 401 (via api/errors.py)."""

    def __init__(self, app: ASGIApp, auth: SessionAuth) -> None:
        self.app = app
        self.auth = auth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        token, basic = credentials(scope["headers"])
        user = await self.auth.from_cookie(token) if token else None
        if user is not None and (basic is None or _basic_user_name(basic) == user.user_name):
            scope["user"] = user
            scope["state"][_SESSION_STATE] = RequestSession(cast(str, token), stored=True)
            await self.app(scope, receive, send)
            return
        if basic is None:
            raise Unauthenticated()
        scope["user"] = user = await self.auth.from_basic(basic)
        if scope["route_handler"].opt.get(NO_NEW_SESSION):
            await self.app(scope, receive, send)
            return
        minted = await self.auth.mint(user)
        scope["state"][_SESSION_STATE] = RequestSession(minted, stored=False)
        await self.app(scope, receive, self._with_cookie(send, minted))

    def _with_cookie(self, send: Send, token: str) -> Send:
        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] < 400:
                headers = [
                    *message.get("headers", ()),
                    (b"set-cookie", self.auth.set_cookie(token)),
                ]
                message = cast(Message, {**message, "headers": headers})
            await send(message)

        return send_with_cookie


def credentials(headers: Any) -> tuple[str | None, bytes | None]:
    """The session token from the Cookie headers and the Basic Authorization value, if any."""
    token: str | None = None
    basic: bytes | None = None
    for name, value in headers:
        if name == b"cookie" and token is None:
            token = _cookie_value(value.decode("latin-1"), SESSION_COOKIE)
        elif name == b"authorization" and value[:6].lower() == b"basic ":
            basic = value[6:].strip()
    return token, basic


def _cookie_value(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, sep, value = part.strip().partition("=")
        if sep and key == name and value:
            return value.strip('"')
    return None


def _basic_user_name(encoded: bytes) -> str | None:
    """The user named by Basic credentials (unchecked): when it is not the session's user, the
    credentials win, as with Spring Security's Basic filter in GWS."""
    try:
        return parse_basic(encoded)[0]
    except Unauthenticated:
        return None


def parse_basic(encoded: bytes) -> tuple[str, str]:
    try:
        user_name, sep, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise Unauthenticated() from None
    if not sep or not user_name or "\x00" in user_name:  # no such name can exist anywhere
        raise Unauthenticated()
    return user_name, password


def admin_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Guard: writes, bulk uploads and user management need the admin role."""
    require_admin(connection.scope["user"])


def current_user(request: Request[Any, Any, Any]) -> User:
    """Dependency: the caller resolved by `AuthMiddleware`."""
    return cast(User, request.scope["user"])

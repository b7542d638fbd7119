"""Sign in and sign out.

The login form checks the user name and password with the API's `Authenticator` (Argon2id,
the same users and roles), opens a session and sets the same `JSESSIONID` cookie the API uses,
then sends the browser back to `next` (only a path on this site). Before a session exists the
form is protected by a double-submit cookie: a random token in an HttpOnly, SameSite=Strict
cookie scoped to /login, repeated in a hidden field. Signing out deletes the session.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.params import FromQuery, URLEncodedBody
from litestar.response import Redirect

from openucs.errors import LockedOut, Unauthenticated
from openucs.web.context import SESSION_COOKIE, CurrentViewer, Web, WebContext
from openucs.web.render import SECURITY_HEADERS

LOGIN_COOKIE = "openucs_login"
LOGIN_PATH = "/login"


@dataclass
class LoginForm:
    user_name: str = ""
    password: str = ""
    csrf: str = ""
    next: str = ""


@dataclass
class CsrfForm:
    csrf: str = ""


def safe_next(raw: str | None) -> str:
    """`raw` when it is a path on this site (not the login page), else `/`."""
    if not raw or not raw.startswith("/") or raw.startswith("//") or "\\" in raw:
        return "/"
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in raw):
        return "/"
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc or parts.path in (LOGIN_PATH, "/logout"):
        return "/"
    return raw


def redirect(web: WebContext, to: str, cookies: list[Cookie] | None = None) -> Redirect:
    """A 303 (see other): after a POST the browser GETs the target."""
    return Redirect(to, status_code=303, cookies=cookies, headers=dict(SECURITY_HEADERS))


@get(LOGIN_PATH, sync_to_thread=True)
def login_page(
    request: Request[Any, Any, Any], web: Web, next: FromQuery[str | None] = None
) -> Response[Any]:
    """The form; a visitor who is already signed in goes straight to `next`."""
    token = request.cookies.get(SESSION_COOKIE)
    if token and web.authenticator.session_user(token) is not None:
        return redirect(web, safe_next(next))
    signed_out = request.query_params.get("signed_out") == "1"
    return _form(web, next=safe_next(next), notice="You are signed out." if signed_out else None)


@post(LOGIN_PATH, sync_to_thread=True)
def login(
    request: Request[Any, Any, Any],
    web: Web,
    data: URLEncodedBody[LoginForm],
) -> Response[Any]:
    target = safe_next(data.next)
    expected = request.cookies.get(LOGIN_COOKIE) or ""
    if not data.csrf or not hmac.compare_digest(data.csrf.encode(), expected.encode()):
        return _form(web, next=target, error="The form expired. Please sign in again.", status=403)
    try:
        user = web.authenticator.basic(data.user_name.strip(), data.password)
    except Unauthenticated as exc:
        error = "Wrong user name or password."
        if isinstance(exc, LockedOut):
            error = f"Too many failed sign-ins. Try again in {exc.retry_after} s."
        return _form(web, next=target, user_name=data.user_name, error=error, status=401)
    token, _ = web.authenticator.open_session(user)
    cookies = [web.session_cookie(token), web.expired_cookie(LOGIN_COOKIE, LOGIN_PATH)]
    return redirect(web, target, cookies)


@post("/logout", sync_to_thread=True)
def logout(
    web: Web,
    viewer: CurrentViewer,
    data: URLEncodedBody[CsrfForm],
) -> Response[Any]:
    viewer.check_csrf(data.csrf)
    web.authenticator.close_session(viewer.token)
    return redirect(web, LOGIN_PATH + "?signed_out=1", [web.expired_cookie(SESSION_COOKIE)])


def _form(
    web: WebContext,
    *,
    next: str,
    user_name: str = "",
    error: str | None = None,
    notice: str | None = None,
    status: int = 200,
) -> Response[str]:
    token = secrets.token_urlsafe(24)
    cookie = Cookie(
        key=LOGIN_COOKIE,
        value=token,
        path=LOGIN_PATH,
        httponly=True,
        samesite="strict",
        secure=web.settings.session_cookie_secure,
    )
    context = {
        "viewer": None,
        "nav": "login",
        "title": "Sign in",
        "csrf": token,
        "next": next,
        "user_name": user_name,
        "error": error,
        "notice": notice,
    }
    return web.templates.page("login.html", context, status=status, cookies=[cookie])

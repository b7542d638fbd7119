"""What every page needs: the `WebContext` (settings, store, the app's one `Authenticator`,
the templates) and the `Viewer`, the signed-in user resolved from the `JSESSIONID` cookie.

The web UI shares the API's users, roles and sessions: a session opened by the login form is
the same kind of row the API opens for a Basic caller, checked by the same `Authenticator`
(idle expiry, disabled users). A page request without a valid session raises `LoginRequired`,
which `web.errors` turns into a redirect to the login form.

CSRF: every form that changes something (comment, logout) carries the session's `csrf_token`
in a hidden field, compared in constant time; the cookie is also `SameSite=Lax`. The login
form, before any session exists, uses a double-submit cookie instead (`web.login`).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import SkipValidation

from openucs.config import Settings
from openucs.domain.models import User
from openucs.errors import PermissionDenied
from openucs.services.access import Reader
from openucs.services.audit import AuditTrail
from openucs.services.users import Authenticator
from openucs.store.base import Store
from openucs.web.render import Templates

SESSION_COOKIE = "JSESSIONID"  # the API's cookie (api/auth.py): one session for both


class LoginRequired(Exception):
    """No valid session: the page redirects to the login form."""


@dataclass(frozen=True, slots=True)
class WebContext:
    settings: Settings
    store: Store
    authenticator: Authenticator
    templates: Templates
    audit: AuditTrail

    @classmethod
    def build(
        cls, settings: Settings, store: Store, authenticator: Authenticator, audit: AuditTrail
    ) -> WebContext:
        return cls(settings, store, authenticator, Templates(settings.zone), audit)

    def session_cookie(self, token: str) -> Cookie:
        return Cookie(
            key=SESSION_COOKIE,
            value=token,
            path="/",
            httponly=True,
            samesite="lax",
            secure=self.settings.session_cookie_secure,
        )

    def expired_cookie(self, key: str, path: str = "/") -> Cookie:
        return Cookie(
            key=key,
            value="",
            path=path,
            max_age=0,
            httponly=True,
            samesite="lax",
            secure=self.settings.session_cookie_secure,
        )


@dataclass(frozen=True, slots=True)
class Viewer:
    """The signed-in user, their session cookie and the session's CSRF token, and the user
    as a `Reader` of history through this page."""

    user: User
    token: str
    csrf_token: str
    reader: Reader

    @property
    def reads_everything(self) -> bool:
        return self.user.reads_everything

    @property
    def role_label(self) -> str:
        return ", ".join(sorted(r.value for r in self.user.roles))

    @property
    def display_name(self) -> str:
        full = " ".join(p for p in (self.user.first_name, self.user.last_name) if p)
        return full or self.user.user_name

    def check_csrf(self, given: str | None) -> None:
        """A form's token against the session's, in constant time."""
        if not given or not hmac.compare_digest(given.encode(), self.csrf_token.encode()):
            raise PermissionDenied("the form has expired or did not come from this site")


def resolve_viewer(request: Request[Any, Any, Any], web: Web) -> Viewer:
    """Dependency: the signed-in user, or LoginRequired. Reads the store (run in a thread)."""
    token = request.cookies.get(SESSION_COOKIE)
    found = web.authenticator.session_user(token) if token else None
    if found is None or token is None:
        raise LoginRequired()
    session, user = found
    client = request.client.host if request.client else None
    reader = Reader(user, web.settings.agent_reads, web.audit, via="web", client=client)
    viewer = Viewer(user, token, session.csrf_token, reader)
    request.state.viewer = viewer
    return viewer


def optional_viewer(request: Request[Any, Any, Any]) -> Viewer | None:
    """The viewer already resolved for this request, if any (error pages)."""
    found = getattr(request.state, "viewer", None)
    return found if isinstance(found, Viewer) else None


Web = NamedDependency[SkipValidation[WebContext]]
CurrentViewer = NamedDependency[SkipValidation[Viewer]]

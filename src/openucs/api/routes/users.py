"""Extension routes for users (admin only) and the end of a session, under `/openucs/v1`."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import JSONBody

from openucs.api.answers import NewUserWire, StatusAnswer, UserAnswer, UsersAnswer
from openucs.api.auth import NO_NEW_SESSION, SESSION_COOKIE, admin_only
from openucs.api.context import Ctx
from openucs.api.openapi import errors
from openucs.domain.enums import Role
from openucs.errors import InvalidInput
from openucs.gws.wire import user_to_wire
from openucs.services import users


@post(
    "/users",
    guards=[admin_only],
    status_code=201,
    responses=errors(400, 401, 403, 409, 413),
    sync_to_thread=True,
)
def create_user(ctx: Ctx, data: JSONBody[NewUserWire]) -> UserAnswer:
    """A login with roles agent, supervisor and/or admin; 409 when the name is taken."""
    user = users.add_user(
        store=ctx.store,
        user_name=data.userName,
        roles=_roles(data.roles),
        password=data.password,
        first_name=data.firstName,
        last_name=data.lastName,
    )
    return UserAnswer(statusCode=0, user=user_to_wire(user, base_url=ctx.base_url))


@get("/users", guards=[admin_only], responses=errors(401, 403), sync_to_thread=True)
def list_users(ctx: Ctx) -> UsersAnswer:
    """Every user, logins and owners met on import; never a password hash."""
    found = users.list_users(store=ctx.store)
    return UsersAnswer(statusCode=0, users=[user_to_wire(u, base_url=ctx.base_url) for u in found])


@post(
    "/logout",
    status_code=200,
    opt={NO_NEW_SESSION: True},
    responses=errors(401, 403),
    sync_to_thread=True,
)
def logout(ctx: Ctx, request: Request[Any, Any, Any]) -> Response[StatusAnswer]:
    """End the session of the `JSESSIONID` cookie and clear the cookie."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        ctx.sessions.close(token)
    return Response(StatusAnswer(statusCode=0), headers={"Set-Cookie": ctx.sessions.clear_cookie()})


def _roles(names: list[str]) -> frozenset[Role]:
    if not names:
        raise InvalidInput("roles", "must name at least one role")
    return frozenset(
        Role.parse("roles", n[5:] if n.lower().startswith("role_") else n) for n in names
    )

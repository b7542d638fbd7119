"""`GET /openucs/v1/audit`: the read audit, newest first, for admins."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from litestar import get
from litestar.params import QueryParameter

from openucs.api.answers import AuditAnswer
from openucs.api.auth import admin_only
from openucs.api.context import Ctx, CurrentUser
from openucs.api.openapi import errors
from openucs.domain.query import encode_page_token
from openucs.gws.audit import audit_query, read_record_to_wire
from openucs.gws.params import page_cursor, page_size
from openucs.services import audit
from openucs.services.users import user_id_of

Text = str | None


@get("/audit", guards=[admin_only], responses=errors(400, 401, 403, 404), sync_to_thread=True)
def read_audit(
    ctx: Ctx,
    user: CurrentUser,
    user_ref: Annotated[
        Text, QueryParameter(name="userId", description="a user's id or user name")
    ] = None,
    since: Annotated[
        Text, QueryParameter(description="yyyy-MM-dd or ISO date-time: records at or after")
    ] = None,
    until: Annotated[
        Text,
        QueryParameter(description="yyyy-MM-dd (the whole day included) or ISO date-time"),
    ] = None,
    max_size: Annotated[Text, QueryParameter(name="maxSize", description="page size")] = None,
    page_token: Annotated[
        Text, QueryParameter(name="pageToken", description="nextPageToken of the previous page")
    ] = None,
) -> AuditAnswer:
    """Who read which interactions or contacts, when, through what and from where (admin)."""
    zone = ctx.zone
    query = audit_query(
        user_id=user_id_of(ctx.store, user_ref) if user_ref else None,
        since=since,
        until=until,
        zone=zone,
        limit=page_size(max_size, ctx.settings),
    )
    if page_token is not None:
        query = replace(query, after=page_cursor(query, page_token))
    page = audit.read_audit(store=ctx.store, trail=ctx.audit, user=user, query=query)
    token = encode_page_token(query, page.next_cursor) if page.next_cursor else None
    return AuditAnswer(
        statusCode=0,
        records=[read_record_to_wire(r, zone) for r in page.items],
        nextPageToken=token,
    )

"""The asynchronous UCS operations (spec 3.0): `POST` with `{"operationName": ..., ...}`.

The HTTP reply `{"statusCode": 0, "referenceId": N}` only accepts the operation; its result is
published on the CometD topic `/v2/ucs/interactions` to the caller's clients. Validation errors
are answered at once with the GWS envelope (api/errors.py). Mounted under `/api/v2`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec
from litestar import Request, post
from litestar.params import FromPath, JSONBody

from openucs.api import operations
from openucs.api.context import Ctx, CurrentUser
from openucs.api.notifications import Ops
from openucs.api.openapi import errors, operation_body
from openucs.api.operations import Caller
from openucs.domain.models import User

Body = JSONBody[dict[str, Any]]
# Unknown ids and the writes fail later, in the notification, not in the HTTP answer.
_ERRORS = errors(400, 401, 403, 413)
AnyRequest = Request[Any, Any, Any]


class OperationAnswer(msgspec.Struct):
    statusCode: int
    referenceId: int


async def _accept(
    request: AnyRequest,
    ctx: Ctx,
    ops: Ops,
    user: User,
    resource: str,
    body: dict[str, Any],
    target: str | None = None,
) -> OperationAnswer:
    reader = ctx.reader(user, request, via="cometd")
    caller = Caller(ctx.store, ctx.settings, reader, datetime.now(UTC))
    operation = operations.plan(resource, body, caller=caller, target=target)
    reference_id = await ops.submit(request.scope, user, operation)
    return OperationAnswer(statusCode=0, referenceId=reference_id)


@post(
    "/ucs/interactions",
    status_code=200,
    responses=_ERRORS,
    operation_class=operation_body(operations.INTERACTIONS),
)
async def interactions_operation(
    request: AnyRequest, ctx: Ctx, ops: Ops, user: CurrentUser, data: Body
) -> OperationAnswer:
    """RetrieveInteractionHistory, RetrieveAgentHistory, FindPhoneCall."""
    return await _accept(request, ctx, ops, user, operations.INTERACTIONS, data)


@post(
    "/ucs/contacts/{contact_id:str}/interactions",
    status_code=200,
    responses=_ERRORS,
    operation_class=operation_body(operations.CONTACT_INTERACTIONS),
)
async def contact_operation(
    request: AnyRequest,
    ctx: Ctx,
    ops: Ops,
    user: CurrentUser,
    contact_id: FromPath[str],
    data: Body,
) -> OperationAnswer:
    """RetrieveContactHistory."""
    resource = operations.CONTACT_INTERACTIONS
    return await _accept(request, ctx, ops, user, resource, data, contact_id)


@post(
    "/ucs/interactions/{interaction_id:str}",
    status_code=200,
    responses=_ERRORS,
    operation_class=operation_body(operations.INTERACTION),
)
async def interaction_operation(
    request: AnyRequest,
    ctx: Ctx,
    ops: Ops,
    user: CurrentUser,
    interaction_id: FromPath[str],
    data: Body,
) -> OperationAnswer:
    """GetInteractionContent, SetCallContact, SetCallNote, SetCallCompleted."""
    resource = operations.INTERACTION
    return await _accept(request, ctx, ops, user, resource, data, interaction_id)


@post(
    "/contacts/ucs",
    status_code=200,
    responses=_ERRORS,
    operation_class=operation_body(operations.UCS_CONTACTS),
)
async def ucs_contacts_operation(
    request: AnyRequest, ctx: Ctx, ops: Ops, user: CurrentUser, data: Body
) -> OperationAnswer:
    """IdentifyUCSContact."""
    return await _accept(request, ctx, ops, user, operations.UCS_CONTACTS, data)


ROUTES = [
    interactions_operation,
    contact_operation,
    interaction_operation,
    ucs_contacts_operation,
]

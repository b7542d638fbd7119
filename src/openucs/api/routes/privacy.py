"""Extension routes of docs/privacy.md, under `/openucs/v1`: legal holds (admins place and
remove them, supervisors and admins read them) and the erasure of a contact (admin)."""

from __future__ import annotations

from typing import Annotated

from litestar import delete, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from openucs.api.answers import ErasureAnswer, HoldAnswer, HoldsAnswer, StatusAnswer
from openucs.api.auth import admin_only
from openucs.api.context import Ctx, CurrentUser
from openucs.api.openapi import errors
from openucs.errors import InvalidInput
from openucs.gws.privacy import NewHoldWire, erasure_to_wire, hold_to_wire
from openucs.services import privacy


@post(
    "/holds",
    guards=[admin_only],
    status_code=201,
    responses=errors(400, 401, 403, 404, 413),
    sync_to_thread=True,
)
def place_hold(ctx: Ctx, user: CurrentUser, data: JSONBody[NewHoldWire]) -> HoldAnswer:
    """Place a legal hold on a contact (and all its interactions) or on one interaction:
    neither the retention nor an erasure removes what it covers."""
    hold = privacy.place_hold(
        store=ctx.store,
        user=user,
        placed_by=user,
        reason=data.reason,
        contact_id=data.contactId,
        interaction_id=data.interactionId,
    )
    return HoldAnswer(statusCode=0, hold=hold_to_wire(hold, ctx.zone))


@get("/holds", responses=errors(401, 403), sync_to_thread=True)
def list_holds(ctx: Ctx, user: CurrentUser) -> HoldsAnswer:
    """Every legal hold, oldest first, with who placed it, when and why (supervisors, admins)."""
    found = privacy.list_holds(store=ctx.store, user=user)
    return HoldsAnswer(statusCode=0, holds=[hold_to_wire(h, ctx.zone) for h in found])


@delete(
    "/holds/{hold_id:str}",
    guards=[admin_only],
    status_code=200,
    responses=errors(400, 401, 403, 404),
    sync_to_thread=True,
)
def remove_hold(ctx: Ctx, user: CurrentUser, hold_id: FromPath[str]) -> StatusAnswer:
    privacy.remove_hold(store=ctx.store, user=user, hold_id=hold_id)
    return StatusAnswer(statusCode=0)


@delete(
    "/contacts/{contact_id:str}",
    guards=[admin_only],
    status_code=200,
    responses=errors(400, 401, 403, 404, 409),
    sync_to_thread=True,
)
def erase_contact(
    ctx: Ctx,
    user: CurrentUser,
    contact_id: FromPath[str],
    erase: Annotated[
        str | None, QueryParameter(description="must be `true`: the deletion is an erasure")
    ] = None,
) -> ErasureAnswer:
    """Erase a contact: it, its interactions in both tiers with their content, attributes,
    search entries and the read audit records naming them; answers what was removed. 409
    while a legal hold covers the contact or one of its interactions."""
    if erase != "true":
        raise InvalidInput("erase", "a contact is only deleted by erasure: give erase=true")
    report = privacy.erase_contact(store=ctx.store, user=user, contact_id=contact_id)
    return ErasureAnswer(statusCode=0, erased=erasure_to_wire(report))

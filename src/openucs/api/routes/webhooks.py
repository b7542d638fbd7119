"""Webhook endpoints under `/openucs/v1/webhooks` (admins only; docs/webhooks.md): create,
list, read, change, delete, and an endpoint's deliveries (with their attempts) and their
redelivery. The secret is in the create answer only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import msgspec
from litestar import delete, get, patch, post
from litestar.params import FromPath, JSONBody, QueryParameter

from openucs.api.answers import StatusAnswer
from openucs.api.auth import admin_only
from openucs.api.context import Ctx, CurrentUser
from openucs.api.openapi import errors
from openucs.config import Settings
from openucs.domain.changes import ChangeRecord
from openucs.domain.webhooks import NewWebhook, Webhook, WebhookChanges
from openucs.errors import InvalidInput
from openucs.gws.changes import encode_change
from openucs.gws.webhooks import (
    DeliveryWire,
    WebhookWire,
    delivery_to_wire,
    history_to_wire,
    webhook_to_wire,
)
from openucs.services import webhooks
from openucs.services.changes import parse_types
from openucs.services.webhooks import TargetPolicy


class NewWebhookWire(msgspec.Struct, forbid_unknown_fields=True):
    """`POST /openucs/v1/webhooks`: `secret` is made when absent; `types` default all;
    `after` a seq to start after (default: the log's last)."""

    url: str
    secret: str | None = None
    types: list[str] | None = None
    q: str | None = None
    enabled: bool = True
    after: int | None = None


class WebhookPatchWire(msgspec.Struct, forbid_unknown_fields=True):
    """`PATCH /openucs/v1/webhooks/{id}`: what is given changes; `q: ""` removes the filter."""

    url: str | None = None
    secret: str | None = None
    types: list[str] | None = None
    q: str | None = None
    enabled: bool | None = None


class WebhookAnswer(msgspec.Struct):
    statusCode: int
    webhook: WebhookWire


class WebhooksAnswer(msgspec.Struct):
    statusCode: int
    webhooks: list[WebhookWire]


class DeliveryAnswer(msgspec.Struct):
    statusCode: int
    delivery: DeliveryWire


class DeliveriesAnswer(msgspec.Struct):
    statusCode: int
    deliveries: list[DeliveryWire]


def encoder(settings: Settings) -> Callable[[ChangeRecord], bytes]:
    """The body of a delivery: the change record as `GET /openucs/v1/changes` gives it."""
    base_url, zone = settings.api_base_url, settings.zone

    def encode(record: ChangeRecord) -> bytes:
        return encode_change(record, base_url=base_url, zone=zone)

    return encode


def _policy(settings: Settings) -> TargetPolicy:
    return TargetPolicy(allow_private=settings.webhook_allow_private_targets)


def _webhook_wire(ctx: Ctx, hook: Webhook, *, secret: bool = False) -> WebhookWire:
    return webhook_to_wire(hook, ctx.zone, secret=secret)


@post(
    "/webhooks",
    guards=[admin_only],
    status_code=201,
    responses=errors(400, 401, 403, 413),
    sync_to_thread=True,
)
def create_webhook(ctx: Ctx, user: CurrentUser, data: JSONBody[NewWebhookWire]) -> WebhookAnswer:
    """A new endpoint; the answer holds its `secret`, which no other answer shows."""
    wanted = NewWebhook(
        url=data.url,
        secret=data.secret,
        types=parse_types(",".join(data.types or [])),
        q=data.q,
        enabled=data.enabled,
        after=data.after,
    )
    hook = webhooks.create_webhook(
        store=ctx.store, user=user, data=wanted, policy=_policy(ctx.settings), zone=ctx.zone
    )
    return WebhookAnswer(statusCode=0, webhook=_webhook_wire(ctx, hook, secret=True))


@get("/webhooks", guards=[admin_only], responses=errors(401, 403), sync_to_thread=True)
def list_webhooks(ctx: Ctx, user: CurrentUser) -> WebhooksAnswer:
    found = webhooks.list_webhooks(store=ctx.store, user=user)
    return WebhooksAnswer(statusCode=0, webhooks=[_webhook_wire(ctx, h) for h in found])


@get(
    "/webhooks/{webhook_id:str}",
    guards=[admin_only],
    responses=errors(400, 401, 403, 404),
    sync_to_thread=True,
)
def get_webhook(ctx: Ctx, user: CurrentUser, webhook_id: FromPath[str]) -> WebhookAnswer:
    hook = webhooks.get_webhook(store=ctx.store, user=user, webhook_id=webhook_id)
    return WebhookAnswer(statusCode=0, webhook=_webhook_wire(ctx, hook))


@patch(
    "/webhooks/{webhook_id:str}",
    guards=[admin_only],
    responses=errors(400, 401, 403, 404, 413),
    sync_to_thread=True,
)
def update_webhook(
    ctx: Ctx, user: CurrentUser, webhook_id: FromPath[str], data: JSONBody[WebhookPatchWire]
) -> WebhookAnswer:
    """Change url, secret, types, q (`""` removes the filter) or enabled."""
    changes = WebhookChanges(
        url=data.url,
        secret=data.secret,
        types=None if data.types is None else parse_types(",".join(data.types)),
        q=data.q,
        enabled=data.enabled,
    )
    hook = webhooks.update_webhook(
        store=ctx.store,
        user=user,
        webhook_id=webhook_id,
        changes=changes,
        policy=_policy(ctx.settings),
        zone=ctx.zone,
    )
    return WebhookAnswer(statusCode=0, webhook=_webhook_wire(ctx, hook))


@delete(
    "/webhooks/{webhook_id:str}",
    guards=[admin_only],
    status_code=200,
    responses=errors(400, 401, 403, 404),
    sync_to_thread=True,
)
def delete_webhook(ctx: Ctx, user: CurrentUser, webhook_id: FromPath[str]) -> StatusAnswer:
    webhooks.delete_webhook(store=ctx.store, user=user, webhook_id=webhook_id)
    return StatusAnswer(statusCode=0)


@get(
    "/webhooks/{webhook_id:str}/deliveries",
    guards=[admin_only],
    responses=errors(400, 401, 403, 404),
    sync_to_thread=True,
)
def list_deliveries(
    ctx: Ctx,
    user: CurrentUser,
    webhook_id: FromPath[str],
    limit: Annotated[str | None, QueryParameter(description="1-1000, default 100")] = None,
) -> DeliveriesAnswer:
    """The endpoint's deliveries, newest first: status, last answer, and each attempt."""
    found = webhooks.list_delivery_histories(
        store=ctx.store, user=user, webhook_id=webhook_id, limit=_limit(limit)
    )
    return DeliveriesAnswer(statusCode=0, deliveries=[history_to_wire(d, ctx.zone) for d in found])


@get(
    "/webhooks/{webhook_id:str}/deliveries/{delivery_id:str}",
    guards=[admin_only],
    responses=errors(400, 401, 403, 404),
    sync_to_thread=True,
)
def get_delivery(
    ctx: Ctx, user: CurrentUser, webhook_id: FromPath[str], delivery_id: FromPath[str]
) -> DeliveryAnswer:
    """One delivery of the endpoint, with each attempt."""
    found = webhooks.get_delivery(
        store=ctx.store, user=user, webhook_id=webhook_id, delivery_id=delivery_id
    )
    return DeliveryAnswer(statusCode=0, delivery=history_to_wire(found, ctx.zone))


@post(
    "/webhooks/{webhook_id:str}/deliveries/{delivery_id:str}/redeliver",
    guards=[admin_only],
    status_code=202,
    responses=errors(400, 401, 403, 404),
    sync_to_thread=True,
)
def redeliver(
    ctx: Ctx, user: CurrentUser, webhook_id: FromPath[str], delivery_id: FromPath[str]
) -> DeliveryAnswer:
    """Send a delivery's record again, as a new delivery, due now."""
    again = webhooks.redeliver(
        store=ctx.store, user=user, webhook_id=webhook_id, delivery_id=delivery_id
    )
    return DeliveryAnswer(statusCode=0, delivery=delivery_to_wire(again, ctx.zone))


def _limit(raw: str | None) -> int:
    value = (raw or "100").strip()
    if not (value.isascii() and value.isdigit() and len(value) <= 6):
        raise InvalidInput("limit", f"{raw!r} is not a number between 1 and 1000")
    return int(value)


ROUTES = [
    create_webhook,
    list_webhooks,
    get_webhook,
    update_webhook,
    delete_webhook,
    list_deliveries,
    get_delivery,
    redeliver,
]

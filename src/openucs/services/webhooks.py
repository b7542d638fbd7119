"""Managing webhook endpoints (docs/webhooks.md): admins only, or the operator at the command
line (`user` None: `openucs webhooks`). The sending is `services.webhook_delivery`.

A target URL is checked when it is set (here) and again before every delivery (there, against
DNS rebinding): http or https, no credentials, and, unless `webhook_allow_private_targets`,
every address its host resolves to must be a public one.
"""

from __future__ import annotations

import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, tzinfo

from openucs.domain.models import User
from openucs.domain.search import parse_query
from openucs.domain.webhooks import (
    Delivery,
    DeliveryHistory,
    DeliveryStatus,
    NewWebhook,
    Target,
    Webhook,
    WebhookChanges,
    check_secret,
    is_public_address,
    new_secret,
    parse_target,
)
from openucs.errors import InvalidInput, NotFound
from openucs.services.access import require_admin
from openucs.store.base import Store

MAX_DELIVERIES_PAGE = 1000
Resolver = Callable[[str, int], list[str]]


def resolve_host(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (empty when it does not resolve)."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    return list(dict.fromkeys(str(info[4][0]) for info in found))


@dataclass(frozen=True, slots=True)
class TargetPolicy:
    """Where webhooks may point: `allow_private` lifts the public-address rule."""

    allow_private: bool = False
    resolve: Resolver = resolve_host

    def addresses(self, target: Target) -> list[str]:
        """The addresses to connect to, or InvalidInput("url") saying why there are none."""
        literal = target.literal
        found = [str(literal)] if literal is not None else self.resolve(target.host, target.port)
        if not found:
            raise InvalidInput("url", f"the host {target.host!r} does not resolve")
        if not self.allow_private:
            refused = [a for a in found if not is_public_address(a)]
            if refused:
                raise InvalidInput(
                    "url",
                    f"{target.host} is (or resolves to) the non-public address {refused[0]}; "
                    "set webhook_allow_private_targets to allow it",
                )
        return found

    def check(self, url: str) -> str:
        self.addresses(parse_target(url))
        return url


def _require_admin(user: User | None) -> None:
    if user is not None:
        require_admin(user)


def _new_id() -> str:
    return secrets.token_hex(8)


def _now() -> datetime:
    return datetime.now(UTC)


def _check_q(q: str | None, zone: tzinfo) -> str | None:
    if q is None or not q.strip():
        return None
    try:
        parse_query(q, zone=zone)
    except InvalidInput as error:
        raise InvalidInput("q", error.problem) from None
    return q


def create_webhook(
    *, store: Store, user: User | None, data: NewWebhook, policy: TargetPolicy, zone: tzinfo
) -> Webhook:
    """A new endpoint, starting after the log's last seq (or `data.after`)."""
    _require_admin(user)
    url = policy.check(data.url)
    secret = new_secret() if data.secret is None else check_secret(data.secret)
    q = _check_q(data.q, zone)
    _, last = store.change_bounds()
    if data.after is not None and not 0 <= data.after <= last:
        raise InvalidInput("after", f"must be a seq between 0 and the last one ({last})")
    now = _now()
    webhook = Webhook(
        id=_new_id(),
        url=url,
        secret=secret,
        types=data.types,
        q=q,
        enabled=data.enabled,
        cursor=last if data.after is None else data.after,
        created_at=now,
        updated_at=now,
    )
    return store.create_webhook(webhook)


def list_webhooks(*, store: Store, user: User | None) -> list[Webhook]:
    _require_admin(user)
    return store.webhooks()


def get_webhook(*, store: Store, user: User | None, webhook_id: str) -> Webhook:
    _require_admin(user)
    found = store.get_webhook(webhook_id)
    if found is None:
        raise NotFound("webhook", webhook_id)
    return found


def update_webhook(
    *,
    store: Store,
    user: User | None,
    webhook_id: str,
    changes: WebhookChanges,
    policy: TargetPolicy,
    zone: tzinfo,
) -> Webhook:
    """Change an endpoint's url, secret, types, filter (`q=""` removes it) or enabled flag."""
    current = get_webhook(store=store, user=user, webhook_id=webhook_id)
    updated = replace(
        current,
        url=current.url if changes.url is None else policy.check(changes.url),
        secret=current.secret if changes.secret is None else check_secret(changes.secret),
        types=current.types if changes.types is None else changes.types,
        q=current.q if changes.q is None else _check_q(changes.q, zone),
        enabled=current.enabled if changes.enabled is None else changes.enabled,
        updated_at=_now(),
    )
    if not store.update_webhook(updated):
        raise NotFound("webhook", webhook_id)
    return updated


def delete_webhook(*, store: Store, user: User | None, webhook_id: str) -> None:
    _require_admin(user)
    if not store.delete_webhook(webhook_id):
        raise NotFound("webhook", webhook_id)


def list_deliveries(
    *, store: Store, user: User | None, webhook_id: str, limit: int
) -> list[Delivery]:
    """The endpoint's deliveries, newest first."""
    _check_limit(limit)
    get_webhook(store=store, user=user, webhook_id=webhook_id)
    return store.deliveries(webhook_id, limit=limit)


def list_delivery_histories(
    *, store: Store, user: User | None, webhook_id: str, limit: int
) -> list[DeliveryHistory]:
    """The endpoint's deliveries, newest first, each with its attempts (oldest first)."""
    _check_limit(limit)
    get_webhook(store=store, user=user, webhook_id=webhook_id)
    return store.delivery_histories(webhook_id, limit=limit)


def get_delivery(
    *, store: Store, user: User | None, webhook_id: str, delivery_id: str
) -> DeliveryHistory:
    """One delivery of the endpoint with its attempts (oldest first)."""
    get_webhook(store=store, user=user, webhook_id=webhook_id)
    found = store.delivery_history(webhook_id, delivery_id)
    if found is None:
        raise NotFound("delivery", delivery_id)
    return found


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_DELIVERIES_PAGE:
        raise InvalidInput("limit", f"must be between 1 and {MAX_DELIVERIES_PAGE}")


def redeliver(*, store: Store, user: User | None, webhook_id: str, delivery_id: str) -> Delivery:
    """Send a delivery's change record again, now, as a new delivery (its own id, attempts
    and retry horizon); the endpoint's other deliveries keep their order."""
    get_webhook(store=store, user=user, webhook_id=webhook_id)
    found = store.get_delivery(webhook_id, delivery_id)
    if found is None:
        raise NotFound("delivery", delivery_id)
    now = _now()
    again = Delivery(
        id=_new_id(),
        webhook_id=webhook_id,
        seq=found.seq,
        type=found.type,
        status=DeliveryStatus.PENDING,
        attempts=0,
        created_at=now,
        next_attempt_at=now,
        last_attempt_at=None,
        last_status_code=None,
        last_error=None,
    )
    if not store.add_delivery(again):
        raise NotFound("webhook", webhook_id)
    return again

"""`openucs webhooks list|create|delete|deliveries|redeliver` (docs/webhooks.md): what the
`/openucs/v1/webhooks` routes do, by the operator at the command line (no login, as `openucs
holds`). A URL is checked as the route checks it (`webhook_allow_private_targets`)."""

from __future__ import annotations

import click
import msgspec

from openucs.cli._common import database_option, opened, settings_for
from openucs.config import Settings
from openucs.domain.webhooks import NewWebhook
from openucs.gws.webhooks import (
    AttemptWire,
    DeliveryWire,
    WebhookWire,
    delivery_to_wire,
    history_to_wire,
    webhook_to_wire,
)
from openucs.services import webhooks as service
from openucs.services.changes import parse_types
from openucs.services.webhooks import MAX_DELIVERIES_PAGE, TargetPolicy

_JSON = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")


@click.group()
def webhooks() -> None:
    """Webhook endpoints: the change records POSTed, signed, to a URL."""


@webhooks.command("list")
@database_option
@_JSON
def list_(database: str | None, as_json: bool) -> None:
    """Every endpoint, oldest first (without secrets)."""
    settings = settings_for(database)
    with opened(settings, upgrade=False) as store:
        found = [
            webhook_to_wire(h, settings.zone) for h in service.list_webhooks(store=store, user=None)
        ]
    if as_json:
        click.echo(msgspec.json.encode(found).decode())
        return
    for hook in found:
        click.echo(_webhook_line(hook))


@webhooks.command("create")
@database_option
@_JSON
@click.argument("url")
@click.option("--secret", help="16-128 characters (default: one is made).")
@click.option("--types", metavar="TYPES", help="Change types, comma-separated (default: all).")
@click.option("--q", "q", metavar="QUERY", help="A filter in the search language.")
@click.option("--disabled", is_flag=True, help="Create it disabled (nothing is sent).")
@click.option("--after", type=click.IntRange(min=0), metavar="SEQ",
              help="Start after this seq (default: the log's last).")  # fmt: skip
def create(
    database: str | None,
    as_json: bool,
    url: str,
    secret: str | None,
    types: str | None,
    q: str | None,
    disabled: bool,
    after: int | None,
) -> None:
    """Create an endpoint for URL; prints it with its secret, which is never shown again."""
    settings = settings_for(database)
    wanted = NewWebhook(
        url=url, secret=secret, types=parse_types(types), q=q, enabled=not disabled, after=after
    )
    with opened(settings, upgrade=True) as store:
        made = service.create_webhook(
            store=store, user=None, data=wanted, policy=_policy(settings), zone=settings.zone
        )
    wire = webhook_to_wire(made, settings.zone, secret=True)
    if as_json:
        click.echo(msgspec.json.encode(wire).decode())
        return
    click.echo(_webhook_line(wire))
    click.echo(f"  secret: {wire.secret}")


@webhooks.command("delete")
@database_option
@click.argument("webhook_id")
def delete(database: str | None, webhook_id: str) -> None:
    """Delete the endpoint WEBHOOK_ID with its deliveries."""
    with opened(settings_for(database), upgrade=False) as store:
        service.delete_webhook(store=store, user=None, webhook_id=webhook_id)
    click.echo(f"Deleted webhook {webhook_id}")


@webhooks.command("deliveries")
@database_option
@_JSON
@click.argument("webhook_id")
@click.option("--limit", type=click.IntRange(1, MAX_DELIVERIES_PAGE), default=100,
              show_default=True, help="How many, newest first.")  # fmt: skip
def deliveries(database: str | None, as_json: bool, webhook_id: str, limit: int) -> None:
    """The deliveries of the endpoint WEBHOOK_ID, newest first, with each attempt."""
    settings = settings_for(database)
    with opened(settings, upgrade=False) as store:
        found = service.list_delivery_histories(
            store=store, user=None, webhook_id=webhook_id, limit=limit
        )
    wires = [history_to_wire(h, settings.zone) for h in found]
    if as_json:
        click.echo(msgspec.json.encode(wires).decode())
        return
    for wire in wires:
        click.echo(_delivery_line(wire))
        for attempt in wire.attemptHistory:
            click.echo(f"  {_attempt_line(attempt)}")


@webhooks.command("redeliver")
@database_option
@_JSON
@click.argument("webhook_id")
@click.argument("delivery_id")
def redeliver(database: str | None, as_json: bool, webhook_id: str, delivery_id: str) -> None:
    """Send the record of delivery DELIVERY_ID again, now, as a new delivery; prints it."""
    settings = settings_for(database)
    with opened(settings, upgrade=False) as store:
        again = service.redeliver(
            store=store, user=None, webhook_id=webhook_id, delivery_id=delivery_id
        )
    wire = delivery_to_wire(again, settings.zone)
    if as_json:
        click.echo(msgspec.json.encode(wire).decode())
        return
    click.echo(_delivery_line(wire))


def _policy(settings: Settings) -> TargetPolicy:
    return TargetPolicy(allow_private=settings.webhook_allow_private_targets)


def _webhook_line(hook: WebhookWire) -> str:
    types = ",".join(hook.types) or "all types"
    state = "enabled" if hook.enabled else "disabled"
    q = f"  q={hook.q}" if hook.q else ""
    return f"{hook.id}  {hook.url}  {types}  {state}  cursor {hook.cursor}{q}"


def _delivery_line(wire: DeliveryWire) -> str:
    last = wire.lastStatusCode if wire.lastStatusCode is not None else wire.lastError or "-"
    return (
        f"{wire.id}  seq {wire.seq}  {wire.type}  {wire.status}  "
        f"{wire.attempts} attempts  last: {last}"
    )


def _attempt_line(attempt: AttemptWire) -> str:
    answer = attempt.statusCode if attempt.statusCode is not None else attempt.error
    return f"#{attempt.number} at {attempt.at}: {answer} ({attempt.durationMs} ms)"

"""`openucs holds list|add|remove`, `openucs erase contact ID` and `openucs prune` (docs/
privacy.md). The operator at the command line may do all of it; a hold placed here names the
user given with `--by`."""

from __future__ import annotations

import click
import msgspec

from openucs.cli._common import database_option, opened, settings_for
from openucs.errors import NotFound
from openucs.gws.privacy import erasure_to_wire, hold_to_wire, prune_to_wire
from openucs.services import privacy

_JSON = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")


@click.group()
def holds() -> None:
    """Legal holds: what they cover is neither pruned nor erased."""


@holds.command("list")
@database_option
@_JSON
def list_(database: str | None, as_json: bool) -> None:
    """Every hold, oldest first: id, what it covers, who placed it, when and why."""
    settings = settings_for(database)
    with opened(settings, upgrade=False) as store:
        found = [hold_to_wire(h, settings.zone) for h in privacy.list_holds(store=store, user=None)]
    if as_json:
        click.echo(msgspec.json.encode(found).decode())
        return
    for hold in found:
        what = (
            f"contact {hold.contactId}" if hold.contactId else f"interaction {hold.interactionId}"
        )
        click.echo(f"{hold.id}  {what}  by {hold.placedBy} at {hold.placedAt}: {hold.reason}")


@holds.command("add")
@database_option
@click.option("--contact", "contact_id", metavar="ID", help="Hold a contact and its interactions.")
@click.option("--interaction", "interaction_id", metavar="ID", help="Hold one interaction.")
@click.option("--reason", required=True, help="Why (a case number, a request).")
@click.option("--by", "by", required=True, metavar="USER", help="The user name placing it.")
def add(
    database: str | None,
    contact_id: str | None,
    interaction_id: str | None,
    reason: str,
    by: str,
) -> None:
    """Place a hold on a contact or on an interaction; prints its id."""
    with opened(settings_for(database), upgrade=True) as store:
        placer = store.get_user_by_name(by)
        if placer is None:
            raise NotFound("user", by)
        hold = privacy.place_hold(
            store=store,
            user=None,
            placed_by=placer,
            reason=reason,
            contact_id=contact_id,
            interaction_id=interaction_id,
        )
    click.echo(hold.id)


@holds.command("remove")
@database_option
@click.argument("hold_id")
def remove(database: str | None, hold_id: str) -> None:
    """Remove the hold HOLD_ID."""
    with opened(settings_for(database), upgrade=False) as store:
        privacy.remove_hold(store=store, user=None, hold_id=hold_id)
    click.echo(f"Removed hold {hold_id}")


@click.group()
def erase() -> None:
    """Erasure of personal data."""


@erase.command("contact")
@database_option
@_JSON
@click.argument("contact_id")
def erase_contact(database: str | None, as_json: bool, contact_id: str) -> None:
    """Erase contact CONTACT_ID: the contact, its points and attributes, its interactions in
    both tiers with their content, attributes and search entries, and the read audit records
    naming them; the change log keeps a tombstone. Refused while a legal hold covers it.
    Prints what was removed."""
    with opened(settings_for(database), upgrade=False) as store:
        report = erasure_to_wire(
            privacy.erase_contact(store=store, user=None, contact_id=contact_id)
        )
    if as_json:
        click.echo(msgspec.json.encode(report).decode())
        return
    tiers = ", ".join(f"{n} {tier}" for tier, n in report.interactions.items()) or "none"
    click.echo(f"Erased contact {report.contactId}")
    click.echo(f"  contact points:        {report.contactPoints}")
    click.echo(f"  interactions:          {tiers}")
    click.echo(f"  contents:              {report.contents}")
    click.echo(f"  custom attributes:     {report.attributes}")
    click.echo(f"  search index entries:  {report.indexEntries}")
    click.echo(f"  audit records deleted: {report.auditRecordsDeleted}")
    click.echo(f"  audit records redacted: {report.auditRecordsRedacted}")
    click.echo(f"  saved searches deleted: {report.savedSearches}")
    click.echo(f"  change records noted:  {report.changesNoted} (deletions and a tombstone)")
    click.echo(f"  scrubbed:              {', '.join(report.scrubbed) or '-'}")


@click.command()
@database_option
@_JSON
@click.option("--dry-run", is_flag=True, help="Count what would go; delete nothing.")
def prune(database: str | None, as_json: bool, dry_run: bool) -> None:
    """Apply the retention (`OPENUCS_RETENTION_DAYS`, e.g. chat=730,call=365) once: delete
    the interactions past it in both tiers, except those under a legal hold."""
    settings = settings_for(database)
    if not settings.retention.days:
        raise click.UsageError("no retention is set (OPENUCS_RETENTION_DAYS): nothing to prune")
    with opened(settings, upgrade=False) as store:
        report = prune_to_wire(
            privacy.prune(store=store, policy=settings.retention, dry_run=dry_run)
        )
    if as_json:
        click.echo(msgspec.json.encode(report).decode())
        return
    verb = "Would remove" if dry_run else "Removed"
    click.echo(f"{verb} {report.total} interactions; {report.held} past retention are held")
    for media, tiers in report.removed.items():
        click.echo(f"  {media}: " + ", ".join(f"{n} {tier}" for tier, n in tiers.items()))

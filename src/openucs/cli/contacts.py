"""`openucs contacts merge|unmerge`: UCS MergeContacts / UnMergeContacts from the command line."""

from __future__ import annotations

import click

from openucs.cli._common import database_option, opened, settings_for
from openucs.services import contacts as contact_service


@click.group()
def contacts() -> None:
    """UCS contacts."""


@contacts.command("merge")
@database_option
@click.argument("from_id", metavar="B")
@click.option("--into", "into_id", required=True, metavar="A", help="The contact B joins.")
def merge(database: str | None, from_id: str, into_id: str) -> None:
    """Merge contact B into contact A: B's interactions, emails, phones and attributes join A
    (A's value wins a collision) and B answers as merged into A until it is unmerged."""
    with opened(settings_for(database), upgrade=False) as store:
        done = contact_service.merge_contacts(
            store=store, by=None, from_id=from_id, into_id=into_id
        )
    moved = len(done.interaction_ids)
    click.echo(f"Merged {done.from_id} into {done.into_id} ({moved} interaction(s) moved)")


@contacts.command("unmerge")
@database_option
@click.argument("contact_id", metavar="B")
def unmerge(database: str | None, contact_id: str) -> None:
    """Unmerge contact B: it gets back exactly what was its own."""
    with opened(settings_for(database), upgrade=False) as store:
        done = contact_service.unmerge_contact(store=store, by=None, contact_id=contact_id)
    back = len(done.interaction_ids)
    click.echo(f"Unmerged {done.from_id} from {done.into_id} ({back} interaction(s) back)")

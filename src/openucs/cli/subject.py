"""`openucs subject-export CONTACT_ID`: everything held about one contact as one JSON
document (docs/privacy-redaction.md), to stdout or a file; audited."""

from __future__ import annotations

import click

from openucs.cli._common import database_option, opened, settings_for
from openucs.cli.data import output_file
from openucs.gws.subject import subject_document
from openucs.services.subject_export import export_subject_by_command


@click.command("subject-export")
@database_option
@click.argument("contact_id")
@click.option("-o", "--output", metavar="FILE", default="-", help="Default: stdout.")
def subject_export(database: str | None, contact_id: str, output: str) -> None:
    """Write everything held about the contact CONTACT_ID (the contact, its interactions in
    both tiers with transcripts, emails, attributes and user data) as one JSON document, for
    a subject access request. The export is recorded in the read audit."""
    settings = settings_for(database)
    with opened(settings, upgrade=False) as store:
        export = export_subject_by_command(store=store, contact_id=contact_id)
        chunks = subject_document(
            export.contact, export.tiers(), base_url=settings.api_base_url, zone=settings.zone
        )
        with output_file(output) as out:
            for chunk in chunks:
                out.write(chunk)
    click.echo(f"Exported contact {contact_id}", err=True)

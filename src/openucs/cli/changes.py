"""`openucs changes`: the change log as NDJSON on stdout, oldest first (docs/changes.md);
each page printed is recorded in the read audit, as the pull route's pages are."""

from __future__ import annotations

import sys

import click

from openucs.cli._common import database_option, opened, settings_for
from openucs.domain.access import EVERYTHING
from openucs.gws.changes import encode_change
from openucs.services.changes import (
    MAX_CHANGES_PAGE,
    parse_types,
    read_changes,
    record_command_reads,
)


@click.command()
@database_option
@click.option("--after", type=click.IntRange(min=0), default=0, show_default=True,
              help="The seq after which to print (the last seq already read).")  # fmt: skip
@click.option("--types", metavar="TYPES", help="Change types, comma-separated (default: all).")
def changes(database: str | None, after: int, types: str | None) -> None:
    """Every change record after a seq, one JSON object a line, as `GET /openucs/v1/changes`
    gives them; the last line's `seq` is the `--after` of the next run. The read is recorded
    in the read audit (`changes.read`, by `cli:<your user name>`)."""
    settings = settings_for(database)
    chosen = parse_types(types)
    with opened(settings, upgrade=False) as store:
        out = sys.stdout.buffer
        while True:
            page = read_changes(
                store=store, scope=EVERYTHING, after=after, limit=MAX_CHANGES_PAGE, types=chosen
            )
            record_command_reads(store, page.changes)  # before anything is shown
            for record in page.changes:
                line = encode_change(record, base_url=settings.api_base_url, zone=settings.zone)
                out.write(line + b"\n")
            after = page.next
            if page.end_of_stream:
                break
        out.flush()

"""`openucs audit`: the read audit as NDJSON on stdout, newest first."""

from __future__ import annotations

import sys
from dataclasses import replace

import click
import msgspec

from openucs.cli._common import database_option, opened, settings_for
from openucs.gws.audit import audit_query, read_record_to_wire
from openucs.services.users import user_id_of

PAGE = 1000


@click.command()
@database_option
@click.option("--user", "user_ref", metavar="NAME", help="One user's reads (name or id).")
@click.option("--since", metavar="DATE", help="At or after (yyyy-MM-dd or ISO date-time).")
@click.option("--until", metavar="DATE", help="Before the end of (yyyy-MM-dd or date-time).")
def audit(database: str | None, user_ref: str | None, since: str | None, until: str | None) -> None:
    """Who read which interactions or contacts, when, through what and from where: one JSON
    object a line, newest first. Records older than `audit_retention_days` are gone."""
    settings = settings_for(database)
    zone = settings.zone
    with opened(settings, upgrade=False) as store:
        query = audit_query(
            user_id=user_id_of(store, user_ref) if user_ref else None,
            since=since,
            until=until,
            zone=zone,
            limit=PAGE,
        )
        out = sys.stdout.buffer
        while True:
            page = store.reads(query)
            for record in page.items:
                out.write(msgspec.json.encode(read_record_to_wire(record, zone)) + b"\n")
            if page.next_cursor is None:
                break
            query = replace(query, after=page.next_cursor)
        out.flush()

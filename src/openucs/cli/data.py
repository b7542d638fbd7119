"""`openucs seed`, `openucs import` and `openucs export`: history in and out, in bulk."""

from __future__ import annotations

import itertools
import os
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import click

from openucs.cli._common import (
    CliError,
    ProgressLine,
    database_option,
    opened,
    settings_for,
)
from openucs.config import Settings
from openucs.demo import DemoBatches, DemoData, DemoPlan
from openucs.domain.enums import Source
from openucs.domain.query import HistoryQuery
from openucs.domain.search import parse_query
from openucs.gws.ndjson import (
    ContactEntryEncoder,
    ContactLineEncoder,
    InteractionLineEncoder,
    InteractionLines,
    decode_contact_entry,
    decode_contact_line,
    is_contact_entry,
)
from openucs.gws.params import HistoryParams, build_history_query
from openucs.importers import FORMATS, ImportOptions, parser_of
from openucs.services import bulk, importers, pipeline
from openucs.services.audit import record_command
from openucs.services.users import user_id_of
from openucs.store.base import Store

_SOURCES = click.Choice([s.value for s in Source], case_sensitive=False)
_BATCH = click.IntRange(1, bulk.MAX_BATCH)
_FORMATS = click.Choice(["ndjson", *FORMATS], case_sensitive=False)


def seed_store(
    store: Store,
    plan: DemoPlan,
    *,
    batch_size: int = bulk.DEFAULT_BATCH,
    database_url: str | None = None,
) -> str:
    """Load the demo data of `plan`: contacts first, then interactions in batches, generated
    in a second process when `database_url` is given and the plan is large. Returns a
    one-line summary with the end-to-end rate and the store's own rate."""
    data = DemoData(plan)
    with ProgressLine("Contacts", plan.contact_count) as progress:
        contacts = bulk.save_contact_batches(
            store=store, batches=bulk.batched(data.contacts(), batch_size), progress=progress
        )
    with ProgressLine("Interactions", plan.interactions) as progress:
        if database_url and plan.interactions >= pipeline.WORTH_A_PROCESS:
            stats = pipeline.ingest_in_two_processes(
                store=store,
                database_url=database_url,
                source=DemoBatches(plan, batch_size),
                progress=progress,
            )
        else:
            stats = bulk.ingest_batches(
                store=store,
                batches=bulk.batched(data.interactions(), batch_size),
                progress=progress,
            )
    _refresh_statistics(store, stats.records)
    return (
        f"Seeded {contacts.records:,} contacts and {stats.records:,} interactions "
        f"in {contacts.seconds + stats.seconds:.1f} s: {stats.rate:,.0f} interactions/s "
        f"end to end, {stats.store_rate:,.0f}/s written"
    )


@click.command()
@database_option
@click.option("--interactions", "-n", type=click.IntRange(0), default=10_000, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same data.")
@click.option(
    "--now",
    type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
    default=None,
    help="Anchor day (UTC): data covers the 13 months before it. Default: today.",
)
@click.option("--contacts", type=click.IntRange(0), default=0, help="Default: a tenth of -n.")
@click.option("--agents", type=click.IntRange(0), default=0, help="Default: 50-200.")
@click.option("--batch-size", type=_BATCH, default=bulk.DEFAULT_BATCH, show_default=True)
def seed(
    database: str | None,
    interactions: int,
    seed: int,
    now: datetime | None,
    contacts: int,
    agents: int,
    batch_size: int,
) -> None:
    """Fill the database with realistic, deterministic demo history."""
    plan = DemoPlan(
        interactions=interactions,
        seed=seed,
        now=now.replace(tzinfo=UTC) if now else None,
        contacts=contacts,
        agents=agents,
    )
    settings = settings_for(database)
    with opened(settings, upgrade=True) as store:
        summary = seed_store(store, plan, batch_size=batch_size, database_url=settings.database_url)
    click.echo(summary)


@click.command("import")
@database_option
@click.argument("file", type=click.File("rb"))
@click.option("--contacts", is_flag=True, help="FILE holds contacts, not interactions.")
@click.option("--source", type=_SOURCES, default="main", show_default=True)
@click.option("--batch-size", type=_BATCH, default=bulk.DEFAULT_BATCH, show_default=True)
@click.option(
    "--format",
    "format_",
    type=_FORMATS,
    default="ndjson",
    show_default=True,
    help="connect-ctr, genesys-cloud or csv: another platform's history (docs/importers.md).",
)
def import_(
    database: str | None,
    file: BinaryIO,
    contacts: bool,
    source: str,
    batch_size: int,
    format_: str,
) -> None:
    """Load history from NDJSON, or from another platform's files with --format.

    FILE (`-` for stdin) is what `openucs export` writes: the contacts first, one
    `{"contact": {...}}` a line, then one interaction a line in the API's wire shape. Either
    part may be missing; interactions alone must name only contacts that exist. With
    --contacts, FILE holds one bare contact a line (`export --contacts`). Each batch is one
    transaction; a bad line stops the import with its line number, and nothing of its batch is
    written. A file of 64 MB or more is decoded and checked in a second process while this one
    writes."""
    settings = settings_for(database)
    if settings.archive_database_url and Source.parse("source", source) is Source.ARCHIVE:
        raise CliError("--source archive: the archive database is written by `openucs archive`")
    if format_.lower() != "ndjson":
        if contacts:
            raise CliError("--contacts reads NDJSON contacts; --format reads interactions")
        _import_format(settings, file, format_, Source.parse("source", source), batch_size)
        return
    decode = InteractionLines(settings.zone, Source.parse("source", source))
    with opened(settings, upgrade=True) as store:
        if contacts:
            with ProgressLine("Importing contacts") as progress:
                stats = bulk.import_contacts(
                    store=store,
                    lines=file,
                    decode=decode_contact_line,
                    batch_size=batch_size,
                    progress=progress,
                )
            _imported(stats, "contacts")
            return
        with ProgressLine("Importing contacts") as progress:
            head = bulk.import_leading_contacts(
                store=store,
                file=file,
                is_contact=is_contact_entry,
                decode=decode_contact_entry,
                batch_size=batch_size,
                progress=progress,
            )
        if head.stats.records:
            _imported(head.stats, "contacts")
        with ProgressLine("Importing interactions") as progress:
            stats = _import_interactions(store, settings, file, head, decode, batch_size, progress)
        _refresh_statistics(store, stats.records)
    _imported(stats, "interactions")


def _import_format(
    settings: Settings, file: BinaryIO, format_: str, source: Source, batch_size: int
) -> None:
    """FILE in another platform's format: its records, a batch per transaction; a bad
    record stops the import, named by its line (or JSON path)."""
    records = parser_of(format_)(file.read(), ImportOptions(settings.zone, source))
    with opened(settings, upgrade=True) as store, ProgressLine("Importing interactions") as bar:
        stats = importers.import_records(
            store=store, records=records, batch_size=batch_size, progress=bar
        )
    _imported(stats, "interactions")


def _import_interactions(
    store: Store,
    settings: Settings,
    file: BinaryIO,
    head: bulk.LeadingContacts,
    decode: InteractionLines,
    batch_size: int,
    progress: ProgressLine,
) -> bulk.BulkStats:
    """The interactions of `file` after its contacts (`head`)."""
    if not head.next_line:
        return bulk.BulkStats()
    if _large_file(file):
        return pipeline.ingest_in_two_processes(
            store=store,
            database_url=settings.database_url,
            source=bulk.NdjsonFileBatches(
                file.name, decode, batch_size, head.offset, head.next_number
            ),
            progress=progress,
        )
    return bulk.import_interactions(
        store=store,
        lines=itertools.chain([head.next_line], file),
        decode=decode,
        batch_size=batch_size,
        progress=progress,
        first_line=head.next_number,
    )


# After an import of at least so many interactions the planner statistics are refreshed: the
# engines choose plans by them (SQLite's search plans do: a range of custom attribute values
# walked the whole attribute's index without them).
ANALYZE_AFTER = 10_000


def _refresh_statistics(store: Store, imported: int) -> None:
    if imported >= ANALYZE_AFTER:
        store.analyze()


def _imported(stats: bulk.BulkStats, kind: str) -> None:
    click.echo(
        f"Imported {stats.records:,} {kind} in {stats.seconds:.1f} s ({stats.rate:,.0f}/s)",
        err=True,
    )


def _large_file(file: BinaryIO) -> bool:
    """A regular file big enough to be worth decoding in a second process (stdin is not)."""
    try:
        info = os.fstat(file.fileno())
    except (OSError, ValueError):
        return False
    return stat.S_ISREG(info.st_mode) and info.st_size >= pipeline.WORTH_A_PROCESS_BYTES


@click.command()
@database_option
@click.option("-o", "--output", metavar="FILE", default="-", help="Default: stdout.")
@click.option("--contacts", is_flag=True, help="Export only the contacts, one bare contact a line.")
@click.option(
    "--without-contacts",
    is_flag=True,
    help="Interactions only (e.g. for the HTTP bulk route), no contact lines first.",
)
@click.option("--from", "from_date", metavar="DATE", help="Started on or after (yyyy-MM-dd).")
@click.option("--to", "to_date", metavar="DATE", help="Started on or before (day included).")
@click.option("--media-type", multiple=True, help="Repeatable: call, chat, email ...")
@click.option("--state", multiple=True, help="Repeatable: New, Pending, InProcess, Stopped.")
@click.option("--user-id", "user", metavar="USER", help="Owner: a user name or 32-hex user id.")
@click.option("--contact-id", help="Contact id.")
@click.option("--source", type=_SOURCES, default="main", show_default=True)
@click.option(
    "--query",
    "-q",
    "search",
    metavar="Q",
    help="Only what this search finds (docs/search.md), e.g. 'refund* attr.Country:DE'.",
)
def export(
    database: str | None,
    output: str,
    contacts: bool,
    without_contacts: bool,
    from_date: str | None,
    to_date: str | None,
    media_type: tuple[str, ...],
    state: tuple[str, ...],
    user: str | None,
    contact_id: str | None,
    source: str,
    search: str | None,
) -> None:
    """Write history as NDJSON.

    To stdout or -o FILE: first the contacts, one `{"contact": {...}}` a line (every contact,
    or with filters those the interactions name), then every interaction (all of them unless
    filtered; oldest first, in the full wire form with custom attributes, transcripts and
    emails). `openucs import FILE` loads it into any database, an empty one included. With
    --contacts, only the contacts, bare. --query takes the search language of the API's `q`
    and combines with the other filters."""
    settings = settings_for(database)
    filtered = (
        from_date or to_date or media_type or state or user is not None or contact_id or search
    )
    if contacts and (filtered or source != "main" or without_contacts):
        raise CliError("--contacts exports every contact; the filters apply to interactions")
    q = None if search is None else parse_query(search, zone=settings.zone)
    with opened(settings, upgrade=False) as store, output_file(output) as out:
        params = HistoryParams(
            fromDate=from_date,
            toDate=to_date,
            mediaType=media_type,
            state=state,
            userId=None if user is None else user_id_of(store, user),
            contactId=contact_id,
            source=source,
        )
        if contacts:
            encode_contact = ContactLineEncoder(settings.api_base_url)
            count = bulk.export_contacts(store=store, encode=encode_contact, write=out.write)
            record_command(store, "contacts.export")
            click.echo(f"Exported {count:,} contacts", err=True)
            return
        query = bulk.export_query(
            replace(build_history_query(params, settings=settings, now=datetime.now(UTC)), q=q),
            bounded=bool(from_date or to_date),
        )
        named = 0
        if not without_contacts:
            named = _export_contacts_first(store, settings, query, bool(filtered), out)
        count = bulk.export_interactions(
            store=store,
            query=query,
            encode=InteractionLineEncoder(settings.api_base_url, settings.zone),
            write=out.write,
        )
        record_command(store, "interactions.export", contact_id=query.contact_id)
    click.echo(f"Exported {named:,} contacts and {count:,} interactions", err=True)


def _export_contacts_first(
    store: Store, settings: Settings, query: HistoryQuery, filtered: bool, out: BinaryIO
) -> int:
    """The contact lines at the head of a history export: every contact, or with filters
    those that the exported interactions name."""
    entries = ContactEntryEncoder(settings.api_base_url)
    if filtered:
        return bulk.export_referenced_contacts(
            store=store, query=query, encode=entries, write=out.write
        )
    return bulk.export_contacts(store=store, encode=entries, write=out.write)


@contextmanager
def output_file(path: str) -> Iterator[BinaryIO]:
    """stdout for `-`; else a temporary file renamed over FILE once complete, so a failed
    export never leaves a truncated file behind."""
    if path == "-":
        stdout = sys.stdout.buffer
        yield stdout
        stdout.flush()
        return
    target = Path(path)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        with partial.open("wb") as out:
            yield out
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)

"""`openucs archive`: move whole threads that ended long ago to the archive tier
(docs/archive.md), with progress on a terminal and a summary."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from openucs.cli._common import ProgressLine, database_option, opened, settings_for
from openucs.services.archive import (
    DEFAULT_BATCH_THREADS,
    ArchiveReport,
    archive_threads,
    parse_duration,
)


@click.command()
@database_option
@click.option(
    "--older-than",
    "older_than",
    metavar="AGE",
    required=True,
    help="Threads whose interactions all ended this long ago: 180d, 12h, 30m.",
)
@click.option("--dry-run", is_flag=True, help="Count what would move; move nothing.")
@click.option(
    "--batch-threads",
    type=click.IntRange(min=1, max=100_000),
    default=DEFAULT_BATCH_THREADS,
    show_default=True,
    help="Threads moved per transaction.",
)
@click.option("--archive-database", metavar="URL", default=None,
              help="The archive database (default: $OPENUCS_ARCHIVE_DATABASE_URL; "
              "none: the archive tier of the main database).")  # fmt: skip
def archive(
    database: str | None,
    older_than: str,
    dry_run: bool,
    batch_threads: int,
    archive_database: str | None,
) -> None:
    """Move to the archive tier every thread whose interactions are all Stopped and ended
    before now minus AGE, a batch of threads per transaction. Safe to stop and run again:
    a run resumes where the last one stopped."""
    settings = settings_for(database, archive_database_url=archive_database)
    before = datetime.now(UTC) - parse_duration("--older-than", older_than)
    with opened(settings, upgrade=True) as store, ProgressLine("Threads archived") as line:
        report = archive_threads(
            store=store,
            before=before,
            batch_threads=batch_threads,
            dry_run=dry_run,
            progress=lambda r: line(r.threads),
        )
    click.echo(summary(report, before))


def summary(report: ArchiveReport, before: datetime) -> str:
    cutoff = before.strftime("%Y-%m-%d %H:%M UTC")
    moved = f"{report.threads:,} threads ({report.interactions:,} interactions)"
    if report.dry_run:
        return f"Would archive {moved} ended before {cutoff} (dry run: nothing moved)."
    return f"Archived {moved} ended before {cutoff} in {report.seconds:.1f} s."

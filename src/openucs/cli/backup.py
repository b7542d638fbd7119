"""`openucs backup FILE`: a consistent copy of a live SQLite database.

A plain `cp` of a running server's database misses what is still in its write-ahead log (the
`-wal` file; OpenUCS checkpoints it only every 65,536 pages), and can catch the main file
halfway through a checkpoint. SQLite's online backup API reads the database as one read
transaction does: every committed write, the log's included, and nothing of a transaction
still open. The server goes on reading and writing meanwhile. On PostgreSQL, pg_dump does the
same; the command says so rather than guess at the server's tools.
"""

from __future__ import annotations

import os
import sqlite3
import time
from contextlib import closing
from pathlib import Path

import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from openucs.cli._common import CliError, database_option, settings_for

PG_DUMP_HINT = (
    "on PostgreSQL, back up with pg_dump: pg_dump --format=custom --file FILE DATABASE_URL "
    "(restore with pg_restore; see docs/operations.md)"
)


@click.command()
@database_option
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup(database: str | None, file: Path) -> None:
    """Copy the SQLite database to FILE, consistently, while the server runs.

    FILE must not exist. It is written under a temporary name, checked, and renamed into place,
    so an interrupted backup never leaves a partial FILE. Restore by stopping the server and
    putting FILE in place of the database file (removing its -wal and -shm files)."""
    source = _sqlite_path(settings_for(database).database_url)
    if file.exists():
        raise CliError(f"{file} exists: remove it or choose another name")
    began = time.perf_counter()
    copy_sqlite(source, file)
    megabytes = file.stat().st_size / 1e6
    seconds = time.perf_counter() - began
    click.echo(f"Backed up {source} to {file} ({megabytes:,.1f} MB) in {seconds:.1f} s")


def copy_sqlite(source: Path, target: Path) -> None:
    """Copy with the online backup API in one step (one consistent snapshot), check the copy,
    then rename it to `target`."""
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        with (
            closing(sqlite3.connect(source, timeout=30)) as live,
            closing(sqlite3.connect(partial)) as copy,
        ):
            live.backup(copy)  # pages=-1: every page in one step, one snapshot
            verdict = copy.execute("PRAGMA quick_check").fetchone()[0]
            if verdict != "ok":
                raise CliError(f"the copy failed its check ({verdict}); {target} not written")
            # The copy is a single file: no write-ahead log beside it to lose.
            copy.execute("PRAGMA journal_mode = DELETE")
        partial.replace(target)
    except sqlite3.Error as exc:
        raise CliError(f"backup of {source} failed: {exc}") from None
    finally:
        partial.unlink(missing_ok=True)


def _sqlite_path(database_url: str) -> Path:
    try:
        url = make_url(database_url)
    except ArgumentError:
        raise CliError(f"unsupported database URL {database_url!r}") from None
    if url.get_backend_name() == "postgresql":
        raise CliError(PG_DUMP_HINT)
    name = url.database or ""
    if url.get_backend_name() != "sqlite" or name in ("", ":memory:"):
        raise CliError(f"nothing to back up at {database_url!r}: give a SQLite file or PostgreSQL")
    path = Path(name)
    if not path.exists():
        raise CliError(f"database file {name!r} not found")
    return path

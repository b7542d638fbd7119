"""The `openucs` command: serve (the default), db upgrade|check, users, contacts, seed,
import, export, subject-export, audit, backup, changes, webhooks, archive, holds, erase and
prune.

Every command takes `--database URL` (else `OPENUCS_DATABASE_URL`, else
`sqlite:///./openucs.db`). An OpenUCS error prints one line on stderr and exits with status 2.
The API is imported only inside `serve`, so the other commands never load it.
"""

from __future__ import annotations

import click

from openucs import __version__
from openucs.cli._common import OpenUcsGroup
from openucs.cli.admin import db, users
from openucs.cli.archive import archive
from openucs.cli.audit import audit
from openucs.cli.backup import backup
from openucs.cli.changes import changes
from openucs.cli.contacts import contacts
from openucs.cli.data import export, import_, seed
from openucs.cli.privacy import erase, holds, prune
from openucs.cli.server import serve, serve_options
from openucs.cli.subject import subject_export
from openucs.cli.webhooks import webhooks


@click.group(cls=OpenUcsGroup, invoke_without_command=True)
@click.version_option(__version__, prog_name="openucs")
@serve_options
@click.pass_context
def cli(
    ctx: click.Context,
    database: str | None,
    host: str | None,
    port: int | None,
    workers: int | None,
    demo: bool,
) -> None:
    """OpenUCS: an interaction history server, wire-compatible with the GWS 8.5 Interaction
    History API. Without a command, serves (the options above are those of `serve`)."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(serve, database=database, host=host, port=port, workers=workers, demo=demo)
    elif database or host or port or workers is not None or demo:
        raise click.UsageError(
            "put the options after the command, e.g. `openucs seed --database URL`"
        )


for command in (
    serve,
    db,
    users,
    contacts,
    seed,
    import_,
    export,
    subject_export,
    audit,
    backup,
    changes,
    webhooks,
    archive,
    holds,
    erase,
    prune,
):
    cli.add_command(command)


def main() -> None:
    cli(prog_name="openucs")


__all__ = ["cli", "main"]

"""What every command shares: the `--database` option, settings, opening the store, the error
rule (an OpenUCS error is one line on stderr and exit status 2, never a traceback) and the
progress line."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO, TypeVar

import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from openucs.config import Settings, load_settings
from openucs.errors import NotFound, OpenUcsError
from openucs.store.base import Store
from openucs.store.factory import open_store

F = TypeVar("F", bound=Callable[..., Any])
EXIT_ERROR = 2


class CliError(click.ClickException):
    """An error for the user: printed as `Error: <message>`, exit status 2."""

    exit_code = EXIT_ERROR


class OpenUcsGroup(click.Group):
    """A click group that turns OpenUCS errors raised by any subcommand into `CliError`."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OpenUcsError as exc:
            raise CliError(exc.message) from None
        except BrokenPipeError:  # `openucs export | head`: the reader left; stop quietly
            _silence_stdout()
            ctx.exit(1)
        except OSError as exc:  # a file to read or write: name it, no traceback
            raise CliError(str(exc)) from None


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # not a real file descriptor (tests)
        pass


def database_option(func: F) -> F:
    return click.option(
        "--database",
        metavar="URL",
        default=None,
        help="sqlite:///path.db or postgresql://user:pass@host/db "
        "(default: $OPENUCS_DATABASE_URL or sqlite:///./openucs.db).",
    )(func)


def settings_for(database: str | None, **overrides: Any) -> Settings:
    """Settings from the environment, with command-line values winning."""
    return load_settings(database_url=database, **overrides)


def safe_url(database_url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(database_url).render_as_string(hide_password=True)
    except ArgumentError:
        return database_url


@contextmanager
def opened(settings: Settings, *, upgrade: bool) -> Iterator[Store]:
    """The store of `settings`, migrated first when `upgrade`; a command that only reads
    refuses a SQLite file that does not exist rather than creating an empty one."""
    if not upgrade:
        _require_sqlite_file(settings.database_url)
    store = open_store(
        settings.database_url, settings.archive_database_url, redaction=settings.redaction
    )
    try:
        if upgrade:
            store.upgrade()
        yield store
    finally:
        store.close()


def _require_sqlite_file(database_url: str) -> None:
    try:
        url = make_url(database_url)
    except ArgumentError:
        return  # open_store reports it
    name = url.database or ""
    is_file = url.get_backend_name() == "sqlite" and name not in ("", ":memory:")
    if is_file and not Path(name).exists():
        raise NotFound("database file", name)


class ProgressLine:
    """`Importing: 15,000 of 20,000 (75%), 12,345/s` rewritten in place on stderr while stderr
    is a terminal; silent otherwise (pipes, files, tests)."""

    def __init__(self, label: str, total: int | None = None, stream: TextIO | None = None):
        self.label = label
        self.total = total
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self.began = time.monotonic()
        self.shown = 0.0

    def __call__(self, done: int) -> None:
        now = time.monotonic()
        finished = self.total is not None and done >= self.total
        if not self.enabled or (now - self.shown < 0.2 and not finished):
            return
        self.shown = now
        rate = done / (now - self.began) if now > self.began else 0.0
        of = f" of {self.total:,} ({done * 100 // max(self.total, 1)}%)" if self.total else ""
        self.stream.write(f"\r{self.label}: {done:,}{of}, {rate:,.0f}/s ")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.shown:
            self.stream.write("\n")
            self.stream.flush()

    def __enter__(self) -> ProgressLine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_password(from_stdin: bool) -> str:
    """The password from the first line of stdin, or typed twice at a terminal prompt.
    Never from the command line, where other users could read it."""
    stdin = sys.stdin
    if from_stdin:
        password = stdin.readline().rstrip("\r\n")
        if not password:
            raise CliError("no password on stdin")
        return password
    if not stdin.isatty():
        raise CliError("give --password-stdin and the password on stdin")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))

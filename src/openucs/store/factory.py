"""The one place a concrete store is chosen, from the database URL's scheme."""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from openucs.domain.redaction import NO_REDACTION, Redaction
from openucs.errors import InvalidInput
from openucs.store.base import Store
from openucs.store.postgres import PostgresStore
from openucs.store.sql import SqlStore
from openucs.store.sqlite import SqliteStore


def open_store(
    database_url: str, archive_database_url: str = "", *, redaction: Redaction = NO_REDACTION
) -> Store:
    """`sqlite:///path/to.db` -> SqliteStore; `postgresql://user@host/db` (or `postgres://`,
    `postgresql+psycopg://`) -> PostgresStore. With `archive_database_url` (another
    database), the archive tier is kept there (docs/archive.md): the store opens both, and
    upgrades and closes both. `redaction` is what the services writing through it redact
    (`Store.redaction`). The schema is not touched: call `upgrade()`."""
    store = _open(database_url)
    store.redaction = redaction
    if archive_database_url and archive_database_url != database_url:
        try:
            store.attach_archive(_open(archive_database_url, "archive_database_url"))
        except BaseException:
            store.close()
            raise
    return store


def _open(database_url: str, setting: str = "database_url") -> SqlStore:
    try:
        url = make_url(database_url)
    except ArgumentError:
        raise InvalidInput(setting, f"not a database URL: {database_url!r}") from None
    backend = url.get_backend_name()
    if backend == "sqlite":
        return SqliteStore(url)
    if backend in ("postgresql", "postgres"):
        return PostgresStore(url)
    raise InvalidInput(setting, f"unsupported database {backend!r} (sqlite or postgresql)")

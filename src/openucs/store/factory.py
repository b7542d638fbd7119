"""The one place a concrete store is chosen, from the database URL's scheme."""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from openucs.domain.redaction import NO_REDACTION, Redaction
from openucs.errors import InvalidInput
from openucs.store.base import Store
from openucs.store.postgres import PostgresStore
from openucs.store.sqlite import SqliteStore


def open_store(database_url: str, *, redaction: Redaction = NO_REDACTION) -> Store:
    """`sqlite:///path/to.db` -> SqliteStore; `postgresql://user@host/db` (or `postgres://`,
    `postgresql+psycopg://`) -> PostgresStore. The schema is not touched: call `upgrade()`.
    `redaction` is what the services writing through it redact (`Store.redaction`)."""
    store = _open(database_url)
    store.redaction = redaction
    return store


def _open(database_url: str) -> Store:
    try:
        url = make_url(database_url)
    except ArgumentError:
        raise InvalidInput("database_url", f"not a database URL: {database_url!r}") from None
    backend = url.get_backend_name()
    if backend == "sqlite":
        return SqliteStore(url)
    if backend in ("postgresql", "postgres"):
        return PostgresStore(url)
    raise InvalidInput("database_url", f"unsupported database {backend!r} (sqlite or postgresql)")

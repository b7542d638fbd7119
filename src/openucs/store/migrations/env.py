"""Alembic environment for OpenUCS (prefect `_migrations/env.py` pattern).

Migrations run through `Store.upgrade()` (and so `openucs db upgrade`), which hands over a
connection in `config.attributes["connection"]`; for authoring revisions with the `alembic`
command, `-x url=...` (or `sqlalchemy.url`) names a database instead. Batch mode ("move and copy"
ALTER TABLE) is used on SQLite only; each migration runs in its own transaction.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine
from sqlalchemy.pool import NullPool

from openucs.store.schema import metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        transaction_per_migration=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    if context.is_offline_mode():
        raise RuntimeError("offline (--sql) migrations are not supported")
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or context.config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise RuntimeError("no database: pass -x url=... or use `openucs db upgrade`")
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            _run(conn)
    finally:
        engine.dispose()


main()

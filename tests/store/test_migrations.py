"""Alembic migrations: a fresh database reaches head, upgrading again is a no-op, and the
migrated schema is exactly `openucs.store.schema` (no drift between the two)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from openucs.store import open_store
from openucs.store.schema import metadata
from openucs.store.sql import MIGRATIONS


def _engine(database_url: str) -> Engine:
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return create_engine(url, poolclass=NullPool)


def _head() -> str | None:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


def test_fresh_database_is_at_head_and_matches_the_schema(database_url):
    engine = _engine(database_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn)
            assert context.get_current_revision() == _head()
            assert compare_metadata(context, metadata) == []
            tables = set(inspect(conn).get_table_names())
    finally:
        engine.dispose()
    assert tables == set(metadata.tables) | {"alembic_version"}


def test_upgrading_again_is_a_no_op(database_url):
    store = open_store(database_url)
    try:
        store.upgrade()
        store.upgrade()
    finally:
        store.close()
    engine = _engine(database_url)
    try:
        with engine.connect() as conn:
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).all()
    finally:
        engine.dispose()
    assert [v[0] for v in versions] == [_head()]


def test_processes_upgrading_together_take_turns(empty_database_url):
    """Servers starting at once on a new database: one creates the schema, the others wait
    and then find it at head (no "table already exists")."""
    stores = [open_store(empty_database_url) for _ in range(4)]
    try:
        with ThreadPoolExecutor(max_workers=len(stores)) as pool:
            for future in [pool.submit(s.upgrade) for s in stores]:
                future.result()
        assert stores[0].count_interactions() == 0
    finally:
        for store in stores:
            store.close()
    engine = _engine(empty_database_url)
    try:
        with engine.connect() as conn:
            assert MigrationContext.configure(conn).get_current_revision() == _head()
    finally:
        engine.dispose()


def test_stored_rows_are_brought_to_the_interaction_rules(empty_database_url: str) -> None:
    """0004 clears what breaks `domain.rules` in rows written before it, and only that."""
    from alembic import command
    from alembic.config import Config

    engine = _engine(empty_database_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    insert = text(
        "INSERT INTO interactions"
        " (id, source, media_type, type_id, state, start_ms, end_ms, comment, call_duration)"
        " VALUES ('OPEN', 'main', 'chat', 'Inbound', 'InProcess', 1000, 2000, 'x', NULL),"
        " ('BACK', 'main', 'call', 'Inbound', 'Stopped', 1000, 999, '', 5),"
        " ('CHAT', 'main', 'chat', 'Inbound', 'Stopped', 1000, 1000, '  ', 7),"
        " ('GOOD', 'main', 'call', 'Inbound', 'Stopped', 1000, 3000, 'kept', 9)"
    )
    try:
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "0003")
            conn.execute(insert)
    finally:
        engine.dispose()
    store = open_store(empty_database_url)
    try:
        store.upgrade()
        found = store.get_interactions(["OPEN", "BACK", "CHAT", "GOOD"])
    finally:
        store.close()
    shape = {k: (v.end_date is not None, v.comment, v.call_duration) for k, v in found.items()}
    assert shape == {
        "OPEN": (False, "x", None),
        "BACK": (False, None, 5),
        "CHAT": (True, None, None),
        "GOOD": (True, "kept", 9),
    }

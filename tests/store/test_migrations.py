"""Alembic migrations: a fresh database reaches head, upgrading again is a no-op, and the
migrated schema is exactly `openucs.store.schema` (no drift between the two)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from openucs.domain.access import EVERYTHING
from openucs.domain.query import HistoryQuery, Total
from openucs.domain.search import parse_query
from openucs.store import open_store
from openucs.store._search import ONE_ENGINE_TABLES
from openucs.store.schema import KEY, metadata
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


def test_fresh_database_is_at_head_and_matches_the_schema(database_url: str) -> None:
    engine = _engine(database_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"include_name": _in_shared_schema})
            assert context.get_current_revision() == _head()
            assert compare_metadata(context, metadata) == []
            tables = set(inspect(conn).get_table_names())
            sqlite = conn.dialect.name == "sqlite"
    finally:
        engine.dispose()
    search = {t for t in tables if not _in_shared_schema(t, "table", {})}
    assert tables - search == set(metadata.tables) | {"alembic_version"}
    if sqlite:
        assert {"interaction_fts", "interaction_search_keys"} <= search
        assert all(t.startswith("interaction_fts") for t in search - {"interaction_search_keys"})
    else:
        assert search == {"interaction_search"}


def _in_shared_schema(name: str | None, kind: str, _: object) -> bool:
    """The full-text index's tables are each engine's own (store._search), not in `metadata`."""
    if kind != "table" or name is None:
        return True
    return name not in ONE_ENGINE_TABLES and not name.startswith("interaction_fts_")


def test_upgrading_again_is_a_no_op(database_url: str) -> None:
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


def test_processes_upgrading_together_take_turns(empty_database_url: str) -> None:
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


def _migrate(database_url: str, revision: str, *, down: bool = False) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    engine = _engine(database_url)
    try:
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            (command.downgrade if down else command.upgrade)(config, revision)
    finally:
        engine.dispose()


def test_upgrade_to_0004_fills_the_name_keys_of_stored_contacts(
    empty_database_url: str,
) -> None:
    # more than one batch of the backfill (1,000 rows)
    names: list[tuple[str | None, str | None]] = [(f"First{n}", f"Last{n}") for n in range(2_400)]
    names += [("Jürgen", "Über"), ("Łucja", "Żółw"), (None, None), ("\ufdfa" * 256, "Ab")]
    _migrate(empty_database_url, "0003")
    engine = _engine(empty_database_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO contacts (id, first_name, last_name, created_ms, updated_ms)"
                    " VALUES (:id, :first, :last, 0, 0)"
                ),
                [{"id": f"C{n:05d}", "first": f, "last": la} for n, (f, la) in enumerate(names)],
            )
    finally:
        engine.dispose()

    _migrate(empty_database_url, "head")

    store = open_store(empty_database_url)
    try:
        assert [c.last_name for c in store.find_contacts(scope=EVERYTHING, name="uber")] == ["Über"]
        assert [c.first_name for c in store.find_contacts(scope=EVERYTHING, name="LUCJA")] == [
            "Łucja"
        ]
        found = store.find_contacts(scope=EVERYTHING, name="last2399")
        assert [c.id for c in found] == ["C02399"]
    finally:
        store.close()
    engine = _engine(empty_database_url)
    try:
        with engine.connect() as conn:
            keys = conn.execute(
                text("SELECT id, first_name_key, last_name_key FROM contacts ORDER BY id")
            ).all()
    finally:
        engine.dispose()
    assert len(keys) == len(names)
    assert keys[0] == ("C00000", "first0", "last0")
    assert keys[-4:-1] == [
        ("C02400", "jurgen", "uber"),
        ("C02401", "lucja", "zolw"),
        ("C02402", None, None),
    ]
    assert len(keys[-1][1]) == KEY and keys[-1][2] == "ab"  # cut to the column's length


def test_downgrade_from_0004_drops_the_keys(database_url: str) -> None:
    _migrate(database_url, "0003", down=True)
    engine = _engine(database_url)
    try:
        with engine.connect() as conn:
            columns = {c["name"] for c in inspect(conn).get_columns("contacts")}
            indexes = {i["name"] for i in inspect(conn).get_indexes("contacts")}
    finally:
        engine.dispose()
    assert not {"first_name_key", "last_name_key"} & columns
    assert indexes == {"ix_contacts_name"}
    _migrate(database_url, "head")


def test_stored_rows_are_brought_to_the_interaction_rules(empty_database_url: str) -> None:
    """0006 clears what breaks `domain.rules` in rows written before it, and only that."""
    _migrate(empty_database_url, "0005")
    engine = _engine(empty_database_url)
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


_STORED_MESSAGE = {
    "index": 0,
    "type": "Text",
    "timestamp": "2026-01-01T00:00:00Z",
    "nickname": "Ann",
    "participant_type": "Customer",
    "participant_id": "p0",
    "text": "Żółw im Garten",
}


def test_upgrade_to_0007_indexes_the_stored_text_and_attribute_values(
    empty_database_url: str,
) -> None:
    _migrate(empty_database_url, "0006")
    engine = _engine(empty_database_url)
    rows = [{"id": f"I{n:05d}", "subject": f"Über case {n}", "n": n} for n in range(1_200)]
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO interactions (id, source, media_type, type_id, state, start_ms,"
                    " subject, can_be_parent) VALUES (:id, 'main', 'chat', 'Inbound', 'Stopped',"
                    " :n, :subject, true)"
                ),
                rows,
            )
            conn.execute(
                text(
                    "INSERT INTO interaction_contents (interaction_id, messages) VALUES"
                    " ('I00007', :messages)"
                ),
                {"messages": json.dumps([_STORED_MESSAGE])},
            )
            conn.execute(
                text(
                    "INSERT INTO interaction_attributes (interaction_id, name, value, source,"
                    " start_ms) VALUES (:id, 'Case', :value, 'main', :n)"
                ),
                [{"id": r["id"], "value": str(r["n"]), "n": r["n"]} for r in rows],
            )
    finally:
        engine.dispose()

    _migrate(empty_database_url, "head")

    store = open_store(empty_database_url)
    try:

        def found(q: str) -> Total:
            return store.count_history(
                HistoryQuery(q=parse_query(q, zone=UTC), start_from=None), cap=5_000
            )

        assert found("uber") == Total(1_200, True)
        assert found("zolw garten") == Total(1, True)
        assert found("attr.Case:[100 TO 199]") == Total(100, True)
    finally:
        store.close()

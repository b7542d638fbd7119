"""`openucs db check` on both engines: 0 on a healthy database, non-zero naming the problem on
one corrupted behind the store's back (foreign keys off, the search index edited)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from openucs.store import open_store
from tests.cli.conftest import Run
from tests.factories import make_contact, make_interaction


def _seed(database_url: str) -> None:
    store = open_store(database_url)
    try:
        store.save_contacts([make_contact(id="C1")])
        store.save_interactions(
            [
                make_interaction(id="I1", contact_id="C1", subject="refund please", comment="x"),
                make_interaction(id="I2", subject="billing question"),
                make_interaction(id="I3", custom_attributes={"Tier": "gold"}),
            ]
        )
    finally:
        store.close()


def _sql(database_url: str, *statements: str) -> None:
    """Run statements on a connection of its own, with the checks of the engine off."""
    url = make_url(database_url)
    postgres = url.get_backend_name() == "postgresql"
    engine = create_engine(
        url.set(drivername="postgresql+psycopg") if postgres else url, poolclass=NullPool
    )
    try:
        with engine.begin() as conn:
            if postgres:
                conn.execute(text("SET LOCAL session_replication_role = replica"))
            else:
                conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
            for statement in statements:
                conn.execute(text(statement))
    finally:
        engine.dispose()


def _is_sqlite(database_url: str) -> bool:
    return make_url(database_url).get_backend_name() == "sqlite"


def test_a_healthy_database_checks_clean(run: Run, database_url: str) -> None:
    _seed(database_url)
    result = run("db", "check", "--all", "--database", database_url)
    assert "consistent" in result.stdout


def test_an_orphan_attribute_is_named(run: Run, database_url: str) -> None:
    _seed(database_url)
    _sql(
        database_url,
        "INSERT INTO interaction_attributes (interaction_id, name, value, source, start_ms)"
        " VALUES ('GHOST', 'Tier', 'gold', 'main', 0)",
    )
    result = run("db", "check", "--database", database_url, expect=2)
    assert "interaction_attributes: 1 row(s) whose interaction_id names no interactions row" in (
        result.output
    )


def test_a_missing_search_document_is_named(run: Run, database_url: str) -> None:
    _seed(database_url)
    if _is_sqlite(database_url):
        _sql(database_url, "DELETE FROM interaction_search_keys WHERE interaction_id = 'I1'")
    else:
        _sql(database_url, "DELETE FROM interaction_search WHERE interaction_id = 'I1'")
    result = run("db", "check", "--database", database_url, expect=2)
    assert "1 interaction(s) whose document is wrong (first: I1: has words but no document)" in (
        result.output
    )


def test_a_changed_document_and_an_orphan_document_are_named(run: Run, database_url: str) -> None:
    _seed(database_url)
    if _is_sqlite(database_url):
        _sql(
            database_url,
            "UPDATE interaction_fts SET subject = 'tampered' WHERE rowid ="
            " (SELECT search_key FROM interaction_search_keys WHERE interaction_id = 'I2')",
            "DELETE FROM interactions WHERE id = 'I1'",
        )
    else:
        _sql(
            database_url,
            "UPDATE interaction_search SET doc = 'tampered'::tsvector WHERE interaction_id = 'I2'",
            "DELETE FROM interactions WHERE id = 'I1'",
        )
    result = run("db", "check", "--database", database_url, expect=2)
    assert "I2: its document differs from its text" in result.output
    assert "of interactions that are gone" in result.output


def test_a_merge_flag_without_its_record_is_named(run: Run, database_url: str) -> None:
    _seed(database_url)
    _sql(database_url, "UPDATE contacts SET merged_into = 'C1' WHERE id = 'C1'")
    result = run("db", "check", "--database", database_url, expect=2)
    assert "merged_into disagrees with contact_merges" in result.output


@pytest.mark.parametrize("sample", ["0", "1"])
def test_a_sample_checks_fewer_documents(run: Run, database_url: str, sample: str) -> None:
    _seed(database_url)
    if _is_sqlite(database_url):
        _sql(database_url, "DELETE FROM interaction_search_keys WHERE interaction_id = 'I2'")
    else:
        _sql(database_url, "DELETE FROM interaction_search WHERE interaction_id = 'I2'")
    # I1 is the first id: a sample of one (every third id) or none never looks at I2
    run("db", "check", "--sample", sample, "--database", database_url)


def test_a_broken_fts5_index_is_named(run: Run, sqlite_url: str) -> None:
    _seed(sqlite_url)
    _sql(sqlite_url, "DELETE FROM interaction_fts_content")
    result = run("db", "check", "--sample", "0", "--database", sqlite_url, expect=2)
    assert "search index (FTS5 integrity-check)" in result.output

"""The search language: typed keys of custom attribute values (numbers, dates) for its ranges,
attribute values in code point order on PostgreSQL, and the full-text index (SQLite: FTS5 and
its search keys; PostgreSQL: a tsvector per interaction with a GIN index), filled from the
interactions already stored.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from openucs.store import _rows as rows
from openucs.store._history import interactions_select
from openucs.store._search import (
    FTS_TOKENIZER,
    fts_rows,
    pg_rows,
    typed_keys,
    write_fts,
    write_pg,
)
from openucs.store.schema import interactions

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 1000


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.add_column("interaction_attributes", sa.Column("num", sa.Float(53)))
    op.add_column("interaction_attributes", sa.Column("moment_us", sa.BigInteger()))
    if not sqlite:
        op.execute(
            'ALTER TABLE interaction_attributes ALTER COLUMN value TYPE varchar(1024) COLLATE "C"'
        )
    _fill_typed_keys()
    for name, column in (("num", "num"), ("moment", "moment_us")):
        op.create_index(
            f"ix_interaction_attributes_{name}",
            "interaction_attributes",
            ["name", column],
            sqlite_where=sa.text(f"{column} IS NOT NULL"),
            postgresql_where=sa.text(f"{column} IS NOT NULL"),
        )
    if sqlite:
        _create_fts()
    else:
        _create_tsvector()
    _fill_documents(sqlite)


def _fill_typed_keys() -> None:
    conn = op.get_bind()
    found = conn.execute(
        sa.text(
            "SELECT interaction_id, name, value FROM interaction_attributes"
            " WHERE substr(value, 1, 1) BETWEEN '0' AND '9' OR substr(value, 1, 1) = '-'"
        )
    ).all()
    updates = []
    for interaction_id, name, value in found:
        num, moment_us = typed_keys(value)
        if num is not None or moment_us is not None:
            updates.append({"i": interaction_id, "n": name, "num": num, "m": moment_us})
    if updates:
        conn.execute(
            sa.text(
                "UPDATE interaction_attributes SET num = :num, moment_us = :m"
                " WHERE interaction_id = :i AND name = :n"
            ),
            updates,
        )


def _create_fts() -> None:
    op.execute(
        "CREATE TABLE interaction_search_keys ("
        " search_key INTEGER PRIMARY KEY,"
        " interaction_id VARCHAR(64) NOT NULL UNIQUE"
        " REFERENCES interactions (id) ON DELETE CASCADE)"
    )
    op.execute(
        "CREATE VIRTUAL TABLE interaction_fts USING fts5("
        f'subject, comment, text, data, tokenize="{FTS_TOKENIZER}")'
    )
    # A key deleted (with its interaction, or to be rewritten) takes its document with it.
    op.execute(
        "CREATE TRIGGER interaction_search_keys_deleted AFTER DELETE ON interaction_search_keys"
        " BEGIN DELETE FROM interaction_fts WHERE rowid = OLD.search_key; END"
    )


def _create_tsvector() -> None:
    op.execute(
        "CREATE TABLE interaction_search ("
        " interaction_id VARCHAR(64) PRIMARY KEY"
        " REFERENCES interactions (id) ON DELETE CASCADE,"
        " doc tsvector NOT NULL)"
    )
    op.execute("CREATE INDEX ix_interaction_search_doc ON interaction_search USING gin (doc)")


def _fill_documents(sqlite: bool) -> None:
    conn = op.get_bind()
    after = ""
    while True:
        stmt = interactions_select(with_content=True).where(interactions.c.id > after)
        found = conn.execute(stmt.order_by(interactions.c.id).limit(_BATCH)).all()
        if not found:
            return
        batch = [rows.row_to_interaction(row, with_content=True) for row in found]
        ids = [item.id for item in batch]
        if sqlite:
            write_fts(conn, ids, fts_rows(batch))
        else:
            write_pg(conn, ids, pg_rows(batch))
        after = ids[-1]


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE interaction_fts")
        op.execute("DROP TABLE interaction_search_keys")
    else:
        op.execute("DROP TABLE interaction_search")
    op.drop_index("ix_interaction_attributes_moment", "interaction_attributes")
    op.drop_index("ix_interaction_attributes_num", "interaction_attributes")
    op.drop_column("interaction_attributes", "moment_us")
    op.drop_column("interaction_attributes", "num")

"""Folded name keys of contacts (case and diacritics dropped by `domain.text.fold`), filled in
from the stored names and indexed, for a name prefix search that both engines serve the same
way from an index.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from openucs.domain.text import fold

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = 256  # schema.KEY when this was written
BATCH = 1000

_contacts = sa.table(
    "contacts",
    sa.column("id", sa.String),
    sa.column("first_name", sa.String),
    sa.column("last_name", sa.String),
    sa.column("first_name_key", sa.String),
    sa.column("last_name_key", sa.String),
)


def _key(value: str | None) -> str | None:
    return (fold(value)[:KEY] or None) if value else None


def _fill_keys(conn: sa.Connection) -> None:
    """Every contact's keys from its names, a batch of rows at a time in id order."""
    c = _contacts.c
    read = sa.select(c.id, c.first_name, c.last_name).order_by(c.id).limit(BATCH)
    write = (
        sa.update(_contacts)
        .where(c.id == sa.bindparam("row_id"))
        .values(first_name_key=sa.bindparam("first"), last_name_key=sa.bindparam("last"))
    )
    after: str | None = None
    while True:
        batch = conn.execute(read if after is None else read.where(c.id > after)).all()
        if not batch:
            return
        keys = [
            {"row_id": r.id, "first": _key(r.first_name), "last": _key(r.last_name)} for r in batch
        ]
        conn.execute(write, keys)
        after = batch[-1].id


def upgrade() -> None:
    key_type = sa.String(KEY).with_variant(sa.String(KEY, collation="C"), "postgresql")
    with op.batch_alter_table("contacts") as batch:
        batch.add_column(sa.Column("first_name_key", key_type, nullable=True))
        batch.add_column(sa.Column("last_name_key", key_type, nullable=True))
    _fill_keys(op.get_bind())
    op.create_index("ix_contacts_first_name_key", "contacts", ["first_name_key"])
    op.create_index("ix_contacts_last_name_key", "contacts", ["last_name_key"])


def downgrade() -> None:
    op.drop_index("ix_contacts_last_name_key", table_name="contacts")
    op.drop_index("ix_contacts_first_name_key", table_name="contacts")
    with op.batch_alter_table("contacts") as batch:
        batch.drop_column("last_name_key")
        batch.drop_column("first_name_key")

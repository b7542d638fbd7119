"""The change log: `changes` and its seq counter (one row).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "changes",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("at_ms", sa.BigInteger(), nullable=False),
        sa.Column("interaction_id", sa.String(64), nullable=True),
        sa.Column("contact_id", sa.String(64), nullable=True),
        sa.Column("owner_id", sa.String(32), nullable=True),
        sa.PrimaryKeyConstraint("seq", name="pk_changes"),
    )
    counter = op.create_table(
        "change_counter",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_change_counter"),
    )
    op.bulk_insert(counter, [{"id": 1, "last_seq": 0}])


def downgrade() -> None:
    op.drop_table("change_counter")
    op.drop_table("changes")

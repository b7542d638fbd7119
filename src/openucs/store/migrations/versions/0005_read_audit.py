"""The read audit.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "read_audit",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
            autoincrement=True,
        ),
        sa.Column("at_ms", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.String(32)),
        sa.Column("user_name", sa.String(128), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("via", sa.String(16), nullable=False),
        sa.Column("client", sa.String(128)),
        sa.Column("contact_id", sa.String(64)),
        sa.Column("interaction_ids", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_read_audit"),
    )
    op.create_index("ix_read_audit_at", "read_audit", ["at_ms", "seq"])
    op.create_index("ix_read_audit_user", "read_audit", ["user_id", "at_ms", "seq"])


def downgrade() -> None:
    op.drop_table("read_audit")

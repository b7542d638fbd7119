"""Shared state of the worker processes: login failure counts and per-user reference ids.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("user_name", sa.String(128), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("user_name", name="pk_login_failures"),
    )
    op.create_table(
        "reference_counters",
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("last_reference_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name="pk_reference_counters"),
    )


def downgrade() -> None:
    op.drop_table("reference_counters")
    op.drop_table("login_failures")

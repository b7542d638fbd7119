"""Legal holds (docs/privacy.md): `holds`, each on a contact or on an interaction.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "holds",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("contact_id", sa.String(64), nullable=True),
        sa.Column("interaction_id", sa.String(64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("placed_by", sa.String(32), nullable=False),
        sa.Column("placed_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_holds"),
    )
    op.create_index("ix_holds_contact_id", "holds", ["contact_id"])
    op.create_index("ix_holds_interaction_id", "holds", ["interaction_id"])


def downgrade() -> None:
    op.drop_index("ix_holds_interaction_id", "holds")
    op.drop_index("ix_holds_contact_id", "holds")
    op.drop_table("holds")

"""Contact merges (UCS MergeContacts / UnMergeContacts): `contact_merges` and
`contacts.merged_into`.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("contacts") as batch:
        batch.add_column(sa.Column("merged_into", sa.String(64), nullable=True))
    op.create_table(
        "contact_merges",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("from_id", sa.String(64), nullable=False),
        sa.Column("into_id", sa.String(64), nullable=False),
        sa.Column("merged_ms", sa.BigInteger(), nullable=False),
        sa.Column("merged_by", sa.String(128), nullable=True),
        sa.Column("interaction_ids", _JSON, nullable=False),
        sa.Column("snapshot", _JSON, nullable=False),
        sa.Column("added", _JSON, nullable=False),
        sa.ForeignKeyConstraint(
            ["from_id"],
            ["contacts.id"],
            name="fk_contact_merges_from_id_contacts",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["into_id"],
            ["contacts.id"],
            name="fk_contact_merges_into_id_contacts",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_contact_merges"),
        sa.UniqueConstraint("from_id", name="uq_contact_merges_from_id"),
    )
    op.create_index("ix_contact_merges_into_id", "contact_merges", ["into_id"])


def downgrade() -> None:
    op.drop_index("ix_contact_merges_into_id", table_name="contact_merges")
    op.drop_table("contact_merges")
    with op.batch_alter_table("contacts") as batch:
        batch.drop_column("merged_into")

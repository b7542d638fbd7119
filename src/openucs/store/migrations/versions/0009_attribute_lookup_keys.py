"""The attribute lookup index carries the typed keys of each value (num, moment_us), so that a
range of the search language checks "not a number" (or "not a date") on the index alone while
it walks the values in string order.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = ["name", "value", "source", "start_ms", "interaction_id"]


def upgrade() -> None:
    op.drop_index("ix_interaction_attributes_lookup", "interaction_attributes")
    op.create_index(
        "ix_interaction_attributes_lookup",
        "interaction_attributes",
        [*_COLUMNS, "num", "moment_us"],
    )


def downgrade() -> None:
    op.drop_index("ix_interaction_attributes_lookup", "interaction_attributes")
    op.create_index("ix_interaction_attributes_lookup", "interaction_attributes", _COLUMNS)

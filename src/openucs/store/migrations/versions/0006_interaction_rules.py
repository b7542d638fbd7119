"""Stored interactions keep the rules of `domain.rules`, also those written before them: no
endDate unless Stopped, none before startDate, call fields only on calls, no empty comment.
Each clears only what breaks a rule, as a PATCH would; transcripts are left as they are.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CLEARS = (
    "UPDATE interactions SET end_ms = NULL WHERE end_ms IS NOT NULL AND state <> 'Stopped'",
    "UPDATE interactions SET end_ms = NULL WHERE end_ms < start_ms",
    "UPDATE interactions SET phone_number = NULL, call_duration = NULL"
    " WHERE media_type <> 'call' AND (phone_number IS NOT NULL OR call_duration IS NOT NULL)",
    "UPDATE interactions SET comment = NULL WHERE TRIM(comment) = ''",
)


def upgrade() -> None:
    for statement in _CLEARS:
        op.execute(statement)


def downgrade() -> None:
    """Nothing to undo: the cleared values broke the rules and are not kept."""

"""Initial schema: users, contacts, contact points, interactions, attributes, contents, sessions.

Written by hand from `openucs.store.schema` (a test compares the migrated database with it).

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = 64
TRUE = sa.text("true")
JSON = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")


def upgrade() -> None:
    _people()
    _interactions()


def _people() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("user_name", sa.String(128), nullable=False),
        sa.Column("first_name", sa.String(256)),
        sa.Column("last_name", sa.String(256)),
        sa.Column("roles", sa.String(128), nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False, server_default=TRUE),
        sa.Column("password_hash", sa.Text),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("user_name", name="uq_users_user_name"),
    )
    op.create_table(
        "contacts",
        sa.Column("id", sa.String(ID), nullable=False),
        sa.Column("first_name", sa.String(256)),
        sa.Column("last_name", sa.String(256)),
        sa.Column("title", sa.String(64)),
        sa.Column("custom_attributes", JSON),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
        sa.Column("updated_ms", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_contacts"),
    )
    op.create_index("ix_contacts_name", "contacts", ["last_name", "first_name"])
    op.create_table(
        "contact_points",
        sa.Column("contact_id", sa.String(ID), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("value", sa.String(320), nullable=False),
        sa.Column("norm", sa.String(320), nullable=False),
        sa.Column("is_primary", sa.Boolean, nullable=False),
        sa.Column("description", sa.String(256)),
        sa.PrimaryKeyConstraint("contact_id", "kind", "position", name="pk_contact_points"),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name="fk_contact_points_contact_id_contacts",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_contact_points_lookup", "contact_points", ["kind", "norm"])
    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
        sa.Column("last_seen_ms", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name="pk_sessions"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_sessions_user_id_users", ondelete="CASCADE"
        ),
    )


def _interactions() -> None:
    op.create_table(
        "interactions",
        sa.Column("id", sa.String(ID), nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("media_type", sa.String(16), nullable=False),
        sa.Column("type_id", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("start_ms", sa.BigInteger, nullable=False),
        sa.Column("end_ms", sa.BigInteger),
        sa.Column("subject", sa.Text),
        sa.Column("contact_id", sa.String(ID)),
        sa.Column("owner_id", sa.String(32)),
        sa.Column("parent_id", sa.String(ID)),
        sa.Column("thread_id", sa.String(ID)),
        sa.Column("comment", sa.Text),
        sa.Column("phone_number", sa.String(64)),
        sa.Column("call_duration", sa.Integer),
        sa.Column("user_data", JSON),
        sa.Column("external_id", sa.String(256)),
        sa.Column("can_be_parent", sa.Boolean, nullable=False, server_default=TRUE),
        sa.Column("custom_attributes", JSON),
        sa.PrimaryKeyConstraint("id", name="pk_interactions"),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name="fk_interactions_contact_id_contacts"
        ),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name="fk_interactions_owner_id_users"),
    )
    for name, columns in (
        ("ix_interactions_window", ["source", "start_ms", "id"]),
        ("ix_interactions_contact", ["contact_id", "source", "start_ms", "id"]),
        ("ix_interactions_owner", ["owner_id", "source", "start_ms", "id"]),
        ("ix_interactions_thread", ["thread_id"]),
    ):
        op.create_index(name, "interactions", columns)
    for name, column in (
        ("ix_interactions_parent", "parent_id"),
        ("ix_interactions_external", "external_id"),
    ):
        where = sa.text(f"{column} IS NOT NULL")
        op.create_index(name, "interactions", [column], sqlite_where=where, postgresql_where=where)
    _interaction_children()


def _interaction_children() -> None:
    op.create_table(
        "interaction_attributes",
        sa.Column("interaction_id", sa.String(ID), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("value", sa.String(1024), nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("start_ms", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("interaction_id", "name", name="pk_interaction_attributes"),
        sa.ForeignKeyConstraint(
            ["interaction_id"],
            ["interactions.id"],
            name="fk_interaction_attributes_interaction_id_interactions",
            ondelete="CASCADE",
        ),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_interaction_attributes_lookup",
        "interaction_attributes",
        ["name", "value", "source", "start_ms", "interaction_id"],
    )
    op.create_table(
        "interaction_contents",
        sa.Column("interaction_id", sa.String(ID), nullable=False),
        sa.Column("messages", JSON),
        sa.Column("email", JSON),
        sa.PrimaryKeyConstraint("interaction_id", name="pk_interaction_contents"),
        sa.ForeignKeyConstraint(
            ["interaction_id"],
            ["interactions.id"],
            name="fk_interaction_contents_interaction_id_interactions",
            ondelete="CASCADE",
        ),
    )


def downgrade() -> None:
    for table in (
        "interaction_contents",
        "interaction_attributes",
        "interactions",
        "sessions",
        "contact_points",
        "contacts",
        "users",
    ):
        op.drop_table(table)

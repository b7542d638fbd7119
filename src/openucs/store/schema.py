"""SQLAlchemy Core tables: the one source of the schema (migrations are written from it).

Times are stored as epoch milliseconds (BIGINT) so that both engines order, index and compare
them the same way; the domain converts to aware datetimes. Each history query of the API has an
index whose column order serves both its filter and its sort, so no query sorts or scans.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# A Python None is SQL NULL (not the JSON text `null`).
Json = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")

ID = 64  # longest accepted interaction or contact id

# A matching key (`domain.text.fold` of a value, cut to this length). Compared in code point
# order on both engines: SQLite's default BINARY collation, "C" on PostgreSQL, so that a prefix
# is one index range whatever the database's collation.
KEY = 256
FoldKey = String(KEY).with_variant(String(KEY, collation="C"), "postgresql")
# Custom attribute values: ranges and prefixes of the search language compare them in code
# point order too.
AttributeValue = String(1024).with_variant(String(1024, collation="C"), "postgresql")

users = Table(
    "users",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("user_name", String(128), nullable=False, unique=True),
    Column("first_name", String(256)),
    Column("last_name", String(256)),
    Column("roles", String(128), nullable=False),  # comma list of Role values
    Column("enabled", Boolean, nullable=False, server_default=text("true")),
    Column("password_hash", Text),  # NULL: an owner met on import, who cannot log in
    Column("created_ms", BigInteger, nullable=False),
)

contacts = Table(
    "contacts",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("first_name", String(256)),
    Column("last_name", String(256)),
    Column("title", String(64)),
    Column("custom_attributes", Json),
    Column("created_ms", BigInteger, nullable=False),
    Column("updated_ms", BigInteger, nullable=False),
    # The names folded (case and diacritics dropped), written with every contact: the name
    # prefix search reads them through their own indexes.
    Column("first_name_key", FoldKey),
    Column("last_name_key", FoldKey),
    # The contact this one was merged into (`contact_merges` holds the merge): searches leave a
    # merged contact out on this column alone. No foreign key: the merge record has them.
    Column("merged_into", String(ID)),
    Index("ix_contacts_name", "last_name", "first_name"),
    Index("ix_contacts_first_name_key", "first_name_key"),
    Index("ix_contacts_last_name_key", "last_name_key"),
)

# Contact merges (UCS MergeContacts): `from_id` answers as merged into `into_id` while its row
# is here. The row holds exactly what the merge moved, so that an unmerge gives back what was
# the merged contact's: the interactions moved (`interaction_ids`), the merged contact as it was
# (`snapshot`: names, custom attributes, points) and what joined the target (`added`).
contact_merges = Table(
    "contact_merges",
    metadata,
    Column("id", String(32), primary_key=True),
    Column(
        "from_id",
        String(ID),
        ForeignKey("contacts.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    Column("into_id", String(ID), ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False),
    Column("merged_ms", BigInteger, nullable=False),
    Column("merged_by", String(128)),  # the user name of who merged
    Column("interaction_ids", Json, nullable=False),
    Column("snapshot", Json, nullable=False),
    Column("added", Json, nullable=False),
    Index("ix_contact_merges_into_id", "into_id"),
)

# EmailAddress and PhoneNumber values; `norm` is the lookup key (lower-cased email, phone digits).
contact_points = Table(
    "contact_points",
    metadata,
    Column(
        "contact_id", String(ID), ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("kind", String(8), primary_key=True),  # "email" | "phone"
    Column("position", Integer, primary_key=True),
    Column("value", String(320), nullable=False),
    Column("norm", String(320), nullable=False),
    Column("is_primary", Boolean, nullable=False),
    Column("description", String(256)),
    Index("ix_contact_points_lookup", "kind", "norm"),
)

interactions = Table(
    "interactions",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("source", String(8), nullable=False),  # "main" | "archive": one schema, two tiers
    Column("media_type", String(16), nullable=False),
    Column("type_id", String(16), nullable=False),
    Column("state", String(16), nullable=False),
    Column("start_ms", BigInteger, nullable=False),
    Column("end_ms", BigInteger),
    Column("subject", Text),
    Column("contact_id", String(ID), ForeignKey("contacts.id")),
    Column("owner_id", String(32), ForeignKey("users.id")),
    Column("parent_id", String(ID)),
    Column("thread_id", String(ID)),
    Column("comment", Text),
    Column("phone_number", String(64)),
    Column("call_duration", Integer),
    Column("user_data", Json),
    Column("external_id", String(256)),
    Column("can_be_parent", Boolean, nullable=False, server_default=text("true")),
    # All custom attributes, read with the row; `interaction_attributes` indexes them.
    Column("custom_attributes", Json),
    Index("ix_interactions_window", "source", "start_ms", "id"),
    Index("ix_interactions_contact", "contact_id", "source", "start_ms", "id"),
    Index("ix_interactions_owner", "owner_id", "source", "start_ms", "id"),
    Index("ix_interactions_thread", "thread_id"),
    Index(
        "ix_interactions_parent",
        "parent_id",
        sqlite_where=text("parent_id IS NOT NULL"),
        postgresql_where=text("parent_id IS NOT NULL"),
    ),
    Index(
        "ix_interactions_external",
        "external_id",
        sqlite_where=text("external_id IS NOT NULL"),
        postgresql_where=text("external_id IS NOT NULL"),
    ),
)

# One row per custom attribute, for equality search (searchCustomAttributes). `source` and
# `start_ms` repeat the interaction's, so that an attribute search reads one index range in
# history order (name, value, source, start_ms, id) instead of walking the whole window.
interaction_attributes = Table(
    "interaction_attributes",
    metadata,
    Column(
        "interaction_id",
        String(ID),
        ForeignKey("interactions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("name", String(128), primary_key=True),
    Column("value", AttributeValue, nullable=False),
    Column("source", String(8), nullable=False),
    Column("start_ms", BigInteger, nullable=False),
    # The value's key when it is a number or a date (`domain.search.classify`): the search
    # language's ranges compare by them.
    Column("num", Float(53)),
    Column("moment_us", BigInteger),
    # The typed keys last: a range checks a value's kind on the index alone.
    Index(
        "ix_interaction_attributes_lookup",
        "name",
        "value",
        "source",
        "start_ms",
        "interaction_id",
        "num",
        "moment_us",
    ),
    Index(
        "ix_interaction_attributes_num",
        "name",
        "num",
        sqlite_where=text("num IS NOT NULL"),
        postgresql_where=text("num IS NOT NULL"),
    ),
    Index(
        "ix_interaction_attributes_moment",
        "name",
        "moment_us",
        sqlite_where=text("moment_us IS NOT NULL"),
        postgresql_where=text("moment_us IS NOT NULL"),
    ),
    # Clustered on its key in SQLite: one B-tree fewer to write per attribute on import.
    sqlite_with_rowid=False,
)

# Content kept apart so that history pages never read transcripts or email bodies.
interaction_contents = Table(
    "interaction_contents",
    metadata,
    Column(
        "interaction_id",
        String(ID),
        ForeignKey("interactions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("messages", Json),
    Column("email", Json),
)

# Sessions of the HTTP API (the JSESSIONID cookie). `token_hash` is a SHA-256 of the cookie.
# A row is written when a session is first used with its cookie (services/users.py); a closed
# row (`closed_ms`) keeps a logged-out token from coming back until it would have expired.
sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", String(32), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_ms", BigInteger, nullable=False),
    Column("last_seen_ms", BigInteger, nullable=False),
    # The last `referenceId` given to an asynchronous operation of this session.
    Column("last_reference_id", BigInteger, nullable=False, server_default=text("0")),
    Column("closed_ms", BigInteger),  # NULL: open
)

# Keys every server process on the database shares (the session token key); each is written
# once, by the first process that needs it, and never logged.
server_secrets = Table(
    "server_secrets",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", String(128), nullable=False),
    Column("created_ms", BigInteger, nullable=False),
)

# Shared state of the worker processes of `openucs serve --workers N` (docs/operations.md):
# failed password checks in a row and the lockout they led to, per user name (written on the
# slow path of a password check only), and the `referenceId` counter of callers whose session
# is not stored, per user.
login_failures = Table(
    "login_failures",
    metadata,
    Column("user_name", String(128), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("locked_until_ms", BigInteger, nullable=False),
)
reference_counters = Table(
    "reference_counters",
    metadata,
    Column("user_id", String(32), primary_key=True),
    Column("last_reference_id", BigInteger, nullable=False),
)

# The read audit: who read which interactions or contact, when, through what and from where.
# Appended in batches (services/audit.py), read newest first by (at_ms, seq), pruned by age.
# No foreign keys: a record outlives what it names.
read_audit = Table(
    "read_audit",
    metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("at_ms", BigInteger, nullable=False),
    Column("user_id", String(32)),
    Column("user_name", String(128), nullable=False),
    Column("action", String(64), nullable=False),
    Column("via", String(16), nullable=False),
    Column("client", String(128)),
    Column("contact_id", String(ID)),
    Column("interaction_ids", Text, nullable=False),  # space-separated
    Index("ix_read_audit_at", "at_ms", "seq"),
    Index("ix_read_audit_user", "user_id", "at_ms", "seq"),
)

# Searches a user saved in the web UI under a name: the search page's URL query, rerun as is.
# One name per user (saving a name again replaces its query); gone with the user.
saved_searches = Table(
    "saved_searches",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("user_id", String(32), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("query", Text, nullable=False),
    Column("created_ms", BigInteger, nullable=False),
    UniqueConstraint("user_id", "name"),
)

# The change log (docs/changes.md): one record per change to interactions or contacts, written
# in the changing transaction. `seq` is taken from `change_counter`'s one row, whose row lock
# orders the writers: seqs are gapless and committed in seq order on both engines.
changes = Table(
    "changes",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("type", String(32), nullable=False),
    Column("at_ms", BigInteger, nullable=False),
    Column("interaction_id", String(ID)),
    Column("contact_id", String(ID)),
    Column("owner_id", String(32)),  # of a deleted interaction, for the readers' scope
)

change_counter = Table(
    "change_counter",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("last_seq", BigInteger, nullable=False),
)

# Leases of work that one process at a time does (the archive schedule, docs/archive.md): a
# holder keeps its lease by renewing it before `expires_ms`; an expired lease is anyone's.
leases = Table(
    "leases",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("holder", String(64), nullable=False),
    Column("expires_ms", BigInteger, nullable=False),
)

# Webhooks (docs/webhooks.md): an endpoint's `cursor_seq` is the last change seq it has taken
# on; a dispatcher claims an endpoint by a conditional UPDATE of its lease (`lease_owner`,
# `lease_until_ms`), so one process at a time sends to it and its order holds. `secret` is
# kept (the HMAC needs it) and never answered but at creation.
webhooks = Table(
    "webhooks",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("url", Text, nullable=False),
    Column("secret", String(128), nullable=False),
    Column("types", String(256), nullable=False),  # comma list of change types; "" = all
    Column("q", Text),
    Column("enabled", Boolean, nullable=False),
    Column("cursor_seq", BigInteger, nullable=False),
    Column("next_attempt_ms", BigInteger, nullable=False),  # the head is not due before
    Column("lease_owner", String(64)),
    Column("lease_until_ms", BigInteger),
    Column("created_ms", BigInteger, nullable=False),
    Column("updated_ms", BigInteger, nullable=False),
    # Counts the redeliveries added: the lease holder learns of one from the write that
    # records its attempt, instead of looking for one before every delivery.
    Column("redeliveries", BigInteger, nullable=False, server_default=text("0")),
)

# One change record for one endpoint, written (pending) before it is first sent: a process
# killed while sending leaves it pending, and the next holder of the lease sends it again.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("webhook_id", String(32), ForeignKey("webhooks.id", ondelete="CASCADE"), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("type", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("created_ms", BigInteger, nullable=False),
    Column("next_attempt_ms", BigInteger),
    Column("last_attempt_ms", BigInteger),
    Column("last_status_code", Integer),
    Column("last_error", String(256)),
    Index("ix_webhook_deliveries_webhook_id_status_seq", "webhook_id", "status", "seq"),
    Index("ix_webhook_deliveries_webhook_id_created_ms", "webhook_id", "created_ms"),
)

# One attempt of a delivery, written in the transaction that records it; it goes with its
# delivery (the retention's prune, the endpoint's deletion).
webhook_attempts = Table(
    "webhook_attempts",
    metadata,
    Column(
        "delivery_id",
        String(32),
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("number", Integer, primary_key=True),
    Column("webhook_id", String(32), nullable=False),
    Column("at_ms", BigInteger, nullable=False),
    Column("status_code", Integer),
    Column("error", String(256)),
    Column("duration_ms", Integer, nullable=False),
    Index("ix_webhook_attempts_webhook_id", "webhook_id"),
)

# Legal holds (docs/privacy.md): each covers one contact (and all its interactions) or one
# interaction; while it is there the retention and erasure leave what it covers alone. No
# foreign keys: a hold may name what is not stored (yet, or any more) and must never go
# with it.
holds = Table(
    "holds",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("contact_id", String(ID)),
    Column("interaction_id", String(ID)),
    Column("reason", Text, nullable=False),
    Column("placed_by", String(32), nullable=False),
    Column("placed_ms", BigInteger, nullable=False),
    Index("ix_holds_contact_id", "contact_id"),
    Index("ix_holds_interaction_id", "interaction_id"),
)

"""The Store protocol: everything the service needs from persistence.

Implementations translate driver exceptions into `openucs.errors` (no driver exception crosses
this protocol). Every method is one transaction unless it takes a `Transaction`-less batch; bulk
writes are all-or-nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from openucs.domain.access import ReadScope
from openucs.domain.changes import ChangeQuery, ChangeRecord
from openucs.domain.enums import Source
from openucs.domain.imports import Identity
from openucs.domain.models import (
    Contact,
    ContactMerge,
    Interaction,
    InteractionPatch,
    ReadRecord,
    Session,
    User,
)
from openucs.domain.privacy import ErasureReport, Hold
from openucs.domain.query import AuditQuery, Cursor, HistoryQuery, Page, Total
from openucs.domain.redaction import Redaction
from openucs.domain.stats import DailyCount, OffsetSpan, OwnerCount
from openucs.domain.webhooks import Delivery, DeliveryHistory, Webhook


@dataclass(frozen=True, slots=True)
class PreparedInteractions:
    """A batch of interactions as the rows a store writes (`Store.prepare_interactions`):
    plain tuples and dicts, so that one process can prepare batches while another writes."""

    ids: list[str]
    contact_ids: frozenset[str]
    owner_ids: frozenset[str]
    owners: list[dict[str, Any]]
    interactions: list[tuple[Any, ...]]
    attributes: list[tuple[Any, ...]]
    contents: list[tuple[Any, ...]]
    documents: list[tuple[Any, ...]]  # the search index's (store._search)


@dataclass(frozen=True, slots=True)
class PruneStep:
    """One batch of a prune in one tier (`Store.prune_interactions`): how many went (or, dry,
    would go) per media type, how many past retention a hold keeps, and the (start_ms, id)
    after which the next batch starts (None: this was the last)."""

    removed: dict[str, int] = field(default_factory=dict)
    held: int = 0
    next: tuple[int, str] | None = None


@dataclass(frozen=True, slots=True)
class SavedSearch:
    """A search of the web UI saved by a user under a name: `query` is the search page's URL
    query (without `?`), which reruns it."""

    id: str
    user_id: str
    name: str
    query: str
    created_at: datetime


# Thread key (`thread_id`, else the interaction's id) -> the ids of its interactions.
ThreadIds = dict[str, list[str]]


@dataclass(frozen=True, slots=True)
class ArchiveCandidates:
    """The threads of one stretch of the archive walk (`Store.archive_candidates`), in walk
    order, and where the walk goes on (None: it is over)."""

    threads: list[str]
    next: Cursor | None


@dataclass(frozen=True, slots=True)
class ArchiveCopy:
    """A batch of main-tier interactions as their stored rows, read to be copied to a second
    archive database (`Store.read_archive_copy`): the rows in the tables' column orders
    (`store._rows`), `source` already "archive"; the search index's rows as the engine whose
    table `documents_of` names keeps them; the contacts (rows and points) and owners they
    name (those not copied before at their version); and per interaction a digest of its row
    and content as read, which the delete
    from main compares under lock (`Store.remove_archived`)."""

    ids: list[str]
    threads: list[str]  # the thread keys of `ids`
    digests: dict[str, bytes]
    contact_versions: dict[str, int]  # every contact named: id -> updated_ms
    interactions: list[tuple[Any, ...]]
    attributes: list[tuple[Any, ...]]
    contents: list[tuple[Any, ...]]
    documents: list[tuple[Any, ...]]
    documents_of: str
    contacts: list[dict[str, Any]]
    contact_points: list[dict[str, Any]]
    owners: list[dict[str, Any]]


class Store(Protocol):
    redaction: Redaction
    """What services redact before they hand interactions to this store (set by
    `open_store`; nothing by default). Held here so every service that writes reaches it."""

    # --- lifecycle -------------------------------------------------------------------------
    def upgrade(self) -> None:
        """Create or migrate the schema to the newest revision (Alembic)."""

    def close(self) -> None: ...

    def analyze(self) -> None:
        """Refresh the planner statistics (after a large import)."""

    def atomic(self) -> AbstractContextManager[None]:
        """One write transaction around a block: every method this thread calls inside joins
        it, and all of it commits at the end or none of it does (nested blocks join)."""

    def lock(self, key: str) -> None:
        """Inside `atomic()`: writers of the same key go one after the other until the
        transaction ends."""

    # --- the archive tier (docs/archive.md) ----------------------------------------------------
    def archive_store(self) -> Store | None:
        """The store of the archive tier when it is a second database (None: this one).
        Reads of the archive tier (`source` archive) go there by themselves."""

    def archive_candidates(
        self, *, before_ms: int, after: Cursor | None, limit: int
    ) -> ArchiveCandidates:
        """The threads of the next `limit` main-tier interactions after `after` (start, id
        order) that are Stopped and ended before `before_ms`."""

    def archivable_threads(self, keys: Sequence[str], *, before_ms: int) -> ThreadIds:
        """The threads among `keys` whose main-tier interactions are all Stopped and ended
        before `before_ms`, with their ids (a read)."""

    def archive_in_place(self, keys: Sequence[str], *, before_ms: int) -> ThreadIds:
        """Move the archivable threads among `keys` to this database's archive tier, in one
        transaction; returns them."""

    def read_archive_copy(
        self, ids: Sequence[str], *, copied_contacts: Mapping[str, int]
    ) -> ArchiveCopy:
        """The stored rows of the main-tier interactions `ids`, to copy to the archive
        database, with the contacts they name except those `copied_contacts` (id ->
        updated_ms) has at their version (a read)."""

    def write_archive_copy(self, copy: ArchiveCopy) -> None:
        """Write (upsert) a copy read from the main database into this, the archive
        database, in one transaction."""

    def remove_archived(self, copied: ArchiveCopy, *, before_ms: int) -> ThreadIds:
        """Delete the archivable threads of `copied` whose rows are still as copied, in one
        transaction; returns them."""

    def take_lease(self, name: str, holder: str, *, seconds: int) -> bool:
        """Take or renew a lease for `seconds`; False when another holder has it."""

    def release_lease(self, name: str, holder: str) -> None: ...

    # --- interactions ----------------------------------------------------------------------
    def history(self, query: HistoryQuery) -> Page[Interaction]:
        """One page of interactions, owners joined, only `query.return_attributes` custom
        attributes; no content (messages/email)."""

    def iter_history(self, query: HistoryQuery) -> Iterator[Interaction]:
        """Every matching interaction in order, with all custom attributes and content,
        streamed in constant memory (for export). `query.limit` is ignored."""

    def get_interaction(self, interaction_id: str, *, with_content: bool) -> Interaction | None:
        """One interaction from either tier, all custom attributes, owner joined."""

    def get_interactions(
        self, ids: Sequence[str], *, with_content: bool = False
    ) -> dict[str, Interaction]:
        """The interactions among `ids` that exist, keyed by id."""

    def count_history(self, query: HistoryQuery, *, cap: int) -> Total:
        """How many interactions match `query` (its cursor and limit ignored), counting no
        further than `cap`: beyond it the total is not exact."""

    def facet_counts(
        self, query: HistoryQuery, *, fields: Sequence[str], cap: int
    ) -> dict[str, dict[str, int]]:
        """Per value of each field ("mediaType", "state"): how many of the first `cap`
        matches of `query` found (in no order) have it; all matches when there are no more."""

    def save_interactions(
        self, interactions: Sequence[Interaction], *, replace: bool = True
    ) -> None:
        """Insert or replace these interactions (rows, custom attributes, content) and create
        the users in their `owner` fields that do not exist yet, in one transaction. Without
        `replace`, an id already stored is a Conflict and nothing is written."""

    def prepare_interactions(self, interactions: Sequence[Interaction]) -> PreparedInteractions:
        """The first half of `save_interactions`, without the database: the rows to write
        (the last of a repeated id wins). Picklable."""

    def save_prepared(self, prepared: PreparedInteractions, *, replace: bool = True) -> None:
        """The second half of `save_interactions`: write prepared rows in one transaction."""

    def update_interaction(self, interaction_id: str, patch: InteractionPatch) -> Interaction:
        """Apply `patch` in one transaction; NotFound if absent. Returns the new state."""

    def delete_interaction(self, interaction_id: str) -> bool:
        """Delete one interaction with its attributes and content. False when absent."""

    def owner_handled_contact(self, owner_id: str, contact_id: str) -> bool:
        """Whether this user owns at least one interaction of this contact (any tier)."""

    def count_interactions(self) -> int: ...

    # --- aggregates (the web dashboard) -----------------------------------------------------
    def daily_counts(
        self, *, source: Source, start_ms: int, end_ms: int, spans: Sequence[OffsetSpan]
    ) -> list[DailyCount]:
        """Interactions started in [start_ms, end_ms) per local day, media type and state, in
        day order; local days cut with `spans` (see `domain.stats.offset_spans`). One query."""

    def busiest_owners(
        self, *, source: Source, start_ms: int, end_ms: int, limit: int
    ) -> list[OwnerCount]:
        """The `limit` owners with most interactions started in [start_ms, end_ms), most
        first (ties by owner id), with their names. One query."""

    def contact_names(self, ids: Iterable[str]) -> dict[str, tuple[str | None, str | None]]:
        """(first name, last name) of the contacts among `ids` that exist."""

    # --- contacts --------------------------------------------------------------------------
    def get_contact(self, contact_id: str) -> Contact | None: ...

    def existing_contact_ids(self, ids: Iterable[str]) -> set[str]: ...

    def save_contact(self, contact: Contact, *, replace: bool = True) -> Contact:
        """Insert or replace one contact with its emails and phones; without `replace`, an
        id already stored is a Conflict."""

    def save_contacts(self, contacts: Sequence[Contact]) -> None: ...

    def find_contacts(
        self,
        *,
        scope: ReadScope,
        email: str | None = None,
        phone: str | None = None,
        name: str | None = None,
        limit: int = 100,
        after_id: str | None = None,
        words: Sequence[str] = (),
    ) -> list[Contact]:
        """The contacts `scope` may read, by exact email (case-insensitive), phone (digits
        only compared) or name prefix (of the first or last name, case- and
        diacritic-insensitive: `domain.text.fold`), and each of `words` (folded) beginning
        the first or the last name; with no criterion, all of them. In id order (keyset on
        `after_id`)."""

    # --- contact merges (UCS MergeContacts / UnMergeContacts) ---------------------------------
    def merge_contacts(self, from_id: str, into_id: str, *, merged_by: str | None) -> ContactMerge:
        """Merge contact `from_id` into `into_id` in one transaction (`store._merges`): its
        interactions, points and attributes join `into_id`, the record keeps what moved.
        NotFound for an unknown contact; Conflict when `from_id` is merged already or
        `into_id` is merged; InvalidInput for one contact merged into itself."""

    def unmerge_contact(self, from_id: str) -> ContactMerge:
        """Undo the merge of `from_id`: it gets back exactly what was its own. Conflict when it
        is not merged, or when its target was merged since."""

    def contact_targets(self, ids: Iterable[str]) -> dict[str, str]:
        """The contacts among `ids` that exist, each with the contact it answers as: itself,
        or for a merged one the end of its merge chain (one read of the rows by key)."""

    def merged_into(self, contact_id: str) -> str | None:
        """The contact `contact_id` answers as (the end of its merge chain); None when it is
        not merged."""

    # --- users -----------------------------------------------------------------------------
    def get_user(self, user_id: str) -> User | None: ...

    def get_user_by_name(self, user_name: str) -> User | None: ...

    def change_stamp(self) -> int | None:
        """A number that changes whenever anything is committed to the database, by any
        process, current when it returns and read without waiting on anybody (the event loop
        may call it); None when the engine has no such cheap signal, or cannot tell now."""

    def save_user(self, user: User) -> User:
        """Insert or replace one user (Conflict when the user name belongs to another id)."""

    def list_users(self) -> list[User]: ...

    def end_user_sessions(self, user_id: str) -> int:
        """Close every open session of the user (their tokens are refused from now on);
        returns how many."""

    def check_integrity(self, *, sample: int | None = 10_000) -> list[str]:
        """What is wrong with the database, one line each (empty when nothing is): the
        engine's own checks, foreign keys, and the search index against the tables, its
        documents recomputed for `sample` interactions (None: all; `store._check`)."""

    # --- sessions --------------------------------------------------------------------------
    def create_session(self, session: Session) -> None: ...

    def add_session(self, session: Session) -> Session:
        """Store the session unless its token is stored already (by another process, or
        closed by a logout); returns the stored one."""

    def get_session(self, token_hash: str) -> Session | None: ...

    def close_session(self, session: Session) -> None:
        """Set the stored session's `closed_at`, or store it closed when it is not stored."""

    def delete_session(self, token_hash: str) -> None: ...

    def touch_session(self, token_hash: str, seen_ms: int) -> None:
        """Record that a session was used at `seen_ms`: idle expiry counts from there."""

    def delete_sessions_seen_before(self, cutoff_ms: int) -> int:
        """Expire idle sessions; returns how many were removed."""

    def next_reference_id(self, token_hash: str, after: int = 0) -> int | None:
        """The next operation `referenceId` of a session (1, 2, ...; at least `after` + 1),
        atomically across processes; None when the session does not exist."""

    # --- state shared by the worker processes (docs/operations.md) ---------------------------
    def count_login_failure(self, user_name: str, *, max_failures: int, until_ms: int) -> int:
        """Count one failed password check of `user_name`; the `max_failures`-th in a row
        locks it out until `until_ms` and starts the count again. Returns the lockout's end
        (epoch ms), 0 when this failure locked nothing."""

    def login_locked_until(self, user_name: str) -> int:
        """The end (epoch ms) of the last lockout of `user_name`; 0 when there was none."""

    def login_lockouts(self, now_ms: int) -> dict[str, int]:
        """The lockouts in force at `now_ms`: user name -> end (epoch ms)."""

    def users_who_cannot_log_in(self, user_ids: Collection[str]) -> set[str]:
        """The users among `user_ids` that may not log in (disabled, deleted, unknown)."""

    def clear_login_failures(self, user_name: str) -> None:
        """Forget the failed checks of `user_name` (after a successful one)."""

    def next_user_reference_id(self, user_id: str) -> int:
        """The next `referenceId` (1, 2, ...) for a user's callers without a stored session,
        atomically across processes."""

    def last_user_reference_id(self, user_id: str) -> int:
        """The last `referenceId` that `next_user_reference_id` gave for `user_id` (0: none)."""

    # --- server secrets --------------------------------------------------------------------
    def server_secret(self, name: str, candidate: str) -> str:
        """The secret stored under `name`, storing `candidate` when there is none: every
        process on the database gets the same value."""

    # --- the read audit ----------------------------------------------------------------------
    def append_reads(self, records: Sequence[ReadRecord]) -> None:
        """Append read audit records (their `seq` is given here) in one transaction."""

    def reads(self, query: AuditQuery) -> Page[ReadRecord]:
        """One page of read audit records, newest first (at, seq)."""

    def prune_reads(self, before: datetime) -> int:
        """Delete the read audit records written before `before`; returns how many."""

    # --- the change log (docs/changes.md) -----------------------------------------------------
    def changes(self, query: ChangeQuery) -> list[ChangeRecord]:
        """Change records after `query.after` (up to `query.until`) in seq order, with the
        present state of what they name, as far as `query.scope` may read them; with
        `query.q`, only those of an interaction stored now that matches it."""

    def change_bounds(self) -> tuple[int, int]:
        """The oldest seq still kept (the next to come when none is) and the last seq given."""

    def prune_changes(self, before: datetime) -> int:
        """Delete the change records written before `before`; returns how many."""

    # --- webhooks (docs/webhooks.md; the lease: store._webhooks) -------------------------------
    def create_webhook(self, webhook: Webhook) -> Webhook: ...

    def webhooks(self) -> list[Webhook]:
        """Every endpoint, oldest first."""

    def get_webhook(self, webhook_id: str) -> Webhook | None: ...

    def update_webhook(self, webhook: Webhook) -> bool:
        """Write an endpoint's settings (not its cursor); False when it is gone."""

    def delete_webhook(self, webhook_id: str) -> bool:
        """Delete an endpoint and its deliveries; False when it is gone."""

    def claim_webhooks(
        self, owner: str, *, now_ms: int, lease_ms: int, limit: int
    ) -> list[Webhook]:
        """Take the lease of up to `limit` enabled, due endpoints with work."""

    def renew_webhook_lease(self, webhook_id: str, owner: str, *, until_ms: int) -> bool:
        """Extend a lease; False when `owner` no longer holds it."""

    def release_webhook(self, webhook_id: str, owner: str) -> None: ...

    def pending_delivery(self, webhook_id: str, besides: str | None = None) -> Delivery | None:
        """The endpoint's pending delivery of the lowest seq (other than `besides`)."""

    def start_delivery(self, delivery: Delivery, owner: str) -> bool:
        """Move the cursor to the delivery's seq and write it pending (one transaction);
        False when `owner` lost the lease."""

    def advance_webhook(
        self, webhook_id: str, owner: str, seq: int, *, lease_until_ms: int | None = None
    ) -> bool:
        """Move the cursor past records the endpoint does not take (and extend the lease)."""

    def finish_attempt(
        self,
        delivery: Delivery,
        owner: str,
        *,
        endpoint_due_ms: int,
        lease_until_ms: int,
        then: Delivery | None = None,
        duration_ms: int = 0,
    ) -> int | None:
        """Record an attempt (on the delivery and as a row of its attempts) and when the
        endpoint is due next, extend the lease, start the next delivery `then`: one
        transaction. The endpoint's count of redeliveries; None when `owner` lost the
        lease."""

    def deliveries(self, webhook_id: str, *, limit: int) -> list[Delivery]:
        """The endpoint's deliveries, newest first."""

    def delivery_histories(self, webhook_id: str, *, limit: int) -> list[DeliveryHistory]:
        """The endpoint's deliveries, newest first, with their attempts (oldest first)."""

    def get_delivery(self, webhook_id: str, delivery_id: str) -> Delivery | None: ...

    def delivery_history(self, webhook_id: str, delivery_id: str) -> DeliveryHistory | None:
        """One delivery of the endpoint with its attempts (oldest first)."""

    def add_delivery(self, delivery: Delivery) -> bool:
        """A new pending delivery (a redelivery), due now; False when the endpoint is gone."""

    def prune_webhook_deliveries(self, before_ms: int) -> int:
        """Delete the finished deliveries created before `before_ms` and their attempts;
        returns how many deliveries."""

    # --- privacy: legal holds, retention, erasure (docs/privacy.md) ----------------------------
    def add_hold(self, hold: Hold) -> Hold: ...

    def holds(self) -> list[Hold]:
        """Every hold, oldest first."""

    def remove_hold(self, hold_id: str) -> bool:
        """Delete one hold; False when there is none by that id."""

    def holds_covering_contact(self, contact_id: str) -> list[Hold]:
        """The holds on the contact or on any of its interactions."""

    def erase_contact(self, contact_id: str) -> ErasureReport:
        """Delete the contact and everything of it in both tiers in one transaction (see
        `store._privacy`), then scrub the database files. NotFound, or Conflict while a hold
        covers it. Not inside `atomic()`."""

    def prune_interactions(
        self,
        cutoffs: Mapping[str, datetime],
        source: str,
        *,
        after: tuple[int, str] | None,
        limit: int,
        dry_run: bool = False,
    ) -> PruneStep:
        """One batch of the retention in one tier: the next `limit` interactions started
        before their media type's cutoff, after `after` in (start, id) order; those no hold
        covers are deleted (unless `dry_run`), each deletion noted. One transaction."""

    # --- saved searches (web UI) ------------------------------------------------------------
    def save_search(self, search: SavedSearch) -> SavedSearch:
        """Store `search`; when its user already has one of that name, that one takes the new
        query (keeping its id). Returns what is stored."""

    def saved_searches(self, user_id: str) -> list[SavedSearch]:
        """The user's saved searches, by name."""

    def delete_saved_search(self, user_id: str, search_id: str) -> bool:
        """Delete the user's saved search `search_id`; False when they have none by that id."""

    # --- asynchronous UCS operations (voice) -------------------------------------------------
    def find_or_create_call(self, candidate: Interaction) -> tuple[Interaction, bool]:
        """The call whose external id is `candidate.external_id`, else `candidate` stored
        (with its owner), under a lock: never two for one call id. (item, created)."""

    def identify_contact(
        self,
        *,
        email: str | None,
        phone: str | None,
        last_name: str | None,
        create: Contact | None,
    ) -> tuple[Contact | None, bool]:
        """The first contact (by id) with this email, else phone, else exact last name
        (case-insensitive); else `create` stored, under a lock. (contact, created)."""

    def identify_contacts(self, identities: Sequence[Identity]) -> list[str | None]:
        """`identify_contact` for a batch (by email, else phone; else created), in one
        transaction: the contact id of each identity, None for one without email or phone."""

    def assign_thread_contact(
        self, interaction_id: str, contact_id: str, *, writer_id: str | None = None
    ) -> list[str]:
        """The interactions of the thread of `interaction_id` get `contact_id`, in one
        statement; with `writer_id`, only those that user owns or that have no owner.
        NotFound for an unknown interaction or contact. Returns the ids of the thread's
        interactions left unchanged because another user owns them."""

    def complete_interaction(
        self,
        interaction_id: str,
        *,
        end_date: datetime,
        call_duration: int | None,
        user_data: dict[str, Any],
    ) -> Interaction:
        """State Stopped, `end_date`, the duration (unchanged when None), `user_data` merged
        over the stored user data; one transaction, row locked. NotFound if absent."""

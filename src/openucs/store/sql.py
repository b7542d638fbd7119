"""The one SQL implementation of the Store protocol, shared by SQLite and PostgreSQL.

Subclasses create the engines and supply the dialect hooks (`_upsert`, `_explain`). Reads run on
the reader engine in a (deferred) transaction, writes on the writer engine: on SQLite a single
connection that begins with BEGIN IMMEDIATE, on PostgreSQL the same pool as the reads. Every
public method is one transaction and translates driver errors (see `_errors`), unless it runs
inside `atomic()`: then every method the thread calls joins that one write transaction.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    Connection,
    Engine,
    Insert,
    Table,
    bindparam,
    delete,
    func,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError

from openucs.domain.access import ReadScope
from openucs.domain.changes import ChangeType, PendingChange
from openucs.domain.enums import Source
from openucs.domain.formats import to_millis
from openucs.domain.models import Contact, Interaction, InteractionPatch, Session, User
from openucs.domain.query import Cursor, HistoryQuery, Page, Total
from openucs.domain.redaction import NO_REDACTION
from openucs.domain.search import Node
from openucs.domain.stats import DailyCount, OffsetSpan, OwnerCount
from openucs.errors import Conflict, InvalidInput, NotFound, OpenUcsError
from openucs.store import _changes as changelog
from openucs.store import _people as people
from openucs.store import _rows as rows
from openucs.store._archive import ArchiveMethods
from openucs.store._audit import AuditMethods
from openucs.store._changes import ChangeMethods
from openucs.store._check import CheckMethods
from openucs.store._errors import (
    IntegrityHandler,
    driver_message,
    is_foreign_key_violation,
    is_unique_violation,
    translated,
)
from openucs.store._history import (
    BY_ID,
    RowsSelect,
    by_id,
    driver_of,
    history_select,
    interaction_select,
    interactions_select,
    matching,
    plain_page,
)
from openucs.store._merges import MergeMethods
from openucs.store._privacy import PrivacyMethods
from openucs.store._saved import SavedSearchMethods
from openucs.store._search import TextDialect, other_tier, words_only
from openucs.store._stats import StatsQueries
from openucs.store._voice import VoiceMethods
from openucs.store._webhooks import WebhookMethods
from openucs.store._workers import WorkerStateMethods
from openucs.store.base import PreparedInteractions
from openucs.store.schema import (
    interaction_attributes,
    interaction_contents,
    interactions,
    server_secrets,
    users,
)

MIGRATIONS = Path(__file__).with_name("migrations")
EXPORT_CHUNK = 500
# Patched fields that are in the search index's documents.
_SEARCHED = frozenset({"subject", "comment", "user_data"})
T = TypeVar("T")
_ARCHIVE_IS_ELSEWHERE = (
    "the archive tier is kept in the archive database (archive_database_url), which only "
    "`openucs archive` and the archive schedule write"
)

_INSERT_INTERACTIONS = interactions.insert()
_INSERT_ATTRIBUTES = interaction_attributes.insert()
_INSERT_CONTENTS = interaction_contents.insert()

# InteractionPatch field -> interactions column, and how to store the value.
_PATCHABLE = {
    "state": "state",
    "end_date": "end_ms",
    "comment": "comment",
    "subject": "subject",
    "custom_attributes": "custom_attributes",
    "user_data": "user_data",
    "contact_id": "contact_id",
    "call_duration": "call_duration",
}


def _now_ms() -> int:
    return to_millis(datetime.now(UTC))


class SqlStore(
    StatsQueries,
    VoiceMethods,
    AuditMethods,
    SavedSearchMethods,
    ChangeMethods,
    ArchiveMethods,
    WebhookMethods,
    PrivacyMethods,
    MergeMethods,
    CheckMethods,
    WorkerStateMethods,
):
    """Store over SQLAlchemy Core. Thread-safe: engines pool their connections.

    With an archive database attached (`attach_archive`), reads of the archive tier go to it:
    a page, a count, facets, an export or a dashboard aggregate by their `source`; a read by
    id looks in both databases. Every write stays here (archiving copies to the archive
    store itself: `services.archive`)."""

    _text: TextDialect  # the engine's full-text matching
    _index_table: str  # the engine's table of search documents, one row per interaction
    _writes_in_turn = False  # whether one write transaction runs at a time (SQLite)

    def __init__(self, *, reader: Engine, writer: Engine) -> None:
        self.redaction = NO_REDACTION
        self._reader = reader
        self._writer = writer
        self._local = threading.local()  # the connection of this thread's `atomic()` block
        self._archive: SqlStore | None = None

    # --- the archive tier ----------------------------------------------------------------------
    def attach_archive(self, archive: SqlStore) -> None:
        """Keep the archive tier in `archive` (a second database), opened and closed with
        this store."""
        self._archive = archive

    def archive_store(self) -> SqlStore | None:
        return self._archive

    def _tier(self, source: Source) -> SqlStore:
        """The store that keeps `source`."""
        if source is Source.ARCHIVE and self._archive is not None:
            return self._archive
        return self

    # --- dialect hooks -----------------------------------------------------------------------
    def _upsert(self, table: Table, keys: Sequence[str], update: Sequence[str]) -> Insert:
        raise NotImplementedError

    def _explain(self, conn: Connection, stmt: RowsSelect, prefer_indexes: bool) -> str:
        raise NotImplementedError

    def _write_interaction_rows(
        self, conn: Connection, bound: list[tuple[Any, ...]], *, replace: bool
    ) -> None:
        """Dialect hook: insert (or, with `replace`, insert or replace) `interactions` rows
        made by `_bind`. Without `replace` an existing id is an IntegrityError."""
        stmt = self._interactions_upsert if replace else _INSERT_INTERACTIONS
        self._insert_bound(conn, stmt, rows.INTERACTION_COLUMNS, bound)

    def _documents(self, batch: Sequence[Interaction]) -> list[tuple[Any, ...]]:
        """Dialect hook: the search index rows of a batch (`store._search`)."""
        raise NotImplementedError

    def _write_documents(
        self, conn: Connection, ids: Sequence[str], documents: list[tuple[Any, ...]]
    ) -> None:
        """Dialect hook: the search documents of `ids` (stored interactions' ids, whose old
        documents go) are replaced, and `documents` written."""
        raise NotImplementedError

    def _reindex(self, conn: Connection, interaction_id: str) -> None:
        """Rewrite one interaction's search document from what is stored now."""
        stmt = interaction_select(interaction_id, with_content=True)
        row = conn.execute(stmt).first()
        batch = [] if row is None else [rows.row_to_interaction(row, with_content=True)]
        self._write_documents(conn, [interaction_id], self._documents(batch))

    def _scrub(self) -> tuple[str, ...]:
        """Dialect hook, after an erasure committed: remove what deleted rows leave in the
        database files; returns the steps taken (for the erasure report)."""
        return ()

    def _insert_many(self, conn: Connection, stmt: Insert, values: list[dict[str, Any]]) -> None:
        """Execute one INSERT for many rows given as dicts."""
        conn.execute(stmt, values)

    def _bind(
        self, stmt: Insert, columns: Sequence[str], values: list[tuple[Any, ...]]
    ) -> list[tuple[Any, ...]]:
        """Rows given as tuples in `columns` order, turned into what `_insert_bound` takes
        (SQLite: the driver's parameter tuples). Runs where batches are prepared."""
        return values

    def _insert_bound(
        self, conn: Connection, stmt: Insert, columns: Sequence[str], bound: list[tuple[Any, ...]]
    ) -> None:
        """Execute one INSERT for many rows made by `_bind`."""
        conn.execute(stmt, [dict(zip(columns, v, strict=True)) for v in bound])

    def _insert_tuples(
        self, conn: Connection, stmt: Insert, columns: Sequence[str], values: list[tuple[Any, ...]]
    ) -> None:
        self._insert_bound(conn, stmt, columns, self._bind(stmt, columns, values))

    @cached_property
    def _interactions_upsert(self) -> Insert:
        return self._upsert(
            interactions, ["id"], [c.name for c in interactions.c if c.name != "id"]
        )

    @cached_property
    def _owners_insert(self) -> Insert:
        return self._upsert(users, ["id"], [])

    # --- transactions ------------------------------------------------------------------------
    @contextmanager
    def atomic(self) -> Iterator[None]:
        """One write transaction around a block: every store method this thread calls inside
        reads and writes through it, and all of it commits at the end or none of it does.
        On SQLite it holds the write lock from the start (BEGIN IMMEDIATE), so a check and
        the write that depends on it cannot be separated by another writer. Nested blocks
        join the outer one."""
        if self._joined() is not None:
            yield
            return
        with translated(), self._writer.begin() as conn:
            changelog.discard(conn)
            self._local.conn = conn
            try:
                yield
                self._flush_changes(conn)
            finally:
                self._local.conn = None

    def lock(self, key: str) -> None:
        """Inside `atomic()`: hold a lock on `key` until the transaction ends, so two writers
        of one key go one after the other (PostgreSQL: an advisory lock; SQLite's writer
        already holds the database lock)."""
        with self._write() as conn:
            self._lock_key(conn, key)

    def _lock_key(self, conn: Connection, key: str) -> None:
        """Dialect hook of `lock`."""

    def _joined(self) -> Connection | None:
        conn: Connection | None = getattr(self._local, "conn", None)
        return conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        joined = self._joined()
        if joined is not None:
            with translated():
                yield joined
            return
        with translated(), self._reader.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def _write(self, on_integrity: IntegrityHandler | None = None) -> Iterator[Connection]:
        joined = self._joined()
        if joined is not None:
            # A savepoint: a failed statement leaves the outer transaction usable, so that
            # `on_integrity` can still read what went wrong (PostgreSQL aborts otherwise).
            kept = changelog.noted(joined)
            try:
                with translated(on_integrity), joined.begin_nested():
                    yield joined
            except BaseException:
                changelog.discard(joined, kept)
                raise
            return
        with translated(on_integrity), self._writer.begin() as conn:
            changelog.discard(conn)
            yield conn
            self._flush_changes(conn)

    @contextmanager
    def _bookkeeping_write(self) -> Iterator[Connection]:
        """A write transaction of the server's own bookkeeping (the webhook dispatcher's
        delivery state) whose commit does not wait for the disk: it survives the process
        being killed, and an operating-system crash or power loss may only roll back its last
        commits, whole and in order (a delivery then goes again: a duplicate, never a loss).
        Not for anything a client is told is stored."""
        if self._joined() is not None:
            with self._write() as conn:
                yield conn
            return
        with translated(), self._writer.connect() as conn, self._relaxed(conn), conn.begin():
            self._relax_transaction(conn)
            changelog.discard(conn)
            yield conn
            self._flush_changes(conn)

    @contextmanager
    def _relaxed(self, conn: Connection) -> Iterator[None]:
        """Dialect hook around a bookkeeping transaction, outside it (SQLite)."""
        yield

    def _relax_transaction(self, conn: Connection) -> None:
        """Dialect hook at the start of a bookkeeping transaction (PostgreSQL)."""

    # --- lifecycle ---------------------------------------------------------------------------
    def upgrade(self) -> None:
        """Migrate to the newest revision with Alembic (a no-op when already there).

        The whole upgrade is one transaction holding the migration lock (`_lock_migrations`),
        so processes that start together upgrade one after the other: the later ones find the
        schema at head."""
        if self._archive is not None:
            self._archive.upgrade()
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with translated(), self._writer.begin() as conn:
            self._lock_migrations(conn)
            config.attributes["connection"] = conn
            command.upgrade(config, "head")

    def _lock_migrations(self, conn: Connection) -> None:
        """Dialect hook: serialize upgrades. SQLite's writer already holds the write lock
        (BEGIN IMMEDIATE); PostgreSQL takes an advisory lock until the transaction ends."""

    def close(self) -> None:
        if self._archive is not None:
            self._archive.close()
        self._reader.dispose()
        if self._writer is not self._reader:
            self._writer.dispose()

    def analyze(self) -> None:
        """Refresh the planner statistics (after a large import)."""
        with self._write() as conn:
            conn.execute(text("ANALYZE"))

    def explain(self, stmt: RowsSelect, *, prefer_indexes: bool = False) -> str:
        """The engine's plan for a statement: SQLite `EXPLAIN QUERY PLAN` lines, PostgreSQL
        `EXPLAIN (FORMAT JSON)`. `prefer_indexes` turns sequential scans off where the engine
        allows it (PostgreSQL), for tests on tables too small for the planner to bother."""
        with self._read() as conn:
            return self._explain(conn, stmt, prefer_indexes)

    def explain_history(self, query: HistoryQuery, *, prefer_indexes: bool = False) -> str:
        """The plan of the exact SELECT that `history(query)` runs."""
        with self._read() as conn:
            stmt = self._page_select(conn, query, limit=query.limit + 1, with_content=False)
            return self._explain(conn, stmt, prefer_indexes)

    def _page_select(
        self, conn: Connection, query: HistoryQuery, *, limit: int, with_content: bool
    ) -> RowsSelect:
        """Dialect hook: the SELECT of the first `limit` rows of `query` (a dialect may read
        something first to choose or narrow it)."""
        drive = self._rare_clause(conn, query, counting=False)
        return history_select(
            query, limit=limit, text=self._text, with_content=with_content, drive=drive
        )

    # --- interactions: reads -----------------------------------------------------------------
    def history(self, query: HistoryQuery) -> Page[Interaction]:
        if self._tier(query.source) is not self:
            return self._tier(query.source).history(query)
        with self._read() as conn:
            plain = plain_page(query, limit=query.limit + 1)
            if plain is not None:
                found = conn.execute(*plain).all()
            else:
                stmt = self._page_select(conn, query, limit=query.limit + 1, with_content=False)
                found = conn.execute(stmt).all()
        page = [rows.row_to_interaction(r, attributes=query.return_attributes) for r in found]
        if len(page) <= query.limit:
            return Page(page)
        last = page[query.limit - 1]
        return Page(page[: query.limit], Cursor(to_millis(last.start_date), last.id))

    def iter_history(self, query: HistoryQuery) -> Iterator[Interaction]:
        if self._tier(query.source) is not self:
            yield from self._tier(query.source).iter_history(query)
            return
        after = query.after
        while True:
            chunk = replace(query, after=after)
            with self._read() as conn:
                stmt = self._page_select(conn, chunk, limit=EXPORT_CHUNK, with_content=True)
                found = conn.execute(stmt).all()
            for row in found:
                yield rows.row_to_interaction(row, with_content=True)
            if len(found) < EXPORT_CHUNK:
                return
            after = Cursor(found[-1].start_ms, found[-1].id)

    def get_interaction(self, interaction_id: str, *, with_content: bool) -> Interaction | None:
        with self._read() as conn:
            row = conn.execute(by_id(with_content=with_content), {BY_ID: interaction_id}).first()
        if row is None and self._archive is not None:
            return self._archive.get_interaction(interaction_id, with_content=with_content)
        return None if row is None else rows.row_to_interaction(row, with_content=with_content)

    def get_interactions(
        self, ids: Sequence[str], *, with_content: bool = False
    ) -> dict[str, Interaction]:
        found: dict[str, Interaction] = {}
        with self._read() as conn:
            for chunk in people.chunks(set(ids)):
                stmt = interactions_select(with_content=with_content)
                for row in conn.execute(stmt.where(interactions.c.id.in_(chunk))):
                    found[row.id] = rows.row_to_interaction(row, with_content=with_content)
        missing = [i for i in ids if i not in found]
        if missing and self._archive is not None:
            found |= self._archive.get_interactions(missing, with_content=with_content)
        return found

    def count_history(self, query: HistoryQuery, *, cap: int) -> Total:
        """Matches of `query` (cursor and limit ignored), counted up to `cap`. A search of
        words alone counts on the text index alone (`_search.words_only`) while the other
        tier holds nothing (the index holds both tiers)."""
        if self._tier(query.source) is not self:
            return self._tier(query.source).count_history(query, cap=cap)
        expression = words_only(query, self._text)
        with self._read() as conn:
            if expression is not None and not conn.execute(other_tier(query)).first():
                stmt = self._text.capped_matches(expression, cap).subquery()
            else:
                stmt = self._capped(conn, query, cap, interactions.c.id).subquery()
            counted = int(conn.scalar(select(func.count()).select_from(stmt)) or 0)
        return Total(min(counted, cap), counted <= cap)

    def facet_counts(
        self, query: HistoryQuery, *, fields: Sequence[str], cap: int
    ) -> dict[str, dict[str, int]]:
        """Per value of each field ("mediaType", "state"): how many of the first `cap`
        matches of `query` have it (all of them when there are no more)."""
        if self._tier(query.source) is not self:
            return self._tier(query.source).facet_counts(query, fields=fields, cap=cap)
        columns = {"mediaType": interactions.c.media_type, "state": interactions.c.state}
        wanted = [columns[f] for f in fields]
        if not wanted:
            return {}
        # One statement for every field: the matches are read once, grouped by all of them.
        counts: dict[str, Counter[str]] = {f: Counter() for f in fields}
        with self._read() as conn:
            capped = self._capped(conn, query, cap - 1, *wanted).subquery()
            stmt = select(*capped.c, func.count()).group_by(*capped.c)
            for *values, n in conn.execute(stmt):
                for name, value in zip(fields, values, strict=True):
                    counts[name][str(value)] += int(n)
        return {name: dict(sorted(found.items())) for name, found in counts.items()}

    def _capped(self, conn: Connection, query: HistoryQuery, cap: int, *columns: Any) -> Any:
        """The first `cap` + 1 matches of `query` (in no particular order), these columns."""
        whole = replace(query, after=None)
        driver = driver_of(whole)
        drive = self._rare_clause(conn, whole, counting=True)
        conditions = matching(whole, driver, self._text, drive)
        return select(*columns).select_from(driver.relation).where(*conditions).limit(cap + 1)

    def _rare_clause(self, conn: Connection, query: HistoryQuery, *, counting: bool) -> Node | None:
        """Dialect hook: a clause of `query.q` whose matches are few enough to read first
        (`_search.condition`'s `drive`), for a count or for a page; None lets the engine
        choose."""
        return None

    def owner_handled_contact(self, owner_id: str, contact_id: str) -> bool:
        stmt = select(interactions.c.id).where(
            interactions.c.contact_id == contact_id, interactions.c.owner_id == owner_id
        )
        with self._read() as conn:
            if conn.execute(stmt.limit(1)).first() is not None:
                return True
        archive = self._archive
        return archive is not None and archive.owner_handled_contact(owner_id, contact_id)

    def daily_counts(
        self, *, source: Source, start_ms: int, end_ms: int, spans: Sequence[OffsetSpan]
    ) -> list[DailyCount]:
        if self._tier(source) is not self:
            return self._tier(source).daily_counts(
                source=source, start_ms=start_ms, end_ms=end_ms, spans=spans
            )
        return super().daily_counts(source=source, start_ms=start_ms, end_ms=end_ms, spans=spans)

    def busiest_owners(
        self, *, source: Source, start_ms: int, end_ms: int, limit: int
    ) -> list[OwnerCount]:
        if self._tier(source) is not self:
            return self._tier(source).busiest_owners(
                source=source, start_ms=start_ms, end_ms=end_ms, limit=limit
            )
        return super().busiest_owners(source=source, start_ms=start_ms, end_ms=end_ms, limit=limit)

    def count_interactions(self) -> int:
        with self._read() as conn:
            return int(conn.scalar(select(func.count()).select_from(interactions)) or 0)

    # --- interactions: writes ----------------------------------------------------------------
    def save_interactions(
        self, interactions_: Sequence[Interaction], *, replace: bool = True
    ) -> None:
        self.save_prepared(self.prepare_interactions(interactions_), replace=replace)

    def prepare_interactions(self, interactions_: Sequence[Interaction]) -> PreparedInteractions:
        batch = list({i.id: i for i in interactions_}.values())  # the last of a repeated id wins
        if self._archive is not None and any(i.source is Source.ARCHIVE for i in batch):
            raise InvalidInput("source", _ARCHIVE_IS_ELSEWHERE)
        attributes = rows.attribute_values(
            (i.id, i.source._value_, to_millis(i.start_date), i.custom_attributes) for i in batch
        )
        return PreparedInteractions(
            ids=[i.id for i in batch],
            contact_ids=frozenset(i.contact_id for i in batch if i.contact_id),
            owner_ids=frozenset(i.owner_id for i in batch if i.owner_id),
            owners=rows.owner_user_rows(batch, _now_ms()),
            interactions=self._bind(
                self._interactions_upsert,
                rows.INTERACTION_COLUMNS,
                [rows.interaction_values(i) for i in batch],
            ),
            attributes=self._bind(_INSERT_ATTRIBUTES, rows.ATTRIBUTE_COLUMNS, attributes),
            contents=self._bind(_INSERT_CONTENTS, rows.CONTENT_COLUMNS, rows.content_values(batch)),
            documents=self._documents(batch),
        )

    def _stored_rows(
        self,
        ids: list[str],
        interactions_: list[tuple[Any, ...]],
        attributes: list[tuple[Any, ...]],
        contents: list[tuple[Any, ...]],
        documents: list[tuple[Any, ...]],
    ) -> PreparedInteractions:
        """A batch of rows read as stored (an archive copy, `store._archive`), bound for
        `_write_prepared`: nothing derived from domain objects again. No owners: the caller
        writes them."""
        return PreparedInteractions(
            ids=ids,
            contact_ids=frozenset(),
            owner_ids=frozenset(),
            owners=[],
            interactions=self._bind(
                self._interactions_upsert, rows.INTERACTION_COLUMNS, interactions_
            ),
            attributes=self._bind(_INSERT_ATTRIBUTES, rows.ATTRIBUTE_COLUMNS, attributes),
            contents=self._bind(_INSERT_CONTENTS, rows.CONTENT_COLUMNS, contents),
            documents=documents,
        )

    def save_prepared(self, prepared: PreparedInteractions, *, replace: bool = True) -> None:
        if not prepared.ids:
            return
        with self._write(lambda e: self._batch_problem(prepared, e)) as conn:
            if prepared.owners:
                self._insert_many(conn, self._owners_insert, prepared.owners)
            self._write_prepared(conn, prepared, replace=replace)

    def _write_interactions(self, conn: Connection, batch: Sequence[Interaction]) -> None:
        """Rows, attributes and content of new interactions in the caller's transaction (no
        owners); an existing id is an IntegrityError."""
        self._write_prepared(conn, self.prepare_interactions(batch), replace=False)

    def _write_prepared(
        self, conn: Connection, prepared: PreparedInteractions, *, replace: bool
    ) -> None:
        existing = changelog.existing_interaction_ids(conn, prepared.ids) if replace else set()
        self._write_interaction_rows(conn, prepared.interactions, replace=replace)
        changelog.note(conn, _created_or_updated(prepared.ids, existing))
        # The rows that hang on an interaction (foreign keys) exist only for a stored id.
        # With writers in turn, the ids found stored are all of them; otherwise another
        # writer may have stored one since, so every id is cleared.
        stale = [i for i in prepared.ids if i in existing] if self._writes_in_turn else prepared.ids
        _delete_by_ids(conn, interaction_attributes, stale)
        _delete_by_ids(conn, interaction_contents, stale)
        if prepared.attributes:
            columns = rows.ATTRIBUTE_COLUMNS
            self._insert_bound(conn, _INSERT_ATTRIBUTES, columns, prepared.attributes)
        if prepared.contents:
            self._insert_bound(conn, _INSERT_CONTENTS, rows.CONTENT_COLUMNS, prepared.contents)
        self._write_documents(conn, stale, prepared.documents)

    def _batch_problem(self, batch: PreparedInteractions, error: IntegrityError) -> OpenUcsError:
        """Name the culprit of a failed batch: an id taken, an unknown contact or owner, or a
        taken user name."""
        if is_unique_violation(error, "interactions"):
            which = repr(batch.ids[0]) if len(batch.ids) == 1 else "of the batch"
            return Conflict(f"interaction {which} already exists")
        if is_foreign_key_violation(error):
            wanted = batch.contact_ids
            with self._read() as conn:
                missing = wanted - people.existing_contact_ids(conn, wanted)
                if missing:
                    return InvalidInput("contactId", f"unknown contact {sorted(missing)[0]!r}")
                owners = batch.owner_ids
                known = set(conn.scalars(select(users.c.id).where(users.c.id.in_(owners))))
            if owners - known:
                return InvalidInput("ownerInformation", f"unknown user {sorted(owners - known)[0]}")
        if "user_name" in driver_message(error):
            return Conflict("an owner's userName belongs to another user id")
        return Conflict(f"the batch conflicts with stored data ({driver_message(error)})")

    def update_interaction(self, interaction_id: str, patch: InteractionPatch) -> Interaction:
        """Apply the fields named in `patch.present` (None clears them); with an empty
        `present`, the fields that are not None. Custom attributes are replaced as a whole."""
        names = patch.present or {n for n in _PATCHABLE if getattr(patch, n) is not None}
        values = _patch_values(patch, names)
        with self._write(lambda e: _patch_problem(patch, e)) as conn:
            key = interactions.c.id == interaction_id
            found = conn.execute(select(interactions.c.source, interactions.c.start_ms).where(key))
            row = found.first()
            if row is None:
                raise NotFound("interaction", interaction_id)
            if values:
                conn.execute(update(interactions).where(key).values(values))
            if "custom_attributes" in names:
                _delete_by_ids(conn, interaction_attributes, [interaction_id])
                attrs = patch.custom_attributes or {}
                new = rows.attribute_values([(interaction_id, row.source, row.start_ms, attrs)])
                if new:
                    self._insert_tuples(conn, _INSERT_ATTRIBUTES, rows.ATTRIBUTE_COLUMNS, new)
            if names & _SEARCHED:
                self._reindex(conn, interaction_id)
            changelog.note_interactions(conn, ChangeType.INTERACTION_UPDATED, [interaction_id])
            stmt = interactions_select(with_content=False).where(key)
            return rows.row_to_interaction(conn.execute(stmt).one())

    def delete_interaction(self, interaction_id: str) -> bool:
        key = interactions.c.id == interaction_id
        with self._write() as conn:
            for table in (interaction_attributes, interaction_contents):
                conn.execute(delete(table).where(table.c.interaction_id == interaction_id))
            done = conn.execute(
                delete(interactions)
                .where(key)
                .returning(interactions.c.owner_id, interactions.c.contact_id)
            ).first()
            if done is None:
                return False
            gone = PendingChange(
                ChangeType.INTERACTION_DELETED, interaction_id, done.contact_id, done.owner_id
            )
            changelog.note(conn, [gone])
            return True

    # --- contacts ----------------------------------------------------------------------------
    def get_contact(self, contact_id: str) -> Contact | None:
        with self._read() as conn:
            return people.get_contact(conn, contact_id)

    def existing_contact_ids(self, ids: Iterable[str]) -> set[str]:
        with self._read() as conn:
            return people.existing_contact_ids(conn, ids)

    def save_contact(self, contact: Contact, *, replace: bool = True) -> Contact:
        def taken(error: IntegrityError) -> OpenUcsError:
            if is_unique_violation(error, "contacts"):
                return Conflict(f"contact {contact.id!r} already exists")
            return Conflict(f"the contact conflicts with stored data ({driver_message(error)})")

        with self._write(taken) as conn:
            existing = people.existing_contact_ids(conn, [contact.id]) if replace else set()
            people.save_contacts(conn, self._upsert, [contact], _now_ms(), replace=replace)
            changelog.note(conn, _contacts_changed([contact.id], existing))
            saved = people.get_contact(conn, contact.id)
        return _written(saved, "contact", contact.id)

    def save_contacts(self, contacts: Sequence[Contact]) -> None:
        if contacts:
            with self._write() as conn:
                ids = list(dict.fromkeys(c.id for c in contacts))
                existing = people.existing_contact_ids(conn, ids)
                people.save_contacts(conn, self._upsert, contacts, _now_ms())
                changelog.note(conn, _contacts_changed(ids, existing))

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
        with self._read() as conn:
            return people.find_contacts(
                conn,
                scope=scope,
                email=email,
                phone=phone,
                name=name,
                limit=limit,
                after_id=after_id,
                words=words,
            )

    # --- users -------------------------------------------------------------------------------
    def get_user(self, user_id: str) -> User | None:
        with self._read() as conn:
            return people.user_by_id(conn, user_id)

    def get_user_by_name(self, user_name: str) -> User | None:
        with self._read() as conn:
            return people.user_by_name(conn, user_name)

    def change_stamp(self) -> int | None:
        """No cheap signal by default: callers read what they need."""
        return None

    def save_user(self, user: User) -> User:
        def taken(error: IntegrityError) -> OpenUcsError:
            return Conflict(f"user name {user.user_name!r} belongs to another user")

        with self._write(taken) as conn:
            people.save_user(conn, self._upsert, user, _now_ms())
            saved = people.get_user(conn, users.c.id == user.id)
        return _written(saved, "user", user.id)

    def list_users(self) -> list[User]:
        with self._read() as conn:
            return people.list_users(conn)

    # --- sessions ----------------------------------------------------------------------------
    def create_session(self, session: Session) -> None:
        with self._write() as conn:
            people.create_session(conn, session)

    def add_session(self, session: Session) -> Session:
        with self._write() as conn:
            return people.add_session(conn, self._upsert, session)

    def get_session(self, token_hash: str) -> Session | None:
        with self._read() as conn:
            return people.get_session(conn, token_hash)

    def close_session(self, session: Session) -> None:
        with self._write() as conn:
            people.close_session(conn, self._upsert, session)

    def delete_session(self, token_hash: str) -> None:
        with self._write() as conn:
            people.delete_session(conn, token_hash)

    def touch_session(self, token_hash: str, seen_ms: int) -> None:
        with self._write() as conn:
            people.touch_session(conn, token_hash, seen_ms)

    def delete_sessions_seen_before(self, cutoff_ms: int) -> int:
        with self._write() as conn:
            return people.delete_sessions_seen_before(conn, cutoff_ms)

    def end_user_sessions(self, user_id: str) -> int:
        with self._write() as conn:
            return people.close_user_sessions(conn, user_id, _now_ms())

    def server_secret(self, name: str, candidate: str) -> str:
        with self._read() as conn:
            found = conn.scalar(select(server_secrets.c.value).where(server_secrets.c.name == name))
        if found is not None:
            return str(found)
        with self._write() as conn:
            return people.server_secret(conn, self._upsert, name, candidate, _now_ms())


def _written(saved: T | None, what: str, key: str) -> T:
    """What a write just stored, read back in its transaction."""
    if saved is None:  # pragma: no cover - only if the database lost the row
        raise NotFound(what, key)
    return saved


def _created_or_updated(ids: Sequence[str], existing: set[str]) -> Iterator[PendingChange]:
    for id_ in ids:
        kind = ChangeType.INTERACTION_UPDATED if id_ in existing else ChangeType.INTERACTION_CREATED
        yield PendingChange(kind, interaction_id=id_)


def _contacts_changed(ids: Sequence[str], existing: set[str]) -> Iterator[PendingChange]:
    for id_ in ids:
        kind = ChangeType.CONTACT_UPDATED if id_ in existing else ChangeType.CONTACT_CREATED
        yield PendingChange(kind, contact_id=id_)


def _delete_by_ids(conn: Connection, table: Table, ids: Sequence[str]) -> None:
    stmt = delete(table).where(table.c.interaction_id.in_(bindparam("ids", expanding=True)))
    for chunk in people.chunks(ids):
        conn.execute(stmt, {"ids": chunk})


def _patch_values(patch: InteractionPatch, names: Iterable[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in names:
        column = _PATCHABLE.get(name)
        if column is None:
            raise InvalidInput(name, "cannot be changed")
        value = getattr(patch, name)
        if name == "state":
            if value is None:
                raise InvalidInput("state", "cannot be cleared")
            value = value.value
        elif name == "end_date":
            value = None if value is None else to_millis(value)
        elif name == "custom_attributes":
            value = value or None
        values[column] = value
    return values


def _patch_problem(patch: InteractionPatch, error: IntegrityError) -> OpenUcsError:
    if is_foreign_key_violation(error) and patch.contact_id:
        return InvalidInput("contactId", f"unknown contact {patch.contact_id!r}")
    return Conflict(f"the change conflicts with stored data ({driver_message(error)})")

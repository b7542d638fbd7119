"""SQLite: WAL, durable commits, one writer (BEGIN IMMEDIATE) and a pool of readers.

Python's sqlite3 module is put out of the transaction business (`isolation_level = None`) and
SQLAlchemy's "begin" event emits the BEGIN itself (SQLAlchemy docs, "Enabling Non-Legacy SQLite
Transactional Modes"): readers begin deferred, so they never block the writer or each other under
WAL; the writer takes the write lock up front, so two writers queue on `busy_timeout` instead of
failing on a lock upgrade. The writer engine has a single connection, so threads of one process
also write one at a time.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from functools import cached_property
from operator import itemgetter
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Connection, Engine, Insert, Table, create_engine, event
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import URL, Dialect, make_url
from sqlalchemy.pool import QueuePool

from openucs.domain.models import Interaction
from openucs.domain.query import HistoryQuery
from openucs.domain.search import Node
from openucs.errors import InvalidInput, StoreUnavailable
from openucs.store import _search as search
from openucs.store._errors import translated
from openucs.store._fts import capped_select, fts_plan, page_select
from openucs.store._history import Explain, RowsSelect
from openucs.store._rows import INTERACTION_COLUMNS, json_dumps, json_loads
from openucs.store._text import SQL_FUNCTION, sqlite_fold
from openucs.store.schema import interactions
from openucs.store.sql import SqlStore

BUSY_TIMEOUT_MS = 30_000
CACHE_KIB = 65_536
_PRAGMAS = (
    f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
    "PRAGMA synchronous = FULL",  # a commit returns once it is durable
    "PRAGMA foreign_keys = ON",
    f"PRAGMA cache_size = -{CACHE_KIB}",
    "PRAGMA temp_store = MEMORY",
    # Checkpoint every 256 MiB of WAL rather than 4 MiB: the index pages that consecutive
    # import batches all touch are copied into the database once per checkpoint, not once per
    # batch (1,000,000 rows: 16,650/s against 14,500/s with 64 MiB; 1 GiB gained nothing).
    # The WAL file is cut back to 64 MiB after a checkpoint.
    "PRAGMA wal_autocheckpoint = 65536",
    "PRAGMA journal_size_limit = 67108864",
    # What a write deletes or moves is overwritten with zeros, not only unlinked: an erasure
    # (docs/privacy.md) must not leave old copies of a page's cells behind, and those are made
    # by every earlier update, not only by the erasure (measured: with this ON only during the
    # erasure, a token edited earlier survived in the file). Debian's SQLite has it ON by
    # default; the cost elsewhere: see docs/privacy.md.
    "PRAGMA secure_delete = ON",
)


class SqliteStore(SqlStore):
    _text = search.Fts5()
    _index_table = "interaction_search_keys"
    _writes_in_turn = True  # the writer holds the database lock from BEGIN IMMEDIATE

    def __init__(self, database_url: str | URL, *, readers: int = 8) -> None:
        url = make_url(database_url)
        path = url.database
        if not path or path == ":memory:" or path.startswith("file:"):
            raise InvalidInput("database_url", "SQLite needs a file path: sqlite:///path/to.db")
        url = url.set(drivername="sqlite+pysqlite")
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreUnavailable(f"cannot create the database directory: {error}") from error
        writer = _engine(url, begin="BEGIN IMMEDIATE", pool_size=1, max_overflow=0)
        reader = _engine(url, begin="BEGIN", pool_size=readers, max_overflow=readers)
        super().__init__(reader=reader, writer=writer)
        self.path = Path(path)
        self._bulk_plans: dict[tuple[int, tuple[str, ...] | None], _BulkInsert] = {}
        self._stamp_conn: sqlite3.Connection | None = None
        self._stamp_lock = threading.Lock()

    def change_stamp(self) -> int | None:
        """`PRAGMA data_version` on a connection of its own that never writes: it changes
        whenever another connection, of any process, commits; and the pragma begins a read
        transaction, so it is current when it returns. It waits for nobody (no busy timeout):
        a database busy at that moment answers None."""
        with self._stamp_lock:
            try:
                if self._stamp_conn is None:
                    self._stamp_conn = sqlite3.connect(
                        self.path, timeout=0, isolation_level=None, check_same_thread=False
                    )
                return int(self._stamp_conn.execute("PRAGMA data_version").fetchone()[0])
            except sqlite3.Error:
                return None

    def close(self) -> None:
        with self._stamp_lock:
            if self._stamp_conn is not None:
                self._stamp_conn.close()
                self._stamp_conn = None
        super().close()

    def _upsert(self, table: Table, keys: Sequence[str], update: Sequence[str]) -> Insert:
        stmt = sqlite_insert(table)
        if not update:
            return stmt.on_conflict_do_nothing(index_elements=keys)
        return stmt.on_conflict_do_update(
            index_elements=keys, set_={name: stmt.excluded[name] for name in update}
        )

    def _insert_many(self, conn: Connection, stmt: Insert, values: list[dict[str, Any]]) -> None:
        """Rows as dicts, through the bulk path of `_insert_bound`."""
        plan = self._plan(stmt, None)
        conn.exec_driver_sql(plan.sql, [plan.parameters(v) for v in values])

    def _bind(
        self, stmt: Insert, columns: Sequence[str], values: list[tuple[Any, ...]]
    ) -> list[tuple[Any, ...]]:
        """The driver's parameter tuples, JSON columns encoded: the bulk path skips
        SQLAlchemy's per-row parameter processing, and runs where the batch is prepared."""
        plan = self._plan(stmt, tuple(columns))
        return [plan.parameters(v) for v in values]

    def _insert_bound(
        self, conn: Connection, stmt: Insert, columns: Sequence[str], bound: list[tuple[Any, ...]]
    ) -> None:
        conn.exec_driver_sql(self._plan(stmt, tuple(columns)).sql, bound)

    @cached_property
    def _interactions_insert_new(self) -> Insert:
        return sqlite_insert(interactions).prefix_with("OR IGNORE")

    def _write_interaction_rows(
        self, conn: Connection, bound: list[tuple[Any, ...]], *, replace: bool
    ) -> None:
        """New rows through a plain insert: with foreign keys on, SQLite runs it much faster
        than the upsert (1,000,000 rows, two runs each: 13.0 and 14.2 s against 17.2 and
        18.4 s). When fewer rows went in than were given (an id was there already, or a row
        broke a constraint), the whole batch goes through the upsert, which replaces rows or
        raises what the insert skipped. Without `replace` (a create), the plain insert, which
        refuses an id that is there."""
        if not replace:
            super()._write_interaction_rows(conn, bound, replace=False)
            return
        columns = INTERACTION_COLUMNS
        insert = self._plan(self._interactions_insert_new, columns)
        upsert = self._plan(self._interactions_upsert, columns)
        if insert.order != upsert.order:  # pragma: no cover - both compile every column
            raise RuntimeError("the interaction inserts bind their columns in different orders")
        if conn.exec_driver_sql(insert.sql, bound).rowcount != len(bound):
            conn.exec_driver_sql(upsert.sql, bound)

    def _page_select(
        self, conn: Connection, query: HistoryQuery, *, limit: int, with_content: bool
    ) -> RowsSelect:
        """A search with words is driven by the text index, in start order (`store._fts`)."""
        plan = fts_plan(query)
        if plan is None:
            return super()._page_select(conn, query, limit=limit, with_content=with_content)
        return page_select(conn, plan, query, limit=limit, with_content=with_content)

    def _capped(self, conn: Connection, query: HistoryQuery, cap: int, *columns: Any) -> Any:
        plan = fts_plan(replace(query, after=None))
        if plan is None:
            return super()._capped(conn, query, cap, *columns)
        return capped_select(plan, cap, *columns)

    def _rare_clause(self, conn: Connection, query: HistoryQuery, *, counting: bool) -> Node | None:
        """The attribute clause of `query.q` with fewest rows, if it has few (none for a
        query a contact or a thread narrows: those indexes are short)."""
        most = COUNT_DRIVE_ROWS if counting else PAGE_DRIVE_ROWS
        if query.q is None or query.contact_id or query.thread_id:
            return None
        best: tuple[int, Node] | None = None
        for node in search.attribute_conjuncts(query.q):
            rows = int(conn.execute(search.attribute_rows(node, most)).scalar_one())
            if rows <= most and (best is None or rows < best[0]):
                best = (rows, node)
        return None if best is None else best[1]

    def _documents(self, batch: Sequence[Interaction]) -> list[tuple[Any, ...]]:
        return list(search.fts_rows(batch))

    def _write_documents(
        self, conn: Connection, ids: Sequence[str], documents: list[tuple[Any, ...]]
    ) -> None:
        search.write_fts(conn, ids, documents)

    @contextmanager
    def _relaxed(self, conn: Connection) -> Iterator[None]:
        # Outside the transaction: SQLite refuses a change of safety level inside one. In WAL
        # mode NORMAL still writes the commit to the WAL file before it returns; only the
        # fsync waits for the next FULL commit or checkpoint.
        cursor = conn.connection.cursor()
        try:
            cursor.execute("PRAGMA synchronous = NORMAL")
            yield
        finally:
            cursor.execute("PRAGMA synchronous = FULL")
            cursor.close()

    def _scrub(self) -> tuple[str, ...]:
        """After an erasure: FTS5 keeps a deleted document's words in its index segments
        until they are merged (SQLite 3.40 has no FTS5 secure-delete), so the index is merged
        into one segment, the old segments zeroed as they are freed (`secure_delete`); then
        the WAL, which still holds the pages as they were before, is checkpointed into the
        database and truncated to nothing."""
        with translated(), self._writer.connect() as conn:
            with conn.begin():
                conn.exec_driver_sql(_FTS_OPTIMIZE)
            raw = conn.connection.driver_connection
            steps = ["fts5 optimize", _checkpoint(raw)]
        return tuple(steps)

    def _plan(self, stmt: Insert, columns: tuple[str, ...] | None) -> _BulkInsert:
        key = (id(stmt), columns)
        plan = self._bulk_plans.get(key)
        if plan is None:
            plan = self._bulk_plans[key] = _BulkInsert(stmt, self._writer.dialect, columns)
        return plan

    def _explain(self, conn: Connection, stmt: RowsSelect, prefer_indexes: bool) -> str:
        """One line per step of `EXPLAIN QUERY PLAN` (its `detail` column)."""
        found = conn.execute(Explain("EXPLAIN QUERY PLAN", stmt))
        return "\n".join(str(row[3]) for row in found)


# An attribute clause met by at most so many rows is read first (its ids, then the rows by
# key, then a sort), rather than checked on each row along the time index: SQLite has no
# statistics to choose by, so the store counts (an index range, stopped there) and chooses.
# A page stops along the time index after 100 matches, so reading first pays only for a rare
# clause; a count reads every match either way. (1M rows, a range of 5,534 rows: page 24 ms
# along the index, 96 ms read first; count 941 ms along the index, 64 ms read first.)
PAGE_DRIVE_ROWS = 2_000
COUNT_DRIVE_ROWS = 20_000


_FTS_OPTIMIZE = "INSERT INTO interaction_fts (interaction_fts) VALUES ('optimize')"
CHECKPOINT_TRIES = 50


def _checkpoint(raw: Any) -> str:
    """`PRAGMA wal_checkpoint(TRUNCATE)` until no reader holds it back (each try waits on
    the busy timeout for readers to finish); the step as the erasure report names it."""
    for _ in range(CHECKPOINT_TRIES):
        busy, _frames, _copied = raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if not busy:
            return "wal checkpoint (truncate)"
        time.sleep(0.1)
    return "wal checkpoint incomplete: readers held it back"


def _engine(url: URL, *, begin: str, pool_size: int, max_overflow: int) -> Engine:
    engine = create_engine(
        url,
        poolclass=QueuePool,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=BUSY_TIMEOUT_MS / 1000,
        connect_args={"check_same_thread": False},
        json_serializer=json_dumps,
        json_deserializer=json_loads,
    )

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        dbapi_connection.create_function(SQL_FUNCTION, 1, sqlite_fold, deterministic=True)
        cursor = dbapi_connection.cursor()
        try:
            for pragma in _PRAGMAS:
                cursor.execute(pragma)
            _ensure_wal(cursor)
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql(begin)

    return engine


def _ensure_wal(cursor: Any) -> None:
    """Switch a new database to WAL. The switch takes an exclusive lock and SQLite reports
    "database is locked" at once, without its busy handler, when processes opening a new file
    together race for it: retry until the first one has switched."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
                return
            cursor.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)


class _BulkInsert:
    """An INSERT compiled for SQLite (qmark parameters) and how to turn a row (a dict, or a
    tuple in `columns` order) into its parameter tuple. Holds the statement so that its id
    stays unique while cached."""

    def __init__(self, stmt: Insert, dialect: Dialect, columns: tuple[str, ...] | None) -> None:
        compiled = stmt.compile(dialect=dialect)
        order = list(compiled.positiontup or ())
        json_columns = {c.key for c in stmt.table.c if isinstance(c.type, JSON)}
        self.statement = stmt
        self.sql = compiled.string
        self.order = tuple(order)
        keys: list[Any] = order if columns is None else [columns.index(k) for k in order]
        self._pick: Any = None  # rows in statement order already: taken as they are
        if keys != list(range(len(keys))):
            self._pick = itemgetter(*keys) if len(keys) > 1 else lambda v: (v[keys[0]],)
        self._json = [n for n, key in enumerate(order) if key in json_columns]

    def parameters(self, values: Any) -> tuple[Any, ...]:
        picked: tuple[Any, ...] = values if self._pick is None else self._pick(values)
        if not self._json:
            return picked
        out = list(picked)
        for n in self._json:
            if out[n] is not None:
                out[n] = json_dumps(out[n])
        return tuple(out)

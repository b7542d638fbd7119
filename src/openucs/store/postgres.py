"""PostgreSQL through psycopg 3: one pooled engine for reads and writes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Insert, Table, create_engine, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import URL, make_url

from openucs.domain.models import Interaction
from openucs.store import _search as search
from openucs.store._errors import translated
from openucs.store._history import Explain, RowsSelect
from openucs.store._privacy import ERASED_TABLES
from openucs.store._rows import json_dumps, json_loads
from openucs.store.sql import SqlStore

MIGRATION_LOCK = 0x6F70656E756373  # "openucs": the advisory lock key of schema upgrades


class PostgresStore(SqlStore):
    _text = search.TsQuery()
    _index_table = "interaction_search"

    def __init__(self, database_url: str | URL, *, pool_size: int = 10) -> None:
        url = make_url(database_url).set(drivername="postgresql+psycopg")
        engine = create_engine(
            url,
            pool_pre_ping=True,
            pool_size=pool_size,
            max_overflow=pool_size,
            pool_timeout=30,
            json_serializer=json_dumps,
            json_deserializer=json_loads,
        )
        super().__init__(reader=engine, writer=engine)

    def _upsert(self, table: Table, keys: Sequence[str], update: Sequence[str]) -> Insert:
        stmt = pg_insert(table)
        if not update:
            return stmt.on_conflict_do_nothing(index_elements=keys)
        return stmt.on_conflict_do_update(
            index_elements=keys, set_={name: stmt.excluded[name] for name in update}
        )

    def _documents(self, batch: Sequence[Interaction]) -> list[tuple[Any, ...]]:
        return list(search.pg_rows(batch))

    def _write_documents(
        self, conn: Connection, ids: Sequence[str], documents: list[tuple[Any, ...]]
    ) -> None:
        search.write_pg(conn, ids, documents)

    def _scrub(self) -> tuple[str, ...]:
        """VACUUM the tables an erasure deleted from, so their dead rows are removed from the
        pages (VACUUM cannot run in a transaction: an autocommit connection)."""
        names = (*ERASED_TABLES, self._index_table)
        with translated(), self._writer.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.execute(text(f"VACUUM {', '.join(names)}"))
        return (f"VACUUM {', '.join(names)}",)

    def _keyed_writes(self, conn: Connection) -> None:
        """Without planner statistics (a first import runs ahead of autovacuum's ANALYZE),
        PostgreSQL deleted the attributes and content of 1,000 ids at a time by a sequential
        scan, and imports slowed down as the tables grew (40,000 rows: 2,037/s; with this,
        8,387/s; 200,000 rows in two processes: 9,347/s)."""
        conn.execute(text("SET LOCAL enable_seqscan = off"))

    def _lock_key(self, conn: Connection, key: str) -> None:
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})

    def _lock_migrations(self, conn: Connection) -> None:
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})

    def _explain(self, conn: Connection, stmt: RowsSelect, prefer_indexes: bool) -> str:
        """`EXPLAIN (FORMAT JSON)` as JSON text. `prefer_indexes` turns off sequential and
        bitmap scans (a bitmap scan reads all matching rows, then sorts): on a small table they
        cost less than an index read in order; on a real one a page is a short ordered read."""
        if prefer_indexes:
            conn.execute(text("SET LOCAL enable_seqscan = off"))
            conn.execute(text("SET LOCAL enable_bitmapscan = off"))
        plan = conn.execute(Explain("EXPLAIN (FORMAT JSON)", stmt)).scalar_one()
        return plan if isinstance(plan, str) else json_dumps(plan)

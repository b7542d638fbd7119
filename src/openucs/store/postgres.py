"""PostgreSQL through psycopg 3: one pooled engine for reads and writes."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import JSON, Connection, Insert, Table, create_engine, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import IntegrityError

from openucs.domain.changes import ChangeType
from openucs.domain.models import Interaction
from openucs.store import _changes as changelog
from openucs.store import _search as search
from openucs.store._copy import copy_rows, copy_upsert
from openucs.store._errors import is_unique_violation, translated
from openucs.store._history import Explain, RowsSelect
from openucs.store._privacy import ERASED_TABLES
from openucs.store._rows import (
    ATTRIBUTE_COLUMNS,
    CONTENT_COLUMNS,
    INTERACTION_COLUMNS,
    json_dumps,
    json_loads,
)
from openucs.store.base import PreparedInteractions
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

    def _relax_transaction(self, conn: Connection) -> None:
        # A crash of the database server may lose this commit, never half of it.
        conn.exec_driver_sql("SET LOCAL synchronous_commit = off")

    def _scrub(self) -> tuple[str, ...]:
        """VACUUM the tables an erasure deleted from, so their dead rows are removed from the
        pages (VACUUM cannot run in a transaction: an autocommit connection)."""
        names = (*ERASED_TABLES, self._index_table)
        with translated(), self._writer.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.execute(text(f"VACUUM {', '.join(names)}"))
        return (f"VACUUM {', '.join(names)}",)

    def _bind(
        self, stmt: Insert, columns: Sequence[str], values: list[tuple[Any, ...]]
    ) -> list[tuple[Any, ...]]:
        """JSON columns encoded as text, where batches are prepared: COPY sends them as
        they are (`store._copy`)."""
        encoded = _json_positions(stmt.table, tuple(columns))
        if not encoded:
            return values
        out = []
        for value in values:
            row = list(value)
            for n in encoded:
                if row[n] is not None:
                    row[n] = json_dumps(row[n])
            out.append(tuple(row))
        return out

    def _insert_bound(
        self, conn: Connection, stmt: Insert, columns: Sequence[str], bound: list[tuple[Any, ...]]
    ) -> None:
        """Rows made by `_bind`, by COPY (the interactions' upsert: through a scratch table)."""
        if not bound:
            return
        table = stmt.table.name
        if stmt is self._interactions_upsert:
            copy_upsert(conn, table, columns, ["id"], bound)
        elif getattr(stmt, "_post_values_clause", None) is None:
            copy_rows(conn, table, columns, bound)
        else:  # pragma: no cover - only plain inserts and the interactions' upsert come here
            raise NotImplementedError(f"no COPY for this statement on {table}")

    def _write_prepared(
        self, conn: Connection, prepared: PreparedInteractions, *, replace: bool
    ) -> None:
        """A batch of new interactions by COPY alone (rows, attributes, contents, search
        documents; the change records by COPY too, at commit). A batch naming a stored id
        takes the general path (upserts, and the old attributes and contents deleted); so
        does one whose id another writer stored meanwhile (the COPY's savepoint is undone)."""
        if not replace:
            self._copy_new(conn, prepared)
        elif _any_stored(conn, prepared.ids):
            super()._write_prepared(conn, prepared, replace=True)
            return
        else:
            try:
                with conn.begin_nested():
                    self._copy_new(conn, prepared)
            except IntegrityError as error:
                if not is_unique_violation(error, "interactions"):
                    raise
                super()._write_prepared(conn, prepared, replace=True)
                return
        changelog.note_interactions(conn, ChangeType.INTERACTION_CREATED, prepared.ids)

    def _copy_new(self, conn: Connection, prepared: PreparedInteractions) -> None:
        copy_rows(conn, "interactions", INTERACTION_COLUMNS, prepared.interactions)
        if prepared.attributes:
            copy_rows(conn, "interaction_attributes", ATTRIBUTE_COLUMNS, prepared.attributes)
        if prepared.contents:
            copy_rows(conn, "interaction_contents", CONTENT_COLUMNS, prepared.contents)
        if prepared.documents:
            copy_rows(conn, "interaction_search", ("interaction_id", "doc"), prepared.documents)

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


@cache
def _json_positions(table: Table, columns: tuple[str, ...]) -> tuple[int, ...]:
    """Where the JSON columns of `table` are among `columns`."""
    return tuple(n for n, name in enumerate(columns) if isinstance(table.c[name].type, JSON))


def _any_stored(conn: Connection, ids: Sequence[str]) -> bool:
    """Whether any of `ids` is stored: one statement, the ids one array parameter."""
    found = conn.exec_driver_sql(
        "SELECT 1 FROM interactions WHERE id = ANY(%(ids)s) LIMIT 1", {"ids": list(ids)}
    )
    return found.first() is not None

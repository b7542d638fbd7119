"""PostgreSQL COPY for the rows of large writes (psycopg 3), on the transaction's connection.

Rows come as tuples in the named columns' order, JSON columns already encoded as text
(`PostgresStore._bind`, run where batches are prepared): the text format of COPY takes them as
the server's own input (jsonb and tsvector parse the text, as a CAST would). An upsert goes
through a temporary table: COPY into it, then one INSERT ... SELECT ... ON CONFLICT.
A driver error is raised as SQLAlchemy's, so that `_errors.translated` names it as for any
other statement.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import psycopg
from sqlalchemy import Connection
from sqlalchemy import exc as sa_exc


def copy_rows(
    conn: Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """COPY `rows` into `table` (no conflict allowed: a taken key is an IntegrityError)."""
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    raw = conn.connection.driver_connection
    if raw is None:  # pragma: no cover - a pooled connection always has its driver's
        raise RuntimeError("no driver connection")
    try:
        with raw.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
    except psycopg.Error as error:
        raise sa_exc.DBAPIError.instance(sql, None, error, psycopg.Error) from error


def copy_upsert(
    conn: Connection,
    table: str,
    columns: Sequence[str],
    keys: Sequence[str],
    rows: Iterable[Sequence[Any]],
) -> None:
    """Insert `rows`, replacing the non-key columns of rows whose `keys` are taken."""
    scratch = f"openucs_copy_{table}"
    conn.exec_driver_sql(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {scratch}"
        f" (LIKE {table} INCLUDING DEFAULTS) ON COMMIT DROP"
    )
    conn.exec_driver_sql(f"TRUNCATE {scratch}")
    copy_rows(conn, scratch, columns, rows)
    names = ", ".join(columns)
    updated = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in keys)
    action = f"DO UPDATE SET {updated}" if updated else "DO NOTHING"
    upsert = f"INSERT INTO {table} ({names}) SELECT {names} FROM {scratch}"  # noqa: S608 - schema names
    conn.exec_driver_sql(f"{upsert} ON CONFLICT ({', '.join(keys)}) {action}")

"""The webhook dispatcher's bookkeeping transactions commit without waiting for the disk, and
only they: the connection goes back to the pool as durable as before, also after a failure."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, text

from openucs.store import Store
from openucs.store.sql import SqlStore
from openucs.store.sqlite import SqliteStore

SQLITE_FULL, SQLITE_NORMAL = 2, 1
LEASE = text("INSERT INTO leases (name, holder, expires_ms) VALUES ('k', 'h', 1)")


@pytest.fixture
def sql(store: Store) -> SqlStore:
    assert isinstance(store, SqlStore)
    return store


def _durability(sql: SqlStore, conn: Connection) -> object:
    if isinstance(sql, SqliteStore):
        return conn.exec_driver_sql("PRAGMA synchronous").scalar()
    return conn.execute(text("SHOW synchronous_commit")).scalar()


def _relaxed_and_durable(sql: SqlStore) -> tuple[object, object]:
    if isinstance(sql, SqliteStore):
        return SQLITE_NORMAL, SQLITE_FULL
    return "off", "on"


def test_only_the_bookkeeping_transaction_is_relaxed(sql: SqlStore) -> None:
    relaxed, durable = _relaxed_and_durable(sql)
    with sql._write() as conn:
        assert _durability(sql, conn) == durable
    with sql._bookkeeping_write() as conn:
        assert _durability(sql, conn) == relaxed
        conn.execute(LEASE)
    with sql._write() as conn:
        assert _durability(sql, conn) == durable
        assert conn.execute(text("SELECT holder FROM leases WHERE name = 'k'")).scalar() == "h"


def test_a_failed_bookkeeping_transaction_writes_nothing_and_restores(sql: SqlStore) -> None:
    _, durable = _relaxed_and_durable(sql)
    with pytest.raises(RuntimeError), sql._bookkeeping_write() as conn:
        conn.execute(LEASE)
        raise RuntimeError("the receiver went away")
    with sql._write() as conn:
        assert _durability(sql, conn) == durable
        assert conn.execute(text("SELECT count(*) FROM leases")).scalar() == 0


def test_inside_another_transaction_it_joins_it(sql: SqlStore) -> None:
    _, durable = _relaxed_and_durable(sql)
    with sql.atomic(), sql._bookkeeping_write() as conn:
        assert _durability(sql, conn) == durable

"""Store methods of the read audit, mixed into `SqlStore`: append a batch of records, read
them newest first on (at_ms, seq), delete those older than the retention."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Connection, and_, delete, or_, select

from openucs.domain.formats import from_millis, to_millis
from openucs.domain.models import ReadRecord
from openucs.domain.query import AuditQuery, Cursor, Page
from openucs.store.schema import read_audit

_INSERT = read_audit.insert()
_COLUMNS = read_audit.c


class _SqlBase(Protocol):
    def _read(self) -> AbstractContextManager[Connection]: ...

    def _write(self) -> AbstractContextManager[Connection]: ...


class AuditMethods:
    def append_reads(self: _SqlBase, records: Sequence[ReadRecord]) -> None:
        """Append read audit records in one transaction."""
        if not records:
            return
        with self._write() as conn:
            conn.execute(_INSERT, [_values(r) for r in records])

    def reads(self: _SqlBase, query: AuditQuery) -> Page[ReadRecord]:
        """One page of read audit records, newest first."""
        stmt = select(read_audit).where(*_conditions(query))
        stmt = stmt.order_by(_COLUMNS.at_ms.desc(), _COLUMNS.seq.desc()).limit(query.limit + 1)
        with self._read() as conn:
            found = [_record(row) for row in conn.execute(stmt)]
        if len(found) <= query.limit:
            return Page(found)
        last = found[query.limit - 1]
        return Page(found[: query.limit], Cursor(to_millis(last.at), str(last.seq)))

    def prune_reads(self: _SqlBase, before: datetime) -> int:
        """Delete the records written before `before`; returns how many. Looks first, so
        that a server with nothing to prune writes nothing."""
        old = _COLUMNS.at_ms < to_millis(before)
        with self._read() as conn:
            if conn.execute(select(_COLUMNS.seq).where(old).limit(1)).first() is None:
                return 0
        with self._write() as conn:
            return int(conn.execute(delete(read_audit).where(old)).rowcount or 0)


def _values(record: ReadRecord) -> dict[str, Any]:
    return {
        "at_ms": to_millis(record.at),
        "user_id": record.user_id,
        "user_name": record.user_name,
        "action": record.action,
        "via": record.via,
        "client": record.client,
        "contact_id": record.contact_id,
        "interaction_ids": " ".join(record.interaction_ids),
    }


def _record(row: Any) -> ReadRecord:
    return ReadRecord(
        at=from_millis(row.at_ms),
        user_id=row.user_id,
        user_name=row.user_name,
        action=row.action,
        via=row.via,
        client=row.client,
        contact_id=row.contact_id,
        interaction_ids=tuple(row.interaction_ids.split()),
        seq=int(row.seq),
    )


def _conditions(query: AuditQuery) -> list[Any]:
    conditions: list[Any] = []
    if query.user_id is not None:
        conditions.append(_COLUMNS.user_id == query.user_id)
    if query.since is not None:
        conditions.append(_COLUMNS.at_ms >= to_millis(query.since))
    if query.until is not None:
        conditions.append(_COLUMNS.at_ms < to_millis(query.until))
    if query.after is not None:
        at, seq = query.after.start_ms, int(query.after.id)
        conditions += [
            _COLUMNS.at_ms <= at,
            or_(_COLUMNS.at_ms < at, and_(_COLUMNS.at_ms == at, _COLUMNS.seq < seq)),
        ]
    return conditions

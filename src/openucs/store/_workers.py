"""Store methods of the state that the worker processes of one server share (mixed into
`SqlStore`): failed password checks and lockouts, per-user reference ids, and which users
may no longer log in (their CometD clients end).

Each counter moves in one statement, `INSERT ... ON CONFLICT DO UPDATE ... RETURNING`, which
SQLite (3.35+) and PostgreSQL spell the same way; the row lock it takes on PostgreSQL, and the
single writer on SQLite, make two processes counting at once add up instead of overwriting.
"""

from __future__ import annotations

from collections.abc import Collection
from contextlib import AbstractContextManager
from typing import Protocol

from sqlalchemy import Connection, bindparam, delete, select, text, update

from openucs.store import _people as people
from openucs.store.schema import login_failures, reference_counters, users

_COUNT_FAILURE = text(
    "INSERT INTO login_failures (user_name, failures, locked_until_ms) VALUES (:name, 1, 0) "
    "ON CONFLICT (user_name) DO UPDATE SET failures = login_failures.failures + 1 "
    "RETURNING failures"
)
_NEXT_REFERENCE = text(
    "INSERT INTO reference_counters (user_id, last_reference_id) VALUES (:user, 1) "
    "ON CONFLICT (user_id) DO UPDATE "
    "SET last_reference_id = reference_counters.last_reference_id + 1 "
    "RETURNING last_reference_id"
)


class _SqlBase(Protocol):
    def _write(self) -> AbstractContextManager[Connection]: ...

    def _read(self) -> AbstractContextManager[Connection]: ...


class WorkerStateMethods:
    def count_login_failure(
        self: _SqlBase, user_name: str, *, max_failures: int, until_ms: int
    ) -> int:
        """Count one failed check of `user_name`; the `max_failures`-th in a row locks it out
        until `until_ms` (and starts the count again). Returns the lockout end, 0 if none."""
        with self._write() as conn:
            count = int(conn.scalar(_COUNT_FAILURE, {"name": user_name}) or 0)
            if count < max_failures:
                return 0
            conn.execute(
                update(login_failures)
                .where(login_failures.c.user_name == user_name)
                .values(failures=0, locked_until_ms=until_ms)
            )
            return until_ms

    def login_locked_until(self: _SqlBase, user_name: str) -> int:
        """The end of the lockout of `user_name` (epoch ms), 0 if it never was locked out."""
        with self._read() as conn:
            found = conn.scalar(
                select(login_failures.c.locked_until_ms).where(
                    login_failures.c.user_name == user_name
                )
            )
            return int(found or 0)

    def login_lockouts(self: _SqlBase, now_ms: int) -> dict[str, int]:
        """Every lockout still in force at `now_ms`: user name -> its end (epoch ms)."""
        with self._read() as conn:
            rows = conn.execute(
                select(login_failures.c.user_name, login_failures.c.locked_until_ms).where(
                    login_failures.c.locked_until_ms > now_ms
                )
            )
            return {str(name): int(until) for name, until in rows}

    def clear_login_failures(self: _SqlBase, user_name: str) -> None:
        """A successful check: the failures of `user_name` are forgotten."""
        with self._write() as conn:
            conn.execute(delete(login_failures).where(login_failures.c.user_name == user_name))

    def next_user_reference_id(self: _SqlBase, user_id: str) -> int:
        """The next `referenceId` (1, 2, ...) of a user's callers without a stored session,
        atomically across processes."""
        with self._write() as conn:
            return int(conn.scalar(_NEXT_REFERENCE, {"user": user_id}) or 0)

    def last_user_reference_id(self: _SqlBase, user_id: str) -> int:
        """The last `referenceId` `next_user_reference_id` gave for `user_id` (0: none)."""
        with self._read() as conn:
            found = conn.scalar(
                select(reference_counters.c.last_reference_id).where(
                    reference_counters.c.user_id == user_id
                )
            )
            return int(found or 0)

    def users_who_cannot_log_in(self: _SqlBase, user_ids: Collection[str]) -> set[str]:
        """The users among `user_ids` that may not log in: disabled, without a password
        (deleted), or not stored at all."""
        u = users.c
        stmt = select(u.id).where(
            u.id.in_(bindparam("ids", expanding=True)),
            u.enabled.is_(True),
            u.password_hash.is_not(None),
        )
        allowed: set[str] = set()
        with self._read() as conn:
            for chunk in people.chunks(sorted(user_ids)):
                allowed.update(conn.scalars(stmt, {"ids": chunk}))
        return set(user_ids) - allowed

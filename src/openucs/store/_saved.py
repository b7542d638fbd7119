"""Store methods of the web UI's saved searches, mixed into `SqlStore`: save one under its
name (a name saved again keeps its id and takes the new query), list a user's, delete one."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any, Protocol

from sqlalchemy import Connection, delete, select, update

from openucs.domain.formats import from_millis, to_millis
from openucs.store.base import SavedSearch
from openucs.store.schema import saved_searches

_COLUMNS = saved_searches.c


class _SqlBase(Protocol):
    def _read(self) -> AbstractContextManager[Connection]: ...

    def _write(self) -> AbstractContextManager[Connection]: ...


class SavedSearchMethods:
    def save_search(self: _SqlBase, search: SavedSearch) -> SavedSearch:
        """Insert `search`, or when its user has a search of that name, replace that one's
        query (it keeps its id and creation time)."""
        same = (_COLUMNS.user_id == search.user_id) & (_COLUMNS.name == search.name)
        with self._write() as conn:
            found = conn.execute(select(saved_searches).where(same)).first()
            if found is None:
                conn.execute(saved_searches.insert().values(**_values(search)))
                return search
            conn.execute(update(saved_searches).where(same).values(query=search.query))
        return _saved(found, query=search.query)

    def saved_searches(self: _SqlBase, user_id: str) -> list[SavedSearch]:
        """The user's saved searches by name."""
        stmt = select(saved_searches).where(_COLUMNS.user_id == user_id)
        with self._read() as conn:
            return [_saved(row) for row in conn.execute(stmt.order_by(_COLUMNS.name))]

    def delete_saved_search(self: _SqlBase, user_id: str, search_id: str) -> bool:
        """Delete one of the user's saved searches; False when they have none by that id."""
        mine = (_COLUMNS.user_id == user_id) & (_COLUMNS.id == search_id)
        with self._write() as conn:
            return bool(conn.execute(delete(saved_searches).where(mine)).rowcount)


def _values(search: SavedSearch) -> dict[str, Any]:
    return {
        "id": search.id,
        "user_id": search.user_id,
        "name": search.name,
        "query": search.query,
        "created_ms": to_millis(search.created_at),
    }


def _saved(row: Any, query: str | None = None) -> SavedSearch:
    return SavedSearch(
        id=row.id,
        user_id=row.user_id,
        name=row.name,
        query=row.query if query is None else query,
        created_at=from_millis(row.created_ms),
    )

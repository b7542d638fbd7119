"""Saved searches of the web UI: a user keeps a search under a name and reruns it. A saved
search is the search page's URL query, so rerunning it is opening that URL, and the URL is what
is shared (whoever opens it sees what their own access allows)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from openucs.domain.ids import new_user_id
from openucs.domain.models import User
from openucs.errors import InvalidInput, NotFound
from openucs.store.base import SavedSearch, Store

_ID = re.compile(r"[0-9a-f]{32}")
MAX_NAME = 100
MAX_QUERY = 4000
MAX_PER_USER = 100


def save_search(*, store: Store, user: User, name: str, query: str) -> SavedSearch:
    """Save `query` under `name` for `user` (a name saved again takes the new query)."""
    if _has_control(name):
        raise InvalidInput("Name", "has a control character")
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("Name", "give the search a name")
    if len(name) > MAX_NAME:
        raise InvalidInput("Name", f"is longer than {MAX_NAME} characters")
    if len(query) > MAX_QUERY or _has_control(query, allowed=""):
        raise InvalidInput("Search", "cannot be saved (too long or not a search)")
    mine = store.saved_searches(user.id)
    if len(mine) >= MAX_PER_USER and all(s.name != name for s in mine):
        raise InvalidInput("Name", f"at most {MAX_PER_USER} saved searches: delete one first")
    search = SavedSearch(new_user_id(), user.id, name, query, datetime.now(UTC))
    return store.save_search(search)


def saved_searches(*, store: Store, user: User) -> list[SavedSearch]:
    return store.saved_searches(user.id)


def delete_saved_search(*, store: Store, user: User, search_id: str) -> None:
    """Delete one of the user's saved searches; NotFound when it is not theirs or gone."""
    if not _ID.fullmatch(search_id) or not store.delete_saved_search(user.id, search_id):
        raise NotFound("saved search", search_id)


def _has_control(text: str, allowed: str = "\t\n") -> bool:
    return any((ord(ch) < 32 and ch not in allowed) or ord(ch) == 127 for ch in text)

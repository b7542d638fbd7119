"""The Store contract for the web UI's saved searches, on every engine."""

from __future__ import annotations

from dataclasses import replace

from openucs.domain.ids import new_user_id
from openucs.store import Store
from openucs.store.base import SavedSearch
from tests.factories import BASE_TIME, make_user


def _search(user_id: str, name: str, query: str) -> SavedSearch:
    return SavedSearch(new_user_id(), user_id, name, query, BASE_TIME)


def test_saved_searches_round_trip_by_name_and_per_user(store: Store) -> None:
    ann, bob = store.save_user(make_user()), store.save_user(make_user())
    late = store.save_search(_search(ann.id, "Late refunds", "q=refund+late"))
    store.save_search(_search(ann.id, "Chats", "media=chat"))
    store.save_search(_search(bob.id, "Chats", "media=chat&sort=asc"))

    assert [s.name for s in store.saved_searches(ann.id)] == ["Chats", "Late refunds"]
    assert store.saved_searches(ann.id)[1] == late
    assert [s.query for s in store.saved_searches(bob.id)] == ["media=chat&sort=asc"]
    assert store.saved_searches(new_user_id()) == []


def test_saving_a_name_again_replaces_its_query_and_keeps_its_id(store: Store) -> None:
    ann = store.save_user(make_user())
    first = store.save_search(_search(ann.id, "Mine", "q=a"))

    again = store.save_search(_search(ann.id, "Mine", "q=%C3%BCber"))

    assert again == replace(first, query="q=%C3%BCber")
    assert store.saved_searches(ann.id) == [again]


def test_deleting_only_ones_own_saved_search(store: Store) -> None:
    ann, bob = store.save_user(make_user()), store.save_user(make_user())
    mine = store.save_search(_search(ann.id, "Mine", "q=a"))

    assert store.delete_saved_search(bob.id, mine.id) is False
    assert store.saved_searches(ann.id) == [mine]
    assert store.delete_saved_search(ann.id, mine.id) is True
    assert store.delete_saved_search(ann.id, mine.id) is False
    assert store.saved_searches(ann.id) == []

"""Helpers of the store contract tests: the history semantics in plain Python."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from openucs.domain.enums import SortOrder
from openucs.domain.formats import to_millis
from openucs.domain.models import Interaction
from openucs.domain.query import HistoryQuery
from openucs.domain.text import fold
from openucs.store import Store

ALL = HistoryQuery(limit=1000, return_attributes=None)


def ids(items: Iterable[Interaction]) -> list[str]:
    return [i.id for i in items]


def walk(store: Store, query: HistoryQuery) -> list[Interaction]:
    """Every page of a query from its cursor on, following the next cursors."""
    out: list[Interaction] = []
    cursor = query.after
    for _ in range(1000):
        page = store.history(replace(query, after=cursor))
        out += page.items
        if page.next_cursor is None:
            return out
        cursor = page.next_cursor
    raise AssertionError("paging does not end")


def reference(items: Iterable[Interaction], q: HistoryQuery) -> list[Interaction]:
    """The history semantics in plain Python: which rows, in which order."""

    def matches(i: Interaction) -> bool:
        attrs = i.custom_attributes
        text = fold(q.text) if q.text else None
        return (
            i.source == q.source
            and (q.start_from is None or i.start_date >= q.start_from)
            and (q.start_to is None or i.start_date < q.start_to)
            and (not q.media_types or i.media_type in q.media_types)
            and (not q.states or i.state in q.states)
            and (not q.type_ids or i.type_id in q.type_ids)
            and (q.owner_id is None or i.owner_id == q.owner_id)
            and (q.contact_id is None or i.contact_id == q.contact_id)
            and (q.thread_id is None or i.thread_id == q.thread_id)
            and all(attrs.get(k) == v for k, v in q.custom_equals)
            and (not text or any(text in fold(f or "") for f in (i.subject, i.comment)))
        )

    def key(i: Interaction) -> tuple[int, str]:
        return to_millis(i.start_date), i.id

    return sorted(filter(matches, items), key=key, reverse=q.sort is SortOrder.DESC)

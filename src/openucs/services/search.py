"""Searching history with the search language (`domain.search`): one page with its total, facet
counts and snippets; and the export of every match. The reader's scope goes into the SQL of
each statement, and each read is recorded in the read audit.

A search of both tiers (`source=all`, `HistoryQuery.every_tier`) reads a page of each after
the same (startDate, id) cursor and merges them: the merged page is the first `limit` of
either, and its last item is the cursor of the next page, so the page tokens stay the one
keyset cursor. Totals and facets add up the tiers'. An interaction in both tiers for a moment
(an archive run stopped between its copy and its delete, docs/archive.md) shows once, as the
main tier has it.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from openucs.domain.enums import SortOrder
from openucs.domain.formats import to_millis
from openucs.domain.models import Interaction
from openucs.domain.query import TOTAL_CAP, Cursor, HistoryQuery, Page, Total
from openucs.domain.search import positive_text_clauses, snippet
from openucs.services.access import Reader, require_reader_of_everything
from openucs.store.base import Store

FACET_FIELDS = ("mediaType", "state")
_EXPORT_RECORD = 1000  # interaction ids per audit record of an export


@dataclass(frozen=True, slots=True)
class SearchResult:
    page: Page[Interaction]
    total: Total
    facets: dict[str, dict[str, int]] | None
    snippets: dict[str, str]  # interaction id -> its snippet, for the items that have one


def search_interactions(
    *,
    store: Store,
    reader: Reader,
    query: HistoryQuery,
    facets: Sequence[str] = (),
    cap: int = TOTAL_CAP,
) -> SearchResult:
    """One page of the interactions matching `query` that the reader may read, newest (or
    oldest) first, with how many match in all (counted up to `cap`) and, on request, per
    media type and state."""
    scoped = replace(query, scope=reader.scope)
    page = _page(store, scoped)
    counts: dict[str, dict[str, int]] | None = None
    if page.next_cursor is None and query.after is None:  # the page holds every match
        total = Total(len(page.items), True)
        if facets:
            counts = _counted(page.items, facets)
    else:
        total = _total(store, scoped, cap)
        if facets:
            counts = _facets(store, scoped, facets, cap)
    reader.record("interactions.search", interaction_ids=tuple(i.id for i in page.items))
    return SearchResult(page, total, counts, _snippets(store, query, page))


def _page(store: Store, query: HistoryQuery) -> Page[Interaction]:
    """One page of `query`: of its tier, or the tiers' pages merged."""
    if not query.every_tier:
        return store.history(query)
    pages = [store.history(tier) for tier in query.tier_queries()]
    found: dict[str, Interaction] = {}
    for page in pages:
        for item in page.items:
            found.setdefault(item.id, item)
    merged = sorted(found.values(), key=_order, reverse=query.sort is SortOrder.DESC)
    items = merged[: query.limit]
    more = len(merged) > query.limit or any(p.next_cursor is not None for p in pages)
    if not more or not items:
        return Page(items)
    last = items[-1]
    return Page(items, Cursor(to_millis(last.start_date), last.id))


def _order(item: Interaction) -> tuple[int, str]:
    return to_millis(item.start_date), item.id


def _total(store: Store, query: HistoryQuery, cap: int) -> Total:
    totals = [store.count_history(tier, cap=cap) for tier in query.tier_queries()]
    value = sum(t.value for t in totals)
    return Total(min(value, cap), all(t.exact for t in totals) and value <= cap)


def _facets(
    store: Store, query: HistoryQuery, facets: Sequence[str], cap: int
) -> dict[str, dict[str, int]]:
    summed: dict[str, Counter[str]] = {name: Counter() for name in facets}
    for tier in query.tier_queries():
        for name, found in store.facet_counts(tier, fields=facets, cap=cap).items():
            summed[name].update(found)
    return {name: dict(sorted(found.items())) for name, found in summed.items()}


def _counted(items: Sequence[Interaction], facets: Sequence[str]) -> dict[str, dict[str, int]]:
    values = {"mediaType": lambda i: i.media_type.value, "state": lambda i: i.state.value}
    return {f: dict(sorted(Counter(map(values[f], items)).items())) for f in facets}


def _snippets(store: Store, query: HistoryQuery, page: Page[Interaction]) -> dict[str, str]:
    """The text the words of the query matched, read with the page's content (one query)."""
    if query.q is None or not positive_text_clauses(query.q) or not page.items:
        return {}
    node = query.q
    found = store.get_interactions([i.id for i in page.items], with_content=True)
    out: dict[str, str] = {}
    for item_id, item in found.items():
        text = snippet(node, item)
        if text is not None:
            out[item_id] = text
    return out


def export_interactions(
    *, store: Store, reader: Reader, query: HistoryQuery
) -> Iterator[Interaction]:
    """Every interaction matching `query`, in its order, with content, streamed: for readers of
    everything (supervisors, admins). Recorded in the read audit as it goes."""
    require_reader_of_everything(reader.user, "exporting a search")
    return _exported(store, reader, replace(query, scope=reader.scope))


def _exported(store: Store, reader: Reader, query: HistoryQuery) -> Iterator[Interaction]:
    sent: list[str] = []
    tiers = [store.iter_history(tier) for tier in query.tier_queries()]
    merged = heapq.merge(*tiers, key=_order, reverse=query.sort is SortOrder.DESC)
    try:
        for item in merged:
            yield item
            sent.append(item.id)
            if len(sent) == _EXPORT_RECORD:
                reader.record("interactions.export", interaction_ids=tuple(sent))
                sent.clear()
    finally:
        if sent:
            reader.record("interactions.export", interaction_ids=tuple(sent))

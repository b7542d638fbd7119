"""SQLite: a search driven by its words, newest (or oldest) first, without sorting every match.

FTS5 returns matches in rowid order, and a rowid is a search key (`store._search`): the
start-time bucket (1,024 ms) in its high bits. So the matches in key order are the matches in
start order, bucket by bucket. A page takes two short reads of the index:

1. the key of the (limit + 1)-th match in key order (reading stops there);
2. the matches from that key's bucket on, in (start, id) order: every match of a later bucket
   started later than every match of an earlier one, so the page is among them, and only the
   matches of one bucket more than the page are sorted.

Without this, a rare word would be looked for in every row along the time index, and a common
word's matches would all be read and sorted.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import ColumnElement, Connection, select

from openucs.domain.enums import SortOrder
from openucs.domain.formats import to_millis
from openucs.domain.query import HistoryQuery
from openucs.domain.search import And, DateRange, Node
from openucs.store._history import Driver, RowsSelect, matching, ordered, select_rows
from openucs.store._search import (
    SEQ_BITS,
    Fts5,
    bucket_keys,
    bucket_of,
    driving_text,
    fts,
    fts_match,
    search_keys,
)
from openucs.store.schema import interactions

_rows = interactions
FTS5 = Fts5()


@dataclass(frozen=True, slots=True)
class FtsPlan:
    driver: Driver
    rest: HistoryQuery  # the query without the words that drive it

    def conditions(self) -> list[ColumnElement[bool]]:
        return matching(self.rest, self.driver, FTS5)


def fts_plan(query: HistoryQuery) -> FtsPlan | None:
    """The plan of a query whose words can drive it (`_search.driving_text`) and that no
    contact or thread narrows further (those read their own, short, index)."""
    if query.q is None or query.contact_id or query.thread_id:
        return None
    driving = driving_text(query.q, FTS5)
    if driving is None:
        return None
    expression, rest = driving
    # The FTS table drives and the rows follow by key. `+ 0` and `|| ''` keep the planner
    # from reading the rows first (along a window, say) and FTS5 per row by rowid, which it
    # thinks cheap and which evaluates the whole MATCH again for each row.
    relation = fts.join(search_keys, search_keys.c.search_key == fts.c.rowid + 0).join(
        _rows, _rows.c.id == search_keys.c.interaction_id.concat("")
    )
    bounds = [fts_match(expression), *_key_bounds(query, rest)]
    if query.owner_id is not None:
        bounds.append(_rows.c.owner_id == query.owner_id)
    driver = Driver(
        relation, _rows.c.source, _rows.c.start_ms, _rows.c.id, tuple(bounds), query.custom_equals
    )
    left: Node | None = None
    if rest:
        left = rest[0] if len(rest) == 1 else And(tuple(rest))
    return FtsPlan(driver, replace(query, q=left))


def _key_bounds(query: HistoryQuery, rest: list[Node]) -> list[ColumnElement[bool]]:
    """The window, the cursor and top-level startDate clauses as key ranges, so that FTS5
    skips what lies outside them (the rows are still checked exactly)."""
    lows: list[int] = []
    highs: list[int] = []
    if query.start_from is not None:
        lows.append(to_millis(query.start_from))
    if query.start_to is not None:
        highs.append(to_millis(query.start_to))
    if query.after is not None:
        (highs if query.sort is SortOrder.DESC else lows).append(query.after.start_ms)
    for node in rest:
        if isinstance(node, DateRange):
            if node.lower is not None:
                lows.append(to_millis(node.lower))
            if node.upper is not None:
                highs.append(to_millis(node.upper))
    bounds: list[ColumnElement[bool]] = []
    if lows:
        bounds.append(fts.c.rowid >= bucket_keys(bucket_of(max(lows)))[0])
    if highs:
        bounds.append(fts.c.rowid <= bucket_keys(bucket_of(min(highs)))[1])
    return bounds


def page_select(
    conn: Connection, plan: FtsPlan, query: HistoryQuery, *, limit: int, with_content: bool
) -> RowsSelect:
    """The SELECT of the first `limit` rows of the plan in (start, id) order."""
    conditions = plan.conditions()
    descending = query.sort is SortOrder.DESC
    key = fts.c.rowid
    nth = conn.execute(
        select(key)
        .select_from(plan.driver.relation)
        .where(*conditions)
        .order_by(key.desc() if descending else key.asc())
        .limit(1)
        .offset(limit - 1)
    ).scalar()
    if nth is not None:
        first, last = bucket_keys(int(nth) >> SEQ_BITS)
        conditions.append(key >= first if descending else key <= last)
    stmt = select_rows(plan.driver.relation, with_content=with_content).where(*conditions)
    return ordered(stmt, query, plan.driver, limit)


def capped_select(plan: FtsPlan, cap: int, *columns: Any) -> Any:
    """The first `cap` + 1 matches found (in key order), these columns."""
    return (
        select(*columns).select_from(plan.driver.relation).where(*plan.conditions()).limit(cap + 1)
    )

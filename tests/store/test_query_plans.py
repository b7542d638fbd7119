"""Every history query is served by an index in its sort order: no table scan, no sort.

The plans are of the exact statements the store runs (`explain_history`, and `explain` of the
statement `get_interaction` runs), on a table large enough that the planner's choice means
something, after ANALYZE. PostgreSQL is asked with `enable_seqscan = off`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from openucs.domain.access import AgentAccess, ReadScope
from openucs.domain.enums import MediaType, SortOrder
from openucs.domain.formats import to_millis
from openucs.domain.query import Cursor, HistoryQuery
from openucs.store import Store
from openucs.store._history import interaction_select
from openucs.store.sql import SqlStore
from openucs.store.sqlite import SqliteStore
from tests.factories import at, make_contact, make_interaction, make_owner

ROWS = 10_000
PEOPLE = 50


def _load(store: SqlStore) -> dict[str, str]:
    """ROWS interactions over PEOPLE contacts and owners, in start order (as they arrive)."""
    contacts = [make_contact() for _ in range(PEOPLE)]
    store.save_contacts(contacts)
    owners = [make_owner() for _ in range(PEOPLE)]
    store.save_interactions(
        [
            make_interaction(
                start_date=at(n),
                contact_id=contacts[n % PEOPLE].id,
                owner_id=owners[n % PEOPLE].id,
                owner=owners[n % PEOPLE],
                media_type=(MediaType.CALL, MediaType.CHAT)[n % 2],
                custom_attributes={"SearchId": str(n), "Queue": f"q{n % 10}", "Tier": "gold"},
            )
            for n in range(ROWS)
        ]
    )
    store.analyze()
    # owners[n] owns interactions of contacts[n] only: owners[1] has handled contacts[1].
    return {"contact": contacts[1].id, "owner": owners[2].id, "handler": owners[1].id}


def _window(**filters: Any) -> HistoryQuery:
    """A history query over most of the loaded rows."""
    return HistoryQuery(start_from=at(1000), start_to=at(9000), **filters)


# The index names may list alternatives: "a|b".
Case = tuple[Callable[[dict[str, str]], HistoryQuery], str, str]
CASES: dict[str, Case] = {
    # name: (query, index on SQLite, index on PostgreSQL)
    "contact history": (
        lambda ids: _window(contact_id=ids["contact"], media_types=(MediaType.CHAT,)),
        "ix_interactions_contact",
        "ix_interactions_contact",
    ),
    "contact history, next page asc": (
        lambda ids: _window(
            contact_id=ids["contact"], sort=SortOrder.ASC, after=Cursor(to_millis(at(5000)), "IX")
        ),
        "ix_interactions_contact",
        "ix_interactions_contact",
    ),
    "an agent's contact history, handled": (
        lambda ids: _window(
            contact_id=ids["contact"], scope=ReadScope(ids["handler"], AgentAccess.HANDLED)
        ),
        "ix_interactions_contact",
        "ix_interactions_contact",
    ),
    "an agent's contact history, own": (
        lambda ids: _window(
            contact_id=ids["contact"], scope=ReadScope(ids["handler"], AgentAccess.OWN)
        ),
        # Contact and owner both given: either index serves it.
        "ix_interactions_contact|ix_interactions_owner",
        "ix_interactions_contact|ix_interactions_owner",
    ),
    "an agent's window, handled": (
        lambda ids: _window(scope=ReadScope(ids["handler"], AgentAccess.HANDLED)),
        "ix_interactions_window",
        "ix_interactions_window",
    ),
    "agent history": (
        lambda ids: _window(owner_id=ids["owner"]),
        "ix_interactions_owner",
        "ix_interactions_owner",
    ),
    "all interactions in a window": (
        lambda ids: _window(),
        "ix_interactions_window",
        "ix_interactions_window",
    ),
    "all interactions, next page": (
        lambda ids: _window(after=Cursor(to_millis(at(5000)), "IX")),
        "ix_interactions_window",
        "ix_interactions_window",
    ),
    "custom attribute equality": (
        lambda ids: _window(custom_equals=(("SearchId", "4321"),)),
        "ix_interaction_attributes_lookup",
        "ix_interaction_attributes_lookup",
    ),
    # A page of 20: PostgreSQL assumes attribute names and values independent, so it expects
    # fewer rows with both pairs than a page of 100 and would read them all and sort.
    "two custom attributes": (
        lambda ids: _window(custom_equals=(("Queue", "q3"), ("Tier", "gold")), limit=20),
        "ix_interaction_attributes_lookup",
        "ix_interaction_attributes_lookup",
    ),
}


def _sqlite_problems(plan: str, index: str) -> list[str]:
    problems = []
    if not re.search(rf"USING (COVERING )?INDEX ({index})\b", plan):
        problems.append(f"{index} not used")
    if "TEMP B-TREE" in plan:
        problems.append("sorts in a temporary b-tree")
    problems += [line for line in plan.splitlines() if re.match(r"SCAN \w+", line)]
    return problems


def _pg_nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from _pg_nodes(child)


def _postgres_problems(plan: str, index: str) -> list[str]:
    nodes = list(_pg_nodes(json.loads(plan)[0]["Plan"]))
    problems = []
    if not any(
        n["Node Type"] in ("Index Scan", "Index Only Scan")
        and n.get("Index Name") in index.split("|")
        for n in nodes
    ):
        problems.append(f"no Index Scan on {index}")
    problems += [
        n["Node Type"] for n in nodes if "Sort" in n["Node Type"] or "Seq" in n["Node Type"]
    ]
    return problems


def _is_sqlite(store: object) -> bool:
    return isinstance(store, SqliteStore)


def _problems(store: object, plan: str, index: str) -> list[str]:
    if _is_sqlite(store):
        return _sqlite_problems(plan, index)
    return _postgres_problems(plan, index)


def test_every_history_query_is_an_index_range_in_sort_order(store: Store) -> None:
    assert isinstance(store, SqlStore)
    ids = _load(store)
    problems = {}
    for case, (build, sqlite_index, pg_index) in CASES.items():
        query = build(ids)
        assert store.history(query).items, case  # a real case: the query finds rows
        plan = store.explain_history(query, prefer_indexes=True)
        found = _problems(store, plan, sqlite_index if _is_sqlite(store) else pg_index)
        if found:
            problems[case] = (found, plan)

    assert problems == {}


def test_get_by_id_uses_the_primary_key(store: Store) -> None:
    assert isinstance(store, SqlStore)
    _load(store)
    item_id = store.history(HistoryQuery(limit=1)).items[0].id
    index = "sqlite_autoindex_interactions_1" if _is_sqlite(store) else "pk_interactions"

    for with_content in (False, True):
        stmt = interaction_select(item_id, with_content=with_content)
        plan = store.explain(stmt, prefer_indexes=True)
        assert _problems(store, plan, index) == [], plan

"""The Store contract for history reads (filters, order, paging, export), on every engine.

Results are checked against `reference()`, a plain-Python statement of the query semantics
applied to the same rows.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from openucs.domain.enums import InteractionType, MediaType, SortOrder, Source, State
from openucs.domain.formats import to_millis
from openucs.domain.models import Interaction
from openucs.domain.query import Cursor, HistoryQuery
from openucs.store import Store, sql
from tests.factories import (
    at,
    make_contact,
    make_email,
    make_interaction,
    make_messages,
    make_owner,
)
from tests.store.helpers import ALL, ids, reference, walk

# --- history ---------------------------------------------------------------------------------


@pytest.fixture
def dataset(store: Store) -> dict[str, Any]:
    """24 interactions over 2 contacts, 2 owners, 3 media, 4 states, threads, attributes,
    both tiers; pairs share a start time so that (start, id) ties are exercised."""
    contacts = [make_contact(), make_contact()]
    store.save_contacts(contacts)
    owners = [make_owner(), make_owner()]
    subjects = ["Refund 100% of order_7", "refund request", "Delivery", None]
    items: list[Interaction] = []
    for n in range(24):
        owner = owners[n % 2] if n % 5 else None
        items.append(
            make_interaction(
                id=f"H{n:03d}",
                start_date=at(n // 2 * 10),
                media_type=(MediaType.CALL, MediaType.CHAT, MediaType.EMAIL)[n % 3],
                state=(State.NEW, State.IN_PROCESS, State.STOPPED, State.PENDING)[n % 4],
                type_id=(InteractionType.INBOUND, InteractionType.OUTBOUND)[n % 2],
                owner_id=owner.id if owner else None,
                owner=owner,
                contact_id=contacts[n % 2].id if n % 3 else None,
                thread_id=f"T{n % 4}",
                subject=subjects[n % 4],
                comment="Customer said REFUND" if n % 6 == 0 else None,
                custom_attributes={
                    "Queue": f"q{n % 3}",
                    "Tier": "gold" if n % 4 == 0 else "silver",
                    **({"Rare": "x"} if n % 7 == 0 else {}),
                },
                source=Source.ARCHIVE if n % 6 == 5 else Source.MAIN,
            )
        )
    store.save_interactions(items)
    return {"items": items, "contacts": contacts, "owners": owners}


def _queries(data: dict[str, Any]) -> dict[str, HistoryQuery]:
    c0, o0, o1 = data["contacts"][0].id, data["owners"][0].id, data["owners"][1].id
    return {
        "all desc": ALL,
        "all asc": replace(ALL, sort=SortOrder.ASC),
        "window half-open": replace(ALL, start_from=at(20), start_to=at(60)),
        "window from only": replace(ALL, start_from=at(70)),
        "window to only": replace(ALL, start_to=at(30), sort=SortOrder.ASC),
        "media types": replace(ALL, media_types=(MediaType.CHAT, MediaType.EMAIL)),
        "states": replace(ALL, states=(State.NEW, State.STOPPED)),
        "type ids": replace(ALL, type_ids=(InteractionType.OUTBOUND,)),
        "owner": replace(ALL, owner_id=o1),
        "contact": replace(ALL, contact_id=c0, start_from=at(10), start_to=at(100)),
        "contact asc": replace(ALL, contact_id=c0, sort=SortOrder.ASC),
        "thread": replace(ALL, thread_id="T1"),
        "one attribute": replace(ALL, custom_equals=(("Queue", "q1"),)),
        "two attributes (AND)": replace(ALL, custom_equals=(("Queue", "q0"), ("Tier", "gold"))),
        "attribute and window": replace(
            ALL, custom_equals=(("Tier", "silver"),), start_from=at(20), start_to=at(80)
        ),
        "attribute and contact": replace(ALL, contact_id=c0, custom_equals=(("Queue", "q2"),)),
        "attribute and owner": replace(ALL, owner_id=o1, custom_equals=(("Tier", "silver"),)),
        "text, any case": replace(ALL, text="REFUND"),
        "text with % is literal": replace(ALL, text="100%"),
        "text with _ is literal": replace(ALL, text="r_7"),
        "archive": replace(ALL, source=Source.ARCHIVE),
        "combined": replace(
            ALL, media_types=(MediaType.CALL,), states=(State.NEW,), owner_id=o0, text="refund"
        ),
    }


QUERY_NAMES = list(_queries({"contacts": [make_contact()], "owners": [make_owner()] * 2}))


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_history_filters_match_the_reference(
    store: Store, dataset: dict[str, Any], name: str
) -> None:
    query = _queries(dataset)[name]
    expected = reference(dataset["items"], query)

    got = store.history(query)

    assert ids(got.items) == ids(expected)
    assert got.next_cursor is None
    # Pages of 4 give the same rows in the same order.
    assert ids(walk(store, replace(query, limit=4))) == ids(expected)


def test_filters_are_selective(dataset: dict[str, Any]) -> None:
    """Each filter case keeps some rows and drops others (so the comparison above means it)."""
    main = [i for i in dataset["items"] if i.source is Source.MAIN]
    for name, query in _queries(dataset).items():
        if name not in ("all desc", "all asc"):
            assert 0 < len(reference(dataset["items"], query)) < len(main), name


def test_history_joins_owners_and_carries_no_content(store: Store) -> None:
    owner = make_owner(first_name="Grace", last_name="Hopper")
    store.save_interactions([make_interaction(owner_id=owner.id, owner=owner, email=make_email())])

    (item,) = store.history(ALL).items

    assert item.owner == owner
    assert item.email is None and item.messages is None


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [
        (None, {"Queue": "q1", "Tier": "gold", "Rare": "x"}),
        ((), {}),
        (("Tier", "Missing"), {"Tier": "gold"}),
    ],
)
def test_return_attributes_limits_the_custom_attributes(
    store: Store, wanted: tuple[str, ...] | None, expected: dict[str, str]
) -> None:
    attrs = {"Queue": "q1", "Tier": "gold", "Rare": "x"}
    store.save_interactions([make_interaction(custom_attributes=attrs)])

    (item,) = store.history(replace(ALL, return_attributes=wanted)).items

    assert item.custom_attributes == expected


def test_ties_on_start_are_ordered_by_id_in_both_directions(store: Store) -> None:
    same = at(1)
    store.save_interactions([make_interaction(id=i, start_date=same) for i in ("B", "C", "A")])

    assert ids(store.history(ALL).items) == ["C", "B", "A"]
    assert ids(store.history(replace(ALL, sort=SortOrder.ASC)).items) == ["A", "B", "C"]


@pytest.mark.parametrize("sort", [SortOrder.DESC, SortOrder.ASC])
def test_a_page_reports_the_next_cursor_only_when_more_rows_exist(
    store: Store, sort: SortOrder
) -> None:
    items = [make_interaction() for _ in range(4)]
    store.save_interactions(items)
    query = replace(ALL, sort=sort, limit=2)

    first = store.history(query)
    second = store.history(replace(query, after=first.next_cursor))

    last = first.items[-1]
    assert first.next_cursor == Cursor(to_millis(last.start_date), last.id)
    assert len(second.items) == 2 and second.next_cursor is None
    assert ids(first.items + second.items) == ids(reference(items, query))


@pytest.mark.parametrize("sort", [SortOrder.DESC, SortOrder.ASC])
def test_paging_neither_repeats_nor_skips_when_rows_arrive_between_pages(
    store: Store, sort: SortOrder
) -> None:
    # pairs of equal start times, so that page boundaries fall inside ties
    items = [make_interaction(id=f"P{n:02d}", start_date=at(n // 2)) for n in range(10)]
    store.save_interactions(items)
    query = replace(ALL, sort=sort, limit=3)

    first = store.history(query)
    # new rows: one tied with the cursor row on each side of its id, one at each end
    cursor = first.next_cursor
    assert cursor is not None
    tie = at(0) + timedelta(milliseconds=cursor.start_ms - to_millis(at(0)))
    arrivals = [
        make_interaction(id=cursor.id[:-1] + "0a", start_date=tie),
        make_interaction(id=cursor.id + "z", start_date=tie),
        make_interaction(id="EARLY", start_date=at(-100)),
        make_interaction(id="LATE", start_date=at(100)),
    ]
    store.save_interactions(arrivals)
    rest = walk(store, replace(query, after=cursor))

    seen = ids(first.items) + ids(rest)
    assert len(seen) == len(set(seen))
    assert set(ids(items)) <= set(seen)
    # what follows the cursor is exactly the reference order after the first page
    everything = reference(items + arrivals, query)
    position = ids(everything).index(first.items[-1].id)
    assert ids(rest) == ids(everything[position + 1 :])


def test_iter_history_streams_every_row_in_order_with_content(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sql, "EXPORT_CHUNK", 3)  # many chunk boundaries, some inside ties
    items = [
        make_interaction(
            start_date=at(n // 3),
            custom_attributes={"N": str(n)},
            messages=make_messages(1) if n % 2 else None,
            email=make_email() if n % 5 == 0 else None,
        )
        for n in range(14)
    ]
    store.save_interactions(items)
    query = HistoryQuery(sort=SortOrder.ASC, limit=2, return_attributes=())

    streamed = list(store.iter_history(query))

    assert streamed == reference(items, query)  # all attributes and content, limit ignored

"""The Store contract for interactions, run on every engine (see the `store` fixture).

History results are checked against `reference()`, a plain-Python statement of the query
semantics applied to the same rows.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta, timezone

import pytest

from openucs.domain.enums import InteractionType, MediaType, SortOrder, Source, State
from openucs.domain.formats import to_millis
from openucs.domain.models import Interaction, InteractionPatch, OwnerInfo
from openucs.domain.query import Cursor, HistoryQuery
from openucs.errors import InvalidInput, NotFound, OpenUcsError
from openucs.store import sql
from tests.factories import (
    at,
    make_contact,
    make_email,
    make_interaction,
    make_messages,
    make_owner,
    make_user,
)

ALL = HistoryQuery(limit=1000, return_attributes=None)


def ids(items):
    return [i.id for i in items]


def walk(store, query):
    """Every page of a query from its cursor on, following the next cursors."""
    out, cursor = [], query.after
    for _ in range(1000):
        page = store.history(replace(query, after=cursor))
        out += page.items
        if page.next_cursor is None:
            return out
        cursor = page.next_cursor
    raise AssertionError("paging does not end")


def reference(items, q):
    """The history semantics in plain Python: which rows, in which order."""

    def matches(i):
        attrs = i.custom_attributes
        text = q.text.lower() if q.text else None
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
            and (not text or any(text in (f or "").lower() for f in (i.subject, i.comment)))
        )

    key = lambda i: (to_millis(i.start_date), i.id)  # noqa: E731
    return sorted(filter(matches, items), key=key, reverse=q.sort is SortOrder.DESC)


# --- round trips -----------------------------------------------------------------------------


def full_interaction(contact_id, owner):
    return make_interaction(
        media_type=MediaType.CHAT,
        type_id=InteractionType.OUTBOUND,
        state=State.IN_PROCESS,
        # an offset and sub-millisecond digits: stored as UTC epoch milliseconds
        start_date=at(5).astimezone(timezone(timedelta(hours=3))) + timedelta(microseconds=456),
        end_date=at(9),
        subject="Ünïcode subject",
        contact_id=contact_id,
        owner_id=owner.id,
        owner=owner,
        parent_id="PARENT1",
        thread_id="THREAD1",
        comment="a comment",
        custom_attributes={"SearchId": "123456", "CustomerId": "C-9", "Empty": ""},
        phone_number="+15550100",
        call_duration=77,
        user_data={"n": 1, "f": 1.5, "nested": {"list": [1, "two", None, True]}, "ü": "ß"},
        external_id="EXT-1",
        can_be_parent=False,
        messages=make_messages(3),
    )


def test_round_trip_of_every_field(store):
    contact = store.save_contact(make_contact())
    owner = make_owner(first_name="Ada", last_name="Lovelace")
    original = full_interaction(contact.id, owner)
    store.save_interactions([original])

    got = store.get_interaction(original.id, with_content=True)

    expected_start = at(5)  # the microseconds below a millisecond are dropped
    assert got == replace(original, start_date=expected_start)
    assert got.start_date.utcoffset() == timedelta(0)
    assert got.messages[0].timestamp.utcoffset() == timedelta(0)
    assert got.owner == owner


def test_email_content_round_trip_and_no_content_without_asking(store):
    item = make_interaction(media_type=MediaType.EMAIL, email=make_email())
    store.save_interactions([item])

    assert store.get_interaction(item.id, with_content=True) == item
    bare = store.get_interaction(item.id, with_content=False)
    assert bare == replace(item, email=None)
    assert bare.messages is None and bare.email is None


def test_missing_interaction_is_none(store):
    assert store.get_interaction("nope", with_content=True) is None
    assert store.get_interactions(["nope"]) == {}


def test_get_interactions_returns_existing_ones_without_content(store):
    items = [make_interaction(messages=make_messages(1)) for _ in range(3)]
    store.save_interactions(items)

    found = store.get_interactions([items[0].id, items[2].id, "missing"])

    assert found == {i.id: replace(i, messages=None) for i in (items[0], items[2])}


def test_save_creates_unknown_owners_without_password_and_keeps_known_ones(store):
    known = store.save_user(make_user(first_name="Kept"))
    new = make_owner(first_name="New", last_name="Agent")
    store.save_interactions(
        [
            make_interaction(owner_id=new.id, owner=new),
            make_interaction(owner_id=new.id, owner=new),
            make_interaction(
                owner_id=known.id, owner=OwnerInfo(known.id, known.user_name, "Changed")
            ),
        ]
    )

    created = store.get_user(new.id)
    assert (created.user_name, created.first_name, created.last_name) == (
        new.user_name,
        "New",
        "Agent",
    )
    assert created.password_hash is None and not created.can_login
    assert {r.value for r in created.roles} == {"agent"}
    assert store.get_user(known.id) == known


# --- replace semantics and atomicity ---------------------------------------------------------


def test_resaving_an_id_replaces_row_attributes_and_content(store):
    first = make_interaction(custom_attributes={"A": "1", "B": "2"}, messages=make_messages(2))
    store.save_interactions([first])
    second = replace(first, subject="new", custom_attributes={"B": "3", "C": "4"}, messages=None)

    store.save_interactions([second])

    assert store.get_interaction(first.id, with_content=True) == second
    assert store.count_interactions() == 1
    by = lambda k, v: ids(store.history(replace(ALL, custom_equals=((k, v),))).items)  # noqa: E731
    assert (by("A", "1"), by("B", "2"), by("B", "3"), by("C", "4")) == (
        [],
        [],
        [first.id],
        [first.id],
    )


def test_saving_the_same_batch_twice_changes_nothing(store):
    owner = make_owner()
    batch = [
        make_interaction(owner_id=owner.id, owner=owner, custom_attributes={"K": str(n)})
        for n in range(5)
    ]
    store.save_interactions(batch)
    before = store.history(ALL).items

    store.save_interactions(batch)

    assert store.history(ALL).items == before
    assert store.count_interactions() == 5
    assert len(store.list_users()) == 1


def test_a_batch_with_an_unknown_contact_writes_nothing(store):
    kept = make_interaction(subject="kept")
    store.save_interactions([kept])
    owner = make_owner()
    batch = [
        replace(kept, subject="changed"),
        make_interaction(owner_id=owner.id, owner=owner, custom_attributes={"X": "1"}),
        make_interaction(contact_id="NO-SUCH-CONTACT"),
    ]

    with pytest.raises(InvalidInput) as caught:
        store.save_interactions(batch)

    assert caught.value.field == "contactId"
    assert "NO-SUCH-CONTACT" in caught.value.problem
    assert store.count_interactions() == 1
    assert store.get_interaction(kept.id, with_content=False).subject == "kept"
    assert store.get_user(owner.id) is None
    assert store.history(replace(ALL, custom_equals=(("X", "1"),))).items == []


def test_an_owner_name_taken_by_another_id_is_an_openucs_error(store):
    taken = store.save_user(make_user())
    clash = make_owner(user_name=taken.user_name)

    with pytest.raises(OpenUcsError) as caught:
        store.save_interactions([make_interaction(owner_id=clash.id, owner=clash)])

    assert caught.value.code == "conflict"
    assert store.count_interactions() == 0


# --- history ---------------------------------------------------------------------------------


@pytest.fixture
def dataset(store):
    """24 interactions over 2 contacts, 2 owners, 3 media, 4 states, threads, attributes,
    both tiers; pairs share a start time so that (start, id) ties are exercised."""
    contacts = [make_contact(), make_contact()]
    store.save_contacts(contacts)
    owners = [make_owner(), make_owner()]
    subjects = ["Refund 100% of order_7", "refund request", "Delivery", None]
    items = []
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


def _queries(data):
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
def test_history_filters_match_the_reference(store, dataset, name):
    query = _queries(dataset)[name]
    expected = reference(dataset["items"], query)

    got = store.history(query)

    assert ids(got.items) == ids(expected)
    assert got.next_cursor is None
    # Pages of 4 give the same rows in the same order.
    assert ids(walk(store, replace(query, limit=4))) == ids(expected)


def test_filters_are_selective(dataset):
    """Each filter case keeps some rows and drops others (so the comparison above means it)."""
    main = [i for i in dataset["items"] if i.source is Source.MAIN]
    for name, query in _queries(dataset).items():
        if name not in ("all desc", "all asc"):
            assert 0 < len(reference(dataset["items"], query)) < len(main), name


def test_history_joins_owners_and_carries_no_content(store):
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
def test_return_attributes_limits_the_custom_attributes(store, wanted, expected):
    attrs = {"Queue": "q1", "Tier": "gold", "Rare": "x"}
    store.save_interactions([make_interaction(custom_attributes=attrs)])

    (item,) = store.history(replace(ALL, return_attributes=wanted)).items

    assert item.custom_attributes == expected


def test_ties_on_start_are_ordered_by_id_in_both_directions(store):
    same = at(1)
    store.save_interactions([make_interaction(id=i, start_date=same) for i in ("B", "C", "A")])

    assert ids(store.history(ALL).items) == ["C", "B", "A"]
    assert ids(store.history(replace(ALL, sort=SortOrder.ASC)).items) == ["A", "B", "C"]


@pytest.mark.parametrize("sort", [SortOrder.DESC, SortOrder.ASC])
def test_a_page_reports_the_next_cursor_only_when_more_rows_exist(store, sort):
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
def test_paging_neither_repeats_nor_skips_when_rows_arrive_between_pages(store, sort):
    # pairs of equal start times, so that page boundaries fall inside ties
    items = [make_interaction(id=f"P{n:02d}", start_date=at(n // 2)) for n in range(10)]
    store.save_interactions(items)
    query = replace(ALL, sort=sort, limit=3)

    first = store.history(query)
    # new rows: one tied with the cursor row on each side of its id, one at each end
    cursor = first.next_cursor
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


def test_iter_history_streams_every_row_in_order_with_content(store, monkeypatch):
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


# --- updates, deletes, questions -------------------------------------------------------------


def test_update_applies_present_fields_and_none_clears(store):
    contact = store.save_contact(make_contact())
    item = make_interaction(comment="old", subject="keep", call_duration=5, user_data={"a": 1})
    store.save_interactions([item])
    patch = InteractionPatch(
        state=State.STOPPED,
        end_date=at(30),
        comment=None,
        contact_id=contact.id,
        user_data=None,
        present=frozenset({"state", "end_date", "comment", "contact_id", "user_data"}),
    )

    updated = store.update_interaction(item.id, patch)

    expected = replace(
        item, state=State.STOPPED, end_date=at(30), comment=None, contact_id=contact.id,
        user_data=None,
    )  # fmt: skip
    assert updated == expected
    assert store.get_interaction(item.id, with_content=False) == expected


def test_update_replaces_custom_attributes_and_their_index(store):
    item = make_interaction(custom_attributes={"A": "1", "B": "2"})
    store.save_interactions([item])

    store.update_interaction(
        item.id,
        InteractionPatch(custom_attributes={"B": "9"}, present=frozenset({"custom_attributes"})),
    )

    assert store.get_interaction(item.id, with_content=False).custom_attributes == {"B": "9"}
    assert ids(store.history(replace(ALL, custom_equals=(("B", "9"),))).items) == [item.id]
    assert store.history(replace(ALL, custom_equals=(("A", "1"),))).items == []


def test_update_without_present_changes_only_given_fields(store):
    item = make_interaction(comment="stays")
    store.save_interactions([item])

    updated = store.update_interaction(item.id, InteractionPatch(subject="new"))

    assert updated == replace(item, subject="new")


def test_update_errors(store):
    item = make_interaction()
    store.save_interactions([item])

    with pytest.raises(NotFound):
        store.update_interaction("missing", InteractionPatch(comment="x"))
    with pytest.raises(InvalidInput) as caught:
        store.update_interaction(
            item.id, InteractionPatch(contact_id="NOPE", present=frozenset({"contact_id"}))
        )
    assert caught.value.field == "contactId"
    with pytest.raises(InvalidInput):
        store.update_interaction(item.id, InteractionPatch(present=frozenset({"state"})))
    assert store.get_interaction(item.id, with_content=False) == item


def test_delete_removes_the_row_its_attributes_and_content(store):
    item = make_interaction(custom_attributes={"A": "1"}, messages=make_messages(2))
    store.save_interactions([item, make_interaction()])

    assert store.delete_interaction(item.id) is True
    assert store.delete_interaction(item.id) is False
    assert store.get_interaction(item.id, with_content=True) is None
    assert store.history(replace(ALL, custom_equals=(("A", "1"),))).items == []
    store.save_interactions([replace(item, custom_attributes={}, messages=None)])
    assert store.get_interaction(item.id, with_content=True).messages is None
    assert store.count_interactions() == 2


def test_owner_handled_contact(store):
    contacts = [make_contact(), make_contact()]
    store.save_contacts(contacts)
    owners = [make_owner(), make_owner()]
    store.save_interactions(
        [
            make_interaction(
                contact_id=contacts[0].id,
                owner_id=owners[0].id,
                owner=owners[0],
                source=Source.ARCHIVE,
            ),
            make_interaction(contact_id=contacts[1].id, owner_id=owners[1].id, owner=owners[1]),
        ]
    )

    assert store.owner_handled_contact(owners[0].id, contacts[0].id)
    assert not store.owner_handled_contact(owners[0].id, contacts[1].id)
    assert not store.owner_handled_contact(owners[1].id, contacts[0].id)


def test_count_interactions_counts_both_tiers(store):
    store.save_interactions([make_interaction(), make_interaction(source=Source.ARCHIVE)])

    assert store.count_interactions() == 2


def test_interaction_type(store):
    """The store hands back domain objects, not rows."""
    store.save_interactions([make_interaction()])

    assert all(isinstance(i, Interaction) for i in store.history(ALL).items)

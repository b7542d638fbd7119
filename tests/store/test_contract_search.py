"""The Store contract for the search language (`HistoryQuery.q`), on every engine: what each
clause finds, that every write path keeps the full-text index in step, totals and facets.

Each expectation is also checked against `domain.search.matches`, the reference evaluator.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, timedelta
from typing import Any

import pytest

from openucs.domain.enums import MediaType, SortOrder, Source, State
from openucs.domain.models import ChatMessage, Interaction, InteractionPatch
from openucs.domain.query import HistoryQuery, Total
from openucs.domain.search import matches, parse_query
from openucs.store import Store
from tests.factories import at, make_contact, make_email, make_interaction, make_owner
from tests.store.helpers import walk

ALICE = make_owner(user_name="alice")


def _message(text: str, index: int = 0) -> ChatMessage:
    return ChatMessage(
        index=index,
        type="Text",
        timestamp=at(index),
        nickname="Ann",
        participant_type="Customer",
        participant_id="p0",
        text=text,
    )


@pytest.fixture
def corpus(store: Store) -> dict[str, Interaction]:
    contact = make_contact()
    store.save_contacts([contact])
    items = [
        make_interaction(
            id="chat-de",
            media_type=MediaType.CHAT,
            start_date=at(1),
            subject="Rückerstattung",
            messages=[_message("Über die Straße kam der Żółw"), _message("full refund now", 1)],
            custom_attributes={"CaseNumber": "1500", "Country": "DE", "Opened": "2026-01-05"},
            owner=ALICE,
            owner_id=ALICE.id,
            contact_id=contact.id,
        ),
        make_interaction(
            id="mail-1",
            media_type=MediaType.EMAIL,
            start_date=at(2),
            subject="Invoice",
            email=make_email(
                subject="Chargeback dispute",
                body_as_plain_text=None,
                body="<p>I want a <b>refund</b> &amp; more</p>",
            ),
            custom_attributes={"CaseNumber": "900", "Country": "AT", "Order": "A17-3"},
        ),
        make_interaction(
            id="call-1",
            media_type=MediaType.CALL,
            start_date=at(3),
            subject="refunded already",
            comment="customer was angry",
            user_data={"notes": {"deep": ["escalation needed"]}},
            custom_attributes={"CaseNumber": "abc", "Opened": "2026-02-01T10:00:00+02:00"},
            state=State.IN_PROCESS,
            end_date=None,
        ),
        make_interaction(
            id="chat-2",
            media_type=MediaType.CHAT,
            start_date=at(4),
            subject=None,
            messages=[_message("refund full please"), _message("e-mail me", 1)],
        ),
    ]
    store.save_interactions(items)
    return {item.id: item for item in items}


def _found(store: Store, q: str, **fields: Any) -> list[str]:
    query = HistoryQuery(q=parse_query(q, zone=UTC), limit=1000, **fields)
    return [item.id for item in store.history(query).items]


def _expected(corpus: dict[str, Interaction], q: str) -> list[str]:
    node = parse_query(q, zone=UTC)
    hits = [
        i
        for i in corpus.values()
        if matches(node, i, owner_name="alice" if i.owner_id == ALICE.id else None)
    ]
    return [i.id for i in sorted(hits, key=lambda i: (i.start_date, i.id), reverse=True)]


CASES = {
    "refund": None,
    "uber": ["chat-de"],
    "zolw": ["chat-de"],
    "STRASSE": ["chat-de"],
    "rückerstattung": ["chat-de"],
    '"full refund"': ["chat-de"],
    '"refund full"': ["chat-2"],
    "refun*": None,
    "chargeback": ["mail-1"],
    "subject:chargeback": ["mail-1"],
    "text:chargeback": [],
    "text:refund": ["chat-2", "mail-1", "chat-de"],
    "subject:refunded": ["call-1"],
    "comment:angry": ["call-1"],
    "escalation": ["call-1"],
    "text:escalation": [],
    '"e mail"': ["chat-2"],
    "e-mail": ["chat-2"],
    "refund -mediaType:chat": ["mail-1"],
    "refund OR angry": None,
    "NOT refund": ["call-1"],
    "-(refund OR refunded)": [],
    "(uber OR chargeback) mediaType:email": ["mail-1"],
    "agent:alice": ["chat-de"],
    "-agent:alice": ["chat-2", "call-1", "mail-1"],
    "state:InProcess": ["call-1"],
    "attr.Country:DE": ["chat-de"],
    "attr.Country:!=DE": ["mail-1"],
    "-attr.Country:DE": ["chat-2", "call-1", "mail-1"],
    "attr.Country:*": ["mail-1", "chat-de"],
    "-attr.Country:*": ["chat-2", "call-1"],
    "attr.Order:A17*": ["mail-1"],
    "attr.CaseNumber:>1000": ["call-1", "chat-de"],
    "attr.CaseNumber:[800 TO 1600]": ["mail-1", "chat-de"],
    "attr.CaseNumber:<=900": ["mail-1"],
    "attr.Opened:>2026-01-31": ["call-1"],
    "attr.Opened:[2026-01-01 TO 2026-01-31]": ["chat-de"],
    "attr.Opened:<2026-02-01T08:00:01Z": ["call-1", "chat-de"],
}


@pytest.mark.parametrize("q", CASES)
def test_each_clause_finds_what_the_reference_finds(
    store: Store, corpus: dict[str, Interaction], q: str
) -> None:
    expected = _expected(corpus, q)
    if CASES[q] is not None:
        assert expected == CASES[q], "the case's expectation disagrees with the reference"
    assert _found(store, q) == expected


def test_the_search_combines_with_the_other_filters(
    store: Store, corpus: dict[str, Interaction]
) -> None:
    assert _found(store, "refund", media_types=(MediaType.CHAT,)) == ["chat-2", "chat-de"]
    assert _found(store, "refund", start_from=at(2), start_to=at(4)) == ["mail-1"]
    assert _found(store, "refund", sort=SortOrder.ASC) == ["chat-de", "mail-1", "chat-2"]
    contact = corpus["chat-de"].contact_id
    assert _found(store, "refund OR chargeback", contact_id=contact) == ["chat-de"]


def test_pages_of_a_search_walk_every_match_once(
    store: Store, corpus: dict[str, Interaction]
) -> None:
    query = HistoryQuery(q=parse_query("refun* OR angry", zone=UTC), limit=1)
    assert [i.id for i in walk(store, query)] == _expected(corpus, "refun* OR angry")


def test_totals_stop_at_the_cap(store: Store, corpus: dict[str, Interaction]) -> None:
    query = HistoryQuery(q=parse_query("refun*", zone=UTC))
    assert store.count_history(query, cap=100) == Total(4, True)
    assert store.count_history(query, cap=4) == Total(4, True)
    assert store.count_history(query, cap=3) == Total(3, False)


def test_facets_count_each_value(store: Store, corpus: dict[str, Interaction]) -> None:
    query = HistoryQuery(q=parse_query("refun*", zone=UTC))
    facets = store.facet_counts(query, fields=("mediaType", "state"), cap=100)
    assert facets == {
        "mediaType": {"call": 1, "chat": 2, "email": 1},
        "state": {"InProcess": 1, "Stopped": 3},
    }


# --- the index follows every write -------------------------------------------------------


def test_a_replaced_interaction_is_found_by_its_new_words_only(
    store: Store, corpus: dict[str, Interaction]
) -> None:
    changed = replace(corpus["chat-2"], messages=[_message("kangaroo")], start_date=at(9))
    store.save_interactions([changed])
    assert _found(store, "kangaroo") == ["chat-2"]
    assert "chat-2" not in _found(store, "refund")


def test_a_patch_reindexes_subject_comment_and_user_data(
    store: Store, corpus: dict[str, Interaction]
) -> None:
    store.update_interaction(
        "call-1",
        InteractionPatch(
            subject="wombat",
            comment=None,
            user_data={"k": "platypus"},
            present=frozenset({"subject", "comment", "user_data"}),
        ),
    )
    assert _found(store, "wombat") == ["call-1"]
    assert _found(store, "platypus") == ["call-1"]
    assert _found(store, "angry OR escalation OR refunded") == []


def test_completing_a_call_indexes_its_new_user_data(
    store: Store, corpus: dict[str, Interaction]
) -> None:
    store.complete_interaction(
        "call-1", end_date=at(5), call_duration=3, user_data={"wrap": "callback tomorrow"}
    )
    assert _found(store, '"callback tomorrow"') == ["call-1"]
    assert _found(store, "escalation") == ["call-1"]


def test_a_deleted_interaction_leaves_the_index(
    store: Store, corpus: dict[str, Interaction]
) -> None:
    assert store.delete_interaction("chat-de")
    assert _found(store, "uber") == []
    store.save_interactions([corpus["chat-de"]])
    assert _found(store, "uber") == ["chat-de"]


def test_a_new_call_is_found_by_its_subject(store: Store) -> None:
    call, created = store.find_or_create_call(
        make_interaction(external_id="c-1", subject="numbat sighting")
    )
    assert created
    assert _found(store, "numbat") == [call.id]


def test_many_interactions_starting_together_are_all_indexed(store: Store) -> None:
    moment = at(30)
    items = [make_interaction(start_date=moment, subject=f"batch w{n}") for n in range(1200)]
    store.save_interactions(items)
    total = store.count_history(HistoryQuery(q=parse_query("batch", zone=UTC)), cap=5000)
    assert total == Total(1200, True)
    page = store.history(HistoryQuery(q=parse_query("batch", zone=UTC), limit=3))
    assert [i.id for i in page.items] == sorted((i.id for i in items), reverse=True)[:3]


@pytest.mark.parametrize("sort", [SortOrder.DESC, SortOrder.ASC])
@pytest.mark.parametrize("size", [1, 7, 50])
def test_pages_across_start_buckets_keep_start_then_id_order(
    store: Store, sort: SortOrder, size: int
) -> None:
    """Matches in many start buckets (1,024 ms), several per bucket and per millisecond, ids
    not in start order: every page, walked to the end, is the reference's order."""
    items = [
        make_interaction(
            id=f"B{(n * 7919) % 1000:04d}",
            start_date=at(0) + timedelta(milliseconds=(n // 3) * 400),
            subject="wallaby" if n % 4 else "wallaby wombat",
        )
        for n in range(120)
    ]
    store.save_interactions(items)
    window = (at(0) + timedelta(seconds=3), at(0.5))
    for q, (start_from, start_to) in [
        ("wallaby", (None, None)),
        ("wallaby -wombat", (None, None)),
        ("wallaby", window),
        ("wallaby startDate:[2024-01-01 TO *]", (None, None)),
    ]:
        node = parse_query(q, zone=UTC)
        query = HistoryQuery(
            q=node, limit=size, sort=sort, start_from=start_from, start_to=start_to
        )
        hits = [
            i
            for i in items
            if matches(node, i, owner_name=None)
            and (query.start_from is None or i.start_date >= query.start_from)
            and (query.start_to is None or i.start_date < query.start_to)
        ]
        expected = sorted(hits, key=lambda i: (i.start_date, i.id), reverse=sort is SortOrder.DESC)
        assert [i.id for i in walk(store, query)] == [i.id for i in expected], q


def test_totals_of_words_keep_to_the_tier_asked(
    store: Store, corpus: dict[str, Interaction]
) -> None:
    """A search of words alone is counted on the index alone while the other tier is empty;
    with archived rows the count reads the rows."""
    words = HistoryQuery(q=parse_query("refun*", zone=UTC))
    assert store.count_history(words, cap=100) == Total(4, True)
    archived = make_interaction(source=Source.ARCHIVE, subject="refund archived", start_date=at(7))
    store.save_interactions([archived])
    assert store.count_history(words, cap=100) == Total(4, True)
    archive = replace(words, source=Source.ARCHIVE)
    assert store.count_history(archive, cap=100) == Total(1, True)
    assert [i.id for i in store.history(archive).items] == [archived.id]

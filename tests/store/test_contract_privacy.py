"""The Store contract of holds, retention and erasure, on every engine: an erasure leaves the
token of the erased contact in no table and (SQLite) no byte of the database files, another
contact's data intact; holds refuse an erasure and keep interactions from the prune."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import make_url

from openucs.domain.access import EVERYTHING
from openucs.domain.changes import ChangeQuery, ChangeType
from openucs.domain.enums import MediaType, Source
from openucs.domain.ids import new_ucs_id
from openucs.domain.models import ReadRecord
from openucs.domain.privacy import Hold, RetentionPolicy
from openucs.domain.query import AuditQuery, HistoryQuery
from openucs.domain.search import parse_query
from openucs.errors import Conflict, NotFound
from openucs.services import privacy
from openucs.store import Store, open_store
from openucs.store.base import SavedSearch
from tests.factories import at, make_interaction, make_user
from tests.store.privacy_data import (
    Person,
    database_file_hits,
    new_token,
    person,
    store_person,
    table_hits,
)


def _hold(
    store: Store, *, contact_id: str | None = None, interaction_id: str | None = None
) -> Hold:
    user = store.save_user(make_user())
    hold = Hold(
        new_ucs_id(), contact_id, interaction_id, "litigation 42", user.id, datetime.now(UTC)
    )
    return store.add_hold(hold)


def _footprint(store: Store, who: Person) -> dict[str, object]:
    """Everything the store gives back of a person: to compare before and after."""
    ids = [i.id for i in who.interactions]
    found = store.get_interactions(ids, with_content=True)
    tiers = {
        source: len(store.history(HistoryQuery(contact_id=who.contact.id, source=source)).items)
        for source in Source
    }
    words = {
        word: len(
            store.history(
                HistoryQuery(q=parse_query(word, zone=UTC), contact_id=who.contact.id, limit=500)
            ).items
        )
        for word in ("filler", "account", "about")
    }
    mine = set(ids)
    reads = [
        r
        for r in store.reads(AuditQuery(limit=1000)).items
        if r.contact_id == who.contact.id or mine & set(r.interaction_ids)
    ]
    return {
        "contact": store.get_contact(who.contact.id),
        "interactions": found,
        "tiers": tiers,
        "found by words": words,
        "reads": len(reads),
    }


def test_erasure_leaves_no_trace_and_spares_others(store: Store, database_url: str) -> None:
    token, other_token = new_token(), new_token()
    erased, kept = person(token, filler=40), person(other_token, filler=40)
    store_person(store, erased)
    store_person(store, kept)
    before = _footprint(store, kept)
    assert table_hits(database_url, token)  # the check finds what is there

    report = store.erase_contact(erased.contact.id)

    assert report.contact_id == erased.contact.id
    assert report.interactions == {"archive": 1, "main": 42}
    assert report.contents == 42  # the chats and the email; the call has none
    assert report.attributes == 2
    assert report.index_entries == 43
    assert report.contact_points == 2
    assert (report.audit_records_deleted, report.audit_records_redacted) == (2, 0)
    assert report.changes_noted == 44
    assert report.scrubbed
    assert store.get_contact(erased.contact.id) is None
    assert not store.get_interactions([i.id for i in erased.interactions])
    assert table_hits(database_url, token) == []
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        assert database_file_hits(Path(url.database or ""), token) == []
    assert _footprint(store, kept) == before
    assert table_hits(database_url, other_token)


def test_erasure_deletes_the_saved_searches_that_name_the_contact(
    store: Store, database_url: str
) -> None:
    token = new_token()
    erased, other = person(token), person(new_token())
    store_person(store, erased)
    store_person(store, other)
    ann, bob = store.save_user(make_user()), store.save_user(make_user())
    contact = erased.contact
    phone_digits = "".join(c for c in contact.phones[0].value if c.isdigit())
    naming = {
        "by email": f"q={token.upper()}%40Example.COM&media=email",
        "by last name": f"q=lee+{token.upper()}",
        "by first name": f"q=%22Ann{token}%22+refund",
        "by id": f"contact={contact.id}",
        "by phone": f"q=phone%3A{phone_digits}",
    }
    kept = {
        "a longer word": f"q=Ann{token}son",
        "another contact": f"q={other.contact.emails[0].value}&contact={other.contact.id}",
        "a plain search": "q=refund+late&media=chat",
    }
    for n, (name, query) in enumerate({**naming, **kept}.items()):
        user = (ann, bob)[n % 2]
        store.save_search(SavedSearch(new_ucs_id(), user.id, name, query, datetime.now(UTC)))
    assert "saved_searches" in table_hits(database_url, token)

    report = store.erase_contact(contact.id)

    assert report.saved_searches == len(naming)
    left = {s.name for user in (ann, bob) for s in store.saved_searches(user.id)}
    assert left == set(kept)
    store.erase_contact(other.contact.id)
    left = {s.name for user in (ann, bob) for s in store.saved_searches(user.id)}
    assert left == {"a longer word", "a plain search"}


def test_erasure_notes_deletions_and_a_tombstone(store: Store) -> None:
    who = person(new_token())
    store_person(store, who)
    last = store.change_bounds()[1]
    store.erase_contact(who.contact.id)
    found = store.changes(ChangeQuery(after=last, limit=100))
    assert [(r.type, r.interaction_id or r.contact_id) for r in found] == [
        *((ChangeType.INTERACTION_DELETED, i) for i in sorted(i.id for i in who.interactions)),
        (ChangeType.CONTACT_ERASED, who.contact.id),
    ]
    assert all(r.interaction is None and r.contact is None for r in found)


def test_erasure_redacts_audit_records_that_name_others_too(store: Store) -> None:
    who = person(new_token())
    store_person(store, who)
    other = make_interaction()
    store.save_interactions([other])
    mine = who.interactions[0].id
    reads = store.reads(AuditQuery(limit=10)).items
    store.append_reads([type(reads[0])(datetime.now(UTC), None, "sam", "x", "api",
                                       interaction_ids=(mine, other.id))])  # fmt: skip
    report = store.erase_contact(who.contact.id)
    assert (report.audit_records_deleted, report.audit_records_redacted) == (2, 1)
    left = store.reads(AuditQuery(limit=10)).items
    assert [r.interaction_ids for r in left] == [(other.id,)]


def test_a_hold_refuses_the_erasure(store: Store) -> None:
    who = person(new_token())
    store_person(store, who)
    on_archived_call = _hold(store, interaction_id=who.interactions[2].id)
    with pytest.raises(Conflict, match="legal hold"):
        store.erase_contact(who.contact.id)
    assert store.get_contact(who.contact.id) is not None
    assert len(store.get_interactions([i.id for i in who.interactions])) == 3
    assert store.holds_covering_contact(who.contact.id) == [on_archived_call]
    assert store.remove_hold(on_archived_call.id)
    assert not store.remove_hold(on_archived_call.id)
    on_contact = _hold(store, contact_id=who.contact.id)
    with pytest.raises(Conflict):
        store.erase_contact(who.contact.id)
    store.remove_hold(on_contact.id)
    assert store.erase_contact(who.contact.id).interactions == {"archive": 1, "main": 2}


def test_erasing_an_unknown_contact_is_not_found(store: Store) -> None:
    with pytest.raises(NotFound):
        store.erase_contact("NOBODY")


def test_holds_are_listed_oldest_first_with_who_and_why(store: Store) -> None:
    first = _hold(store, contact_id="K1")
    second = _hold(store, interaction_id="I1")
    assert store.holds() == [first, second]
    assert first.placed_by and first.reason == "litigation 42"


def _prune_all(
    store: Store, cutoffs: dict[str, datetime], *, dry_run: bool = False
) -> tuple[dict[str, int], int]:
    removed: dict[str, int] = {}
    held = 0
    for source in ("main", "archive"):
        after = None
        while True:
            step = store.prune_interactions(cutoffs, source, after=after, limit=3, dry_run=dry_run)
            for media, n in step.removed.items():
                removed[f"{source}/{media}"] = removed.get(f"{source}/{media}", 0) + n
            held += step.held
            if step.next is None:
                break
            after = step.next
    return removed, held


def test_prune_removes_what_is_past_retention_in_both_tiers_except_held(store: Store) -> None:
    old, new = at(0), at(60 * 24 * 400)
    chats = [
        make_interaction(media_type=MediaType.CHAT, start_date=old + timedelta(minutes=n))
        for n in range(5)
    ]
    archived = [make_interaction(media_type=MediaType.CHAT, start_date=old, source=Source.ARCHIVE)]
    calls = [make_interaction(media_type=MediaType.CALL, start_date=old) for _ in range(4)]
    recent = [make_interaction(media_type=MediaType.CHAT, start_date=new)]
    store.save_interactions([*chats, *archived, *calls, *recent])
    _hold(store, interaction_id=chats[1].id)
    cutoffs = {"chat": new - timedelta(days=1)}  # calls: kept forever

    assert _prune_all(store, cutoffs, dry_run=True) == ({"main/chat": 4, "archive/chat": 1}, 1)
    assert store.count_interactions() == 11
    last = store.change_bounds()[1]

    assert _prune_all(store, cutoffs) == ({"main/chat": 4, "archive/chat": 1}, 1)
    left = set(store.get_interactions([i.id for i in (*chats, *archived, *calls, *recent)]))
    assert left == {chats[1].id, recent[0].id, *(c.id for c in calls)}
    noted = store.changes(ChangeQuery(after=last, limit=100))
    assert {r.interaction_id for r in noted} == {
        chats[0].id,
        *(c.id for c in chats[2:]),
        archived[0].id,
    }
    assert {r.type for r in noted} == {ChangeType.INTERACTION_DELETED}
    assert store.history(
        HistoryQuery(q=parse_query("Interaction", zone=UTC), limit=100)
    ).items  # index kept
    assert _prune_all(store, cutoffs) == ({}, 1)


def test_a_hold_on_the_contact_keeps_its_interactions_from_the_prune(store: Store) -> None:
    who = person(new_token())
    store_person(store, who)
    _hold(store, contact_id=who.contact.id)
    cutoffs = {m.value: datetime.now(UTC) for m in MediaType}
    assert _prune_all(store, cutoffs) == ({}, 3)
    assert len(store.get_interactions([i.id for i in who.interactions])) == 3
    assert store.changes(ChangeQuery(types=frozenset({ChangeType.INTERACTION_DELETED}))) == []
    _ = EVERYTHING


def _tier_people(token: str, main: int, archive: int) -> Person:
    who = person(token)
    extra = [
        make_interaction(
            contact_id=who.contact.id,
            source=Source.ARCHIVE if n < archive else Source.MAIN,
            custom_attributes={"k": f"{token}-{n}"},
            comment=f"about {token}",
        )
        for n in range(main + archive)
    ]
    return Person(who.contact, [*who.interactions, *extra])


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    counts=st.tuples(*(st.integers(0, 3) for _ in range(4))),
    shared_read=st.booleans(),
    reply_to_erased=st.booleans(),
)
def test_erasing_one_contact_leaves_another_as_it_was(
    store: Store,
    counts: tuple[int, int, int, int],
    shared_read: bool,
    reply_to_erased: bool,
) -> None:
    """Whatever the two contacts hold in each tier, whatever links them (a read naming both,
    an interaction of B replying to one of A), B's data and counts do not change."""
    a = _tier_people(new_token(), counts[0], counts[1])
    b = _tier_people(new_token(), counts[2], counts[3])
    if reply_to_erased:
        b.interactions[0].parent_id = a.interactions[0].id
    store_person(store, a)
    store_person(store, b)
    if shared_read:
        both = (a.interactions[0].id, b.interactions[0].id)
        store.append_reads(
            [ReadRecord(datetime.now(UTC), None, "sam", "x", "api", interaction_ids=both)]
        )
    before = _footprint(store, b)
    total = store.count_interactions()
    report = store.erase_contact(a.contact.id)
    assert sum(report.interactions.values()) == len(a.interactions)
    assert store.count_interactions() == total - len(a.interactions)
    assert _footprint(store, b) == before
    if shared_read:
        assert report.audit_records_redacted == 1


def test_two_processes_prune_together_without_deleting_twice(
    store: Store, database_url: str
) -> None:
    """Two stores on one database (as two server processes) prune at once: every expired
    interaction goes once, with one change record, and the held one stays."""
    items = [make_interaction(media_type=MediaType.CHAT) for _ in range(120)]
    store.save_interactions(items)
    _hold(store, interaction_id=items[7].id)
    last = store.change_bounds()[1]
    policy = RetentionPolicy.parse("chat=1")
    other = open_store(database_url)
    try:
        with ThreadPoolExecutor(2) as pool:
            runs = [
                pool.submit(privacy.prune, store=s, policy=policy, batch=7) for s in (store, other)
            ]
            reports = [r.result() for r in runs]
    finally:
        other.close()
    assert sum(r.total for r in reports) == 119
    assert list(store.get_interactions([i.id for i in items])) == [items[7].id]
    noted = store.changes(ChangeQuery(after=last, limit=1000))
    assert sorted(r.interaction_id or "" for r in noted) == sorted(
        i.id for i in items if i is not items[7]
    )


def test_erasure_takes_the_contacts_merged_into_it_and_refuses_a_merged_one(
    store: Store, database_url: str
) -> None:
    token = new_token()
    survivor, merged = person(token), person(token)
    store_person(store, survivor)
    store_person(store, merged)
    store.merge_contacts(merged.contact.id, survivor.contact.id, merged_by="admin")

    with pytest.raises(Conflict, match=survivor.contact.id):
        store.erase_contact(merged.contact.id)  # its history is the survivor's now
    assert store.get_contact(merged.contact.id) is not None

    report = store.erase_contact(survivor.contact.id)

    assert sum(report.interactions.values()) == len(survivor.interactions) + len(
        merged.interactions
    )
    assert store.get_contact(merged.contact.id) is None  # its row kept the same names
    assert table_hits(database_url, token) == []
    last = store.change_bounds()[1]
    erased = store.changes(ChangeQuery(after=last - 2, limit=10))
    assert [(r.type, r.contact_id) for r in erased] == [
        (ChangeType.CONTACT_ERASED, merged.contact.id),
        (ChangeType.CONTACT_ERASED, survivor.contact.id),
    ]

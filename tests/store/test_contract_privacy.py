"""The Store contract of holds, retention and erasure, on every engine: an erasure leaves the
token of the erased contact in no table and (SQLite) no byte of the database files, another
contact's data intact; holds refuse an erasure and keep interactions from the prune."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from openucs.domain.access import EVERYTHING
from openucs.domain.changes import ChangeQuery, ChangeType
from openucs.domain.enums import MediaType, Source
from openucs.domain.ids import new_ucs_id
from openucs.domain.privacy import Hold
from openucs.domain.query import AuditQuery, HistoryQuery
from openucs.domain.search import parse_query
from openucs.errors import Conflict, NotFound
from openucs.store import Store
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
    words = store.history(
        HistoryQuery(q=parse_query("filler", zone=UTC), contact_id=who.contact.id)
    )
    return {
        "contact": store.get_contact(who.contact.id),
        "interactions": {k: (v.custom_attributes, v.messages, v.email) for k, v in found.items()},
        "tiers": tiers,
        "found by words": len(words.items),
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

"""Archiving whole ended threads to the archive tier, in the same database and in a second one,
on both engines: what moves and what stays, the reads of the archive tier afterwards, the
change log, dry runs, resuming after a crash, the lease and the schedule."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from openucs.domain.changes import ChangeQuery, ChangeType
from openucs.domain.enums import MediaType, Role, Source
from openucs.domain.models import Interaction, InteractionPatch
from openucs.domain.privacy import Hold, RetentionPolicy
from openucs.domain.query import HistoryQuery
from openucs.domain.search import parse_query
from openucs.errors import Conflict, InvalidInput
from openucs.services.archive import (
    LEASE_NAME,
    ArchiveReport,
    ArchiveSchedule,
    archive_threads,
    parse_duration,
)
from openucs.services.privacy import erase_contact, prune
from openucs.services.search import search_interactions
from openucs.services.timeline import contact_timeline
from openucs.store import Store, open_store
from tests.archive_tiers import CUTOFF, LAYOUTS, seed_history, tiered_store
from tests.factories import make_interaction, make_user
from tests.readers import reader_of


@pytest.fixture(params=LAYOUTS)
def tiers(request: pytest.FixtureRequest, database_url: str, tmp_path: Path) -> Iterator[Store]:
    with tiered_store(request.param, database_url, tmp_path) as store:
        yield store


@pytest.fixture
def second(database_url: str, tmp_path: Path) -> Iterator[Store]:
    with tiered_store("second database", database_url, tmp_path) as store:
        yield store


def tier_ids(store: Store, source: Source) -> list[str]:
    query = HistoryQuery(source=source, limit=1000, return_attributes=None)
    return sorted(i.id for i in store.history(query).items)


def ids(items: list[Interaction]) -> list[str]:
    return sorted(i.id for i in items)


def test_whole_ended_threads_move_and_the_rest_stays(tiers: Store) -> None:
    history = seed_history(tiers)
    _, last_seq = tiers.change_bounds()

    report = archive_threads(store=tiers, before=CUTOFF)

    assert (report.threads, report.interactions, report.dry_run) == (2, 3, False)
    assert tier_ids(tiers, Source.ARCHIVE) == ids(history.archivable)
    assert tier_ids(tiers, Source.MAIN) == ids(history.kept)
    kinds = frozenset({ChangeType.INTERACTION_ARCHIVED})
    archived = ChangeQuery(after=last_seq, limit=100, types=kinds)
    assert sorted(r.interaction_id or "" for r in tiers.changes(archived)) == ["A1", "A2", "D"]
    again = archive_threads(store=tiers, before=CUTOFF)
    assert (again.threads, again.interactions) == (0, 0)


def test_an_archived_interaction_keeps_every_field_and_its_content(tiers: Store) -> None:
    history = seed_history(tiers)
    before = tiers.get_interaction("D", with_content=True)
    archive_threads(store=tiers, before=CUTOFF)

    after = tiers.get_interaction("D", with_content=True)
    assert before is not None and after is not None
    assert after.source is Source.ARCHIVE
    assert replace(after, source=Source.MAIN) == before
    assert after.messages == history.archivable[2].messages


def test_the_archive_tier_is_searched_by_words_and_attributes(tiers: Store) -> None:
    seed_history(tiers)
    archive_threads(store=tiers, before=CUTOFF)

    def found(q: str, source: Source) -> list[str]:
        query = HistoryQuery(q=parse_query(q, zone=UTC), source=source, limit=100)
        return [i.id for i in tiers.history(query).items]

    assert found("marmalade", Source.ARCHIVE) == ["D"]
    assert found("marmalade", Source.MAIN) == []
    assert found("attr.CaseNumber:77", Source.ARCHIVE) == ["D"]
    assert found("refund", Source.ARCHIVE) == ["A2"]
    attribute = HistoryQuery(source=Source.ARCHIVE, custom_equals=(("Team", "north"),))
    assert [i.id for i in tiers.history(attribute).items] == ["D"]
    words = HistoryQuery(q=parse_query("marmalade", zone=UTC), source=Source.ARCHIVE)
    count = tiers.count_history(words, cap=10)
    assert (count.value, count.exact) == (1, True)


def test_a_dry_run_counts_and_moves_nothing(tiers: Store) -> None:
    history = seed_history(tiers)
    report = archive_threads(store=tiers, before=CUTOFF, dry_run=True, batch_threads=1)
    assert (report.threads, report.interactions, report.dry_run) == (2, 3, True)
    assert tier_ids(tiers, Source.MAIN) == ids(history.archivable + history.kept)
    assert tier_ids(tiers, Source.ARCHIVE) == []


def test_small_batches_report_progress_and_a_stopped_run_resumes(tiers: Store) -> None:
    history = seed_history(tiers)
    seen: list[tuple[int, int]] = []

    def stop_after_first(report: ArchiveReport) -> None:
        seen.append((report.threads, report.interactions))
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        archive_threads(store=tiers, before=CUTOFF, batch_threads=1, progress=stop_after_first)
    assert seen == [(1, 2)]  # thread A, the oldest
    assert tier_ids(tiers, Source.ARCHIVE) == ["A1", "A2"]

    steps: list[int] = []
    report = archive_threads(
        store=tiers, before=CUTOFF, batch_threads=1, progress=lambda r: steps.append(r.threads)
    )
    assert (report.threads, report.interactions) == (1, 1)
    assert steps[-1] == 1  # a batch of threads not archivable reports too
    assert tier_ids(tiers, Source.ARCHIVE) == ids(history.archivable)


def test_a_crash_between_the_copy_and_the_delete_heals_on_the_next_run(
    second: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    history = seed_history(second)
    archive = second.archive_store()
    assert archive is not None

    def crash(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the process died here")

    monkeypatch.setattr(second, "remove_archived", crash)
    with pytest.raises(RuntimeError):
        archive_threads(store=second, before=CUTOFF)
    monkeypatch.undo()
    # Committed in the archive, still in main: both hold the batch.
    assert archive.count_interactions() == 3
    assert second.count_interactions() == 8
    assert second.take_lease(LEASE_NAME, "someone", seconds=60)  # the dead run's was released
    second.release_lease(LEASE_NAME, "someone")

    report = archive_threads(store=second, before=CUTOFF)
    assert (report.threads, report.interactions) == (2, 3)
    assert archive.count_interactions() == 3
    assert second.count_interactions() == 5
    assert tier_ids(second, Source.ARCHIVE) == ids(history.archivable)
    assert tier_ids(second, Source.MAIN) == ids(history.kept)


def test_a_second_database_gets_the_contacts_and_owners_and_loses_nothing(second: Store) -> None:
    history = seed_history(second)
    archive = second.archive_store()
    assert archive is not None
    archive_threads(store=second, before=CUTOFF)

    copied, kept = archive.get_contact(history.contact.id), second.get_contact(history.contact.id)
    assert copied is not None and kept is not None
    assert replace(copied, updated_at=kept.updated_at) == kept  # the copy's time is its own
    owner = history.archivable[0].owner
    assert owner is not None
    stored = archive.get_user(owner.id)
    assert stored is not None and stored.user_name == owner.user_name
    assert second.get_interactions(["A1", "B1"]).keys() == {"A1", "B1"}  # looks in both
    assert second.owner_handled_contact(owner.id, history.contact.id)


def test_a_thread_changed_after_the_copy_stays_in_main(
    second: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_history(second)
    archive = second.archive_store()
    assert archive is not None
    remove = second.remove_archived

    def changed_meanwhile(copied: Any, *, before_ms: int) -> Any:
        patch = InteractionPatch(comment="changed", present=frozenset({"comment"}))
        second.update_interaction("A2", patch)
        return remove(copied, before_ms=before_ms)

    monkeypatch.setattr(second, "remove_archived", changed_meanwhile)
    report = archive_threads(store=second, before=CUTOFF)
    assert (report.threads, report.interactions) == (1, 1)
    assert tier_ids(second, Source.ARCHIVE) == ["D"]
    assert archive.get_interaction("A1", with_content=False) is None  # its copy went
    monkeypatch.undo()
    assert archive_threads(store=second, before=CUTOFF).threads == 1
    moved = second.get_interaction("A2", with_content=False)
    assert moved is not None and (moved.source, moved.comment) == (Source.ARCHIVE, "changed")


def test_one_run_at_a_time(tiers: Store) -> None:
    seed_history(tiers)
    assert tiers.take_lease(LEASE_NAME, "the server", seconds=60)
    with pytest.raises(Conflict):
        archive_threads(store=tiers, before=CUTOFF)
    assert archive_threads(store=tiers, before=CUTOFF, dry_run=True).threads == 2
    assert not tiers.take_lease(LEASE_NAME, "another", seconds=60)
    assert tiers.take_lease(LEASE_NAME, "the server", seconds=0)  # renewed, expiring now
    assert tiers.take_lease(LEASE_NAME, "another", seconds=60)  # expired: anyone's


def test_the_schedule_archives_what_ended_its_days_ago(tiers: Store) -> None:
    history = seed_history(tiers)
    off = ArchiveSchedule(tiers, after_days=0, every_minutes=60)
    assert not off.enabled
    schedule = ArchiveSchedule(tiers, after_days=10, every_minutes=60)
    report = schedule.run_once(now=CUTOFF + timedelta(days=10))
    assert report is not None and report.threads == 2
    assert tier_ids(tiers, Source.ARCHIVE) == ids(history.archivable)
    schedule.start()
    schedule.close()  # stops at once, between turns
    assert tiers.take_lease(LEASE_NAME, "other", seconds=60)
    assert schedule.run_once(now=CUTOFF + timedelta(days=400)) is None  # another's turn


def test_the_timeline_and_a_search_of_all_tiers_merge_both(tiers: Store) -> None:
    history = seed_history(tiers)
    archive_threads(store=tiers, before=CUTOFF)
    admin = tiers.save_user(make_user(roles=frozenset({Role.ADMIN})))
    reader = reader_of(admin)
    everything = sorted(history.archivable + history.kept, key=lambda i: (i.start_date, i.id))

    timeline = contact_timeline(
        store=tiers, reader=reader, contact_id=history.contact.id, limit=100
    )
    mine = [i.id for i in everything if i.contact_id == history.contact.id]
    assert [i.id for i in timeline.items] == mine[::-1]

    query = HistoryQuery(every_tier=True, limit=3, return_attributes=None)
    pages: list[str] = []
    totals = []
    while True:
        found = search_interactions(store=tiers, reader=reader, query=query, facets=("state",))
        pages += [i.id for i in found.page.items]
        totals.append(found.total.value)
        if found.page.next_cursor is None:
            break
        query = replace(query, after=found.page.next_cursor)
    assert pages == [i.id for i in everything][::-1]
    assert set(totals) == {8}


def test_durations() -> None:
    assert parse_duration("older_than", "180d") == timedelta(days=180)
    assert parse_duration("older_than", " 12h") == timedelta(hours=12)
    assert parse_duration("older_than", "30m") == timedelta(minutes=30)
    for bad in ("", "0d", "180", "d", "1.5d", "-3d", "10w", "9999999d"):
        with pytest.raises(Exception, match="older_than"):
            parse_duration("older_than", bad)


def test_postgres_with_a_sqlite_archive(postgres_url: str, tmp_path: Path) -> None:
    """UCS allowed the archive on another server: here PostgreSQL main, SQLite archive."""
    store = open_store(postgres_url, f"sqlite:///{tmp_path / 'archive.db'}")
    try:
        store.upgrade()
        history = seed_history(store)
        assert archive_threads(store=store, before=CUTOFF).interactions == 3
        assert tier_ids(store, Source.ARCHIVE) == ids(history.archivable)
        query = HistoryQuery(q=parse_query("marmalade", zone=UTC), source=Source.ARCHIVE)
        assert [i.id for i in store.history(query).items] == ["D"]
    finally:
        store.close()


def test_a_second_database_takes_archive_rows_only_from_archiving(second: Store) -> None:
    seed_history(second)
    straight_in = make_interaction(source=Source.ARCHIVE)
    with pytest.raises(InvalidInput, match="source"):
        second.save_interactions([straight_in])
    assert second.get_interaction(straight_in.id, with_content=False) is None


def test_an_erasure_reaches_the_second_database_and_its_holds_are_the_main_ones(
    second: Store,
) -> None:
    history = seed_history(second)
    archive = second.archive_store()
    assert archive is not None
    archive_threads(store=second, before=CUTOFF)
    moved = ids(history.archivable)
    assert set(archive.get_interactions(moved)) == set(moved)

    held = Hold("H1", None, moved[0], "case 7", "admin", datetime.now(UTC))
    second.add_hold(held)
    with pytest.raises(Conflict, match="legal hold"):
        erase_contact(store=second, user=None, contact_id=history.contact.id)
    assert archive.get_contact(history.contact.id) is not None  # nothing went
    second.remove_hold("H1")

    report = erase_contact(store=second, user=None, contact_id=history.contact.id)

    assert report.interactions["archive"] == len(moved)
    assert archive.get_contact(history.contact.id) is None
    assert second.get_contact(history.contact.id) is None
    assert not archive.get_interactions(moved) and not second.get_interactions(moved)


def test_the_retention_reaches_the_second_database_and_keeps_what_a_main_hold_covers(
    second: Store,
) -> None:
    history = seed_history(second)
    archive = second.archive_store()
    assert archive is not None
    archive_threads(store=second, before=CUTOFF)
    moved = ids(history.archivable)
    second.add_hold(Hold("H1", None, moved[0], "case 7", "admin", datetime.now(UTC)))
    every_media = ",".join(f"{m.value}=1" for m in MediaType)

    report = prune(store=second, policy=RetentionPolicy.parse(every_media))

    assert report.removed and report.held == 1
    assert set(archive.get_interactions(moved)) == {moved[0]}  # the held one stays
    assert [h.id for h in archive.holds()] == ["H1"]  # the main database's holds, mirrored
    second.remove_hold("H1")
    prune(store=second, policy=RetentionPolicy.parse(every_media))
    assert not archive.get_interactions(moved) and archive.holds() == []


def test_a_contact_changed_during_a_run_is_copied_again_and_unchanged_ones_once(
    second: Store,
) -> None:
    history = seed_history(second)
    archive = second.archive_store()
    assert archive is not None
    copies: list[int] = []

    def between_batches(report: ArchiveReport) -> None:
        copies.append(len(archive.changes(ChangeQuery(after=0, limit=1000, types=contacts))))
        if report.threads == 1:  # thread A is in the archive, D not yet
            second.save_contact(replace(history.contact, title="Dr"))

    contacts = frozenset({ChangeType.CONTACT_CREATED, ChangeType.CONTACT_UPDATED})
    archive_threads(store=second, before=CUTOFF, batch_threads=1, progress=between_batches)

    copied = archive.get_contact(history.contact.id)
    assert copied is not None and copied.title == "Dr"
    assert copies[0] == 1 and copies[-1] == 2  # copied with A, again with D after the change

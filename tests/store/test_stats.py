"""The dashboard's aggregate reads (`daily_counts`, `busiest_owners`, `contact_names`), on every
engine: checked against counts made in plain Python, local days across a DST change, and the
query plans (an index range, no table scan)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from openucs.domain.enums import MediaType, Source, State
from openucs.domain.formats import to_millis
from openucs.domain.models import Interaction, OwnerInfo
from openucs.domain.stats import OffsetSpan, offset_spans
from openucs.store import Store
from openucs.store._stats import busiest_owners_select, daily_counts_select
from openucs.store.sql import SqlStore
from openucs.store.sqlite import SqliteStore
from tests.factories import make_contact, make_interaction, make_owner

BASE = datetime(2024, 3, 1, tzinfo=UTC)
UTC_SPANS = (OffsetSpan(0, 0),)


def _window(days: int) -> tuple[int, int]:
    return to_millis(BASE), to_millis(BASE + timedelta(days=days))


def _seed(store: Store, owners: list[OwnerInfo]) -> list[Interaction]:
    """Interactions over 4 days (every 5 hours), cycling media, states and owners, plus rows
    outside the window, in the archive, and without an owner."""
    items: list[Interaction] = []
    for n in range(20):
        owner = owners[n % 3] if n % 7 else owners[0]
        items.append(
            make_interaction(
                start_date=BASE + timedelta(hours=5 * n),
                media_type=(MediaType.CALL, MediaType.CHAT, MediaType.EMAIL)[n % 3],
                state=(State.STOPPED, State.IN_PROCESS, State.PENDING, State.STOPPED)[n % 4],
                owner_id=owner.id,
                owner=owner,
            )
        )
    items += [
        make_interaction(start_date=BASE - timedelta(minutes=1), owner=owners[1]),
        make_interaction(start_date=BASE + timedelta(days=4), owner=owners[1]),
        make_interaction(start_date=BASE + timedelta(hours=1), source=Source.ARCHIVE),
        make_interaction(start_date=BASE + timedelta(hours=2)),  # no owner
    ]
    store.save_interactions(items)
    return items


def _in_window(items: list[Interaction], days: int = 4) -> list[Interaction]:
    lo, hi = _window(days)
    return [i for i in items if i.source is Source.MAIN and lo <= to_millis(i.start_date) < hi]


def test_daily_counts_match_a_count_in_python(store: Store) -> None:
    items = _seed(store, [make_owner() for _ in range(3)])
    lo, hi = _window(4)
    found = store.daily_counts(source=Source.MAIN, start_ms=lo, end_ms=hi, spans=UTC_SPANS)
    expected = Counter((i.start_date.date(), i.media_type, i.state) for i in _in_window(items))
    assert {(c.day, c.media_type, c.state): c.count for c in found} == expected
    assert [c.day for c in found] == sorted(c.day for c in found)


def test_daily_counts_of_the_archive_and_of_an_empty_window(store: Store) -> None:
    _seed(store, [make_owner() for _ in range(3)])
    lo, hi = _window(4)
    archive = store.daily_counts(source=Source.ARCHIVE, start_ms=lo, end_ms=hi, spans=UTC_SPANS)
    assert [(c.day, c.count) for c in archive] == [(BASE.date(), 1)]
    empty = store.daily_counts(source=Source.MAIN, start_ms=hi + 10**9, end_ms=hi + 2 * 10**9,
                               spans=UTC_SPANS)  # fmt: skip
    assert empty == []


def test_daily_counts_cut_local_days_across_a_dst_change(store: Store) -> None:
    """Europe/Helsinki goes from +0200 to +0300 at 2024-03-31 01:00 UTC: a start at 21:30 UTC
    is the next local day after the change (+3) but not before it (+2 gives 23:30)."""
    zone = ZoneInfo("Europe/Helsinki")
    starts = [
        datetime(2024, 3, 30, 21, 30, tzinfo=UTC),  # 23:30 local, 30 March
        datetime(2024, 3, 30, 22, 30, tzinfo=UTC),  # 00:30 local, 31 March
        datetime(2024, 3, 31, 20, 30, tzinfo=UTC),  # 23:30 local (+3), 31 March
        datetime(2024, 3, 31, 21, 30, tzinfo=UTC),  # 00:30 local, 1 April
    ]
    store.save_interactions([make_interaction(start_date=s) for s in starts])
    start = datetime(2024, 3, 29, tzinfo=zone)
    end = datetime(2024, 4, 3, tzinfo=zone)
    spans = offset_spans(zone, start, end)
    assert len(spans) == 2
    found = store.daily_counts(
        source=Source.MAIN, start_ms=to_millis(start), end_ms=to_millis(end), spans=spans
    )
    assert {(c.day.isoformat(), c.count) for c in found} == {
        ("2024-03-30", 1),
        ("2024-03-31", 2),
        ("2024-04-01", 1),
    }


def test_busiest_owners_are_counted_in_the_window_most_first_with_names(store: Store) -> None:
    owners = [make_owner(first_name=f"F{n}", last_name=f"L{n}") for n in range(3)]
    items = _seed(store, owners)
    lo, hi = _window(4)
    found = store.busiest_owners(source=Source.MAIN, start_ms=lo, end_ms=hi, limit=10)
    expected = Counter(i.owner_id for i in _in_window(items) if i.owner_id)
    assert {o.owner_id: o.count for o in found} == expected
    assert [o.count for o in found] == sorted(expected.values(), reverse=True)
    by_id = {o.id: o for o in owners}
    for o in found:
        assert (o.user_name, o.first_name, o.last_name) == (
            by_id[o.owner_id].user_name,
            by_id[o.owner_id].first_name,
            by_id[o.owner_id].last_name,
        )
    top = store.busiest_owners(source=Source.MAIN, start_ms=lo, end_ms=hi, limit=1)
    assert [o.owner_id for o in top] == [found[0].owner_id]


def test_contact_names_of_existing_contacts_only(store: Store) -> None:
    a = store.save_contact(make_contact(first_name="Ann", last_name="Lee"))
    b = store.save_contact(make_contact(first_name=None, last_name="Ray"))
    found = store.contact_names([a.id, b.id, "NOPE", a.id, ""])
    assert found == {a.id: ("Ann", "Lee"), b.id: (None, "Ray")}
    assert store.contact_names([]) == {}


def test_the_aggregates_read_an_index_range(store: Store) -> None:
    """No full scan of interactions: SQLite searches an index, PostgreSQL (with sequential
    scans off, as on a table worth indexing) reads an index."""
    assert isinstance(store, SqlStore)
    owners = [make_owner() for _ in range(3)]
    _seed(store, owners)
    store.analyze()
    lo, hi = _window(4)
    statements = [
        daily_counts_select(source=Source.MAIN, start_ms=lo, end_ms=hi, spans=UTC_SPANS),
        busiest_owners_select(source=Source.MAIN, start_ms=lo, end_ms=hi, limit=10),
    ]
    for stmt in statements:
        plan = store.explain(stmt, prefer_indexes=True)
        if isinstance(store, SqliteStore):
            assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, plan
            assert "SCAN interactions\n" not in plan + "\n", plan
        else:
            text = json.dumps(json.loads(plan))
            assert "Index" in text, text
            assert '"Seq Scan"' not in text, text

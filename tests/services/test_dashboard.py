"""The dashboard figures: local days filled with zeros, totals, open interactions, roles."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from openucs.domain.enums import MediaType, Role, State
from openucs.domain.models import User
from openucs.errors import InvalidInput, OutOfRange, PermissionDenied
from openucs.services.dashboard import build_dashboard
from openucs.store import Store
from tests.factories import make_interaction, make_owner, make_user
from tests.readers import reader_of

ZONE = ZoneInfo("America/New_York")


@pytest.fixture
def supervisor(store: Store) -> User:
    return store.save_user(make_user(roles=frozenset({Role.SUPERVISOR})))


def test_days_are_local_and_filled(store: Store, supervisor: User) -> None:
    owner = make_owner()
    local = [  # (local start, media, state)
        (datetime(2024, 3, 9, 23, 30, tzinfo=ZONE), MediaType.CALL, State.STOPPED),
        (datetime(2024, 3, 10, 0, 30, tzinfo=ZONE), MediaType.CHAT, State.IN_PROCESS),
        (datetime(2024, 3, 10, 23, 30, tzinfo=ZONE), MediaType.CHAT, State.PENDING),  # after DST
        (datetime(2024, 3, 12, 12, 0, tzinfo=ZONE), MediaType.EMAIL, State.STOPPED),
        (datetime(2024, 3, 13, 0, 0, tzinfo=ZONE), MediaType.EMAIL, State.STOPPED),  # outside
    ]
    store.save_interactions(
        [
            make_interaction(
                start_date=start, media_type=m, state=s, owner=owner, owner_id=owner.id
            )
            for start, m, s in local
        ]
    )
    board = build_dashboard(
        store=store,
        reader=reader_of(supervisor),
        zone=ZONE,
        first_day=date(2024, 3, 9),
        last_day=date(2024, 3, 12),
    )
    assert board.days == [date(2024, 3, 9) + timedelta(days=n) for n in range(4)]
    assert board.per_day == {
        date(2024, 3, 9): {MediaType.CALL: 1},
        date(2024, 3, 10): {MediaType.CHAT: 2},
        date(2024, 3, 11): {},
        date(2024, 3, 12): {MediaType.EMAIL: 1},
    }
    assert board.total == 4
    assert board.open_count == 2
    assert [i.state for i in board.open_items.items] == [State.PENDING, State.IN_PROCESS]
    assert [(o.owner_id, o.count) for o in board.busiest] == [(owner.id, 4)]


def test_only_supervisors_and_admins_and_a_bounded_window(store: Store, supervisor: User) -> None:
    agent = store.save_user(make_user())
    day = date(2024, 3, 1)
    with pytest.raises(PermissionDenied):
        build_dashboard(
            store=store, reader=reader_of(agent), zone=ZONE, first_day=day, last_day=day
        )
    with pytest.raises(InvalidInput):
        build_dashboard(
            store=store,
            reader=reader_of(supervisor),
            zone=ZONE,
            first_day=day,
            last_day=day - timedelta(1),
        )
    with pytest.raises(OutOfRange):
        build_dashboard(
            store=store,
            reader=reader_of(supervisor),
            zone=ZONE,
            first_day=day,
            last_day=day + timedelta(92),
        )

"""The privacy services: access by role, the retention report, and the in-server Pruner."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from openucs.domain.enums import MediaType, Role, Source
from openucs.domain.privacy import RetentionPolicy
from openucs.errors import InvalidInput, NotFound, PermissionDenied
from openucs.services import privacy
from openucs.store import Store
from tests.factories import make_contact, make_interaction, make_user


def test_the_policy_parses_media_and_days_and_names_what_is_wrong() -> None:
    policy = RetentionPolicy.parse(" chat=730, CALL=365 ,")
    assert policy.days == {MediaType.CHAT: 730, MediaType.CALL: 365}
    assert RetentionPolicy.parse("").days == {}
    for bad in ("chat", "fax=3", "chat=0", "chat=x", "chat=1,chat=2"):
        with pytest.raises(InvalidInput) as raised:
            RetentionPolicy.parse(bad)
        assert raised.value.field == "retention_days"


def test_only_admins_place_and_remove_and_supervisors_read(store: Store) -> None:
    admin = store.save_user(make_user(roles=frozenset({Role.ADMIN})))
    boss = store.save_user(make_user(roles=frozenset({Role.SUPERVISOR})))
    agent = store.save_user(make_user())
    contact = store.save_contact(make_contact())
    with pytest.raises(PermissionDenied):
        privacy.place_hold(
            store=store, user=boss, placed_by=boss, reason="r", contact_id=contact.id
        )
    hold = privacy.place_hold(
        store=store, user=admin, placed_by=admin, reason="r", contact_id=contact.id
    )
    assert privacy.list_holds(store=store, user=boss) == [hold]
    with pytest.raises(PermissionDenied):
        privacy.list_holds(store=store, user=agent)
    with pytest.raises(PermissionDenied):
        privacy.remove_hold(store=store, user=boss, hold_id=hold.id)
    with pytest.raises(PermissionDenied):
        privacy.erase_contact(store=store, user=boss, contact_id=contact.id)
    privacy.remove_hold(store=store, user=admin, hold_id=hold.id)
    with pytest.raises(NotFound):
        privacy.remove_hold(store=store, user=admin, hold_id=hold.id)


def test_the_report_counts_per_media_and_tier_over_batches(store: Store) -> None:
    items = [
        make_interaction(media_type=MediaType.CHAT, source=Source.ARCHIVE if n % 2 else Source.MAIN)
        for n in range(7)
    ] + [make_interaction(media_type=MediaType.EMAIL) for _ in range(2)]
    store.save_interactions(items)
    policy = RetentionPolicy.parse("chat=1,email=1")
    report = privacy.prune(store=store, policy=policy, batch=2)
    assert report.removed == {"chat": {"main": 4, "archive": 3}, "email": {"main": 2}}
    assert report.total == 9 and store.count_interactions() == 0


def test_the_pruner_runs_at_start_only_with_a_policy(store: Store) -> None:
    item = make_interaction(media_type=MediaType.CHAT)
    store.save_interactions([item])
    idle = privacy.Pruner(store, policy=RetentionPolicy(), every_minutes=1)
    idle.start()
    idle.close()
    assert store.get_interactions([item.id])
    pruner = privacy.Pruner(store, policy=RetentionPolicy.parse("chat=1"), every_minutes=60)
    pruner.start()
    try:
        deadline = time.monotonic() + 10
        while store.get_interactions([item.id]) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        pruner.close()
    assert not store.get_interactions([item.id])
    assert datetime.now(UTC) > item.start_date

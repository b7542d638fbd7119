"""The Store contract of webhooks, on every engine: endpoints round-trip, one lease holder at a
time, writes under a lost lease change nothing, deliveries keep their order and state."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from openucs.domain.changes import ChangeType
from openucs.domain.formats import from_millis
from openucs.domain.webhooks import Attempt, Delivery, DeliveryStatus, Webhook
from openucs.services import records
from openucs.store import Store
from openucs.store.schema import webhook_attempts
from tests.factories import make_interaction
from tests.statements import reading, recorded

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
NOW_MS = int(NOW.timestamp() * 1000)
LEASE = 10_000
UNTIL = NOW_MS + LEASE


def _hook(**overrides: object) -> Webhook:
    values: dict[str, object] = {
        "id": "H1",
        "url": "https://hooks.example/in",
        "secret": "whsec_0123456789abcdef",
        "types": frozenset({ChangeType.INTERACTION_CREATED}),
        "q": "mediaType:email",
        "enabled": True,
        "cursor": 0,
        "created_at": NOW,
        "updated_at": NOW,
    }
    values.update(overrides)
    return Webhook(**values)  # type: ignore[arg-type]


def _delivery(seq: int, **overrides: object) -> Delivery:
    values: dict[str, object] = {
        "id": f"D{seq}",
        "webhook_id": "H1",
        "seq": seq,
        "type": ChangeType.INTERACTION_CREATED,
        "status": DeliveryStatus.PENDING,
        "attempts": 0,
        "created_at": NOW,
        "next_attempt_at": NOW,
        "last_attempt_at": None,
        "last_status_code": None,
        "last_error": None,
    }
    values.update(overrides)
    return Delivery(**values)  # type: ignore[arg-type]


def _changes(store: Store, count: int) -> None:
    for n in range(count):
        records.create_interaction(store=store, interaction=make_interaction(id=f"I{n}"))


def test_an_endpoint_round_trips_and_is_changed_and_deleted(store: Store) -> None:
    hook = store.create_webhook(_hook())
    assert store.get_webhook("H1") == hook
    assert store.webhooks() == [hook]
    assert "whsec_" not in repr(hook)  # never in a log line that prints the endpoint

    changed = replace(hook, url="https://other.example/", q=None, types=frozenset(), cursor=99)
    assert store.update_webhook(changed)
    assert store.get_webhook("H1") == replace(changed, cursor=0)  # the cursor is not settings
    assert not store.update_webhook(replace(changed, id="NOPE"))

    assert store.delete_webhook("H1")
    assert store.get_webhook("H1") is None
    assert not store.delete_webhook("H1")


def test_only_due_enabled_endpoints_with_work_are_claimed(store: Store) -> None:
    store.create_webhook(_hook())
    assert store.claim_webhooks("a", now_ms=NOW_MS, lease_ms=LEASE, limit=5) == []  # no work
    _changes(store, 2)
    store.create_webhook(_hook(id="OFF", enabled=False))
    store.create_webhook(_hook(id="DONE", cursor=2))
    [claimed] = store.claim_webhooks("a", now_ms=NOW_MS, lease_ms=LEASE, limit=5)
    assert claimed.id == "H1"


def test_one_lease_holder_at_a_time_until_it_expires(store: Store) -> None:
    _changes(store, 1)
    store.create_webhook(_hook())
    assert [h.id for h in store.claim_webhooks("a", now_ms=NOW_MS, lease_ms=LEASE, limit=1)]
    assert store.claim_webhooks("b", now_ms=NOW_MS + LEASE - 1, lease_ms=LEASE, limit=1) == []
    # a lease past its time is free again; the old holder's writes then change nothing
    later = NOW_MS + LEASE + 1
    assert [h.id for h in store.claim_webhooks("b", now_ms=later, lease_ms=LEASE, limit=1)]
    assert not store.renew_webhook_lease("H1", "a", until_ms=later + LEASE)
    assert not store.start_delivery(_delivery(1), "a")
    assert not store.advance_webhook("H1", "a", 1)
    assert store.pending_delivery("H1") is None
    store.release_webhook("H1", "a")  # not a's to release
    assert store.claim_webhooks("c", now_ms=later, lease_ms=LEASE, limit=1) == []
    store.release_webhook("H1", "b")
    assert [h.id for h in store.claim_webhooks("c", now_ms=later, lease_ms=LEASE, limit=1)]


def test_a_delivery_moves_the_cursor_and_records_its_attempts(store: Store) -> None:
    _changes(store, 3)
    store.create_webhook(_hook())
    store.claim_webhooks("a", now_ms=NOW_MS, lease_ms=LEASE, limit=1)
    assert store.start_delivery(_delivery(2), "a")
    assert not store.start_delivery(_delivery(1, id="BEHIND"), "a")  # the cursor only goes on
    hook = store.get_webhook("H1")
    assert hook is not None and hook.cursor == 2
    assert store.pending_delivery("H1") == _delivery(2)

    retry_at = NOW + timedelta(seconds=10)
    failed = replace(
        _delivery(2),
        attempts=1,
        last_attempt_at=NOW,
        last_status_code=500,
        last_error="x" * 300,
        next_attempt_at=retry_at,
    )
    due_ms = int(retry_at.timestamp() * 1000)
    assert store.finish_attempt(failed, "a", endpoint_due_ms=due_ms, lease_until_ms=UNTIL) == 0
    assert store.pending_delivery("H1") == replace(failed, last_error="x" * 256)
    store.release_webhook("H1", "a")
    # not due before the retry time, due at it
    assert store.claim_webhooks("b", now_ms=due_ms - 1, lease_ms=LEASE, limit=1) == []
    assert store.claim_webhooks("b", now_ms=due_ms, lease_ms=LEASE, limit=1) != []
    done = replace(failed, status=DeliveryStatus.DELIVERED, attempts=2, next_attempt_at=None)
    assert store.finish_attempt(done, "b", endpoint_due_ms=0, lease_until_ms=UNTIL) == 0
    assert store.finish_attempt(done, "a", endpoint_due_ms=0, lease_until_ms=UNTIL) is None
    assert store.pending_delivery("H1") is None
    assert store.advance_webhook("H1", "b", 3)
    assert store.deliveries("H1", limit=10)[0].status is DeliveryStatus.DELIVERED


def test_deliveries_list_newest_first_and_redeliveries_come_first(store: Store) -> None:
    _changes(store, 3)
    store.create_webhook(_hook())
    store.claim_webhooks("a", now_ms=NOW_MS, lease_ms=LEASE, limit=1)
    for seq in (1, 2, 3):
        made = _delivery(seq, created_at=NOW + timedelta(seconds=seq))
        assert store.start_delivery(made, "a")
        delivered = replace(made, status=DeliveryStatus.DELIVERED, attempts=1, last_attempt_at=NOW)
        assert store.finish_attempt(delivered, "a", endpoint_due_ms=0, lease_until_ms=UNTIL) == 0
    assert [d.seq for d in store.deliveries("H1", limit=2)] == [3, 2]
    assert store.get_delivery("H1", "D1") is not None
    assert store.get_delivery("OTHER", "D1") is None

    again = _delivery(1, id="AGAIN", created_at=NOW + timedelta(seconds=9))
    assert store.add_delivery(again)
    assert store.pending_delivery("H1") == again
    assert not store.add_delivery(replace(again, id="X", webhook_id="GONE"))
    # the holder learns of the redelivery from its next recorded attempt
    tried = replace(again, attempts=1, last_attempt_at=NOW, last_status_code=500)
    assert store.finish_attempt(tried, "a", endpoint_due_ms=0, lease_until_ms=UNTIL) == 1
    hook = store.get_webhook("H1")
    assert hook is not None and hook.redeliveries == 1

    pruned = store.prune_webhook_deliveries(int((NOW + timedelta(seconds=2.5)).timestamp() * 1000))
    assert pruned == 2  # D1, D2; never a pending one
    assert {d.id for d in store.deliveries("H1", limit=10)} == {"D3", "AGAIN"}
    assert _attempt_rows(store) == {("D3", 1), ("AGAIN", 1)}  # D1's and D2's went with them
    assert store.delete_webhook("H1")
    assert store.get_delivery("H1", "AGAIN") is None
    assert _attempt_rows(store) == set()


def _attempt_rows(store: Store) -> set[tuple[str, int]]:
    with store._read() as conn:  # type: ignore[attr-defined]
        rows = conn.execute(select(webhook_attempts.c.delivery_id, webhook_attempts.c.number))
        return {(r.delivery_id, r.number) for r in rows}


def test_each_attempt_is_kept_with_its_delivery(store: Store) -> None:
    _changes(store, 2)
    store.create_webhook(_hook())
    store.claim_webhooks("a", now_ms=NOW_MS, lease_ms=LEASE, limit=1)
    assert store.start_delivery(_delivery(1), "a")
    first = replace(
        _delivery(1),
        attempts=1,
        last_attempt_at=NOW + timedelta(seconds=1),
        last_status_code=None,
        last_error="e" * 400,
        next_attempt_at=NOW + timedelta(seconds=11),
    )
    recorded_first = store.finish_attempt(
        first, "a", endpoint_due_ms=0, lease_until_ms=UNTIL, duration_ms=7
    )
    assert recorded_first == 0
    second = replace(
        first,
        attempts=2,
        status=DeliveryStatus.DELIVERED,
        last_attempt_at=NOW + timedelta(seconds=11),
        last_status_code=204,
        last_error=None,
        next_attempt_at=None,
    )
    then = _delivery(2, created_at=NOW + timedelta(seconds=12))
    assert (
        store.finish_attempt(
            second, "a", endpoint_due_ms=0, lease_until_ms=UNTIL, then=then, duration_ms=3
        )
        == 0
    )
    found = store.delivery_history("H1", "D1")
    assert found is not None and found.delivery == second
    assert found.attempts == (
        Attempt(1, NOW + timedelta(seconds=1), None, "e" * 256, 7),
        Attempt(2, NOW + timedelta(seconds=11), 204, None, 3),
    )
    assert store.delivery_history("H1", "NOPE") is None
    assert store.delivery_history("OTHER", "D1") is None
    listed = store.delivery_histories("H1", limit=10)
    assert [(h.delivery.id, len(h.attempts)) for h in listed] == [("D2", 0), ("D1", 2)]
    assert [h.delivery.id for h in store.delivery_histories("H1", limit=1)] == ["D2"]


def test_a_page_of_deliveries_reads_their_attempts_in_one_statement(store: Store) -> None:
    _changes(store, 6)
    store.create_webhook(_hook())
    store.claim_webhooks("a", now_ms=NOW_MS, lease_ms=LEASE, limit=1)
    for seq in range(1, 7):
        made = _delivery(seq, created_at=NOW + timedelta(seconds=seq))
        assert store.start_delivery(made, "a")
        for attempt in (1, 2):
            tried = replace(made, attempts=attempt, last_attempt_at=NOW, last_status_code=500)
            assert store.finish_attempt(tried, "a", endpoint_due_ms=0, lease_until_ms=UNTIL) == 0
    with recorded() as statements:
        page = store.delivery_histories("H1", limit=5)
    assert [h.delivery.seq for h in page] == [6, 5, 4, 3, 2]
    assert all(len(h.attempts) == 2 for h in page)
    assert len(reading("webhook_attempts", statements)) == 1
    assert len(reading("webhook_deliveries", statements)) == 1


def test_times_come_back_aware(store: Store) -> None:
    store.create_webhook(_hook())
    found = store.get_webhook("H1")
    assert found is not None and found.created_at == NOW and found.created_at.tzinfo is not None
    assert from_millis(NOW_MS) == NOW

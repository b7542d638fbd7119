"""The dispatcher against a real receiver process, on every engine: signed deliveries in seq
order, retries with backoff after 500s and timeouts, the dead letter at the horizon (a clock
of ours), redelivery, filters, two dispatchers sharing an endpoint without double sending,
and a DNS answer that turns private between the check and the delivery."""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from openucs.domain.changes import ChangeQuery, ChangeType
from openucs.domain.enums import MediaType, Role
from openucs.domain.models import InteractionPatch
from openucs.domain.webhooks import (
    DeliveryStatus,
    NewWebhook,
    Webhook,
    WebhookChanges,
    retry_delay,
)
from openucs.gws.changes import encode_change
from openucs.services import contacts, records, webhook_delivery, webhooks
from openucs.services.webhook_delivery import Schedule, WebhookDispatcher
from openucs.services.webhooks import TargetPolicy
from openucs.store import Store, open_store
from tests.factories import make_contact, make_interaction, make_user
from tests.webhooks.helpers import Received, receiving

ROOT = Path(__file__).resolve().parents[2]
BASE_URL = "http://gws.example/api/v2"
ADMIN = make_user(id="ADMIN", user_name="root", roles=frozenset({Role.ADMIN}))
OPEN = TargetPolicy(allow_private=True)
FAST = Schedule(base=0.2, horizon=60, timeout=2)


def verifier() -> Callable[..., bool]:
    """The `verify` function of docs/webhooks.md, as written there."""
    text = (ROOT / "docs" / "webhooks.md").read_text()
    [block] = [b for b in re.findall(r"```python\n(.*?)```", text, re.DOTALL) if "def verify" in b]
    scope: dict[str, Any] = {}
    exec(block, scope)  # noqa: S102 (our own document's example)
    return scope["verify"]  # type: ignore[no-any-return]


def _encode(record: Any) -> bytes:
    return encode_change(record, base_url=BASE_URL, zone=UTC)


def dispatcher(store: Store, schedule: Schedule = FAST, **options: Any) -> WebhookDispatcher:
    values: dict[str, Any] = {"policy": OPEN, "poll": 0.02, "workers": 1}
    values.update(options)
    return WebhookDispatcher(store, encode=_encode, zone=UTC, schedule=schedule, **values)


@contextmanager
def running(*dispatchers: WebhookDispatcher) -> Iterator[None]:
    for each in dispatchers:
        each.start()
    try:
        yield
    finally:
        for each in dispatchers:
            each.close()


def hook(store: Store, url: str, **fields: Any) -> Webhook:
    policy = fields.pop("policy", OPEN)
    data = NewWebhook(url=url, **fields)
    return webhooks.create_webhook(store=store, user=ADMIN, data=data, policy=policy, zone=UTC)


def write(store: Store, count: int, prefix: str = "I") -> None:
    for n in range(count):
        item = make_interaction(id=f"{prefix}{n}")
        records.create_interaction(store=store, interaction=item)


def seqs(got: list[Received]) -> list[int]:
    return [r.seq for r in got]


def test_deliveries_are_signed_and_in_seq_order(store: Store, tmp_path: Path) -> None:
    write(store, 2, "OLD")  # before the endpoint: not replayed
    verify = verifier()
    with receiving(tmp_path) as receiver:
        made = hook(store, receiver.url)
        write(store, 5)
        with running(dispatcher(store)):
            got = receiver.wait_for(lambda g: len(g) >= 5)
    assert seqs(got) == [3, 4, 5, 6, 7]
    for received in got:
        assert verify(made.secret, received.header("OpenUCS-Signature"), received.body)
        assert not verify(
            "whsec_another-secret", received.header("OpenUCS-Signature"), received.body
        )
        assert not verify(made.secret, received.header("OpenUCS-Signature"), received.body + b" ")
        assert received.header("OpenUCS-Event") == "interaction.created"
        assert received.header("Content-Type") == "application/json"
        assert received.record["data"]["uri"].startswith(BASE_URL)
    assert len({r.header("OpenUCS-Delivery") for r in got}) == 5
    stale = int(got[0].header("OpenUCS-Signature").split(",")[0][2:]) + 301
    assert not verify(made.secret, got[0].header("OpenUCS-Signature"), got[0].body, now=stale)
    listed = webhooks.list_deliveries(store=store, user=ADMIN, webhook_id=made.id, limit=10)
    assert {(d.status, d.attempts, d.last_status_code) for d in listed} == {
        (DeliveryStatus.DELIVERED, 1, 204)
    }


def test_failures_are_retried_with_backoff_and_order_holds(store: Store, tmp_path: Path) -> None:
    with receiving(tmp_path, fail=3) as receiver:
        made = hook(store, receiver.url)
        write(store, 3)
        with running(dispatcher(store)):
            got = receiver.wait_for(lambda g: len(g) >= 6)
    assert seqs(got) == [1, 1, 1, 1, 2, 3]  # nothing overtakes the failing head
    assert len({r.header("OpenUCS-Delivery") for r in got[:4]}) == 1  # the same delivery
    gaps = [later.at - earlier.at for earlier, later in itertools.pairwise(got[:4])]
    for attempt, gap in enumerate(gaps, start=1):
        assert gap >= retry_delay(attempt, FAST.base) - 0.01, gaps
    assert gaps[2] > gaps[0]
    [*_, first] = webhooks.list_deliveries(store=store, user=ADMIN, webhook_id=made.id, limit=10)
    assert (first.seq, first.attempts, first.status) == (1, 4, DeliveryStatus.DELIVERED)


def test_an_endpoint_that_does_not_answer_in_time_is_tried_again(
    store: Store, tmp_path: Path
) -> None:
    schedule = Schedule(base=0.1, horizon=60, timeout=0.5)
    with receiving(tmp_path, hang=1, hang_seconds=5) as receiver:
        made = hook(store, receiver.url)
        write(store, 1)
        with running(dispatcher(store, schedule)):
            got = receiver.wait_for(lambda g: len(g) >= 2)
            [delivery] = receiver_deliveries(store, made)
            while delivery.status is DeliveryStatus.PENDING:
                [delivery] = receiver_deliveries(store, made)
    assert seqs(got) == [1, 1]
    assert got[1].at - got[0].at >= 0.5 + 0.1 - 0.01  # the timeout, then the first wait
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 2)


def receiver_deliveries(store: Store, made: Webhook) -> list[Any]:
    return webhooks.list_deliveries(store=store, user=ADMIN, webhook_id=made.id, limit=100)


class Clock:
    """Unix seconds that move only when told."""

    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def test_the_default_schedule_dead_letters_at_three_days_then_goes_on(
    store: Store, tmp_path: Path
) -> None:
    """Base 10 s, horizon 3 days, on a clock of ours: the attempts come at 0, 10, 30, 70...
    seconds, the last at exactly the horizon; then the delivery is dead and the next goes."""
    clock = Clock(float(int(time.time())))  # a whole second: the store keeps milliseconds
    start = clock.now
    defaults = Schedule()
    worker = dispatcher(store, defaults, clock=clock)
    with receiving(tmp_path, fail=10_000) as receiver:
        made = hook(store, receiver.url)
        write(store, 2)
        times: list[float] = []
        while True:
            assert worker.run_once() >= 1
            times.append(clock.now - start)
            [*_, head] = receiver_deliveries(store, made)
            if head.status is not DeliveryStatus.PENDING:
                break
            assert head.next_attempt_at is not None
            wait = head.next_attempt_at.timestamp() - clock.now
            clock.now += wait - 0.5
            assert worker.run_once() == 0  # not due yet
            clock.now += 0.5
    expected = [0.0]
    while expected[-1] < defaults.horizon:
        step = retry_delay(len(expected), defaults.base)
        expected.append(min(expected[-1] + step, defaults.horizon))
    assert times == pytest.approx(expected, abs=0.01)
    assert len(times) == 16 and times[-1] == defaults.horizon  # 10 s * (2**15 - 1) > 3 days
    assert head.status is DeliveryStatus.FAILED and head.attempts == 16
    assert head.last_status_code == 500
    assert seqs(receiver.received())[-1] == 2  # the next record went at once after it

    # redelivered to an endpoint that answers now: a new delivery, delivered
    with receiving(tmp_path) as healthy:
        webhooks.update_webhook(
            store=store,
            user=ADMIN,
            webhook_id=made.id,
            changes=WebhookChanges(url=healthy.url),
            policy=OPEN,
            zone=UTC,
        )
        again = webhooks.redeliver(store=store, user=ADMIN, webhook_id=made.id, delivery_id=head.id)
        assert again.id != head.id
        worker.run_once()  # the redelivery first (lower seq), then the pending record 2
        got, second = healthy.wait_for(lambda g: len(g) >= 2)
    assert got.seq == 1 and got.header("OpenUCS-Delivery") == again.id
    assert second.seq == 2
    mine = {d.id: d for d in receiver_deliveries(store, made)}
    assert mine[again.id].status is DeliveryStatus.DELIVERED


def test_types_and_the_filter_choose_the_records(store: Store, tmp_path: Path) -> None:
    with receiving(tmp_path) as receiver:
        emails = hook(store, receiver.url, q="mediaType:email refund")
        updates = hook(store, receiver.url, types=frozenset({ChangeType.INTERACTION_UPDATED}))
        contacts.create_contact(store=store, contact=make_contact(id="K1"))  # seq 1
        records.create_interaction(  # seq 2: matches
            store=store,
            interaction=make_interaction(id="E1", media_type=MediaType.EMAIL, subject="Refund"),
        )
        records.create_interaction(  # seq 3: a call
            store=store, interaction=make_interaction(id="C1", subject="refund")
        )
        records.update_interaction(  # seq 4: matches, updated
            store=store, interaction_id="E1", patch=InteractionPatch(comment="done")
        )
        records.create_interaction(  # seq 5: matched, deleted (seq 6) before it was sent
            store=store,
            interaction=make_interaction(id="E2", media_type=MediaType.EMAIL, subject="refund"),
        )
        records.delete_interaction(store=store, interaction_id="E2")
        with running(dispatcher(store)):
            got = receiver.wait_for(lambda g: len(g) >= 3)
            hooks = {e.id: e for e in store.webhooks()}
            while hooks[emails.id].cursor < 6 or hooks[updates.id].cursor < 6:
                hooks = {e.id: e for e in store.webhooks()}
    by_hook = {
        made.id: sorted(r.seq for r in got if r.header("OpenUCS-Delivery") in ids(store, made))
        for made in (emails, updates)
    }
    assert by_hook == {emails.id: [2, 4], updates.id: [4]}
    assert len(got) == 3


def test_a_filter_passing_little_moves_the_cursor_span_by_span(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each read of the log judges at most SCAN seqs (here 3) and the cursor moves past what
    it passed over: no range is read twice, and the one match after a long run goes."""
    monkeypatch.setattr(webhook_delivery, "SCAN", 3)
    asked: list[ChangeQuery] = []
    read = store.changes

    def reading(query: ChangeQuery) -> list[Any]:
        asked.append(query)
        return read(query)

    monkeypatch.setattr(store, "changes", reading)
    with receiving(tmp_path) as receiver:
        made = hook(store, receiver.url, q="mediaType:email")
        write(store, 10)  # seqs 1-10: calls
        email = make_interaction(id="E1", media_type=MediaType.EMAIL)
        records.create_interaction(store=store, interaction=email)  # seq 11
        worker = dispatcher(store)
        assert worker.run_once() == 1
        assert seqs(receiver.received()) == [11]
    spans = [(q.after, q.until) for q in asked if q.q is not None]
    assert spans == [(0, 3), (3, 6), (6, 9), (9, 11)]
    found = store.get_webhook(made.id)
    assert found is not None and found.cursor == 11


def test_a_redelivery_asked_for_during_a_claim_goes_next(store: Store, tmp_path: Path) -> None:
    """The holder learns of it from the write that records its attempt, and sends it before
    the records that follow (lower seq first)."""
    with receiving(tmp_path) as receiver:
        made = hook(store, receiver.url)
        write(store, 2)
        worker = dispatcher(store)
        assert worker.run_once() == 2
        [*_, first] = receiver_deliveries(store, made)
        write(store, 3, "MORE")  # seqs 3-5
        finish = store.finish_attempt
        asked: list[str] = []

        def finishing(*args: Any, **kwargs: Any) -> int | None:
            if not asked:  # while seq 3 is being recorded
                again = webhooks.redeliver(
                    store=store, user=ADMIN, webhook_id=made.id, delivery_id=first.id
                )
                asked.append(again.id)
            return finish(*args, **kwargs)

        store.finish_attempt = finishing  # type: ignore[method-assign]
        while worker.run_once():
            pass
        got = receiver.received()
    assert seqs(got) == [1, 2, 3, 1, 4, 5]
    assert got[3].header("OpenUCS-Delivery") == asked[0]
    assert {d.status for d in receiver_deliveries(store, made)} == {DeliveryStatus.DELIVERED}


def test_each_attempt_is_recorded_with_its_answer_and_duration(
    store: Store, tmp_path: Path
) -> None:
    with receiving(tmp_path, fail=1) as receiver:
        made = hook(store, receiver.url)
        write(store, 1)
        with running(dispatcher(store)):
            receiver.wait_for(lambda g: len(g) >= 2)
            [history] = webhooks.list_delivery_histories(
                store=store, user=ADMIN, webhook_id=made.id, limit=10
            )
            while history.delivery.status is DeliveryStatus.PENDING:
                [history] = webhooks.list_delivery_histories(
                    store=store, user=ADMIN, webhook_id=made.id, limit=10
                )
    assert [(a.number, a.status_code, a.error) for a in history.attempts] == [
        (1, 500, None),
        (2, 204, None),
    ]
    assert history.attempts[0].at < history.attempts[1].at
    assert all(0 <= a.duration_ms < 2000 for a in history.attempts)
    assert history.attempts[1].at == history.delivery.last_attempt_at


def ids(store: Store, made: Webhook) -> set[str]:
    return {d.id for d in receiver_deliveries(store, made)}


def test_two_dispatchers_share_the_work_without_double_sending(
    store: Store, database_url: str, tmp_path: Path
) -> None:
    other_store = open_store(database_url)
    try:
        with receiving(tmp_path) as receiver:
            made = [hook(store, receiver.url) for _ in range(3)]
            write(store, 20)
            pair = (dispatcher(store, workers=2), dispatcher(other_store, workers=2))
            with running(*pair):
                got = receiver.wait_for(lambda g: len(g) >= 60)
                write(store, 5, "MORE")
                got = receiver.wait_for(lambda g: len(g) >= 75)
    finally:
        other_store.close()
    for endpoint in made:
        mine = ids(store, endpoint)
        assert seqs([r for r in got if r.header("OpenUCS-Delivery") in mine]) == list(range(1, 26))
    assert len(got) == 75  # no duplicate


def test_a_name_that_resolves_to_a_private_address_at_delivery_is_refused(
    store: Store, tmp_path: Path
) -> None:
    answers = {"hooks.example": ["93.184.215.14"]}
    policy = TargetPolicy(resolve=lambda host, port: answers[host])
    with receiving(tmp_path) as receiver:
        port = receiver.url.split(":")[2].split("/")[0]
        made = hook(store, f"http://hooks.example:{port}/hook", policy=policy)
        answers["hooks.example"] = ["93.184.215.14", "127.0.0.1"]  # rebound
        write(store, 1)
        worker = dispatcher(store, policy=policy)
        assert worker.run_once() == 1
        assert receiver.received() == []
    [delivery] = receiver_deliveries(store, made)
    assert delivery.status is DeliveryStatus.PENDING and delivery.last_status_code is None
    assert delivery.last_error is not None and "127.0.0.1" in delivery.last_error


def test_a_disabled_endpoint_gets_nothing_and_keeps_its_place(store: Store, tmp_path: Path) -> None:
    with receiving(tmp_path) as receiver:
        made = hook(store, receiver.url, enabled=False)
        write(store, 2)
        worker = dispatcher(store)
        assert worker.run_once() == 0
        webhooks.update_webhook(
            store=store,
            user=ADMIN,
            webhook_id=made.id,
            changes=WebhookChanges(enabled=True),
            policy=OPEN,
            zone=ZoneInfo("UTC"),
        )
        while worker.run_once():
            pass
        assert seqs(receiver.received()) == [1, 2]
    assert replace(made, enabled=True).cursor == 0


def test_a_delivery_left_in_flight_by_a_dead_process_is_sent_again_once(
    store: Store, tmp_path: Path
) -> None:
    """A process that wrote a delivery (pending) and died before its answer was recorded:
    after its lease, another sends that same delivery (same id), then goes on."""
    clock = Clock(time.time())
    with receiving(tmp_path) as receiver:
        made = hook(store, receiver.url)
        write(store, 3)
        lease = FAST.lease_ms
        [claimed] = store.claim_webhooks(
            "dead", now_ms=int(clock.now * 1000), lease_ms=lease, limit=1
        )
        first = store.changes(ChangeQuery(after=0, limit=1))[0]
        orphan = dispatcher(store, clock=clock)._new_delivery(claimed, first)
        assert store.start_delivery(orphan, "dead")
        survivor = dispatcher(store, clock=clock)
        assert survivor.run_once() == 0  # the lease still holds
        clock.now += lease / 1000 + 1
        assert survivor.run_once() == 3
        got = receiver.received()
    assert seqs(got) == [1, 2, 3]
    assert got[0].header("OpenUCS-Delivery") == orphan.id
    assert {d.status for d in receiver_deliveries(store, made)} == {DeliveryStatus.DELIVERED}

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

from openucs.events.clients import ClientRegistry

TOPIC = "/v2/ucs/interactions"
T = TypeVar("T")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(asyncio.wait_for(coro, 10))


def registry(**kw: Any) -> ClientRegistry:
    return ClientRegistry(**kw)


def test_delivery_goes_to_the_users_subscribed_clients_only() -> None:
    reg = registry()
    a1, a2, a3, b = reg.create("ua"), reg.create("ua"), reg.create("ua"), reg.create("ub")
    a1.subscriptions.add(TOPIC)
    a2.subscriptions.add("/v2/**")
    a3.subscriptions.add("/v2/me/*")
    b.subscriptions.add("/v2/**")
    assert reg.deliver("ua", TOPIC, {"referenceId": 1}) == 2
    assert list(a1.queue) == [{"channel": TOPIC, "data": {"referenceId": 1}}]
    assert len(a2.queue) == 1
    assert not a3.queue
    assert not b.queue
    assert reg.deliver("nobody", TOPIC, {}) == 0


def test_messages_wait_between_polls_and_come_batched() -> None:
    async def scenario() -> None:
        reg = registry()
        client = reg.create("u")
        client.subscriptions.add(TOPIC)
        for n in range(3):
            reg.deliver("u", TOPIC, {"n": n})
        got = await reg.poll(client, timeout=5)
        assert [m["data"]["n"] for m in got] == [0, 1, 2]
        assert not client.queue

    run(scenario())


def test_a_held_poll_wakes_on_delivery() -> None:
    async def scenario() -> None:
        reg = registry()
        client = reg.create("u")
        client.subscriptions.add(TOPIC)
        poll = asyncio.create_task(reg.poll(client, timeout=30))
        await asyncio.sleep(0)
        assert client.holding
        reg.deliver("u", TOPIC, {"n": 1})
        assert [m["data"] for m in await poll] == [{"n": 1}]
        assert not client.holding

    run(scenario())


def test_a_poll_times_out_empty() -> None:
    async def scenario() -> None:
        reg = registry()
        client = reg.create("u")
        assert await reg.poll(client, timeout=0.01) == []

    run(scenario())


def test_a_newer_poll_ends_the_held_one_empty() -> None:
    async def scenario() -> None:
        reg = registry()
        client = reg.create("u")
        client.subscriptions.add(TOPIC)
        old = asyncio.create_task(reg.poll(client, timeout=30))
        await asyncio.sleep(0)
        new = asyncio.create_task(reg.poll(client, timeout=30))
        assert await old == []
        reg.deliver("u", TOPIC, {"n": 1})
        assert len(await new) == 1

    run(scenario())


def test_a_cancelled_poll_leaves_the_queue_for_the_next() -> None:
    async def scenario() -> None:
        reg = registry()
        client = reg.create("u")
        client.subscriptions.add(TOPIC)
        poll = asyncio.create_task(reg.poll(client, timeout=30))
        await asyncio.sleep(0)
        poll.cancel()
        await asyncio.gather(poll, return_exceptions=True)
        reg.deliver("u", TOPIC, {"n": 1})
        assert len(await reg.poll(client, timeout=1)) == 1

    run(scenario())


def test_overflow_drops_the_client() -> None:
    reg = registry(max_queue=2)
    client = reg.create("u")
    client.subscriptions.add(TOPIC)
    reg.deliver("u", TOPIC, 1)
    reg.deliver("u", TOPIC, 2)
    assert reg.get(client.id) is client
    reg.deliver("u", TOPIC, 3)
    assert reg.get(client.id) is None
    assert not client.queue
    assert reg.clients_of("u") == []


def test_sweep_expires_clients_that_stopped_polling_and_frees_their_queue() -> None:
    clock = FakeClock()
    reg = registry(max_interval=10, clock=clock)
    idle, busy = reg.create("u"), reg.create("u")
    idle.subscriptions.add(TOPIC)
    reg.deliver("u", TOPIC, 1)
    clock.now += 5
    reg.touch(busy)
    clock.now += 6
    assert reg.sweep() == [idle]
    assert reg.get(idle.id) is None and not idle.queue
    assert reg.get(busy.id) is busy
    assert len(reg) == 1


def test_sweep_spares_a_client_holding_a_poll() -> None:
    async def scenario() -> None:
        clock = FakeClock()
        reg = registry(max_interval=10, clock=clock)
        client = reg.create("u")
        poll = asyncio.create_task(reg.poll(client, timeout=30))
        await asyncio.sleep(0)
        clock.now += 100
        assert reg.sweep() == []
        poll.cancel()
        await asyncio.gather(poll, return_exceptions=True)
        assert client.last_seen == clock.now  # the clock restarts when the poll ends
        clock.now += 11
        assert reg.sweep() == [client]

    run(scenario())


def test_ack_extension_resends_unacknowledged_batches() -> None:
    async def scenario() -> None:
        reg = registry()
        client = reg.create("u")
        client.ack_enabled = True
        client.subscriptions.add(TOPIC)
        reg.deliver("u", TOPIC, 1)
        first = await reg.poll(client, timeout=1)
        batch = client.batch
        reg.deliver("u", TOPIC, 2)
        # the answer to the first poll was lost: the client acknowledges nothing
        again = await reg.poll(client, timeout=1)
        assert [m["data"] for m in first] == [1]
        assert [m["data"] for m in again] == [1, 2]
        reg.acknowledge(client, client.batch)
        assert batch < client.batch
        assert await reg.poll(client, timeout=0.01) == []

    run(scenario())

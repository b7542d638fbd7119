"""The CometD channel `/openucs/changes` in process, on every engine: the Bayeux server and its
change feed over a real store, driven by Bayeux messages as the HTTP transport hands them in
(tests/events/test_changefeed_process.py runs it over real HTTP with a CometD client)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest

from openucs.api.changefeed import StoreFeedSource
from openucs.config import Settings
from openucs.domain.models import ReadRecord, User
from openucs.events.bayeux import Bayeux
from openucs.events.changefeed import CHANGES_CHANNEL, ChangeFeed
from openucs.events.clients import ClientRegistry
from openucs.store import Store
from tests.api.conftest import Api, People, ok, seed
from tests.factories import make_interaction

T = TypeVar("T")
POLL = 0.01


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(asyncio.wait_for(coro, 60))


class Counting(StoreFeedSource):
    """The store's source, counting how often the feed looks at the log."""

    looks = 0

    def last_seq(self) -> int:
        self.looks += 1
        return super().last_seq()


HARNESSES: list[Harness] = []


@pytest.fixture(autouse=True)
def _feeds_stopped(store: Store) -> Iterator[None]:
    """Each test's feeds stopped before its store closes: a read the end of the test cut
    short would otherwise return its connection to a closed pool (and leak it)."""
    yield
    while HARNESSES:
        asyncio.run(HARNESSES.pop().feed.stop())


class Harness:
    def __init__(self, settings: Settings, store: Store, *, max_queue: int = 1000) -> None:
        HARNESSES.append(self)
        self.reads: list[ReadRecord] = []
        self.registry = ClientRegistry(max_queue=max_queue)
        self.bayeux = Bayeux(self.registry)
        self.source = Counting(settings, store, self.reads)
        self.feed = ChangeFeed(self.registry, self.source, poll_seconds=POLL)
        self.bayeux.hooks.append(self.feed)

    async def subscribe(self, user: User, **ext: Any) -> tuple[str, dict[str, Any]]:
        [shake] = await self.bayeux.handle({"channel": "/meta/handshake"}, user_id=user.id)
        client_id = str(shake["clientId"])
        message: dict[str, Any] = {"channel": "/meta/subscribe", "clientId": client_id}
        message["subscription"] = CHANGES_CHANNEL
        if ext:
            message["ext"] = ext
        [reply] = await self.bayeux.handle(message, user_id=user.id)
        return client_id, reply

    async def follow(self, user: User, **ext: Any) -> str:
        client_id, reply = await self.subscribe(user, **ext)
        assert reply["successful"] is True, reply
        return client_id

    async def receive(self, user: User, client_id: str, count: int) -> list[dict[str, Any]]:
        """The data of `count` messages on the channel (and no more after a short wait)."""
        got: list[dict[str, Any]] = []
        deadline = time.monotonic() + 20
        while len(got) < count and time.monotonic() < deadline:
            got += await self._poll(user, client_id, 200)
        got += await self._poll(user, client_id, int(POLL * 5000))
        return got

    async def _poll(self, user: User, client_id: str, wait_ms: int) -> list[dict[str, Any]]:
        connect: dict[str, Any] = {"channel": "/meta/connect", "clientId": client_id}
        connect["advice"] = {"timeout": wait_ms}
        replies = await self.bayeux.handle(connect, user_id=user.id)
        assert replies[-1]["successful"] is True, replies[-1]
        assert all(r["channel"] in (CHANGES_CHANNEL, "/meta/connect") for r in replies)
        return [r["data"] for r in replies if r["channel"] == CHANGES_CHANNEL]


def owned(owner: User, n: int, prefix: str) -> list[Any]:
    return [make_interaction(id=f"{prefix}{i:04d}", owner_id=owner.id) for i in range(n)]


def test_a_subscriber_gets_each_new_record_as_the_pull_route_shows_it(
    api: Api, store: Store, people: People, settings: Settings
) -> None:
    seed(store, make_interaction(id="BEFORE"))  # committed before: not sent

    async def scenario() -> list[dict[str, Any]]:
        feed = Harness(settings, store)
        client = await feed.follow(people.supervisor)
        seed(store, make_interaction(id="A"), make_interaction(id="B"))
        seed(store, make_interaction(id="C"))
        got = await feed.receive(people.supervisor, client, 3)
        await feed.feed.stop()
        return got

    got = run(scenario())
    pulled = ok(api.get("/openucs/v1/changes?after=1"))["changes"]
    assert got == pulled
    assert [c["interactionId"] for c in got] == ["A", "B", "C"]
    assert [c["seq"] for c in got] == [2, 3, 4]


def test_an_agent_gets_only_the_records_of_what_they_may_read(
    store: Store, people: People, settings: Settings
) -> None:
    async def scenario() -> tuple[list[Any], list[Any], list[Any], list[ReadRecord]]:
        feed = Harness(settings, store)
        mine = await feed.follow(people.agent)
        theirs = await feed.follow(people.other_agent)
        every = await feed.follow(people.supervisor)
        for n in range(3):
            seed(store, make_interaction(id=f"M{n}", owner_id=people.agent.id))
            seed(store, make_interaction(id=f"T{n}", owner_id=people.other_agent.id))
        got = (
            await feed.receive(people.agent, mine, 3),
            await feed.receive(people.other_agent, theirs, 3),
            await feed.receive(people.supervisor, every, 6),
        )
        await feed.feed.stop()
        return (*got, feed.reads)

    mine, theirs, every, reads = run(scenario())
    assert [c["interactionId"] for c in mine] == ["M0", "M1", "M2"]
    assert [c["interactionId"] for c in theirs] == ["T0", "T1", "T2"]
    assert [c["seq"] for c in every] == list(range(1, 7))
    read_by = {
        name: {i for r in reads if r.user_id == user.id for i in r.interaction_ids}
        for name, user in (("agent", people.agent), ("other", people.other_agent))
    }
    assert read_by == {"agent": {"M0", "M1", "M2"}, "other": {"T0", "T1", "T2"}}
    assert {(r.via, r.action) for r in reads} == {("cometd", "changes.stream")}


def test_ext_after_replays_from_a_seq_then_goes_on_live(
    store: Store, people: People, settings: Settings
) -> None:
    seed(store, *owned(people.agent, 5, "OLD"))

    async def scenario() -> tuple[list[Any], list[Any]]:
        feed = Harness(settings, store)
        replaying = await feed.follow(people.agent, after=2)
        live = await feed.follow(people.agent)
        again = {"channel": "/meta/subscribe", "clientId": live}
        again["subscription"] = CHANGES_CHANNEL
        [reply] = await feed.bayeux.handle(again, user_id=people.agent.id)  # keeps its place
        assert reply["successful"] is True
        seed(store, make_interaction(id="NEW", owner_id=people.agent.id))
        got = (
            await feed.receive(people.agent, replaying, 4),
            await feed.receive(people.agent, live, 1),
        )
        await feed.feed.stop()
        return got

    replayed, live = run(scenario())
    assert [c["seq"] for c in replayed] == [3, 4, 5, 6]
    assert [c["interactionId"] for c in live] == ["NEW"]


def test_a_burst_larger_than_the_client_queue_arrives_whole(
    store: Store, people: People, settings: Settings
) -> None:
    async def scenario() -> tuple[list[Any], bool]:
        feed = Harness(settings, store, max_queue=25)
        client = await feed.follow(people.supervisor)
        seed(store, *owned(people.agent, 180, "BURST"))  # one transaction, 180 records
        got = await feed.receive(people.supervisor, client, 180)
        known = feed.registry.get(client) is not None
        await feed.feed.stop()
        return got, known

    got, still_known = run(scenario())
    assert [c["seq"] for c in got] == list(range(1, 181))
    assert still_known  # never overflowed, so never dropped


@pytest.mark.parametrize(
    ("ext", "error"),
    [
        ({"after": "3"}, "400:ext.after:"),
        ({"after": -1}, "400:ext.after:"),
        ({"after": True}, "400:ext.after:"),
        ({"after": 0}, "410:ext.after:"),
    ],
)
def test_a_bad_or_pruned_after_refuses_the_subscription(
    store: Store, people: People, settings: Settings, ext: dict[str, Any], error: str
) -> None:
    seed(store, make_interaction(id="GONE"))
    store.prune_changes(datetime.now(UTC) + timedelta(seconds=1))

    async def scenario() -> tuple[dict[str, Any], bool]:
        feed = Harness(settings, store)
        client_id, reply = await feed.subscribe(people.agent, **ext)
        client = feed.registry.get(client_id)
        assert client is not None
        return reply, CHANGES_CHANNEL in client.subscriptions or feed.feed.running

    reply, subscribed = run(scenario())
    assert reply["successful"] is False and reply["error"].startswith(error), reply
    assert not subscribed


def test_the_feed_reads_nothing_while_nobody_is_subscribed(
    store: Store, people: People, settings: Settings
) -> None:
    async def scenario() -> tuple[bool, bool, int]:
        feed = Harness(settings, store)
        await asyncio.sleep(POLL * 5)
        idle_looks = feed.source.looks
        client = await feed.follow(people.supervisor)
        running = feed.feed.running
        leave = {"channel": "/meta/unsubscribe", "clientId": client}
        leave["subscription"] = CHANGES_CHANNEL
        await feed.bayeux.handle(leave, user_id=people.supervisor.id)
        await asyncio.sleep(POLL * 10)
        looks_after = feed.source.looks
        await asyncio.sleep(POLL * 10)
        return running and idle_looks == 0, feed.feed.running, feed.source.looks - looks_after

    started, still_running, later_looks = run(scenario())
    assert started
    assert not still_running and later_looks == 0

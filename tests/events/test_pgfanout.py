import asyncio
import random
import string
from collections.abc import Coroutine
from typing import Any, TypeVar

from openucs.events.clients import Message
from openucs.events.hub import Hub
from openucs.events.pgfanout import PostgresFanout, Reassembler, conninfo_from_url, encode

TOPIC = "/v2/ucs/interactions"
T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(asyncio.wait_for(coro, 20))


def big_payload(size: int) -> dict[str, str]:
    rng = random.Random(7)
    return {"text": "".join(rng.choice(string.ascii_letters) for _ in range(size))}


def test_small_message_is_one_notify() -> None:
    [payload] = encode("origin", "u1", TOPIC, {"referenceId": 1})
    assert len(payload.encode()) < 8000
    assert Reassembler().feed(payload) == ("origin", "u1", TOPIC, {"referenceId": 1})


def test_large_message_is_chunked_and_reassembled_in_any_interleaving() -> None:
    data = big_payload(60_000)  # random letters: compresses poorly
    first = encode("a", "u1", TOPIC, data)
    second = encode("b", "u2", TOPIC, {"n": 2})
    assert len(first) > 1
    assert all(len(p.encode()) < 8000 for p in first)
    reassembler = Reassembler()
    got = [reassembler.feed(p) for p in [*first[:2], *second, *first[2:]]]
    done = [g for g in got if g is not None]
    assert done == [("b", "u2", TOPIC, {"n": 2}), ("a", "u1", TOPIC, data)]


def test_garbage_is_ignored() -> None:
    reassembler = Reassembler()
    assert reassembler.feed("nonsense") is None
    assert reassembler.feed("o m 0 1 !!!notbase64") is None


def test_conninfo_accepts_sqlalchemy_urls() -> None:
    assert conninfo_from_url("postgresql+psycopg://u@h/db") == "postgresql://u@h/db"
    assert conninfo_from_url("postgresql://u@h/db") == "postgresql://u@h/db"


def test_two_hubs_on_one_database_reach_each_others_clients(postgres_url: str) -> None:
    async def scenario() -> None:
        one, two = (
            Hub(fanout=PostgresFanout(postgres_url)),
            Hub(fanout=PostgresFanout(postgres_url)),
        )
        await one.start()
        await two.start()
        try:
            here = one.registry.create("u1")
            there = two.registry.create("u1")
            other_user = two.registry.create("u2")
            for client in (here, there, other_user):
                client.subscriptions.add("/v2/**")
            data = big_payload(30_000)
            assert await one.publish("u1", TOPIC, data) == 1
            got = await two.registry.poll(there, timeout=10)
            assert got == [{"channel": TOPIC, "data": data}]
            assert len(here.queue) == 1  # delivered once locally, not again from NOTIFY
            await asyncio.sleep(0.2)
            assert len(here.queue) == 1
            assert not other_user.queue
        finally:
            await one.stop()
            await two.stop()

    run(scenario())


def test_publish_survives_a_lost_publisher_connection(postgres_url: str) -> None:
    async def scenario() -> None:
        one, two = (
            Hub(fanout=PostgresFanout(postgres_url)),
            Hub(fanout=PostgresFanout(postgres_url)),
        )
        await one.start()
        await two.start()
        try:
            there = two.registry.create("u1")
            there.subscriptions.add(TOPIC)
            await one.publish("u1", TOPIC, 1)
            assert isinstance(one.fanout, PostgresFanout)
            assert one.fanout._publisher is not None
            await one.fanout._publisher.close()  # the server went away between two messages
            await one.publish("u1", TOPIC, 2)
            got: list[Message] = []
            while len(got) < 2:
                got += await two.registry.poll(there, timeout=10)
            assert [m["data"] for m in got] == [1, 2]
        finally:
            await one.stop()
            await two.stop()

    run(scenario())

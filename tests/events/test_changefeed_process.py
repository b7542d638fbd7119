"""The change log on the CometD channel `/openucs/changes`, against a real uvicorn process on
every engine, read by a CometD client nobody here wrote (aiocometd-ng): records in seq order
as the pull route shows them, an agent kept to their own, no loss over a burst of concurrent
writes larger than a client's queue, replay with `ext.after`, and the read audit of the
channel and of the event stream."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiocometd_ng.client import Client
from aiocometd_ng.constants import ConnectionType
from aiocometd_ng.extensions import Extension

from openucs.domain.enums import Role
from openucs.services import users as user_service
from openucs.store import open_store
from tests.events.servers import PASSWORD, Server, add_users, running_server
from tests.events.test_interop import WAIT, BasicAuth, run

CHANNEL = "/openucs/changes"
V1 = "/openucs/v1"
BURST = 120  # writes; each client's queue takes 40


class Replay(Extension):
    """Asks the change feed to start after a seq (`ext.after` on the subscribe message)."""

    def __init__(self, after: int) -> None:
        self.after = after

    async def outgoing(self, payload: Any, headers: Any) -> None:
        for message in payload:
            if message.get("channel") == "/meta/subscribe":
                message.setdefault("ext", {})["after"] = self.after

    async def incoming(self, payload: Any, headers: Any = None) -> None:
        return None


def comet(server: Server, user: str, *extensions: Extension) -> Client:
    return Client(
        server.notifications,
        ConnectionType.LONG_POLLING,
        auth=BasicAuth(user),
        extensions=list(extensions),
        connection_timeout=0,
        max_pending_count=10_000,
    )


async def records(client: Client, count: int) -> list[dict[str, Any]]:
    got = []
    for _ in range(count):
        message = await asyncio.wait_for(client.receive(), WAIT)
        assert message["channel"] == CHANNEL
        got.append(message["data"])
    return got


async def nothing_more(client: Client) -> None:
    await asyncio.sleep(0.5)  # ten polls of the log
    assert client.pending_count == 0


def http(server: Server, user: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=server.url + V1, auth=(user, PASSWORD), timeout=WAIT)


async def create(client: httpx.AsyncClient, iid: str, owner: str) -> None:
    body: dict[str, Any] = {"id": iid, "mediaType": "chat", "startDate": "2024-03-01T10:00:00Z"}
    body["ownerInformation"] = {"userName": owner}
    answer = await client.post("/interactions", json=body)
    assert answer.status_code == 201, answer.text


async def pulled(client: httpx.AsyncClient, after: int = 0) -> list[dict[str, Any]]:
    answer = (await client.get("/changes", params={"after": after, "limit": 1000})).json()
    assert answer["endOfStream"] is True
    changes: list[dict[str, Any]] = answer["changes"]
    return changes


@pytest.fixture
def users(database_url: str) -> dict[str, str]:
    ids = add_users(database_url)
    store = open_store(database_url)
    try:
        ids["admin"] = user_service.add_user(
            store=store, user_name="admin", roles=frozenset({Role.ADMIN}), password=PASSWORD
        ).id
    finally:
        store.close()
    return ids


@pytest.fixture
def server(database_url: str, users: dict[str, str], tmp_path: Path) -> Iterator[Server]:
    settings = {"changes_poll_ms": "50", "cometd_timeout_ms": "2000", "cometd_max_queue": "40"}
    with running_server(database_url, tmp_path, **settings) as started:
        yield started


def test_a_burst_of_writes_reaches_each_reader_whole_in_order_and_in_scope(
    server: Server,
) -> None:
    async def scenario() -> None:
        async with (
            http(server, "admin") as writer,
            comet(server, "super") as everything,
            comet(server, "agent1") as one,
            comet(server, "agent2") as two,
        ):
            await create(writer, "BEFORE", "agent1")  # before the subscriptions: not sent
            for client in (everything, one, two):
                await client.subscribe(CHANNEL)
            gate = asyncio.Semaphore(8)

            async def write(n: int) -> None:
                async with gate:
                    await create(writer, f"B{n:04d}", "agent1" if n % 2 else "agent2")

            await asyncio.gather(*(write(n) for n in range(BURST)))
            seen = await records(everything, BURST)
            assert [c["seq"] for c in seen] == list(range(2, BURST + 2))
            assert seen == await pulled(writer, after=1)  # the same JSON as the pull route
            mine = await records(one, BURST // 2)
            theirs = await records(two, BURST // 2)
            assert [c["seq"] for c in mine] == sorted(c["seq"] for c in mine)
            assert {c["interactionId"] for c in mine} == {f"B{n:04d}" for n in range(1, BURST, 2)}
            assert {c["interactionId"] for c in theirs} == {f"B{n:04d}" for n in range(0, BURST, 2)}
            assert {c["data"]["ownerInformation"]["userName"] for c in mine} == {"agent1"}
            for client in (everything, one, two):
                await nothing_more(client)

    run(scenario())


def test_ext_after_replays_and_reads_are_audited(server: Server) -> None:
    async def scenario() -> None:
        async with http(server, "admin") as writer, http(server, "admin") as admin:
            for n in range(5):
                await create(writer, f"OLD{n}", "agent1")
            async with comet(server, "agent1", Replay(2)) as replaying:
                await replaying.subscribe(CHANNEL)
                assert [c["seq"] for c in await records(replaying, 3)] == [3, 4, 5]
                await create(writer, "NEW", "agent1")
                [live] = await records(replaying, 1)
                assert live["seq"] == 6 and live["interactionId"] == "NEW"
            async with (
                http(server, "agent2") as reader,
                reader.stream("GET", "/changes/stream", params={"after": 0}) as stream,
            ):
                await create(writer, "TWO", "agent2")
                async for line in stream.aiter_lines():
                    if line.startswith("data:"):
                        assert json.loads(line[5:])["interactionId"] == "TWO"
                        break
            await asyncio.sleep(0.5)  # the audit is written in batches
            answer = (await admin.get("/audit", params={"maxSize": 100})).json()
        streamed = [r for r in answer["records"] if r["action"] == "changes.stream"]
        ids = {(r["userName"], r["via"], i) for r in streamed for i in r["interactionIds"]}
        assert ids == {
            ("agent1", "cometd", "OLD2"),  # seq 3
            ("agent1", "cometd", "OLD3"),
            ("agent1", "cometd", "OLD4"),
            ("agent1", "cometd", "NEW"),
            ("agent2", "api", "TWO"),
        }

    run(scenario())

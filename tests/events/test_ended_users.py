"""A user disabled or deleted at the command line (another process, writing the database)
loses their CometD clients at once in every server process: a real server (one process, and
`--workers 2`), a real CometD client (aiocometd-ng) holding a long poll that would otherwise
last 30 s, on SQLite and PostgreSQL. Another user's client goes on receiving."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiocometd_ng.client import Client
from aiocometd_ng.exceptions import ServerError

from openucs.events.bayeux import ENDED
from tests.events.servers import PASSWORD, Server, add_users, running_server
from tests.events.test_interop import WINDOW, comet, receive, run, seed
from tests.events.test_workers import SpreadClient, serving

TOPICS = "/v2/ucs/**"
HANDSHAKE = {
    "channel": "/meta/handshake",
    "version": "1.0",
    "supportedConnectionTypes": ["long-polling"],
}
HELD_MS = "30000"  # a held poll's timeout: what an ended client must not wait for
AT_ONCE = 8.0  # seconds: the check runs every second; the rest is the CLI's start-up
HISTORY = {"operationName": "RetrieveAgentHistory", **WINDOW}


@pytest.fixture
def users(database_url: str) -> dict[str, str]:
    ids = add_users(database_url)
    seed(database_url, ids["agent1"])
    return ids


def openucs_users(database_url: str, *args: str) -> None:
    """`openucs users ...` in its own process, as an operator would run it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENUCS_")}
    command = [sys.executable, "-m", "openucs", "users", *args, "--database", database_url]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


async def held(client: Client) -> None:
    """Subscribed, then long enough for the client's next /meta/connect to be held."""
    await client.subscribe(TOPICS)
    await asyncio.sleep(0.5)


async def ended_within(client: Client, seconds: float) -> None:
    """The server ended `client` within `seconds`: its receive fails, the server having said
    `reconnect: none` (aiocometd-ng, given a 403 with an auth extension, first tries again
    with its credentials, then handshakes, and is denied: the answer it keeps is that one)."""
    with pytest.raises(ServerError):
        await asyncio.wait_for(client.receive(), seconds)
    assert client._transport is not None
    last = client._transport.last_connect_result
    assert isinstance(last, dict) and last["error"] in (ENDED, "403::Handshake denied"), last
    assert last["advice"]["reconnect"] == "none"


class RawPoll:
    """A CometD client of `user` written by hand over HTTP, to read the server's very answer
    to a held /meta/connect."""

    def __init__(self, server: Server, user: str) -> None:
        self.url = server.notifications
        self.http = httpx.AsyncClient(auth=(user, PASSWORD), timeout=60)
        self.client_id = ""

    async def post(self, *messages: dict[str, Any]) -> list[dict[str, Any]]:
        answer = await self.http.post(self.url, json=list(messages))
        assert answer.status_code == 200, answer.text
        replies: list[dict[str, Any]] = answer.json()
        return replies

    async def connected(self) -> None:
        [shook] = await self.post(HANDSHAKE)
        self.client_id = shook["clientId"]
        for message in (
            {"channel": "/meta/subscribe", "clientId": self.client_id, "subscription": TOPICS},
            self.connect(),
        ):
            [reply] = await self.post(message)
            assert reply["successful"], reply

    def connect(self) -> dict[str, Any]:
        return {
            "channel": "/meta/connect",
            "clientId": self.client_id,
            "connectionType": "long-polling",
        }


async def still_served(server: Server, client: Client, user: str) -> None:
    """`user`'s client gets the result of their next operation."""
    async with httpx.AsyncClient(
        base_url=f"{server.url}/api/v2", auth=(user, PASSWORD), timeout=15
    ) as http:
        reply = await http.post("/ucs/interactions", json=HISTORY)
        assert reply.status_code == 200, reply.text
        reference = reply.json()["referenceId"]
    message = await receive(client)
    assert message["data"]["referenceId"] == reference


def test_disabling_a_user_ends_their_held_poll_at_once(
    database_url: str, users: dict[str, str], tmp_path: Path
) -> None:
    with running_server(database_url, tmp_path, cometd_timeout_ms=HELD_MS) as server:

        async def scenario() -> None:
            raw = RawPoll(server, "agent1")
            async with (
                raw.http,
                comet(server.notifications, "agent1") as mine,
                comet(server.notifications, "agent2") as other,
            ):
                await raw.connected()
                await held(mine)
                await held(other)
                polling = asyncio.create_task(raw.post(raw.connect()))
                await asyncio.sleep(0.5)
                began = time.monotonic()
                await asyncio.to_thread(openucs_users, database_url, "disable", "agent1")

                [answer] = await asyncio.wait_for(polling, AT_ONCE)
                assert time.monotonic() - began < AT_ONCE
                assert (answer["successful"], answer["error"]) == (False, ENDED), answer
                assert answer["advice"]["reconnect"] == "none"
                await ended_within(mine, AT_ONCE)
                await still_served(server, other, "agent2")
                # the old client is gone, and a new handshake is denied
                [gone] = await raw.post(raw.connect())
                assert gone["error"] == "402::Unknown client"
                [again] = await raw.post(HANDSHAKE)
                assert again["error"] == "403::Handshake denied"

        run(scenario())


def test_deleting_a_user_ends_their_client_on_every_worker(
    database_url: str, users: dict[str, str], tmp_path: Path
) -> None:
    with serving(database_url, tmp_path, cometd_timeout_ms=HELD_MS) as server:

        async def scenario() -> None:
            spread = SpreadClient(server.notifications, "agent1")
            async with spread, comet(server.notifications, "agent2") as other:
                await held(spread)
                await held(other)
                await asyncio.to_thread(openucs_users, database_url, "delete", "agent1")
                await ended_within(spread, AT_ONCE)
                await still_served(server, other, "agent2")

        run(scenario())

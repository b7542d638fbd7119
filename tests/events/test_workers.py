"""`openucs serve --workers 2`, a real process on SQLite and PostgreSQL: what one worker
decides holds on the other. Requests are put on a chosen worker by a kept-alive connection
that answered with its `X-OpenUCS-Worker` tag, or spread over both by a new TCP connection
each; a real CometD client (aiocometd-ng) handshakes on one worker, polls on both, and
receives results of operations the other worker ran."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import pytest
from aiocometd_ng.client import Client
from aiocometd_ng.constants import ConnectionType

from tests.events.servers import PASSWORD, Server, add_users, free_port
from tests.events.test_interop import (
    OPERATIONS,
    WINDOW,
    BasicAuth,
    check_payload,
    receive,
    run,
    seed,
)

WORKER = "x-openucs-worker"
WAIT = 15.0
HISTORY = {"operationName": "RetrieveAgentHistory", **WINDOW}


@pytest.fixture
def users(database_url: str) -> dict[str, str]:
    ids = add_users(database_url)
    seed(database_url, ids["agent1"])
    return ids


@contextlib.contextmanager
def serving(database_url: str, log_dir: Path, **settings: str) -> Iterator[Server]:
    """`openucs serve --workers 2`; returns once both workers have answered."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENUCS_")}
    env.update({f"OPENUCS_{k.upper()}": v for k, v in settings.items()})
    log = log_dir / f"serve-{port}.log"
    command = [sys.executable, "-m", "openucs", "serve", "--database", database_url]
    command += ["--port", str(port), "--workers", "2"]
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(process, port, log)
    try:
        _wait_for_both_workers(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def _wait_for_both_workers(server: Server, limit: float = 90.0) -> None:
    deadline = time.monotonic() + limit
    seen: set[str] = set()
    while time.monotonic() < deadline and len(seen) < 2:
        if server.process.poll() is not None:
            raise AssertionError(f"server exited:\n{server.log.read_text()}")
        with contextlib.suppress(httpx.TransportError):
            answer = httpx.get(f"{server.url}/api/v2/diagnostics/version", timeout=2)
            seen.add(answer.headers[WORKER])
            continue
        time.sleep(0.1)
    assert len(seen) == 2, f"workers seen: {seen}\n{server.log.read_text()}"


@contextlib.contextmanager
def pinned(server: Server) -> Iterator[dict[str, httpx.Client]]:
    """One kept-alive connection to each worker: worker tag -> its client."""
    found: dict[str, httpx.Client] = {}
    opened: list[httpx.Client] = []
    try:
        while len(found) < 2 and len(opened) < 100:
            client = httpx.Client(
                base_url=f"{server.url}/api/v2",
                limits=httpx.Limits(max_connections=1),
                timeout=WAIT,
            )
            opened.append(client)
            found.setdefault(client.get("/diagnostics/version").headers[WORKER], client)
        assert len(found) == 2, "could not reach both workers"
        yield found
    finally:
        for client in opened:
            client.close()


def basic(user: str, password: str = PASSWORD) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def test_a_lockout_and_reference_ids_hold_across_workers(
    database_url: str, users: dict[str, str], tmp_path: Path
) -> None:
    settings = {"login_max_failures": "3", "login_lockout_seconds": "60"}
    with serving(database_url, tmp_path, **settings) as server, pinned(server) as workers:
        one, two = workers.values()

        # referenceIds of Basic callers that keep no cookie: one counter, whichever worker
        refs = []
        for client in (one, two) * 4:
            answer = client.post("/ucs/interactions", json=HISTORY, headers=basic("agent1"))
            client.cookies.clear()
            assert answer.status_code == 200, answer.text
            refs.append(answer.json()["referenceId"])
        assert len(set(refs)) == len(refs), refs

        # a session minted (not stored) by one worker, stored by the other: no id twice
        first = one.post("/ucs/interactions", json=HISTORY, headers=basic("agent2"))
        session = {"Cookie": f"JSESSIONID={first.cookies['JSESSIONID']}"}
        one.cookies.clear()
        session_refs = [first.json()["referenceId"]]
        for client in (two, one, two):
            answer = client.post("/ucs/interactions", json=HISTORY, headers=session)
            assert answer.status_code == 200, answer.text
            session_refs.append(answer.json()["referenceId"])
        assert len(set(session_refs)) == 4, session_refs

        # the right password remembered by both workers; three failures over both lock it out
        for client in (one, two):
            assert client.get("/me", headers=basic("super")).status_code == 200
            client.cookies.clear()
        for client in (one, two, one):
            wrong = client.get("/me", headers=basic("super", "wrong-password"))
            assert wrong.status_code == 401
        time.sleep(1.5)  # the other worker copies the lockout within a second
        for client in (one, two):
            refused = client.get("/me", headers=basic("super"))
            client.cookies.clear()
            assert refused.status_code == 401, (refused.headers[WORKER], refused.text)
        # another user is not locked out, on either worker
        for client in (one, two):
            assert client.get("/me", headers=basic("agent1")).status_code == 200
            client.cookies.clear()


class SpreadClient(Client):
    """The CometD client on a new TCP connection per request (so the balancer may put each on
    either worker), noting which worker answered each."""

    def __init__(self, url: str, user: str) -> None:
        # connection_timeout=0: see tests/events/test_interop.py `comet`
        super().__init__(
            url, ConnectionType.LONG_POLLING, auth=BasicAuth(user), connection_timeout=0
        )
        self.answered_by: list[str] = []

    async def _get_http_session(self) -> aiohttp.ClientSession:
        if self._http_session is None:
            trace = aiohttp.TraceConfig()

            async def answered(_: Any, __: Any, params: Any) -> None:
                self.answered_by.append(params.response.headers.get(WORKER, ""))

            trace.on_request_end.append(answered)
            self._http_session = aiohttp.ClientSession(
                json_serialize=self._json_dumps,
                connector=aiohttp.TCPConnector(force_close=True),
                trace_configs=[trace],
            )
        return self._http_session


def test_cometd_sessions_and_csrf_hold_across_workers(
    database_url: str, users: dict[str, str], tmp_path: Path
) -> None:
    settings = {"csrf_protection": "true", "cometd_timeout_ms": "3000"}
    with serving(database_url, tmp_path, **settings) as server, pinned(server) as workers:
        one, two = workers.values()
        # a session and its CSRF token from one worker, accepted by the other
        me = one.get("/me", headers=basic("agent1"))
        assert me.status_code == 200
        token = me.headers["x-csrf-token"]
        session = {"Cookie": f"JSESSIONID={me.cookies['JSESSIONID']}"}
        one.cookies.clear()
        refused = two.post("/ucs/interactions", json=HISTORY, headers=session)
        assert refused.status_code == 403  # no CSRF token
        headers = {**session, "X-CSRF-TOKEN": token}

        async def scenario() -> None:
            client = SpreadClient(server.notifications, "agent1")
            async with client:
                await client.subscribe("/v2/ucs/**")
                assert client._transport is not None
                home = str(client._transport.client_id).partition(".")[0]
                assert home in workers  # the client id names the worker it lives in
                refs = []
                plan = [*OPERATIONS, *[("/ucs/interactions", HISTORY)] * 6]
                for n, (path, body) in enumerate(plan):
                    http = (one, two)[n % 2]
                    reply = await asyncio.to_thread(http.post, path, json=body, headers=headers)
                    assert reply.status_code == 200, reply.text
                    refs.append(reply.json()["referenceId"])
                    message = await receive(client)
                    assert message["data"]["referenceId"] == refs[-1]
                    check_payload(str(body["operationName"]), message["data"])
                assert refs == sorted(set(refs))  # one session, one counter, two workers
                # its polls were answered by both workers, its home and the other
                assert set(client.answered_by) == set(workers), client.answered_by

        run(scenario())

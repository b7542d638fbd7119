"""Interop with a CometD client nobody here wrote (aiocometd-ng, from PyPI) against a real
uvicorn process: log in, handshake, subscribe, issue each operation over HTTP, receive its
notification; the long-poll timeout, reconnection after a dropped poll, no cross-delivery
between users, expiry of a client that stops polling."""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from aiocometd_ng.client import Client
from aiocometd_ng.constants import ConnectionType
from aiocometd_ng.extensions import AuthExtension

from openucs.domain.enums import MediaType
from openucs.domain.models import Contact, ContactPoint
from openucs.services import records
from openucs.store import open_store
from tests.events.servers import PASSWORD, Proxy, Server, add_users, running_server
from tests.factories import make_interaction, make_messages

TOPIC = "/v2/ucs/interactions"
WAIT = 15.0  # seconds: the most any single step may take
T = TypeVar("T")


class BasicAuth(AuthExtension):
    """Sends HTTP Basic on every CometD request (what a GWS client's session does)."""

    def __init__(self, user: str) -> None:
        token = base64.b64encode(f"{user}:{PASSWORD}".encode()).decode()
        self.header = f"Basic {token}"

    async def outgoing(self, payload: Any, headers: Any) -> None:
        headers["Authorization"] = self.header

    async def incoming(self, payload: Any, headers: Any = None) -> None:
        return None


def comet(url: str, user: str) -> Client:
    # connection_timeout=0: the library's own reconnection timer calls asyncio.wait_for with a
    # `loop` argument, which Python 3.10+ refuses; our waits are bounded by `receive` below.
    return Client(url, ConnectionType.LONG_POLLING, auth=BasicAuth(user), connection_timeout=0)


async def receive(client: Client) -> dict[str, Any]:
    return await asyncio.wait_for(client.receive(), WAIT)


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(asyncio.wait_for(coro, 120))


def seed(database_url: str, owner_id: str) -> None:
    store = open_store(database_url)
    try:
        store.save_contact(
            Contact(
                id="CONTACT1",
                last_name="Kim",
                emails=[ContactPoint("kim@example.com", primary=True)],
            )
        )
        records.ingest(
            store=store,
            interactions=[
                make_interaction(id="CALL1", owner_id=owner_id, contact_id="CONTACT1"),
                make_interaction(
                    id="CHAT1",
                    owner_id=owner_id,
                    contact_id="CONTACT1",
                    media_type=MediaType.CHAT,
                    messages=make_messages(2),
                ),
            ],
        )
    finally:
        store.close()


@pytest.fixture
def users(database_url: str) -> dict[str, str]:
    ids = add_users(database_url)
    seed(database_url, ids["agent1"])
    return ids


@pytest.fixture
def server(database_url: str, users: dict[str, str], tmp_path: Path) -> Iterator[Server]:
    with running_server(database_url, tmp_path, cometd_timeout_ms="2000") as started:
        yield started


def login(server: Server, user: str) -> httpx.AsyncClient:
    """An HTTP client that logged in with Basic and keeps the JSESSIONID cookie."""
    return httpx.AsyncClient(base_url=f"{server.url}/api/v2", auth=(user, PASSWORD), timeout=WAIT)


WINDOW = {"fromDate": "2024-02-01", "toDate": "2024-03-31"}
OPERATIONS: list[tuple[str, dict[str, Any]]] = [
    ("/ucs/interactions", {"operationName": "RetrieveInteractionHistory", **WINDOW}),
    ("/ucs/interactions", {"operationName": "RetrieveAgentHistory", **WINDOW}),
    (
        "/ucs/contacts/CONTACT1/interactions",
        {"operationName": "RetrieveContactHistory", **WINDOW},
    ),
    ("/ucs/interactions/CHAT1", {"operationName": "GetInteractionContent"}),
    (
        "/contacts/ucs",
        {"operationName": "IdentifyUCSContact", "emailAddress": "kim@example.com"},
    ),
    (
        "/ucs/interactions",
        {
            "operationName": "FindPhoneCall",
            "callId": "CALL-UUID-1",
            "status": "InProcess",
            "phoneNumber": "5551234",
            "type": "Inbound",
        },
    ),
    (
        "/ucs/interactions/CALL1",
        {"operationName": "SetCallContact", "contactPath": "/contacts/CONTACT1"},
    ),
    ("/ucs/interactions/CALL1", {"operationName": "SetCallNote", "note": "called back"}),
    ("/ucs/interactions/CALL1", {"operationName": "SetCallCompleted", "callDuration": 87}),
]


def check_payload(name: str, data: dict[str, Any]) -> None:
    assert "errorMessage" not in data, (name, data)
    if name.startswith("Retrieve"):
        assert data["messageType"] == "GetInteractionsHistoryMessage"
        assert {i["id"] for i in data["interactions"]} == {"CALL1", "CHAT1"}
    elif name == "GetInteractionContent":
        assert data["messageType"] == "GetInteractionContentMessage"
        assert data["interaction"]["id"] == "CHAT1" and len(data["messages"]) == 2
    elif name == "IdentifyUCSContact":
        assert data == {"referenceId": data["referenceId"], "contactId": "CONTACT1"}
    elif name == "FindPhoneCall":
        assert data["messageType"] == "createInteractionResponse"
        assert data["isCreated"] == "true"
    else:
        assert data == {
            "referenceId": data["referenceId"],
            "messageType": "UcsOperationResponse",
            "success": True,
        }


def test_every_operation_reaches_an_independent_cometd_client(server: Server) -> None:
    async def scenario() -> None:
        async with login(server, "agent1") as http:
            me = await http.get("/me")
            assert me.status_code == 200 and "JSESSIONID" in http.cookies
            http.auth = httpx.Auth()  # from now on the session cookie only
            async with comet(server.notifications, "agent1") as client:
                await client.subscribe("/v2/ucs/**")
                for path, body in OPERATIONS:
                    reply = await http.post(path, json=body)
                    assert reply.status_code == 200, reply.text
                    reference_id = reply.json()["referenceId"]
                    message = await receive(client)
                    assert message["channel"] == TOPIC
                    assert message["data"]["referenceId"] == reference_id
                    check_payload(body["operationName"], message["data"])

    run(scenario())


def test_long_poll_is_held_for_the_timeout_then_answered(server: Server) -> None:
    async def scenario() -> None:
        async with login(server, "agent1") as http:
            url = server.notifications
            [shake] = (await http.post(url, json=[{"channel": "/meta/handshake"}])).json()
            connect = {"channel": "/meta/connect", "clientId": shake["clientId"]}
            await http.post(url, json=[connect])  # the first connect answers at once
            started = time.monotonic()
            [reply] = (await http.post(url, json=[connect])).json()
            held = time.monotonic() - started
            assert reply["successful"] is True
            assert reply["advice"]["timeout"] == 2000
            assert 1.8 <= held < 10, held

    run(scenario())


def test_handshake_without_credentials_is_refused(server: Server) -> None:
    reply = httpx.post(server.notifications, json=[{"channel": "/meta/handshake"}], timeout=WAIT)
    assert reply.status_code == 200
    [message] = reply.json()
    assert message["successful"] is False and message["error"].startswith("403:")


def test_reconnect_after_a_dropped_poll_loses_nothing(server: Server) -> None:
    async def scenario() -> None:
        async with Proxy(server.port) as proxy, login(server, "agent1") as http:
            url = f"http://127.0.0.1:{proxy.port}/api/v2/notifications"
            async with comet(url, "agent1") as client:
                await client.subscribe(TOPIC)
                body = {"operationName": "RetrieveAgentHistory", **WINDOW}
                first = (await http.post("/ucs/interactions", json=body)).json()["referenceId"]
                assert (await receive(client))["data"]["referenceId"] == first
                await proxy.cut()  # the poll in flight dies; the client retries in 1 s
                await asyncio.sleep(0.2)  # let the server see the connection go
                second = (await http.post("/ucs/interactions", json=body)).json()["referenceId"]
                third = (await http.post("/ucs/interactions", json=body)).json()["referenceId"]
                got = [(await receive(client))["data"]["referenceId"] for _ in range(2)]
                assert got == [second, third]

    run(scenario())


def test_two_users_clients_get_only_their_own_results(server: Server) -> None:
    async def scenario() -> None:
        async with (
            login(server, "agent1") as http1,
            login(server, "agent2") as http2,
            comet(server.notifications, "agent1") as client1,
            comet(server.notifications, "agent2") as client2,
        ):
            await client1.subscribe("/v2/**")
            await client2.subscribe("/v2/**")
            body = {"operationName": "RetrieveAgentHistory", **WINDOW}
            ref1 = (await http1.post("/ucs/interactions", json=body)).json()["referenceId"]
            message1 = await receive(client1)
            assert message1["data"]["referenceId"] == ref1
            assert len(message1["data"]["interactions"]) == 2
            # agent2's first message must be the answer to agent2's own request
            ref2 = (await http2.post("/ucs/interactions", json=body)).json()["referenceId"]
            message2 = await receive(client2)
            assert message2["data"]["referenceId"] == ref2
            assert message2["data"]["interactions"] == []  # agent2 owns nothing
            assert client1.pending_count == 0 and client2.pending_count == 0

    run(scenario())


def test_a_client_that_stops_polling_is_expired(
    database_url: str, users: dict[str, str], tmp_path: Path
) -> None:
    settings = {"cometd_timeout_ms": "1000", "cometd_max_interval_ms": "300"}
    with running_server(database_url, tmp_path, **settings) as server:

        async def scenario() -> None:
            async with login(server, "agent1") as http:
                url = server.notifications

                async def handshake() -> str:
                    [reply] = (await http.post(url, json=[{"channel": "/meta/handshake"}])).json()
                    return str(reply["clientId"])

                idle, busy = await handshake(), await handshake()

                async def keep_polling() -> None:
                    while True:
                        await http.post(url, json=[{"channel": "/meta/connect", "clientId": busy}])

                poller = asyncio.create_task(keep_polling())
                try:
                    await asyncio.sleep(1.5)  # five times the idle client's maxInterval
                    connect: dict[str, object] = {"channel": "/meta/connect", "clientId": idle}
                    [gone] = (await http.post(url, json=[connect])).json()
                    assert gone["error"] == "402::Unknown client"
                    assert gone["advice"]["reconnect"] == "handshake"
                finally:
                    poller.cancel()
                    await asyncio.gather(poller, return_exceptions=True)
                connect = {"channel": "/meta/connect", "clientId": busy, "advice": {"timeout": 0}}
                [alive] = (await http.post(url, json=[connect])).json()
                assert alive["successful"] is True

        run(scenario())


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_two_processes_on_one_postgres_fan_out(
    database_url: str, users: dict[str, str], tmp_path: Path
) -> None:
    """No sticky balancer: the operation goes to one process, the long poll to the other."""
    with (
        running_server(database_url, tmp_path) as one,
        running_server(database_url, tmp_path) as two,
    ):

        async def scenario() -> None:
            async with login(two, "agent1") as http_two:
                assert (await http_two.get("/me")).status_code == 200
                http_two.auth = httpx.Auth()  # the session cookie only
                cookies = dict(http_two.cookies)
                async with (
                    httpx.AsyncClient(
                        base_url=f"{one.url}/api/v2", cookies=cookies, timeout=WAIT
                    ) as http_one,
                    comet(one.notifications, "agent1") as client,
                ):
                    await client.subscribe(TOPIC)
                    body = {"operationName": "RetrieveAgentHistory", **WINDOW}
                    refs = []
                    for http in (http_two, http_one, http_two, http_one):
                        reply = await http.post("/ucs/interactions", json=body)
                        refs.append(reply.json()["referenceId"])
                        message = await receive(client)
                        assert message["data"]["referenceId"] == refs[-1]
                        assert len(message["data"]["interactions"]) == 2
                    # one session, two processes: one counter
                    assert refs == sorted(set(refs)) and len(refs) == 4

        run(scenario())

"""The ASGI long-polling endpoint, driven with raw ASGI messages."""

import asyncio
import json
from collections.abc import Coroutine, MutableMapping
from typing import Any, TypeVar

from openucs.events.bayeux import Bayeux
from openucs.events.clients import ClientRegistry
from openucs.events.longpoll import LongPollingEndpoint, Scope

TOPIC = "/v2/ucs/interactions"
T = TypeVar("T")
Event = MutableMapping[str, Any]


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(asyncio.wait_for(coro, 10))


class Exchange:
    """One HTTP request: a body, then (optionally) the client going away."""

    def __init__(self, body: bytes, method: str = "POST") -> None:
        self.scope: Scope = {"type": "http", "method": method, "path": "/api/v2/notifications"}
        self._events: asyncio.Queue[Event] = asyncio.Queue()
        self._events.put_nowait({"type": "http.request", "body": body, "more_body": False})
        self.sent: list[Event] = []

    def hang_up(self) -> None:
        self._events.put_nowait({"type": "http.disconnect"})

    async def receive(self) -> Event:
        return await self._events.get()

    async def send(self, event: Event) -> None:
        self.sent.append(event)

    @property
    def status(self) -> int:
        status: int = self.sent[0]["status"]
        return status

    @property
    def json(self) -> Any:
        return json.loads(self.sent[1]["body"])


async def authenticate_as_u1(scope: Scope) -> str:
    return "u1"


def endpoint(**kw: Any) -> LongPollingEndpoint:
    return LongPollingEndpoint(Bayeux(ClientRegistry()), authenticate_as_u1, **kw)


async def call(app: LongPollingEndpoint, body: object, method: str = "POST") -> Exchange:
    exchange = Exchange(body if isinstance(body, bytes) else json.dumps(body).encode(), method)
    await app(exchange.scope, exchange.receive, exchange.send)
    return exchange


async def ready_client(app: LongPollingEndpoint) -> str:
    reply = (await call(app, {"channel": "/meta/handshake"})).json[0]
    client_id: str = reply["clientId"]
    await call(
        app,
        [
            {"channel": "/meta/subscribe", "clientId": client_id, "subscription": TOPIC},
            {"channel": "/meta/connect", "clientId": client_id, "connectionType": "long-polling"},
        ],
    )
    return client_id


def test_handshake_over_asgi() -> None:
    async def scenario() -> None:
        exchange = await call(endpoint(), {"channel": "/meta/handshake", "id": "1"})
        assert exchange.status == 200
        headers = dict(exchange.sent[0]["headers"])
        assert headers[b"content-type"].startswith(b"application/json")
        [reply] = exchange.json
        assert reply["successful"] and reply["id"] == "1"

    run(scenario())


def test_transport_errors() -> None:
    async def scenario() -> None:
        app = endpoint(max_body_bytes=50)
        assert (await call(app, b"{not json")).status == 400
        assert (await call(app, b"[" + b" " * 100 + b"]")).status == 413
        exchange = await call(app, b"", method="GET")
        assert exchange.status == 405
        assert exchange.json[0]["successful"] is False

    run(scenario())


def test_a_dropped_poll_takes_nothing_from_the_queue() -> None:
    async def scenario() -> None:
        app = endpoint()
        client_id = await ready_client(app)
        poll = Exchange(json.dumps([{"channel": "/meta/connect", "clientId": client_id}]).encode())
        task = asyncio.create_task(app(poll.scope, poll.receive, poll.send))
        await asyncio.sleep(0.01)
        poll.hang_up()
        await task
        assert poll.sent == []  # nothing written to the departed client
        assert isinstance(app.bayeux, Bayeux)
        app.bayeux.registry.deliver("u1", TOPIC, {"referenceId": 1})
        replies = (await call(app, [{"channel": "/meta/connect", "clientId": client_id}])).json
        assert replies[0] == {"channel": TOPIC, "data": {"referenceId": 1}}

    run(scenario())

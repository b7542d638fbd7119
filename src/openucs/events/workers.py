"""CometD across the worker processes of one server (`openucs serve --workers N`).

A CometD client lives in the worker that answered its handshake, its home: its subscriptions,
its queue, its held poll and its ack batches are in that process's `ClientRegistry`, exactly as
with one process. Its client id starts with the home's bus tag (`<tag>.<random>`), so whichever
worker the balancer hands a later request to (a /meta/connect, a subscribe) forwards the
request over the worker bus to the home and relays the answer (`ForwardingBayeux`); a
forwarded long poll is held at the home and cancelled there when the HTTP client goes away.
Results go everywhere: the hub delivers a message to its own clients and its fan-out carries it
to the other workers (`BusFanout` on SQLite; on PostgreSQL `PostgresFanout` already does), each
of which delivers to the clients whose home it is.

Keeping each client's state in one process, rather than in a table every worker reads, keeps
the Bayeux rules of one process (a newer poll ends the held one, the ack extension, overflow,
expiry) without a database write per message. A home worker that is gone makes its clients
unknown (402, advice `handshake`): they handshake again on a live worker, as Bayeux intends.
"""

from __future__ import annotations

import logging
from typing import Any

from openucs.events.bayeux import Bayeux
from openucs.events.bus import PeerGone, WorkerBus
from openucs.events.clients import Message
from openucs.events.hub import Deliver

log = logging.getLogger(__name__)

BAYEUX = "bayeux"
DELIVER = "deliver"


def home_of(client_id: object) -> str | None:
    """The bus tag in a client id `<tag>.<random>`, else None."""
    if not isinstance(client_id, str):
        return None
    tag, dot, _ = client_id.partition(".")
    return tag if dot else None


class ForwardingBayeux:
    """`Bayeux.handle`, except that a request naming a client of another worker is answered
    there. A request is routed by the first client id it names (a CometD client batches only
    its own messages)."""

    def __init__(self, bayeux: Bayeux, bus: WorkerBus) -> None:
        self.bayeux = bayeux
        self.bus = bus
        bus.on(BAYEUX, self._answer_forwarded)

    async def handle(self, body: object, *, user_id: str | None) -> list[Message]:
        home = self._home(body)
        if home is None or home == self.bus.tag:
            return await self.bayeux.handle(body, user_id=user_id)
        try:
            replies = await self.bus.request(home, BAYEUX, {"user": user_id, "body": body})
        except PeerGone:
            batch = body if isinstance(body, list) else [body]
            return [self.bayeux.unknown_client(m) for m in batch if isinstance(m, dict)]
        return list(replies)

    async def _answer_forwarded(self, request: Any) -> list[Message]:
        user_id = request.get("user")
        return await self.bayeux.handle(
            request.get("body"), user_id=user_id if isinstance(user_id, str) else None
        )

    @staticmethod
    def _home(body: object) -> str | None:
        for message in body if isinstance(body, list) else [body]:
            if isinstance(message, dict) and "clientId" in message:
                return home_of(message["clientId"])
        return None


class BusFanout:
    """The hub's fan-out over the worker bus (SQLite: no LISTEN/NOTIFY to carry messages)."""

    def __init__(self, bus: WorkerBus) -> None:
        self.bus = bus

    async def start(self, deliver: Deliver) -> None:
        async def delivered(body: Any) -> int:
            return deliver(str(body["u"]), str(body["c"]), body["d"])

        self.bus.on(DELIVER, delivered)

    async def send(self, user_id: str, channel: str, data: Any) -> None:
        await self.bus.broadcast(DELIVER, {"u": user_id, "c": channel, "d": data})

    async def stop(self) -> None:
        return None

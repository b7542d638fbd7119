"""The CometD clients of one server process: who they are, what they subscribed to, what is
waiting for them.

Each client belongs to one user (the authenticated HTTP session that handshook) and has a bounded
queue, so nothing published between two polls is lost. A long poll (`poll`) returns at once when
messages wait, else when one arrives or the timeout passes. A client that has not polled for
`max_interval` seconds is expired by `sweep` and its queue freed; a client whose queue
overflows is dropped too (it must handshake again, which tells it that it missed messages).

All methods run on the event loop thread; `deliver` may be called from anywhere on that loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from openucs.events.channels import patterns_for

log = logging.getLogger(__name__)

Message = dict[str, Any]


@dataclass(eq=False, slots=True)
class CometClient:
    id: str
    user_id: str
    last_seen: float
    subscriptions: set[str] = field(default_factory=set)
    queue: deque[Message] = field(default_factory=deque)
    connected: bool = False  # has completed a first /meta/connect
    closed_by_client: bool = False  # sent /meta/disconnect
    ended_by_server: bool = False  # its user may no longer log in (`ClientRegistry.end_user`)
    # The event of the poll currently held, if any; a newer poll or a message sets it.
    waiter: asyncio.Event | None = None
    # Ack extension: messages handed to a poll are kept until the client acknowledges them.
    ack_enabled: bool = False
    batch: int = 0
    unacked: deque[tuple[int, list[Message]]] = field(default_factory=deque)

    @property
    def holding(self) -> bool:
        return self.waiter is not None


@dataclass
class ClientRegistry:
    max_interval: float = 15.0
    max_queue: int = 1000
    clock: Callable[[], float] = time.monotonic
    # Starts every client id: the worker's bus tag and a dot when several workers serve.
    id_prefix: str = ""
    _clients: dict[str, CometClient] = field(default_factory=dict)
    _by_user: dict[str, dict[str, CometClient]] = field(default_factory=dict)

    # --- membership ----------------------------------------------------------------------
    def create(self, user_id: str) -> CometClient:
        client = CometClient(self.id_prefix + secrets.token_urlsafe(18), user_id, self.clock())
        self._clients[client.id] = client
        self._by_user.setdefault(user_id, {})[client.id] = client
        return client

    def get(self, client_id: object) -> CometClient | None:
        return self._clients.get(client_id) if isinstance(client_id, str) else None

    def remove(self, client: CometClient) -> None:
        if self._clients.pop(client.id, None) is None:
            return
        mine = self._by_user.get(client.user_id, {})
        mine.pop(client.id, None)
        if not mine:
            self._by_user.pop(client.user_id, None)
        client.queue.clear()
        client.unacked.clear()
        if client.waiter is not None:
            client.waiter.set()

    def end_user(self, user_id: str) -> int:
        """Remove every client of `user_id` (a user disabled or deleted): a held poll answers
        at once, nothing more is queued for them; returns how many there were."""
        ended = self.clients_of(user_id)
        for client in ended:
            client.ended_by_server = True
            self.remove(client)
            log.info("cometd client %s ended: user %s may not log in", client.id, user_id)
        return len(ended)

    def user_ids(self) -> list[str]:
        """The users with a client here."""
        return list(self._by_user)

    def __len__(self) -> int:
        return len(self._clients)

    def clients_of(self, user_id: str) -> list[CometClient]:
        return list(self._by_user.get(user_id, {}).values())

    def touch(self, client: CometClient) -> None:
        client.last_seen = self.clock()

    # --- delivery --------------------------------------------------------------------------
    def deliver(self, user_id: str, channel: str, data: Any) -> int:
        """Queue `{"channel", "data"}` for each client of `user_id` subscribed to `channel`;
        returns how many clients got it."""
        clients = self._by_user.get(user_id)
        if not clients:
            return 0
        wanted = patterns_for(channel)
        message: Message = {"channel": channel, "data": data}
        count = 0
        for client in list(clients.values()):
            if any(p in client.subscriptions for p in wanted):
                self._enqueue(client, message)
                count += 1
        return count

    def send(self, client: CometClient, channel: str, data: Any) -> bool:
        """Queue one message for `client` alone (a feed that keeps a position per client);
        False when the client is gone."""
        if self._clients.get(client.id) is not client:
            return False
        self._enqueue(client, {"channel": channel, "data": data})
        return True

    def room(self, client: CometClient) -> int:
        """How many more messages the client's queue takes before it overflows."""
        return max(self.max_queue - len(client.queue), 0)

    def _enqueue(self, client: CometClient, message: Message) -> None:
        if len(client.queue) >= self.max_queue:
            log.warning(
                "cometd client %s of user %s overflowed; dropped", client.id, client.user_id
            )
            self.remove(client)
            return
        client.queue.append(message)
        if client.waiter is not None:
            client.waiter.set()

    # --- long polling ----------------------------------------------------------------------
    async def poll(
        self, client: CometClient, timeout: float, *, hold: bool = True
    ) -> list[Message]:
        """The messages for one poll: at once if some wait (or `hold` is false), else after the
        first arrives or `timeout` seconds. A newer poll of the same client ends this one empty.
        Cancelling the poll (the HTTP client went away) leaves the queue untouched."""
        if client.waiter is not None:
            client.waiter.set()  # supersede the poll held so far
        waiter = asyncio.Event()
        client.waiter = waiter
        try:
            if hold and timeout > 0 and not client.queue and not client.unacked:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(waiter.wait(), timeout)
            if client.waiter is not waiter or self._clients.get(client.id) is not client:
                return []
            return self._drain(client)
        finally:
            if client.waiter is waiter:
                client.waiter = None
                client.last_seen = self.clock()

    def _drain(self, client: CometClient) -> list[Message]:
        messages = list(client.queue)
        client.queue.clear()
        if client.ack_enabled:
            if client.unacked:  # not acknowledged: send again, before the new ones
                messages = [m for _, batch in client.unacked for m in batch] + messages
                client.unacked.clear()
            client.batch += 1
            if messages:
                client.unacked.append((client.batch, messages))
        return messages

    def acknowledge(self, client: CometClient, batch: int) -> None:
        """Ack extension: the client received every batch up to `batch`."""
        while client.unacked and client.unacked[0][0] <= batch:
            client.unacked.popleft()

    # --- expiry ----------------------------------------------------------------------------
    def sweep(self) -> list[CometClient]:
        """Remove the clients not polling for longer than `max_interval`; returns them."""
        cutoff = self.clock() - self.max_interval
        gone = [c for c in self._clients.values() if not c.holding and c.last_seen < cutoff]
        for client in gone:
            log.info("cometd client %s of user %s expired", client.id, client.user_id)
            self.remove(client)
        return gone

    async def run_sweeper(self, every: float | None = None) -> None:
        """Sweep forever (cancel to stop), a few times per `max_interval`."""
        period = every if every is not None else max(0.05, min(self.max_interval / 4, 5.0))
        while True:
            await asyncio.sleep(period)
            self.sweep()

    def all_clients(self) -> Iterable[CometClient]:
        return list(self._clients.values())

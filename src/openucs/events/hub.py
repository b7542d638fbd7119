"""The notification hub: `publish(user_id, channel, data)` reaches every CometD client of that
user, whichever server process holds its long poll.

The hub delivers to the clients of its own process directly, and hands each message to a
fan-out that carries it to the other processes:

- `LocalFanout` (SQLite, one process): nothing to carry, one process serves everything;
- `BusFanout` (SQLite, several workers of one server): the worker bus (events/workers.py);
- `PostgresFanout` (PostgreSQL): LISTEN/NOTIFY on the database itself, no extra server.

With several workers the hub also forwards each CometD request to the worker where its client
lives (`handler`, events/workers.py); with one, `handler` is the Bayeux server itself.

`open_hub(...)` picks one from the database URL. `start()` also runs the sweeper that expires
clients which stopped polling.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from openucs.events.bayeux import Bayeux, BayeuxConfig
from openucs.events.clients import ClientRegistry, Message

if TYPE_CHECKING:
    from openucs.events.bus import WorkerBus

log = logging.getLogger(__name__)

Deliver = Callable[[str, str, Any], int]


class BayeuxHandler(Protocol):
    async def handle(self, body: object, *, user_id: str | None) -> list[Message]:
        """Answer one HTTP request's Bayeux messages."""


class Fanout(Protocol):
    async def start(self, deliver: Deliver) -> None:
        """Begin receiving other processes' messages; each goes to `deliver`."""

    async def send(self, user_id: str, channel: str, data: Any) -> None:
        """Carry one message to the other processes."""

    async def stop(self) -> None: ...


class LocalFanout:
    """One process: there is nobody else to tell."""

    async def start(self, deliver: Deliver) -> None:
        return None

    async def send(self, user_id: str, channel: str, data: Any) -> None:
        return None

    async def stop(self) -> None:
        return None


class Hub:
    def __init__(
        self,
        config: BayeuxConfig | None = None,
        fanout: Fanout | None = None,
        *,
        max_queue: int = 1000,
        bus: WorkerBus | None = None,
    ) -> None:
        self.config = config or BayeuxConfig()
        self.registry = ClientRegistry(
            max_interval=self.config.max_interval_ms / 1000,
            max_queue=max_queue,
            id_prefix=f"{bus.tag}." if bus is not None else "",
        )
        self.bayeux = Bayeux(self.registry, self.config)
        self.handler: BayeuxHandler = self.bayeux
        self.bus = bus
        if bus is not None:
            from openucs.events.workers import ForwardingBayeux

            self.handler = ForwardingBayeux(self.bayeux, bus)
        self.fanout: Fanout = fanout or LocalFanout()
        self._sweeper: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self.bus is not None:
            await self.bus.start()
        await self.fanout.start(self.registry.deliver)
        self._sweeper = asyncio.create_task(self.registry.run_sweeper(), name="cometd-sweeper")

    async def stop(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
            self._sweeper = None
        for client in self.registry.all_clients():
            self.registry.remove(client)
        await self.fanout.stop()
        if self.bus is not None:
            await self.bus.stop()

    def end_user(self, user_id: str) -> int:
        """End the CometD clients of `user_id` in this process (each process ends its own:
        api/notifications.py `EndedUsers`); returns how many."""
        return self.registry.end_user(user_id)

    async def publish(self, user_id: str, channel: str, data: Any) -> int:
        """Deliver here, then to the other processes; returns the local client count. A fan-out
        failure is logged, not raised: the local clients have their message."""
        count = self.registry.deliver(user_id, channel, data)
        try:
            await self.fanout.send(user_id, channel, data)
        except Exception:
            log.exception("could not fan out a notification for user %s", user_id)
        return count


def open_hub(
    database_url: str,
    config: BayeuxConfig | None = None,
    *,
    max_queue: int = 1000,
    bus: WorkerBus | None = None,
) -> Hub:
    """A hub whose fan-out suits the database: PostgreSQL LISTEN/NOTIFY; on SQLite the worker
    bus when several workers serve, else in-process."""
    fanout: Fanout
    if database_url.startswith(("postgresql", "postgres")):
        from openucs.events.pgfanout import PostgresFanout

        fanout = PostgresFanout(database_url)
    elif bus is not None:
        from openucs.events.workers import BusFanout

        fanout = BusFanout(bus)
    else:
        fanout = LocalFanout()
    return Hub(config, fanout, max_queue=max_queue, bus=bus)

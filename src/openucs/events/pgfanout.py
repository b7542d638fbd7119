"""Fan-out between server processes through PostgreSQL LISTEN/NOTIFY.

Every process LISTENs on one channel and NOTIFYs each message it publishes. A NOTIFY payload is
limited to 8000 bytes, so a message is compressed and, when still too long, cut into chunks
sent in one transaction (PostgreSQL delivers a transaction's notifications together and in
order) and put back together by the receivers. Each payload names its origin process, which
ignores its own messages (it has delivered them already).

Notifications are not durable: a process whose listening connection drops misses what is
published until it is back (it reconnects at once, then every second). Operation results are
answers to live requests, so that is the right trade; nothing is written to tables.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import secrets
import time
import zlib
from typing import Any

import psycopg

from openucs.events.hub import Deliver

log = logging.getLogger(__name__)

CHANNEL = "openucs_events"
CHUNK = 7900  # characters of one NOTIFY payload, under PostgreSQL's 8000-byte limit
PARTIAL_TTL = 60.0  # seconds before an incomplete chunked message is dropped


def conninfo_from_url(url: str) -> str:
    """`postgresql+psycopg://...` (SQLAlchemy form) -> `postgresql://...` (libpq form)."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    return f"postgresql://{rest}" if scheme.startswith("postgres") else url


def encode(origin: str, user_id: str, channel: str, data: Any) -> list[str]:
    """The NOTIFY payloads of one message: `origin msgid index count chunk`."""
    raw = json.dumps({"u": user_id, "c": channel, "d": data}, separators=(",", ":"))
    packed = base64.b64encode(zlib.compress(raw.encode(), 6)).decode("ascii")
    header_room = len(origin) + 40
    size = CHUNK - header_room
    pieces = [packed[i : i + size] for i in range(0, len(packed), size)] or [""]
    message_id = secrets.token_hex(6)
    return [f"{origin} {message_id} {n} {len(pieces)} {p}" for n, p in enumerate(pieces)]


class Reassembler:
    """Puts chunked payloads back together; returns (origin, user_id, channel, data)."""

    def __init__(self) -> None:
        self._partial: dict[tuple[str, str], tuple[float, list[str | None]]] = {}

    def feed(self, payload: str) -> tuple[str, str, str, Any] | None:
        try:
            origin, message_id, index_raw, count_raw, piece = payload.split(" ", 4)
            index, count = int(index_raw), int(count_raw)
        except ValueError:
            log.warning("ignored a malformed notification payload")
            return None
        if count == 1:
            return self._decode(origin, piece)
        key = (origin, message_id)
        now = time.monotonic()
        _, pieces = self._partial.setdefault(key, (now, [None] * count))
        if not 0 <= index < len(pieces):
            return None
        pieces[index] = piece
        self._expire(now)
        if any(p is None for p in pieces):
            return None
        del self._partial[key]
        return self._decode(origin, "".join(p or "" for p in pieces))

    def _expire(self, now: float) -> None:
        for key in [k for k, (t, _) in self._partial.items() if now - t > PARTIAL_TTL]:
            log.warning("dropped an incomplete notification from %s", key[0])
            del self._partial[key]

    @staticmethod
    def _decode(origin: str, packed: str) -> tuple[str, str, str, Any] | None:
        try:
            body = json.loads(zlib.decompress(base64.b64decode(packed)))
            return origin, str(body["u"]), str(body["c"]), body["d"]
        except (ValueError, KeyError, TypeError, zlib.error):
            log.warning("ignored an undecodable notification from %s", origin)
            return None


class PostgresFanout:
    def __init__(self, url: str, *, reconnect_delay: float = 1.0) -> None:
        self.conninfo = conninfo_from_url(url)
        self.origin = secrets.token_hex(8)
        self.reconnect_delay = reconnect_delay
        self._deliver: Deliver | None = None
        self._listener: asyncio.Task[None] | None = None
        self._publisher: psycopg.AsyncConnection[Any] | None = None
        self._lock = asyncio.Lock()
        self._listening = asyncio.Event()
        self._reassembler = Reassembler()

    async def start(self, deliver: Deliver) -> None:
        self._deliver = deliver
        self._listener = asyncio.create_task(self._listen_forever(), name="pg-fanout-listen")
        # Not ready before LISTEN is in force, or the first messages could be missed.
        waiter = asyncio.create_task(self._listening.wait())
        await asyncio.wait({waiter, self._listener}, return_when=asyncio.FIRST_COMPLETED)
        if self._listener.done():
            waiter.cancel()
            self._listener.result()  # raises the connection error

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        async with self._lock:
            if self._publisher is not None:
                await self._publisher.close()
                self._publisher = None

    async def send(self, user_id: str, channel: str, data: Any) -> None:
        payloads = encode(self.origin, user_id, channel, data)
        async with self._lock:
            for attempt in (1, 2):
                try:
                    await self._notify(payloads)
                    return
                except psycopg.OperationalError:
                    await self._drop_publisher()
                    if attempt == 2:
                        raise

    async def _notify(self, payloads: list[str]) -> None:
        if self._publisher is None or self._publisher.closed:
            self._publisher = await psycopg.AsyncConnection.connect(self.conninfo, autocommit=True)
        conn = self._publisher
        if len(payloads) == 1:
            await conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, payloads[0]))
            return
        async with conn.transaction(), conn.cursor() as cur:
            await cur.executemany("SELECT pg_notify(%s, %s)", [(CHANNEL, p) for p in payloads])

    async def _drop_publisher(self) -> None:
        if self._publisher is not None:
            with contextlib.suppress(psycopg.Error):
                await self._publisher.close()
            self._publisher = None

    async def _listen_forever(self) -> None:
        first = True
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    self.conninfo, autocommit=True
                ) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self._listening.set()
                    first = False
                    async for notify in conn.notifies():
                        self._receive(notify.payload)
            except psycopg.OperationalError:
                if first:
                    raise
                log.warning("lost the LISTEN connection; reconnecting", exc_info=True)
            await asyncio.sleep(self.reconnect_delay)

    def _receive(self, payload: str) -> None:
        decoded = self._reassembler.feed(payload)
        if decoded is None or self._deliver is None:
            return
        origin, user_id, channel, data = decoded
        if origin != self.origin:
            self._deliver(user_id, channel, data)

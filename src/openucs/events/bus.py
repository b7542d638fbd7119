"""The worker bus: how the processes of one `openucs serve --workers N` reach each other.

Each worker listens on a unix-domain socket `<directory>/<tag>.sock`, where `tag` is 8 random
hex digits and `directory` is made by the parent process, readable by its OS user only (0700).
A request is one length-prefixed JSON frame (`{"k": kind, "b": body}`), answered by one frame
on the same connection; each request has a connection of its own, so a long poll forwarded to
another worker is cancelled there by closing its connection.

Why sockets between the workers rather than the database: what crosses between workers is
live, short-lived state that the database need never hold, and on SQLite there is no
LISTEN/NOTIFY, so a database mailbox would cost a write per message and a poll loop per held
connection, on the one writer every other request waits for. Workers of one `serve` always
share a host (uvicorn forks them), and a SQLite database is single-host anyway, so a local
socket is the cheapest way between them: no write, no polling, a wake-up in microseconds.
Several hosts on one PostgreSQL database are not workers of one server: they use
`PostgresFanout` and a sticky balancer for CometD, as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import secrets
import struct
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import msgspec

log = logging.getLogger(__name__)

Handler = Callable[[Any], Awaitable[Any]]
TAG = re.compile(r"^[0-9a-f]{8}$")
_HEADER = struct.Struct("!I")
MAX_FRAME = 64 * 1024 * 1024
BROADCAST_TIMEOUT = 5.0  # seconds a broadcast waits for one worker's acknowledgement


class PeerGone(Exception):
    """The worker asked is not (or no longer) listening."""


class WorkerBus:
    def __init__(self, directory: Path, tag: str | None = None) -> None:
        self.directory = directory
        self.tag = tag or secrets.token_hex(4)
        self.path = directory / f"{self.tag}.sock"
        self._handlers: dict[str, Handler] = {}
        self._server: asyncio.Server | None = None

    def on(self, kind: str, handler: Handler) -> None:
        """Answer requests of `kind` with `handler(body)` (its result is the answer)."""
        self._handlers[kind] = handler

    async def start(self) -> None:
        self._server = await asyncio.start_unix_server(self._serve, path=str(self.path))
        self.path.chmod(0o600)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    def peers(self) -> list[str]:
        """The tags of the other workers listening now."""
        found = (p.stem for p in self.directory.glob("*.sock"))
        return [tag for tag in found if TAG.match(tag) and tag != self.tag]

    async def request(self, tag: str, kind: str, body: Any) -> Any:
        """The answer of worker `tag` to one request; PeerGone when it is not there.
        Cancelling the call closes the connection, which cancels the work over there."""
        if not TAG.match(tag):
            raise PeerGone(tag)
        path = self.directory / f"{tag}.sock"
        try:
            reader, writer = await asyncio.open_unix_connection(str(path))
        except FileNotFoundError as gone:
            raise PeerGone(tag) from gone
        except ConnectionRefusedError as gone:
            # Nobody listens: a worker that died without stopping (uvicorn starts a new one,
            # under a new tag). Its socket file goes, so broadcasts stop trying it.
            with contextlib.suppress(OSError):
                path.unlink()
            raise PeerGone(tag) from gone
        try:
            await _write(writer, {"k": kind, "b": body})
            return await _read(reader)
        except (asyncio.IncompleteReadError, ConnectionError) as gone:
            raise PeerGone(tag) from gone
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def broadcast(self, kind: str, body: Any) -> None:
        """Send one request to every other worker and wait for their acknowledgements (a
        worker that is gone or slow is logged and skipped)."""

        async def one(tag: str) -> None:
            try:
                await asyncio.wait_for(self.request(tag, kind, body), BROADCAST_TIMEOUT)
            except (PeerGone, TimeoutError):
                log.warning("worker %s did not take a %s message", tag, kind)

        await asyncio.gather(*(one(tag) for tag in self.peers()))

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            frame = await _read(reader)
            kind = frame.get("k") if isinstance(frame, dict) else None
            handler = self._handlers.get(kind) if isinstance(kind, str) else None
            if handler is None:
                return
            answer = await _unless_closed(handler(frame.get("b")), reader)
            if answer is not None:
                await _write(writer, answer[0])
        except (asyncio.IncompleteReadError, ConnectionError, msgspec.DecodeError):
            return
        except Exception:
            log.exception("worker bus request failed")
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()


async def _unless_closed(work: Awaitable[Any], reader: asyncio.StreamReader) -> tuple[Any] | None:
    """`(result,)` of `work`, or None when the asking worker closed the connection first (then
    `work` is cancelled: a forwarded long poll leaves its messages for the next poll)."""
    task = asyncio.ensure_future(work)
    closed = asyncio.ensure_future(reader.read(1))
    try:
        await asyncio.wait({task, closed}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for pending in (task, closed):
            if not pending.done():
                pending.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await pending
    if task.cancelled() or not task.done():
        return None
    return (task.result(),)


async def _write(writer: asyncio.StreamWriter, value: Any) -> None:
    payload = msgspec.json.encode(value)
    writer.write(_HEADER.pack(len(payload)) + payload)
    await writer.drain()


async def _read(reader: asyncio.StreamReader) -> Any:
    (size,) = _HEADER.unpack(await reader.readexactly(_HEADER.size))
    if size > MAX_FRAME:
        raise ConnectionError("frame too large")
    return msgspec.json.decode(await reader.readexactly(size))

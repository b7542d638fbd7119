"""The long-polling HTTP transport of the CometD server, as a plain ASGI application.

Mounted at `/api/v2/notifications` (CometD clients may append `/handshake`, `/connect` ... to the
URL: every sub-path is the same endpoint). Each POST carries a JSON message or an array of
them; the answer is always a JSON array (HTTP 200, Bayeux errors inside), except for a body
that is not JSON at all (HTTP 400) or too large (HTTP 413).

A held /meta/connect is raced against the HTTP client going away: when the client disconnects
first the poll is cancelled before it takes anything from the queue, so the messages wait for
the next poll instead of being written to a dead socket.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import msgspec

from openucs.events.hub import BayeuxHandler

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
# The user id of the authenticated HTTP request (Basic or the session cookie), or None.
Authenticate = Callable[[Scope], Awaitable[str | None]]

_encoder = msgspec.json.Encoder()
JSON_TYPE = b"application/json;charset=UTF-8"


class LongPollingEndpoint:
    def __init__(
        self, bayeux: BayeuxHandler, authenticate: Authenticate, *, max_body_bytes: int = 1_048_576
    ) -> None:
        self.bayeux = bayeux
        self.authenticate = authenticate
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # pragma: no cover - lifespan/websocket never routed here
            return
        if scope["method"] != "POST":
            await _respond(send, 405, [_bad("405::use POST")], allow=b"POST")
            return
        raw = await _read_body(receive, self.max_body_bytes)
        if raw is None:
            await _respond(send, 413, [_bad("413::request body too large")])
            return
        try:
            body = msgspec.json.decode(raw)
        except msgspec.DecodeError:
            await _respond(send, 400, [_bad("400::malformed JSON")])
            return
        except RecursionError:
            await _respond(send, 400, [_bad("400::JSON nested too deeply")])
            return
        user_id = await self.authenticate(scope)
        replies = await _unless_disconnected(self.bayeux.handle(body, user_id=user_id), receive)
        if replies is not None:
            await _respond(send, 200, replies)


async def _unless_disconnected(
    work: Awaitable[list[dict[str, Any]]], receive: Receive
) -> list[dict[str, Any]] | None:
    """The result of `work`, or None when the HTTP client disconnected first (work cancelled)."""
    task = asyncio.ensure_future(work)
    gone = asyncio.ensure_future(_wait_disconnect(receive))
    try:
        await asyncio.wait({task, gone}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for pending in (task, gone):
            if not pending.done():
                pending.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await pending
    if task.cancelled() or not task.done():
        return None
    return task.result()


async def _wait_disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        event = await receive()
        if event["type"] == "http.disconnect":
            return b""
        chunk = event.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not event.get("more_body", False):
            return b"".join(chunks)


def _bad(error: str) -> dict[str, Any]:
    return {"successful": False, "error": error}


async def _respond(send: Send, status: int, body: object, *, allow: bytes | None = None) -> None:
    payload = _encoder.encode(body)
    headers = [
        (b"content-type", JSON_TYPE),
        (b"content-length", str(len(payload)).encode()),
        (b"cache-control", b"no-cache, no-store"),
    ]
    if allow is not None:
        headers.append((b"allow", allow))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})

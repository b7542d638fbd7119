"""The worker bus over real unix-domain sockets: answers, broadcasts, a cancelled request
cancels the work at the other end, and a worker that is gone is PeerGone (its stale socket
removed)."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from typing import Any

import pytest

from openucs.events.bus import PeerGone, WorkerBus


def run(coro: Any) -> Any:
    return asyncio.run(asyncio.wait_for(coro, 20))


def test_a_request_is_answered_and_a_broadcast_reaches_every_other_worker(
    tmp_path: Path,
) -> None:
    async def scenario() -> None:
        buses = [WorkerBus(tmp_path) for _ in range(3)]
        got: list[tuple[str, Any]] = []
        for bus in buses:

            async def echo(body: Any, tag: str = bus.tag) -> list[Any]:
                return [tag, body]

            async def note(body: Any, tag: str = bus.tag) -> None:
                got.append((tag, body))

            bus.on("echo", echo)
            bus.on("note", note)
            await bus.start()
        try:
            one, two, three = buses
            assert await one.request(two.tag, "echo", {"x": 1}) == [two.tag, {"x": 1}]
            assert sorted(one.peers()) == sorted([two.tag, three.tag])
            await one.broadcast("note", "hello")
            assert sorted(got) == sorted([(two.tag, "hello"), (three.tag, "hello")])
        finally:
            for bus in buses:
                await bus.stop()
        assert list(tmp_path.iterdir()) == []

    run(scenario())


def test_cancelling_a_request_cancels_the_work_over_there(tmp_path: Path) -> None:
    async def scenario() -> None:
        home, front = WorkerBus(tmp_path), WorkerBus(tmp_path)
        started, cancelled = asyncio.Event(), asyncio.Event()

        async def hold(_: Any) -> str:
            started.set()
            try:
                await asyncio.sleep(60)
            except asyncio.CancelledError:
                cancelled.set()
                raise
            return "late"

        home.on("hold", hold)
        await home.start()
        try:
            request = asyncio.create_task(front.request(home.tag, "hold", None))
            await started.wait()
            request.cancel()
            await asyncio.wait_for(cancelled.wait(), 5)
        finally:
            await home.stop()

    run(scenario())


def test_a_worker_that_is_gone_is_peer_gone(tmp_path: Path) -> None:
    async def scenario() -> None:
        bus = WorkerBus(tmp_path)
        with pytest.raises(PeerGone):
            await bus.request("0badc0de", "x", None)  # no such socket
        with pytest.raises(PeerGone):
            await bus.request("../../etc", "x", None)  # not a tag: never a path
        stale = tmp_path / "0000aaaa.sock"
        with socket.socket(socket.AF_UNIX) as sock:
            sock.bind(str(stale))  # bound, never listening: a dead worker's file
        with pytest.raises(PeerGone):
            await bus.request("0000aaaa", "x", None)
        assert not stale.exists()
        await bus.broadcast("x", None)  # nobody left: nothing to do, no error

    run(scenario())

"""Runs accepted operations after their HTTP reply and publishes each result (or failure) to
the issuing user's CometD clients, with the operation's `referenceId`.

The work is synchronous store code: it runs in worker threads, at most `workers` at a time per
process; later operations wait their turn in order. A failure of the operation (not found,
permission, store down) becomes the operation's `errorMessage` notification; an unexpected
exception is logged with its traceback and reported the same way, never swallowed silently.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import anyio.to_thread

from openucs.api.operations import Operation
from openucs.errors import OpenUcsError
from openucs.gws.operations import failure_payload

log = logging.getLogger(__name__)

Publish = Callable[[str, str, Any], Awaitable[int]]


class OperationRunner:
    def __init__(self, publish: Publish, *, workers: int = 8) -> None:
        self._publish = publish
        self._slots = asyncio.Semaphore(workers)
        self._tasks: set[asyncio.Task[None]] = set()

    def submit(self, user_id: str, reference_id: int, operation: Operation) -> None:
        """Start the operation in the background (call from the event loop)."""
        task = asyncio.create_task(
            self._run(user_id, reference_id, operation), name=f"ucs-op-{reference_id}"
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @property
    def pending(self) -> int:
        return len(self._tasks)

    async def _run(self, user_id: str, reference_id: int, operation: Operation) -> None:
        async with self._slots:
            payload = await self._outcome(operation)
        message = {"referenceId": reference_id, **payload}
        try:
            await self._publish(user_id, operation.topic, message)
        except Exception:
            log.exception("could not publish the result of %s", operation.name)

    async def _outcome(self, operation: Operation) -> dict[str, Any]:
        try:
            return await anyio.to_thread.run_sync(operation.work)
        except OpenUcsError as exc:
            return failure_payload(operation.message_type, exc.message)
        except Exception:
            log.exception("operation %s failed", operation.name)
            return failure_payload(operation.message_type, "internal error")

    async def close(self, timeout: float = 10.0) -> None:
        """Let running operations finish (up to `timeout` seconds), then cancel the rest."""
        if not self._tasks:
            return
        _, late = await asyncio.wait(set(self._tasks), timeout=timeout)
        for task in late:
            task.cancel()
        if late:
            await asyncio.gather(*late, return_exceptions=True)

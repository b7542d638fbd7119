"""Work a server process repeats on its event loop besides the requests: the copy of the login
lockouts (api/workers.py) and the end of disabled users' CometD clients (api/notifications.py).
The threads' twin is services/periodic.py."""

from __future__ import annotations

import asyncio
import contextlib
import logging

log = logging.getLogger(__name__)


class PeriodicTask:
    """Runs `run_once` every `every` seconds until `stop`: at once and then every turn, or
    after a first wait with `wait_first`. A failure is logged and the next turn runs: a
    database outage must not end the task."""

    task_name = "openucs-periodic"
    failure = "a background task failed; retrying at its next turn"

    def __init__(self, every: float, *, wait_first: bool = False) -> None:
        self.every = every
        self._wait_first = wait_first
        self._task: asyncio.Task[None] | None = None

    async def run_once(self) -> object:
        raise NotImplementedError

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self.task_name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        if self._wait_first:
            await asyncio.sleep(self.every)
        while True:
            try:
                await self.run_once()
            except Exception:  # the task must survive a database outage; it retries
                log.warning(self.failure, exc_info=True)
            await asyncio.sleep(self.every)

"""What one worker process of several runs besides the requests: the copy of the login
lockouts decided by the others (services/users.py `Authenticator.refresh_lockouts`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from litestar.concurrency import sync_to_thread

from openucs.errors import OpenUcsError
from openucs.services.users import Authenticator

log = logging.getLogger(__name__)

# A lockout decided by another worker refuses a password remembered here within this long (a
# password not remembered is checked against the store at once).
LOCKOUT_REFRESH_SECONDS = 1.0


class LockoutMirror:
    def __init__(self, authenticator: Authenticator) -> None:
        self.authenticator = authenticator
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="lockout-mirror")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await sync_to_thread(self.authenticator.refresh_lockouts)
            except OpenUcsError:
                log.warning("could not read the login lockouts", exc_info=True)
            await asyncio.sleep(LOCKOUT_REFRESH_SECONDS)

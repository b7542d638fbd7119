"""What one worker process of several runs besides the requests: the copy of the login
lockouts decided by the others (services/users.py `Authenticator.refresh_lockouts`)."""

from __future__ import annotations

from litestar.concurrency import sync_to_thread

from openucs.api.background import PeriodicTask
from openucs.services.users import Authenticator

# A lockout decided by another worker refuses a password remembered here within this long (a
# password not remembered is checked against the store at once).
LOCKOUT_REFRESH_SECONDS = 1.0


class LockoutMirror(PeriodicTask):
    task_name = "lockout-mirror"
    failure = "could not read the login lockouts"

    def __init__(self, authenticator: Authenticator) -> None:
        super().__init__(LOCKOUT_REFRESH_SECONDS)
        self.authenticator = authenticator

    async def run_once(self) -> None:
        await sync_to_thread(self.authenticator.refresh_lockouts)

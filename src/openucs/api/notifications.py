"""The asynchronous half of the API: the CometD endpoint `/api/v2/notifications` (and any
sub-path a client appends), the operation runner, the per-session `referenceId` counter, the
change log's channel `/openucs/changes`, and their start and stop with the application.

The CometD endpoint is mounted outside the authenticating routers: a request without valid
credentials is not an HTTP 401 but a Bayeux error (`403::Handshake denied`, or `402::Unknown
client` for a client id it may not use). It authenticates like the rest of the API, by the
`JSESSIONID` cookie or HTTP Basic.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from litestar.concurrency import sync_to_thread
from litestar.di import NamedDependency
from litestar.handlers import asgi
from litestar.params import SkipValidation
from litestar.types import Receive, Scope, Send

from openucs.api.auth import RequestSession, SessionAuth, credentials, request_session
from openucs.api.background import PeriodicTask
from openucs.api.changefeed import StoreFeedSource
from openucs.api.operations import Operation
from openucs.api.runner import OperationRunner
from openucs.config import Settings
from openucs.domain.models import User
from openucs.errors import Unauthenticated
from openucs.events.bayeux import BayeuxConfig
from openucs.events.bus import WorkerBus
from openucs.events.changefeed import ChangeFeed
from openucs.events.hub import Hub, open_hub
from openucs.events.longpoll import LongPollingEndpoint
from openucs.services.access import AuditSink
from openucs.services.session_tokens import hash_token
from openucs.store.base import Store

NOTIFICATIONS_PATH = "/api/v2/notifications"
_UNSTORED_LIMIT = 10_000
# A user disabled or deleted (by any process: `openucs users disable` writes the database)
# loses their CometD clients in every server process within about this long.
ENDED_USERS_CHECK_SECONDS = 1.0


class EndedUsers(PeriodicTask):
    """Ends the CometD clients of users who may no longer log in. Each server process (each
    worker) checks the users of its own clients against the store every `every` seconds, one
    read when it has clients, none when it has not."""

    task_name = "cometd-ended-users"
    failure = "could not read which users may log in"

    def __init__(self, store: Store, hub: Hub, *, every: float = ENDED_USERS_CHECK_SECONDS) -> None:
        super().__init__(every, wait_first=True)
        self.store = store
        self.hub = hub

    async def check(self) -> int:
        """End the clients of the users who may not log in now; returns how many ended."""
        users = self.hub.registry.user_ids()
        if not users:
            return 0
        refused = await sync_to_thread(self.store.users_who_cannot_log_in, users)
        return sum(self.hub.end_user(user_id) for user_id in sorted(refused))

    async def run_once(self) -> int:
        return await self.check()


@dataclass
class AsyncApi:
    """One per app: the hub, the runner and what the operation routes need."""

    settings: Settings
    store: Store
    sessions: SessionAuth
    hub: Hub
    runner: OperationRunner
    feed: ChangeFeed
    ended_users: EndedUsers
    # referenceIds of callers whose session is not stored (Basic without a cookie): per user,
    # in this process, so that a client that never keeps the cookie writes nothing per request
    # and still tells its operations apart. Another process counts on its own.
    _counters: defaultdict[str, itertools.count[int]] = field(
        default_factory=lambda: defaultdict(lambda: itertools.count(1))
    )
    # The referenceId given to a minted session before it was stored, by token hash: when its
    # cookie comes back to this process, the stored counter goes on from there.
    _unstored: dict[str, int] = field(default_factory=dict)
    # Several worker processes: the counters of callers without a stored session are in the
    # store too (one per user), and a session's counter starts above its user's.
    shared_counters: bool = False

    @classmethod
    def build(
        cls,
        settings: Settings,
        store: Store,
        sessions: SessionAuth,
        audit: AuditSink,
        bus: WorkerBus | None = None,
    ) -> AsyncApi:
        config = BayeuxConfig(
            timeout_ms=settings.cometd_timeout_ms,
            interval_ms=settings.cometd_interval_ms,
            max_interval_ms=settings.cometd_max_interval_ms,
        )
        hub = open_hub(settings.database_url, config, max_queue=settings.cometd_max_queue, bus=bus)
        runner = OperationRunner(hub.publish, workers=settings.operation_workers)
        source = StoreFeedSource(settings, store, audit)
        feed = ChangeFeed(hub.registry, source, poll_seconds=settings.changes_poll_ms / 1000)
        hub.bayeux.hooks.append(feed)  # the channel /openucs/changes
        ended = EndedUsers(store, hub)
        shared = bus is not None
        return cls(settings, store, sessions, hub, runner, feed, ended, shared_counters=shared)

    async def start(self) -> None:
        await self.hub.start()
        await self.ended_users.start()

    async def stop(self) -> None:
        await self.ended_users.stop()
        await self.runner.close()
        await self.feed.stop()
        await self.hub.stop()

    async def submit(self, scope: Scope, user: User, operation: Operation) -> int:
        """Accept an operation: its reference id now, its result later on CometD."""
        reference_id = await self.reference_id(scope, user)
        self.runner.submit(user.id, reference_id, operation)
        return reference_id

    async def reference_id(self, scope: Scope, user: User) -> int:
        """The next `referenceId` of the caller's session: from its row (one counter for all
        server processes), or for a session not stored yet, from this process's counter of
        the user."""
        session = request_session(scope)
        if self.shared_counters:
            return await sync_to_thread(self._shared_reference_id, session, user)
        if session is not None and session.stored:
            token_hash = hash_token(session.token)
            after = self._unstored.pop(token_hash, 0)
            found = await sync_to_thread(self.store.next_reference_id, token_hash, after)
            if found is not None:
                return found
        reference_id = next(self._counters[user.id])
        if session is not None and not session.stored:
            if len(self._unstored) > _UNSTORED_LIMIT:
                self._unstored.clear()
            self._unstored[hash_token(session.token)] = reference_id
        return reference_id

    def _shared_reference_id(self, session: RequestSession | None, user: User) -> int:
        """Several workers: a stored session's counter, started above every referenceId its
        user's unstored calls got (whichever worker gave them); else the user's counter."""
        if session is not None and session.stored:
            after = self.store.last_user_reference_id(user.id)
            found = self.store.next_reference_id(hash_token(session.token), after)
            if found is not None:
                return found
        return self.store.next_user_reference_id(user.id)

    def endpoint(self) -> Any:
        """The Litestar handler of the CometD endpoint."""
        transport = LongPollingEndpoint(
            self.hub.handler, self._authenticate, max_body_bytes=self.settings.max_body_bytes
        )

        @asgi(NOTIFICATIONS_PATH, is_mount=True, copy_scope=False)
        async def notifications(scope: Scope, receive: Receive, send: Send) -> None:
            await transport(scope, receive, send)  # type: ignore[arg-type]

        return notifications

    async def _authenticate(self, scope: Any) -> str | None:
        token, basic = credentials(scope["headers"])
        if token is not None:
            user = await self.sessions.from_cookie(token)
            if user is not None:
                return user.id
        if basic is not None:
            try:
                return (await self.sessions.from_basic(basic)).id
            except Unauthenticated:
                return None
        return None


# Handler parameter type of the `ops` dependency.
Ops = NamedDependency[SkipValidation[AsyncApi]]

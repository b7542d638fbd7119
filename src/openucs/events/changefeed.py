"""The change log on CometD: the channel `/openucs/changes` (docs/changes.md).

A client that subscribes gets each new change record, in seq order, as the data of a message
on the channel; `ext: {"after": SEQ}` on the subscribe message replays from a seq, else the
feed starts at the last seq committed when the subscription is answered.

One feed per server process serves all its subscribed clients: while anybody is subscribed a
task polls the log every `poll_seconds` (one cheap read of the last seq), and when there is
something new reads it once per *audience* and position, not once per client: the clients of
readers who see the same records (all supervisors and admins; each agent alone) and who are at
the same seq share one read. Each client keeps its own position, so a client replaying from an
old seq, or one whose queue is full, catches up without holding back the others; the feed
never queues more than a client's queue takes, so a burst of writes is delivered in pages
instead of overflowing it. Nobody subscribed: no task, no reads.

What records an audience reads, their wire shape and the read audit are the `FeedSource`'s
business (the API layer gives one that reads the store); this module knows only seqs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from openucs.errors import Gone
from openucs.events.channels import matches, patterns_for
from openucs.events.clients import ClientRegistry, CometClient

log = logging.getLogger(__name__)
T = TypeVar("T")

CHANGES_CHANNEL = "/openucs/changes"
PAGE = 500  # records read at once for one audience
MAX_SEQ = 10**18


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One record: its seq, the message data, and what the source needs to audit its read."""

    seq: int
    data: Any
    record: object = None


@dataclass(frozen=True, slots=True)
class FeedPage:
    """Records after a seq; `next` is the seq to read after next time (past the records the
    audience may not read, too)."""

    items: list[FeedItem]
    next: int


class FeedSource(Protocol):
    """The change log as the feed reads it. Blocking: the feed calls it from a thread,
    except `delivered`, which must be cheap (it queues a read-audit record)."""

    def last_seq(self) -> int:
        """The last seq committed."""

    def audience(self, user_id: str) -> Hashable | None:
        """Who `user_id` reads as: users with the same audience read the same records. None
        when the user may not read the feed (gone since the handshake)."""

    def start_after(self, after: int | None) -> int:
        """The seq to start after: `after`, or the last one when None. Raises `Gone` when
        records after `after` were pruned already."""

    def read(self, audience: Hashable, after: int, limit: int) -> FeedPage:
        """Up to `limit` records after `after` that `audience` may read; `Gone` as above."""

    def delivered(self, user_id: str, items: Sequence[FeedItem]) -> None:
        """`items` went to a client of `user_id` (the read audit)."""


@dataclass(eq=False, slots=True)
class _Follower:
    client: CometClient
    audience: Hashable
    position: int  # the seq of the last record read for this client


class ChangeFeed:
    """The `/openucs/changes` channel of one process; a `Bayeux` subscription hook."""

    def __init__(
        self, registry: ClientRegistry, source: FeedSource, *, poll_seconds: float
    ) -> None:
        self._registry = registry
        self._source = source
        self._poll = poll_seconds
        self._followers: dict[str, _Follower] = {}
        self._task: asyncio.Task[None] | None = None
        # Its own thread: the shared pools can be full of requests waiting for the database
        # (SQLite's one writer), and the feed's reads must not queue behind them.
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="openucs-changefeed")

    @property
    def running(self) -> bool:
        return self._task is not None

    async def subscribing(
        self, client: CometClient, names: list[str], message: dict[str, Any]
    ) -> str | None:
        if not any(matches(name, CHANGES_CHANNEL) for name in names):
            return None
        after = _after(message.get("ext"))
        if isinstance(after, str):
            return after
        current = self._followers.get(client.id)
        if after is None and current is not None and current.client is client:
            return None  # subscribed again: keep the position
        try:
            audience, position = await self._off_loop(self._start, client.user_id, after)
        except Gone as gone:
            return f"410:ext.after:{gone}"
        except Exception:  # a database outage: the client may try again, the server goes on
            log.exception("starting a change feed subscription failed")
            return "503::the change log cannot be read now; subscribe again later"
        if audience is None:
            return "403::may not read the change feed"
        self._followers[client.id] = _Follower(client, audience, position)
        # The subscription is added right after this returns, before the task first runs.
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="openucs-changefeed")
        return None

    async def stop(self) -> None:
        task, self._task = self._task, None
        self._followers.clear()
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        # A read of the cancelled task may still run on the feed's thread: wait for it (the
        # thread runs one thing at a time), so its connection is back before the store closes.
        await self._off_loop(_nothing)

    async def _off_loop(self, work: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._thread, work, *args)

    def _start(self, user_id: str, after: int | None) -> tuple[Hashable | None, int]:
        audience = self._source.audience(user_id)
        return audience, (self._source.start_after(after) if audience is not None else 0)

    async def _run(self) -> None:
        while True:
            self._forget_gone()
            if not self._followers:
                self._task = None  # no await since the check: a new subscriber starts anew
                return
            try:
                await self._catch_up()
            except Exception:  # the feed must survive a database outage; it retries
                log.exception("reading the change log for CometD failed; retrying")
            await asyncio.sleep(self._poll)

    def _forget_gone(self) -> None:
        wanted = patterns_for(CHANGES_CHANNEL)
        for client_id, follower in list(self._followers.items()):
            client = follower.client
            subscribed = any(p in client.subscriptions for p in wanted)
            if self._registry.get(client_id) is not client or not subscribed:
                del self._followers[client_id]

    async def _catch_up(self) -> None:
        """Read and queue what was committed up to now, page by page, for every client
        with room in its queue. Each round is one trip to the feed's thread (the look at the
        last seq and the reads of every group behind it): under load each trip waits for a
        thread and the event loop, and a page waited for two before it reached a poll."""
        last: int | None = None
        moved = True
        while moved and (groups := self._ready(last)):
            asks = [(key, self._limit(members)) for key, members in groups.items()]
            last, pages = await self._off_loop(self._read_behind, asks, last)
            moved = False
            for key, found in pages.items():
                members = groups[key]
                if isinstance(found, Gone):
                    self._drop(members, str(found))
                    continue
                self._deliver(members, found)
                moved = moved or found.next > key[1]

    def _ready(self, last: int | None) -> dict[tuple[Hashable, int], list[_Follower]]:
        """The followers with room in their queue, by audience and position: those behind
        `last`, or all when the last seq is not known yet."""
        groups: dict[tuple[Hashable, int], list[_Follower]] = {}
        for follower in list(self._followers.values()):
            behind = last is None or follower.position < last
            if behind and self._registry.room(follower.client) > 0:
                key = (follower.audience, follower.position)
                groups.setdefault(key, []).append(follower)
        return groups

    def _limit(self, members: list[_Follower]) -> int:
        return min(PAGE, *(self._registry.room(m.client) for m in members))

    def _read_behind(
        self, asks: list[tuple[tuple[Hashable, int], int]], last: int | None
    ) -> tuple[int, dict[tuple[Hashable, int], FeedPage | Gone]]:
        """On the feed's thread: the last seq (unless known), then a page for each group
        behind it (or why the group cannot have one)."""
        if last is None:
            last = self._source.last_seq()
        pages: dict[tuple[Hashable, int], FeedPage | Gone] = {}
        for (audience, position), limit in asks:
            if position >= last:
                continue
            try:
                pages[(audience, position)] = self._source.read(audience, position, limit)
            except Gone as gone:
                pages[(audience, position)] = gone
        return last, pages

    def _deliver(self, members: list[_Follower], page: FeedPage) -> None:
        readers: set[str] = set()
        for member in members:
            if self._followers.get(member.client.id) is not member:
                continue  # unsubscribed or repositioned while the page was read
            for item in page.items:
                if not self._registry.send(member.client, CHANGES_CHANNEL, item.data):
                    break
            member.position = max(member.position, page.next)
            readers.add(member.client.user_id)
        if page.items:
            for user_id in readers:
                self._source.delivered(user_id, page.items)

    def _drop(self, members: list[_Follower], reason: str) -> None:
        """Records a client had not read yet were pruned: tell it, end its subscription."""
        for member in members:
            self._followers.pop(member.client.id, None)
            error = {"statusCode": 6, "statusMessage": reason}
            self._registry.send(member.client, CHANGES_CHANNEL, error)
            member.client.subscriptions.difference_update(patterns_for(CHANGES_CHANNEL))


def _after(ext: object) -> int | str | None:
    """`ext.after` of a subscribe message: a seq, None when absent, or a Bayeux error."""
    if not isinstance(ext, dict) or ext.get("after") is None:
        return None
    after = ext["after"]
    if isinstance(after, bool) or not isinstance(after, int) or not 0 <= after < MAX_SEQ:
        return "400:ext.after:must be a seq (0 or more)"
    return after


def _nothing() -> None:
    return None

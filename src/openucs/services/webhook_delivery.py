"""Sending the change records to the webhook endpoints (docs/webhooks.md): the dispatcher that
runs in every server process, and its HTTP client.

Each worker thread claims an endpoint (a lease in the database, `store._webhooks`), sends its
deliveries one after the other in seq order while they succeed, and gives the endpoint back.
A delivery is written (pending) before it is first sent and marked delivered after a 2xx, so a
process killed while sending leaves at most that one delivery to be sent again. A failure
(any other status, no answer within the timeout, a refused address) makes the endpoint wait
base, 2 base, 4 base... seconds, until the delivery's retry horizon, after which it is
dead-lettered and the next record goes.

The secret signs each body and is never logged.
"""

from __future__ import annotations

import http.client
import logging
import secrets
import socket
import ssl
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta, tzinfo

from openucs.config import Settings
from openucs.domain.changes import ChangeQuery, ChangeRecord
from openucs.domain.formats import from_millis, to_millis
from openucs.domain.search import Node, Or, parse_query
from openucs.domain.webhooks import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    Delivery,
    DeliveryStatus,
    Target,
    Webhook,
    parse_target,
    retry_delay,
    signature,
)
from openucs.errors import InvalidInput
from openucs.services.webhooks import TargetPolicy
from openucs.store.base import Store

log = logging.getLogger("openucs.webhooks")

MAX_RESPONSE_BYTES = 65_536  # read of an answer's body; the rest is not waited for
PAGE = 100  # change records read at a time
SCAN = 5_000  # seqs judged by one read at most (a filter may pass over most of them)
BATCH = 200  # deliveries sent under one claim before the endpoint is given back
PRUNE_EVERY = timedelta(hours=1)
USER_AGENT = "OpenUCS-Webhooks/1"

NOTHING: Node = Or(())  # matches no interaction: a filter that no longer parses
Encoder = Callable[[ChangeRecord], bytes]
Clock = Callable[[], float]


@dataclass(frozen=True, slots=True)
class Answer:
    """What one attempt got: the HTTP status, or None and why there was none."""

    status: int | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class _Pinned(http.client.HTTPConnection):
    """HTTP to `address` (checked already), with `host` in the Host header."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedTls(http.client.HTTPSConnection):
    """HTTPS to `address`, the certificate checked against `host` (SNI too)."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.address = address

    def connect(self) -> None:
        raw = socket.create_connection((self.address, self.port), self.timeout)
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = self.tls.wrap_socket(raw, server_hostname=self.host)


class Sender:
    """Posts bodies to one endpoint at a time, keeping its connection between deliveries.
    The address is checked (`TargetPolicy`) before every post: a name that resolves to a
    refused address since the last one is refused. No redirect is followed."""

    def __init__(self, policy: TargetPolicy, *, timeout: float) -> None:
        self._policy = policy
        self._timeout = timeout
        self._conn: http.client.HTTPConnection | None = None
        self._key: tuple[str, str, int, str] | None = None
        self._parsed: tuple[str, Target] | None = None  # the last URL and its parts

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> Answer:
        try:
            target = self._target(url)
            address = self._policy.addresses(target)[0]
        except InvalidInput as refused:
            self.close()
            return Answer(None, refused.problem)
        conn = self._connection(target, address)
        try:
            conn.request("POST", target.path, body=body, headers=headers)
            response = conn.getresponse()
        except TimeoutError:
            self.close()
            return Answer(None, f"no answer within {self._timeout:g} s")
        except (OSError, http.client.HTTPException) as error:
            self.close()
            return Answer(None, f"{type(error).__name__}: {error}"[:200])
        self._drain(response)
        return Answer(response.status)

    def _drain(self, response: http.client.HTTPResponse) -> None:
        """Read (and drop) up to MAX_RESPONSE_BYTES of the answer's body; the status counts
        whatever comes after it. A body longer, slower or broken: the connection is closed."""
        try:
            response.read(MAX_RESPONSE_BYTES)
            if response.isclosed():
                return
        except (OSError, http.client.HTTPException):
            pass
        self.close()

    def _target(self, url: str) -> Target:
        """The URL's parts, parsed once for the deliveries of a claim (the address it names
        is checked at every one)."""
        if self._parsed is None or self._parsed[0] != url:
            self._parsed = (url, parse_target(url))
        return self._parsed[1]

    def _connection(self, target: Target, address: str) -> http.client.HTTPConnection:
        key = (target.scheme, target.host, target.port, address)
        if self._conn is None or self._key != key:
            self.close()
            kind = _PinnedTls if target.scheme == "https" else _Pinned
            self._conn = kind(target.host, target.port, address, self._timeout)
            self._key = key
        return self._conn

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()


class _LeaseLost(Exception):
    """Another process holds the endpoint now: stop working on it."""


@dataclass(slots=True)
class _Claim:
    """What a worker knows of the endpoint it holds: its filter, its cursor, the count of
    redeliveries it has seen, and whether a pending delivery may be waiting (one was found,
    or a redelivery was asked for, and none was missing since)."""

    webhook: Webhook
    node: Node | None
    cursor: int
    redeliveries: int
    looking: bool = False


@dataclass(slots=True)
class _Page:
    """Records read ahead for an endpoint, and the last seq that read judged."""

    records: deque[ChangeRecord]
    end: int


@dataclass(frozen=True, slots=True)
class Schedule:
    """The retry schedule, and the time an endpoint has to answer (seconds)."""

    base: float = 10.0
    horizon: float = 259_200.0
    timeout: float = 10.0

    @property
    def lease_ms(self) -> int:
        # Long enough for one attempt and the writes around it; renewed before each attempt.
        return int((2 * self.timeout + 5) * 1000)


class WebhookDispatcher:
    """Background threads that deliver the change records to the endpoints. `run_once` does
    one claim-and-send round in the calling thread (tests use it)."""

    def __init__(
        self,
        store: Store,
        *,
        encode: Encoder,
        zone: tzinfo,
        policy: TargetPolicy,
        schedule: Schedule,
        poll: float = 0.25,
        workers: int = 4,
        retention: timedelta = timedelta(days=30),
        clock: Clock = time.time,
    ) -> None:
        self._store = store
        self._encode = encode
        self._zone = zone
        self._policy = policy
        self._schedule = schedule
        self._poll = poll
        self._workers = workers
        self._retention = retention
        self._clock = clock
        self.owner = f"{socket.gethostname()[:32]}:{secrets.token_hex(8)}"
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        # Records read ahead for the endpoints this process works on (one thread each).
        self._buffer: dict[str, _Page] = {}

    # --- lifecycle -----------------------------------------------------------------------------
    def start(self) -> None:
        if self._threads:
            return
        self._stopping.clear()
        for n in range(self._workers):
            name = f"openucs-webhooks-{n}"
            thread = threading.Thread(target=self._run, args=(n == 0,), name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def close(self) -> None:
        threads, self._threads = self._threads, []
        self._stopping.set()
        for thread in threads:
            thread.join()

    def _run(self, prunes: bool) -> None:
        pruned = 0.0
        while not self._stopping.is_set():
            try:
                if prunes and self._clock() - pruned >= PRUNE_EVERY.total_seconds():
                    self.prune()
                    pruned = self._clock()
                worked = self.run_once()
            except Exception:  # the thread must survive a database outage; it retries
                log.exception("delivering webhooks failed; retrying")
                worked = 0
            if not worked:
                self._stopping.wait(self._poll)

    def prune(self) -> int:
        before = from_millis(self._now_ms()) - self._retention
        return self._store.prune_webhook_deliveries(to_millis(before))

    # --- one round -----------------------------------------------------------------------------
    def run_once(self) -> int:
        """Claim one due endpoint with work and send what it can; how many attempts made."""
        now = self._now_ms()
        claimed = self._store.claim_webhooks(
            self.owner, now_ms=now, lease_ms=self._schedule.lease_ms, limit=1
        )
        made = 0
        for webhook in claimed:
            sender = Sender(self._policy, timeout=self._schedule.timeout)
            try:
                made += self._work(webhook, sender)
            except _LeaseLost:
                log.warning("webhook %s: lease lost to another process", webhook.id)
            finally:
                sender.close()
                self._buffer.pop(webhook.id, None)
                self._store.release_webhook(webhook.id, self.owner)
        return made

    def _now_ms(self) -> int:
        return int(self._clock() * 1000)

    def _work(self, webhook: Webhook, sender: Sender) -> int:
        """Send the endpoint's deliveries in order while they succeed (or are dead-lettered).
        Each attempt is recorded in one transaction with the start of the next delivery."""
        claim = _Claim(webhook, self._filter(webhook), webhook.cursor, webhook.redeliveries)
        current = self._store.pending_delivery(webhook.id)
        record: ChangeRecord | None = None
        claim.looking = current is not None
        if current is None:
            record = self._next(claim)
            if record is None:
                return 0
            current = self._new_delivery(webhook, record)
            if not self._store.start_delivery(current, self.owner):
                raise _LeaseLost(webhook.id)
        made = 0
        while True:
            made += 1
            started = time.monotonic()
            done = self._attempt(webhook, current, record, sender)
            took_ms = int((time.monotonic() - started) * 1000)
            claim.cursor = max(claim.cursor, current.seq)
            following: tuple[Delivery, ChangeRecord | None] | None = None
            if done.status is not DeliveryStatus.PENDING and made < BATCH:
                following = self._following(claim, current)
            fresh = following[0] if following is not None and following[1] is not None else None
            redeliveries = self._finish(webhook, done, fresh, took_ms)
            if following is None or self._stopping.is_set():
                return made
            current, record = following
            if redeliveries != claim.redeliveries:
                # A redelivery was asked for meanwhile: the lowest pending seq goes first.
                claim.redeliveries, claim.looking = redeliveries, True
                first = self._store.pending_delivery(webhook.id)
                if first is not None and first.id != current.id:
                    current, record = first, None

    def _following(
        self, claim: _Claim, current: Delivery
    ) -> tuple[Delivery, ChangeRecord | None] | None:
        """What goes after `current`: another pending delivery (a redelivery) while there may
        be one, else the next record the endpoint takes as a new delivery, with its
        record."""
        if claim.looking:
            pending = self._store.pending_delivery(claim.webhook.id, besides=current.id)
            if pending is not None:
                return pending, None
            claim.looking = False
        record = self._next(claim)
        return None if record is None else (self._new_delivery(claim.webhook, record), record)

    def _finish(self, webhook: Webhook, done: Delivery, then: Delivery | None, took_ms: int) -> int:
        """Record the attempt; the endpoint's count of redeliveries."""
        due = 0 if done.next_attempt_at is None else to_millis(done.next_attempt_at)
        until = self._now_ms() + self._schedule.lease_ms
        redeliveries = self._store.finish_attempt(
            done,
            self.owner,
            endpoint_due_ms=due,
            lease_until_ms=until,
            then=then,
            duration_ms=took_ms,
        )
        if redeliveries is None:
            raise _LeaseLost(webhook.id)
        if done.status is DeliveryStatus.FAILED:
            log.warning("webhook %s: delivery %s dead-lettered", webhook.id, done.id)
        return redeliveries

    def _filter(self, webhook: Webhook) -> Node | None:
        if webhook.q is None:
            return None
        try:
            return parse_query(webhook.q, zone=self._zone)
        except InvalidInput:  # checked when set; a changed time zone setting may refuse it
            log.warning("webhook %s: its filter no longer parses; nothing matches", webhook.id)
            return NOTHING

    def _next(self, claim: _Claim) -> ChangeRecord | None:
        """The next record after the cursor that the endpoint takes (the cursor moved past the
        ones it does not); None when it has taken every record committed so far. Records are
        read a page at a time and kept for the rest of the claim."""
        webhook = claim.webhook
        while not self._stopping.is_set():
            page = self._buffer.get(webhook.id)
            if page is None:
                page = self._page(claim)
                if page is None:
                    return None
            while page.records:
                record = page.records.popleft()
                if record.seq > claim.cursor:
                    return record
            del self._buffer[webhook.id]
            self._advance(claim, page.end)
        return None

    def _page(self, claim: _Claim) -> _Page | None:
        """The next records the endpoint takes (its types and filter, judged by the store)
        among at most SCAN seqs after the cursor; None when the cursor is at the last seq.
        `end` is the last seq judged: the cursor goes there once the records are taken."""
        _, last = self._store.change_bounds()
        if claim.cursor >= last:
            return None
        until = min(last, claim.cursor + SCAN)
        query = ChangeQuery(
            after=claim.cursor, limit=PAGE, types=claim.webhook.types, q=claim.node, until=until
        )
        found = self._store.changes(query)
        end = found[-1].seq if len(found) == PAGE else until
        page = self._buffer[claim.webhook.id] = _Page(deque(found), end)
        return page

    def _advance(self, claim: _Claim, seq: int) -> None:
        """Move the cursor past records passed over, extending the lease (a long run of them
        is read span after span under one claim)."""
        if seq <= claim.cursor:
            return
        until = self._now_ms() + self._schedule.lease_ms
        if not self._store.advance_webhook(claim.webhook.id, self.owner, seq, lease_until_ms=until):
            self._check_lease(claim.webhook)
        claim.cursor = seq

    def _check_lease(self, webhook: Webhook) -> None:
        until = self._now_ms() + self._schedule.lease_ms
        if not self._store.renew_webhook_lease(webhook.id, self.owner, until_ms=until):
            raise _LeaseLost(webhook.id)

    def _new_delivery(self, webhook: Webhook, record: ChangeRecord) -> Delivery:
        now = from_millis(self._now_ms())
        return Delivery(
            id=secrets.token_hex(8),
            webhook_id=webhook.id,
            seq=record.seq,
            type=record.type,
            status=DeliveryStatus.PENDING,
            attempts=0,
            created_at=now,
            next_attempt_at=now,
            last_attempt_at=None,
            last_status_code=None,
            last_error=None,
        )

    def _record(self, seq: int) -> ChangeRecord | None:
        found = self._store.changes(ChangeQuery(after=seq - 1, limit=1))
        return found[0] if found and found[0].seq == seq else None

    def _attempt(
        self,
        webhook: Webhook,
        delivery: Delivery,
        record: ChangeRecord | None,
        sender: Sender,
    ) -> Delivery:
        """One attempt; the delivery as it is after it (not yet recorded)."""
        if record is None:
            record = self._record(delivery.seq)
        if record is None:
            answer = Answer(None, "the change record is past the change log's retention")
        else:
            body = self._encode(record)
            answer = sender.post(webhook.url, body, self._headers(webhook, delivery, body))
        return self._after(delivery, answer, gone=record is None)

    def _headers(self, webhook: Webhook, delivery: Delivery, body: bytes) -> dict[str, str]:
        return {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            SIGNATURE_HEADER: signature(webhook.secret, int(self._clock()), body),
            DELIVERY_HEADER: delivery.id,
            EVENT_HEADER: delivery.type.value,
        }

    def _after(self, delivery: Delivery, answer: Answer, *, gone: bool) -> Delivery:
        """The delivery after this attempt: delivered, due again later, or dead-lettered."""
        now_ms = self._now_ms()
        attempts = delivery.attempts + 1
        status, next_at = DeliveryStatus.DELIVERED, None
        if not answer.ok:
            end_ms = to_millis(delivery.created_at) + int(self._schedule.horizon * 1000)
            if gone or now_ms >= end_ms:
                status = DeliveryStatus.FAILED
            else:
                wait_ms = int(retry_delay(attempts, self._schedule.base) * 1000)
                status, next_at = DeliveryStatus.PENDING, from_millis(min(now_ms + wait_ms, end_ms))
        return replace(
            delivery,
            status=status,
            attempts=attempts,
            next_attempt_at=next_at,
            last_attempt_at=from_millis(now_ms),
            last_status_code=answer.status,
            last_error=answer.error,
        )


def dispatcher_of(settings: Settings, store: Store, *, encode: Encoder) -> WebhookDispatcher:
    """The dispatcher a server process runs, from its settings."""
    return WebhookDispatcher(
        store,
        encode=encode,
        zone=settings.zone,
        policy=TargetPolicy(allow_private=settings.webhook_allow_private_targets),
        schedule=Schedule(
            base=settings.webhook_retry_base_seconds,
            horizon=settings.webhook_retry_horizon_seconds,
            timeout=settings.webhook_timeout_seconds,
        ),
        poll=settings.webhook_poll_ms / 1000,
        workers=settings.webhook_workers,
        retention=timedelta(days=settings.changes_retention_days),
    )

"""Store methods of webhooks (docs/webhooks.md), mixed into `SqlStore`.

An endpoint is worked on by one dispatcher at a time: `claim_webhooks` takes the lease of the
due endpoints with work by a conditional UPDATE (the row is claimed only when its lease is
free or expired, whichever process's statement comes first), and every write made under the
lease names its holder, so a process that lost its lease (paused past it) changes nothing.
A delivery row is written, pending, with the cursor move before the record is first sent: a
process killed while sending leaves it pending for the next holder of the lease. Each attempt
is a row of `webhook_attempts`, written in the transaction that records it on its delivery.

The statements a delivery runs (`finish_attempt`) are built once, with bound parameters:
building and caching a statement per call was a large part of a delivery's CPU time.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any, Protocol

from sqlalchemy import (
    Connection,
    Select,
    and_,
    bindparam,
    case,
    delete,
    exists,
    or_,
    select,
    update,
)

from openucs.domain.changes import ChangeType
from openucs.domain.formats import from_millis, to_millis
from openucs.domain.webhooks import (
    MAX_ERROR_LENGTH,
    Attempt,
    Delivery,
    DeliveryHistory,
    DeliveryStatus,
    Webhook,
)
from openucs.store.schema import change_counter, webhook_attempts, webhook_deliveries, webhooks

_w = webhooks.c
_d = webhook_deliveries.c
_a = webhook_attempts.c
_PENDING = DeliveryStatus.PENDING.value

# finish_attempt's statements: the endpoint's row under the lease (with or without a next
# delivery to move the cursor to), the delivery's row, its attempt, the next delivery.
_HELD = and_(_w.id == bindparam("hook"), _w.lease_owner == bindparam("owner"))
_GATE = (
    update(webhooks)
    .where(_HELD)
    .values(next_attempt_ms=bindparam("due"), lease_until_ms=bindparam("until"))
    .returning(_w.redeliveries)
)
_THEN_SEQ = bindparam("then_seq", type_=webhooks.c.cursor_seq.type)
_GATE_MOVING = _GATE.values(
    cursor_seq=case((_w.cursor_seq < _THEN_SEQ, _THEN_SEQ), else_=_w.cursor_seq)
)
_RECORD = (
    update(webhook_deliveries)
    .where(_d.id == bindparam("delivery"))
    .values(
        status=bindparam("status"),
        attempts=bindparam("attempts"),
        next_attempt_ms=bindparam("next_ms"),
        last_attempt_ms=bindparam("last_ms"),
        last_status_code=bindparam("code"),
        last_error=bindparam("error"),
    )
)
_INSERT_ATTEMPT = webhook_attempts.insert()
_INSERT_DELIVERY = webhook_deliveries.insert()


class _SqlBase(Protocol):
    def _read(self) -> AbstractContextManager[Connection]: ...

    def _write(self) -> AbstractContextManager[Connection]: ...

    def _bookkeeping_write(self) -> AbstractContextManager[Connection]: ...


def _held(webhook_id: str, owner: str) -> Any:
    return and_(_w.id == webhook_id, _w.lease_owner == owner)


class WebhookMethods:
    # --- endpoints ---------------------------------------------------------------------------
    def create_webhook(self: _SqlBase, webhook: Webhook) -> Webhook:
        with self._write() as conn:
            conn.execute(webhooks.insert().values(**_values(webhook), next_attempt_ms=0))
        return webhook

    def webhooks(self: _SqlBase) -> list[Webhook]:
        with self._read() as conn:
            return [_webhook(r) for r in conn.execute(select(webhooks).order_by(_w.created_ms))]

    def get_webhook(self: _SqlBase, webhook_id: str) -> Webhook | None:
        with self._read() as conn:
            row = conn.execute(select(webhooks).where(_w.id == webhook_id)).first()
        return None if row is None else _webhook(row)

    def update_webhook(self: _SqlBase, webhook: Webhook) -> bool:
        """Write the endpoint's settings (not its cursor); False when it is gone."""
        values = _values(webhook)
        del values["id"], values["cursor_seq"], values["created_ms"]
        with self._write() as conn:
            done = conn.execute(update(webhooks).where(_w.id == webhook.id).values(**values))
        return bool(done.rowcount)

    def delete_webhook(self: _SqlBase, webhook_id: str) -> bool:
        with self._write() as conn:
            conn.execute(delete(webhook_attempts).where(_a.webhook_id == webhook_id))
            conn.execute(delete(webhook_deliveries).where(_d.webhook_id == webhook_id))
            return bool(conn.execute(delete(webhooks).where(_w.id == webhook_id)).rowcount)

    # --- the dispatcher's lease ----------------------------------------------------------------
    def claim_webhooks(
        self: _SqlBase, owner: str, *, now_ms: int, lease_ms: int, limit: int
    ) -> list[Webhook]:
        """Take the lease of up to `limit` enabled endpoints that are due and have work (a
        pending delivery, or records after their cursor); the ones taken."""
        free = or_(_w.lease_until_ms.is_(None), _w.lease_until_ms < now_ms)
        pending = exists(select(_d.id).where(_d.webhook_id == _w.id, _d.status == _PENDING))
        behind = _w.cursor_seq < select(change_counter.c.last_seq).scalar_subquery()
        due = and_(_w.enabled.is_(True), _w.next_attempt_ms <= now_ms, free)
        candidates = select(_w.id).where(due, or_(behind, pending)).order_by(_w.next_attempt_ms)
        with self._read() as conn:
            ids = list(conn.scalars(candidates.limit(limit)))
        claimed = []
        for webhook_id in ids:
            take = (
                update(webhooks)
                .where(_w.id == webhook_id, due)
                .values(lease_owner=owner, lease_until_ms=now_ms + lease_ms)
            )
            with self._write() as conn:
                if conn.execute(take).rowcount:
                    row = conn.execute(select(webhooks).where(_w.id == webhook_id)).one()
                    claimed.append(_webhook(row))
        return claimed

    def renew_webhook_lease(self: _SqlBase, webhook_id: str, owner: str, *, until_ms: int) -> bool:
        """Extend the lease; False when `owner` no longer holds it."""
        with self._write() as conn:
            done = conn.execute(
                update(webhooks).where(_held(webhook_id, owner)).values(lease_until_ms=until_ms)
            )
        return bool(done.rowcount)

    def release_webhook(self: _SqlBase, webhook_id: str, owner: str) -> None:
        with self._write() as conn:
            conn.execute(
                update(webhooks)
                .where(_held(webhook_id, owner))
                .values(lease_owner=None, lease_until_ms=None)
            )

    # --- deliveries ----------------------------------------------------------------------------
    def pending_delivery(
        self: _SqlBase, webhook_id: str, besides: str | None = None
    ) -> Delivery | None:
        """The endpoint's pending delivery of the lowest seq (other than `besides`)."""
        other = [] if besides is None else [_d.id != besides]
        stmt = (
            select(webhook_deliveries)
            .where(_d.webhook_id == webhook_id, _d.status == _PENDING, *other)
            .order_by(_d.seq, _d.created_ms)
            .limit(1)
        )
        with self._read() as conn:
            row = conn.execute(stmt).first()
        return None if row is None else _delivery(row)

    def start_delivery(self: _SqlBase, delivery: Delivery, owner: str) -> bool:
        """Move the endpoint's cursor to the delivery's seq and write the delivery, pending,
        in one transaction; False (nothing written) when `owner` lost the lease."""
        move = (
            update(webhooks)
            .where(_held(delivery.webhook_id, owner), _w.cursor_seq < delivery.seq)
            .values(cursor_seq=delivery.seq)
        )
        with self._bookkeeping_write() as conn:
            if not conn.execute(move).rowcount:
                return False
            conn.execute(webhook_deliveries.insert().values(**_delivery_values(delivery)))
        return True

    def advance_webhook(
        self: _SqlBase, webhook_id: str, owner: str, seq: int, *, lease_until_ms: int | None = None
    ) -> bool:
        """Move the cursor past records the endpoint does not take (its types or filter), and
        extend the lease to `lease_until_ms` when given; False when `owner` lost the lease or
        the cursor is past `seq` already."""
        values: dict[str, Any] = {"cursor_seq": seq}
        if lease_until_ms is not None:
            values["lease_until_ms"] = lease_until_ms
        move = (
            update(webhooks).where(_held(webhook_id, owner), _w.cursor_seq < seq).values(**values)
        )
        with self._bookkeeping_write() as conn:
            return bool(conn.execute(move).rowcount)

    def finish_attempt(
        self: _SqlBase,
        delivery: Delivery,
        owner: str,
        *,
        endpoint_due_ms: int,
        lease_until_ms: int,
        then: Delivery | None = None,
        duration_ms: int = 0,
    ) -> int | None:
        """Record an attempt (`delivery` as it is after it, and the attempt's row, which took
        `duration_ms`) and when the endpoint is due next, extend the lease, and start the
        next delivery `then` (as `start_delivery`), all in one transaction. Returns the
        endpoint's count of redeliveries (`Webhook.redeliveries`); None (nothing written)
        when `owner` lost the lease."""
        gate = {
            "hook": delivery.webhook_id,
            "owner": owner,
            "due": endpoint_due_ms,
            "until": lease_until_ms,
        }
        with self._bookkeeping_write() as conn:
            if then is None:
                counted = conn.execute(_GATE, gate).scalar()
            else:
                counted = conn.execute(_GATE_MOVING, {**gate, "then_seq": then.seq}).scalar()
            if counted is None:
                return None
            conn.execute(_RECORD, _recorded(delivery))
            conn.execute(_INSERT_ATTEMPT, _attempt_values(delivery, duration_ms))
            if then is not None:
                conn.execute(_INSERT_DELIVERY, _delivery_values(then))
        return int(counted)

    def deliveries(self: _SqlBase, webhook_id: str, *, limit: int) -> list[Delivery]:
        """The endpoint's deliveries, newest first."""
        with self._read() as conn:
            return [_delivery(r) for r in conn.execute(_newest(webhook_id, limit))]

    def delivery_histories(self: _SqlBase, webhook_id: str, *, limit: int) -> list[DeliveryHistory]:
        """The endpoint's deliveries, newest first, each with its attempts (oldest first): two
        statements, whatever the page's size."""
        page = _newest(webhook_id, limit)
        with self._read() as conn:
            found = [_delivery(r) for r in conn.execute(page)]
            tried = _attempts(conn, select(page.subquery().c.id))
        return [DeliveryHistory(d, tuple(tried.get(d.id, ()))) for d in found]

    def get_delivery(self: _SqlBase, webhook_id: str, delivery_id: str) -> Delivery | None:
        stmt = select(webhook_deliveries).where(_d.webhook_id == webhook_id, _d.id == delivery_id)
        with self._read() as conn:
            row = conn.execute(stmt).first()
        return None if row is None else _delivery(row)

    def delivery_history(
        self: _SqlBase, webhook_id: str, delivery_id: str
    ) -> DeliveryHistory | None:
        """One delivery of the endpoint with its attempts (oldest first)."""
        stmt = select(webhook_deliveries).where(_d.webhook_id == webhook_id, _d.id == delivery_id)
        with self._read() as conn:
            row = conn.execute(stmt).first()
            if row is None:
                return None
            tried = _attempts(conn, select(_d.id).where(_d.id == delivery_id))
        return DeliveryHistory(_delivery(row), tuple(tried.get(delivery_id, ())))

    def add_delivery(self: _SqlBase, delivery: Delivery) -> bool:
        """A new pending delivery (a redelivery), made due now, counted on the endpoint (its
        lease holder looks for it then); False when the endpoint is gone."""
        with self._write() as conn:
            due = (
                update(webhooks)
                .where(_w.id == delivery.webhook_id)
                .values(next_attempt_ms=0, redeliveries=_w.redeliveries + 1)
            )
            if not conn.execute(due).rowcount:
                return False
            conn.execute(_INSERT_DELIVERY, _delivery_values(delivery))
        return True

    def prune_webhook_deliveries(self: _SqlBase, before_ms: int) -> int:
        """Delete the delivered and dead-lettered deliveries created before `before_ms`, with
        their attempts."""
        old = and_(_d.status != _PENDING, _d.created_ms < before_ms)
        with self._write() as conn:
            conn.execute(
                delete(webhook_attempts).where(_a.delivery_id.in_(select(_d.id).where(old)))
            )
            return int(conn.execute(delete(webhook_deliveries).where(old)).rowcount or 0)


def _newest(webhook_id: str, limit: int) -> Select[Any]:
    return (
        select(webhook_deliveries)
        .where(_d.webhook_id == webhook_id)
        .order_by(_d.created_ms.desc(), _d.seq.desc())
        .limit(limit)
    )


def _attempts(conn: Connection, delivery_ids: Select[Any]) -> dict[str, list[Attempt]]:
    """The attempts of the deliveries `delivery_ids` selects, oldest first, by delivery."""
    stmt = (
        select(webhook_attempts)
        .where(_a.delivery_id.in_(delivery_ids))
        .order_by(_a.delivery_id, _a.number)
    )
    found: dict[str, list[Attempt]] = {}
    for row in conn.execute(stmt):
        found.setdefault(row.delivery_id, []).append(
            Attempt(
                number=int(row.number),
                at=from_millis(row.at_ms),
                status_code=row.status_code,
                error=row.error,
                duration_ms=int(row.duration_ms),
            )
        )
    return found


def _values(webhook: Webhook) -> dict[str, Any]:
    return {
        "id": webhook.id,
        "url": webhook.url,
        "secret": webhook.secret,
        "types": ",".join(sorted(t.value for t in webhook.types)),
        "q": webhook.q,
        "enabled": webhook.enabled,
        "cursor_seq": webhook.cursor,
        "created_ms": to_millis(webhook.created_at),
        "updated_ms": to_millis(webhook.updated_at),
    }


def _webhook(row: Any) -> Webhook:
    return Webhook(
        id=row.id,
        url=row.url,
        secret=row.secret,
        types=frozenset(ChangeType(t) for t in row.types.split(",") if t),
        q=row.q,
        enabled=bool(row.enabled),
        cursor=int(row.cursor_seq),
        created_at=from_millis(row.created_ms),
        updated_at=from_millis(row.updated_ms),
        redeliveries=int(row.redeliveries),
    )


def _ms(value: Any) -> int | None:
    return None if value is None else to_millis(value)


def _delivery_values(delivery: Delivery) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "webhook_id": delivery.webhook_id,
        "seq": delivery.seq,
        "type": delivery.type.value,
        "status": delivery.status.value,
        "attempts": delivery.attempts,
        "created_ms": to_millis(delivery.created_at),
        "next_attempt_ms": _ms(delivery.next_attempt_at),
        "last_attempt_ms": _ms(delivery.last_attempt_at),
        "last_status_code": delivery.last_status_code,
        "last_error": _bounded(delivery.last_error),
    }


def _bounded(error: str | None) -> str | None:
    return None if error is None else error[:MAX_ERROR_LENGTH]


def _recorded(delivery: Delivery) -> dict[str, Any]:
    """The parameters of `_RECORD`: the delivery's state after an attempt."""
    return {
        "delivery": delivery.id,
        "status": delivery.status.value,
        "attempts": delivery.attempts,
        "next_ms": _ms(delivery.next_attempt_at),
        "last_ms": _ms(delivery.last_attempt_at),
        "code": delivery.last_status_code,
        "error": _bounded(delivery.last_error),
    }


def _attempt_values(delivery: Delivery, duration_ms: int) -> dict[str, Any]:
    """The row of the attempt that made `delivery` what it is (its last one)."""
    at = delivery.last_attempt_at or delivery.created_at
    return {
        "delivery_id": delivery.id,
        "number": delivery.attempts,
        "webhook_id": delivery.webhook_id,
        "at_ms": to_millis(at),
        "status_code": delivery.last_status_code,
        "error": _bounded(delivery.last_error),
        "duration_ms": max(0, min(duration_ms, 2**31 - 1)),
    }


def _at(value: int | None) -> Any:
    return None if value is None else from_millis(value)


def _delivery(row: Any) -> Delivery:
    return Delivery(
        id=row.id,
        webhook_id=row.webhook_id,
        seq=int(row.seq),
        type=ChangeType(row.type),
        status=DeliveryStatus(row.status),
        attempts=int(row.attempts),
        created_at=from_millis(row.created_ms),
        next_attempt_at=_at(row.next_attempt_ms),
        last_attempt_at=_at(row.last_attempt_ms),
        last_status_code=row.last_status_code,
        last_error=row.last_error,
    )

"""Webhooks, as data (docs/webhooks.md): an endpoint that receives the change records, the
delivery of one record to it, the signature of a delivery, the retry schedule, and the rules
on a target URL that need no network (the address rules are applied by the dispatcher after
each DNS resolution, `services.webhook_delivery`)."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import string
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from urllib.parse import SplitResult, urlsplit

from openucs.domain.changes import ChangeType
from openucs.errors import InvalidInput

MAX_URL_LENGTH = 2048
MIN_SECRET_LENGTH = 16
MAX_SECRET_LENGTH = 128
MAX_ERROR_LENGTH = 256  # kept of an attempt's error
_SECRET_CHARS = frozenset(string.ascii_letters + string.digits + "-_.~+/=")
SIGNATURE_HEADER = "OpenUCS-Signature"
DELIVERY_HEADER = "OpenUCS-Delivery"
EVENT_HEADER = "OpenUCS-Event"


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # to be sent, or sent and not yet answered with a 2xx
    DELIVERED = "delivered"
    FAILED = "failed"  # dead-lettered: still refused at the end of the retry horizon


@dataclass(frozen=True, slots=True)
class Webhook:
    """An endpoint. `cursor` is the last seq it has taken on (delivered, dead-lettered, being
    sent, or skipped by its filter); `secret` never leaves the server but in the create
    answer; `redeliveries` counts the redeliveries asked for (the dispatcher looks for a
    pending one when it has grown)."""

    id: str
    url: str
    secret: str = field(repr=False)
    types: frozenset[ChangeType]
    q: str | None
    enabled: bool
    cursor: int
    created_at: datetime
    updated_at: datetime
    redeliveries: int = 0


@dataclass(frozen=True, slots=True)
class NewWebhook:
    """What a create asks for: no secret to have one made; no types for all; `after` to
    start after that seq instead of the log's last."""

    url: str
    secret: str | None = field(default=None, repr=False)
    types: frozenset[ChangeType] = frozenset()
    q: str | None = None
    enabled: bool = True
    after: int | None = None


@dataclass(frozen=True, slots=True)
class WebhookChanges:
    """What a PATCH changes (None: unchanged; `q=""` removes the filter)."""

    url: str | None = None
    secret: str | None = field(default=None, repr=False)
    types: frozenset[ChangeType] | None = None
    q: str | None = None
    enabled: bool | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    """One change record for one endpoint: `id` is the `OpenUCS-Delivery` header; attempts
    so far, the last one's HTTP status (None: no answer) or error, and when the next is due."""

    id: str
    webhook_id: str
    seq: int
    type: ChangeType
    status: DeliveryStatus
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None


@dataclass(frozen=True, slots=True)
class Attempt:
    """One attempt of a delivery: its number (1 for the first), when it was made, the HTTP
    status (None: no answer) or why there was none, and how long it took."""

    number: int
    at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int


@dataclass(frozen=True, slots=True)
class DeliveryHistory:
    """A delivery with its attempts, oldest first."""

    delivery: Delivery
    attempts: tuple[Attempt, ...]


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def check_secret(secret: str) -> str:
    if not MIN_SECRET_LENGTH <= len(secret) <= MAX_SECRET_LENGTH:
        raise InvalidInput(
            "secret", f"must be {MIN_SECRET_LENGTH} to {MAX_SECRET_LENGTH} characters"
        )
    if not set(secret) <= _SECRET_CHARS:
        raise InvalidInput("secret", "may hold only letters, digits and - _ . ~ + / =")
    return secret


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The `OpenUCS-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def retry_delay(attempts: int, base_seconds: float) -> float:
    """Seconds to wait after the `attempts`-th failed attempt: base, 2 base, 4 base, ..."""
    return base_seconds * float(2 ** min(max(attempts - 1, 0), 40))


@dataclass(frozen=True, slots=True)
class Target:
    """A checked webhook URL: scheme, host (an IP literal or a name to resolve) and port."""

    scheme: str
    host: str
    port: int
    path: str  # with its query

    @property
    def literal(self) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
        try:
            return ipaddress.ip_address(self.host)
        except ValueError:
            return None


def parse_target(url: str) -> Target:
    """The URL's parts, or InvalidInput("url"): http or https, a host, no credentials, no
    fragment, at most MAX_URL_LENGTH characters."""
    if not url or len(url) > MAX_URL_LENGTH:
        raise InvalidInput("url", f"must be an http(s) URL of at most {MAX_URL_LENGTH} characters")
    if any(c.isspace() or ord(c) < 32 for c in url):
        raise InvalidInput("url", "must not hold spaces or control characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise InvalidInput("url", f"not a URL ({error})") from None
    return _target(parts, port)


def _target(parts: SplitResult, port: int | None) -> Target:
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"}:
        raise InvalidInput("url", "must be http or https")
    if parts.username is not None or parts.password is not None:
        raise InvalidInput("url", "must not hold credentials")
    if parts.fragment:
        raise InvalidInput("url", "must not hold a fragment")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise InvalidInput("url", "must name a host")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(scheme, host, port or (443 if scheme == "https" else 80), path)


def is_public_address(address: str) -> bool:
    """Whether an address is a global unicast one: not private, loopback, link-local,
    multicast, reserved, unspecified, shared (100.64/10) or documentation; an IPv4 address
    mapped or embedded in IPv6 is judged as IPv4."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None and not is_public_address(str(embedded)):
            return False
    return bool(
        ip.is_global
        and not ip.is_multicast
        and not ip.is_reserved
        and not ip.is_unspecified
        and not ip.is_loopback
        and not ip.is_link_local
    )

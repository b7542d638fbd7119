"""Typed settings, read from `OPENUCS_*` environment variables by `load_settings()` and passed
explicitly; nothing reads the environment at import. Every field is documented in
docs/configuration.md (a test checks it)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import tzinfo
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from openucs.domain.access import AgentAccess
from openucs.domain.privacy import RetentionPolicy
from openucs.domain.redaction import Redaction
from openucs.errors import InvalidInput

ENV_PREFIX = "OPENUCS_"

# The GWS features that gate the UCS operations (spec 1.4, 3.0).
ALL_FEATURES = (
    "api-ucs-voice",
    "api-voice",
    "api-multimedia",
    "api-multimedia-chat",
    "api-multimedia-email",
    "api-multimedia-facebook",
    "api-multimedia-twitter",
)


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///./openucs.db"
    host: str = "127.0.0.1"
    port: int = 8080
    # externalApiUrlV2: the absolute API root used in `uri` fields. Empty: http://host:port/api/v2
    public_base_url: str = ""
    # Zone of the resource dates (`yyyy-MM-dd HH:mm:ss.SSSZ`) and of date-only request bounds.
    timezone: str = "UTC"
    default_page_size: int = 100
    max_page_size: int = 1000
    max_body_bytes: int = 1_048_576
    max_bulk_bytes: int = 67_108_864
    max_bulk_lines: int = 100_000
    session_idle_seconds: int = 28_800
    session_cookie_secure: bool = False
    basic_auth_cache_seconds: int = 60
    login_max_failures: int = 5
    login_lockout_seconds: int = 60
    log_level: str = "info"
    # What agents read: own | handled | all (domain/access.py, docs/configuration.md).
    agent_access: str = "handled"
    # Read audit records older than this many days are deleted.
    audit_retention_days: int = 365
    # Whether reads are recorded at all (off only where another system audits them).
    audit_reads: bool = True
    # The change log (docs/changes.md): records older than this many days are deleted; the
    # event stream looks for new records this often and sends a heartbeat this often.
    changes_retention_days: int = 30
    changes_poll_ms: int = 500
    changes_heartbeat_ms: int = 15_000
    # The archive tier (docs/archive.md): a second database for it (empty: the main one);
    # threads ended this many days ago move there (0: never, by the server), looked for this
    # often.
    archive_database_url: str = ""
    archive_after_days: int = 0
    archive_every_minutes: int = 60
    # Retention per media type (docs/privacy.md): `chat=730,call=365` deletes chats started
    # more than 730 days ago and calls more than 365; a type not named, and everything when
    # empty, is kept forever. The server applies it every `prune_every_minutes`.
    retention_days: str = ""
    prune_every_minutes: int = 60
    # A search counts its matches up to this many; beyond, its total says "at least".
    search_total_cap: int = 10_000
    # Asynchronous UCS operations, CometD notifications, features, CSRF and CORS.
    enabled_features: str = ",".join(ALL_FEATURES)
    csrf_protection: bool = False
    cors_allowed_origins: str = ""
    cors_allowed_methods: str = "GET,POST,PUT,DELETE,OPTIONS"
    cors_allowed_headers: str = "Content-Type,Authorization,X-CSRF-TOKEN,X-Requested-With"
    cors_allow_credentials: bool = True
    cometd_timeout_ms: int = 30_000
    cometd_interval_ms: int = 0
    cometd_max_interval_ms: int = 15_000
    cometd_max_queue: int = 1000
    operation_workers: int = 8
    # Redaction at ingest (docs/privacy-redaction.md): kinds (card,iban,ssn; empty: off),
    # regular expressions (one a line), custom attribute and user data names.
    redact: str = ""
    redact_patterns: str = ""
    redact_attributes: str = ""
    # Webhooks (docs/webhooks.md): the retry schedule (base, 2 base, 4 base, ... until the
    # horizon, then dead-lettered), the time an endpoint has to answer, how often each process
    # looks for work and with how many threads, and whether non-public targets are allowed.
    webhook_retry_base_seconds: int = 10
    webhook_retry_horizon_seconds: int = 259_200
    webhook_timeout_seconds: int = 10
    webhook_poll_ms: int = 250
    webhook_workers: int = 4
    webhook_allow_private_targets: bool = False
    # `openucs serve` worker processes on one port; 0: the number of CPU cores.
    workers: int = 0

    def __post_init__(self) -> None:
        _ = self.zone  # fail fast on an unknown zone
        _ = self.agent_reads
        _ = self.redaction  # fail fast on an unknown kind or a bad pattern
        if self.audit_retention_days < 1:
            raise InvalidInput("audit_retention_days", "must be positive")
        if self.changes_retention_days < 1:
            raise InvalidInput("changes_retention_days", "must be positive")
        if not 0 < self.changes_poll_ms <= self.changes_heartbeat_ms:
            raise InvalidInput("changes_poll_ms", "must be positive and at most the heartbeat")
        _ = self.retention
        if self.prune_every_minutes < 1:
            raise InvalidInput("prune_every_minutes", "must be positive")
        if self.search_total_cap < 1:
            raise InvalidInput("search_total_cap", "must be positive")
        if not 1 <= self.default_page_size <= self.max_page_size:
            raise InvalidInput("default_page_size", "must be between 1 and max_page_size")
        unknown = self.features - set(ALL_FEATURES)
        if unknown:
            raise InvalidInput("enabled_features", f"unknown feature {sorted(unknown)[0]!r}")
        positive = (
            "cometd_timeout_ms",
            "cometd_max_interval_ms",
            "cometd_max_queue",
            "archive_every_minutes",
        )
        webhook = tuple(f"webhook_{n}" for n in ("timeout_seconds", "poll_ms", "workers"))
        webhook += ("webhook_retry_base_seconds", "webhook_retry_horizon_seconds")
        for name in (*positive, "operation_workers", *webhook):
            if getattr(self, name) < 1:
                raise InvalidInput(name, "must be positive")
        not_negative = (
            "cometd_interval_ms",
            "login_max_failures",
            "login_lockout_seconds",
            "archive_after_days",
            "workers",
        )
        for name in not_negative:
            if getattr(self, name) < 0:
                raise InvalidInput(name, "must not be negative")

    @property
    def features(self) -> frozenset[str]:
        """The enabled GWS features (spec 1.4); `*` means all of them."""
        names = {f.strip() for f in self.enabled_features.split(",") if f.strip()}
        return frozenset(ALL_FEATURES) if "*" in names else frozenset(names)

    @property
    def worker_count(self) -> int:
        """The worker processes `openucs serve` runs: `workers`, or the CPU cores for 0."""
        return self.workers or os.cpu_count() or 1

    @staticmethod
    def split(value: str) -> list[str]:
        """A comma-separated setting as a list."""
        return [v.strip() for v in value.split(",") if v.strip()]

    @cached_property
    def agent_reads(self) -> AgentAccess:
        return AgentAccess.parse("agent_access", self.agent_access)

    @cached_property
    def redaction(self) -> Redaction:
        patterns = [line.strip() for line in self.redact_patterns.splitlines() if line.strip()]
        return Redaction.parse(
            kinds=self.redact, patterns=patterns, attributes=self.redact_attributes
        )

    @cached_property
    def retention(self) -> RetentionPolicy:
        return RetentionPolicy.parse(self.retention_days)

    @cached_property
    def zone(self) -> tzinfo:
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidInput("timezone", f"unknown time zone {self.timezone!r}") from None

    @property
    def api_base_url(self) -> str:
        """The API root without a trailing slash, e.g. `http://host:8080/api/v2`."""
        if self.public_base_url:
            return self.public_base_url.rstrip("/")
        return f"http://{self.host}:{self.port}/api/v2"

    def with_overrides(self, **overrides: Any) -> Settings:
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


def load_settings(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Settings from `OPENUCS_<FIELD>` variables, then explicit overrides (None ignored)."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for f in fields(Settings):
        raw = env.get(ENV_PREFIX + f.name.upper())
        if raw is not None:
            values[f.name] = _coerce(f.name, f.type, raw)
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Settings(**values)


def _coerce(name: str, kind: Any, raw: str) -> Any:
    kind = str(kind)
    try:
        if kind == "int":
            return int(raw)
        if kind == "bool":
            if raw.lower() not in {"1", "0", "true", "false", "yes", "no", "on", "off"}:
                raise ValueError(raw)
            return raw.lower() in {"1", "true", "yes", "on"}
    except ValueError:
        raise InvalidInput(ENV_PREFIX + name.upper(), f"invalid value {raw!r}") from None
    return raw

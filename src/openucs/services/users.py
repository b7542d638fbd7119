"""Users, passwords and sessions.

Passwords are hashed with Argon2id. Checking one costs tens of milliseconds by design, so a
successful HTTP Basic check is remembered for a short while under a keyed digest of the
credentials (never the password itself); sessions (the JSESSIONID cookie) are stored as a
SHA-256 of the token. A resolved session is also remembered for `SESSION_CACHE_SECONDS`, so a
request carrying only the cookie costs no database read; the `cached_*` methods do no I/O and
may be called from an event loop.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from openucs.domain.enums import Role
from openucs.domain.formats import to_millis
from openucs.domain.ids import new_user_id
from openucs.domain.models import Session, User
from openucs.errors import Conflict, InvalidInput, LockedOut, Unauthenticated
from openucs.store.base import Store

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 8
# How long a resolved session is trusted without reading the store again. A session closed or a
# user disabled through another process is noticed after at most this long.
SESSION_CACHE_SECONDS = 5.0
# A used session's last-seen time is written at most this often (one write a minute, not one
# per request); idle expiry is therefore exact to within this.
SESSION_TOUCH_SECONDS = 60.0
# How often a process deletes the sessions idle for longer than `session_idle_seconds`.
SESSION_SWEEP_SECONDS = 600.0
_CACHE_LIMIT = 10_000


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput("password", f"must be at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher.hash(password)


def add_user(
    *,
    store: Store,
    user_name: str,
    roles: frozenset[Role],
    password: str | None,
    first_name: str | None = None,
    last_name: str | None = None,
    replace_existing: bool = False,
) -> User:
    """Create a login (or, with `replace_existing`, reset an existing user's roles/password)."""
    user_name = user_name.strip()
    if not user_name or len(user_name) > 128:
        raise InvalidInput("userName", "must be 1-128 characters")
    existing = store.get_user_by_name(user_name)
    if existing is not None and not replace_existing and existing.password_hash is not None:
        raise Conflict(f"user {user_name!r} already exists")
    user = User(
        id=existing.id if existing else new_user_id(),
        user_name=user_name,
        first_name=first_name or (existing.first_name if existing else None),
        last_name=last_name or (existing.last_name if existing else None),
        roles=roles,
        password_hash=hash_password(password) if password is not None else None,
    )
    return store.save_user(user)


def list_users(*, store: Store) -> list[User]:
    return store.list_users()


@dataclass
class Authenticator:
    """Checks credentials and sessions; keeps the short-lived caches of both."""

    store: Store
    cache_seconds: float = 60.0
    session_idle_seconds: float = 28_800.0
    # After this many failed password checks in a row, a user name is refused without a check
    # for `lockout_seconds` (0: never): online guessing gets a few tries a minute. Per process.
    max_failures: int = 5
    lockout_seconds: float = 60.0
    clock: Callable[[], float] = time.monotonic
    _key: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    _cache: dict[bytes, tuple[float, User]] = field(default_factory=dict)
    _sessions: dict[str, tuple[float, User]] = field(default_factory=dict)
    _failures: dict[str, tuple[int, float]] = field(default_factory=dict)  # count, refused until
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _next_sweep: float = 0.0

    def cached_basic(self, user_name: str, password: str) -> User | None:
        """The user of a recent successful Basic check of these credentials; no I/O."""
        hit = self._cache.get(self._digest(user_name, password))
        return hit[1] if hit and hit[0] > time.monotonic() else None

    def basic(self, user_name: str, password: str) -> User:
        digest = self._digest(user_name, password)
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(digest)
        if hit and hit[0] > now:
            return hit[1]
        self._refuse_if_locked_out(user_name)
        user = self.store.get_user_by_name(user_name)
        if user is None or not user.can_login or not _verify(user.password_hash or "", password):
            self._count_failure(user_name)
            raise Unauthenticated()
        with self._lock:
            self._failures.pop(user_name, None)
            if len(self._cache) > _CACHE_LIMIT:
                self._cache.clear()
            self._cache[digest] = (now + self.cache_seconds, user)
        return user

    def _refuse_if_locked_out(self, user_name: str) -> None:
        with self._lock:
            _, until = self._failures.get(user_name, (0, 0.0))
        wait = until - self.clock()
        if wait > 0:
            raise LockedOut(retry_after=math.ceil(wait))

    def _count_failure(self, user_name: str) -> None:
        if self.max_failures <= 0:
            return
        with self._lock:
            count = self._failures.get(user_name, (0, 0.0))[0] + 1
            if len(self._failures) > _CACHE_LIMIT:
                self._failures.clear()
            if count >= self.max_failures:
                self._failures[user_name] = (0, self.clock() + self.lockout_seconds)
            else:
                self._failures[user_name] = (count, 0.0)

    def open_session(self, user: User) -> tuple[str, Session]:
        """A new session; returns the cookie token (shown once) and the stored record."""
        self._sweep_idle_sessions()
        token = secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        session = Session(hash_token(token), user.id, secrets.token_hex(16), now, now)
        self.store.create_session(session)
        return token, session

    def cached_session_user(self, token: str) -> User | None:
        """The user of a session resolved in the last few seconds; no I/O."""
        hit = self._sessions.get(hash_token(token))
        return hit[1] if hit and hit[0] > time.monotonic() else None

    def session_user(self, token: str) -> tuple[Session, User] | None:
        token_hash = hash_token(token)
        session = self.store.get_session(token_hash)
        if session is None:
            return None
        now = datetime.now(UTC)
        idle = (now - session.last_seen_at).total_seconds()
        user = self.store.get_user(session.user_id)
        if idle > self.session_idle_seconds or user is None or not user.can_login:
            self.store.delete_session(session.token_hash)
            return None
        if idle > SESSION_TOUCH_SECONDS:
            self.store.touch_session(token_hash, to_millis(now))
            session.last_seen_at = now
        with self._lock:
            if len(self._sessions) > _CACHE_LIMIT:
                self._sessions.clear()
            self._sessions[token_hash] = (time.monotonic() + SESSION_CACHE_SECONDS, user)
        return session, user

    def close_session(self, token: str) -> None:
        token_hash = hash_token(token)
        with self._lock:
            self._sessions.pop(token_hash, None)
        self.store.delete_session(token_hash)

    def expire_sessions(self) -> int:
        cutoff = to_millis(datetime.now(UTC)) - int(self.session_idle_seconds * 1000)
        return self.store.delete_sessions_seen_before(cutoff)

    def _sweep_idle_sessions(self) -> None:
        """Expire idle sessions now and then, when a new one is opened."""
        now = time.monotonic()
        if now < self._next_sweep:
            return
        self._next_sweep = now + SESSION_SWEEP_SECONDS
        self.expire_sessions()

    def _digest(self, user_name: str, password: str) -> bytes:
        return hmac.new(self._key, f"{user_name}\0{password}".encode(), "sha256").digest()


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()

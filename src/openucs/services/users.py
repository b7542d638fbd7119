"""Users, passwords and sessions.

Passwords are hashed with Argon2id. Checking one costs tens of milliseconds by design, so a
successful HTTP Basic check is remembered for a short while under a keyed digest of the
credentials (never the password itself); an unknown user name is checked against a dummy hash,
so it takes as long as a wrong password. The lockout after repeated failures holds even while
the right password is remembered.

Neither cache outlives a change of the user: a request answered from either is confirmed by one
primary key read of the user (`confirmed`), so a user disabled or deleted (in any process: the
command line too) is refused on their next request, and a role change applies to it. The
expensive parts (the password hash, the session row) are what the caches save. Where the store
has a cheap change stamp (SQLite: a number that moves with every commit of any process), that
read is skipped while nothing at all has been committed since the user was last read.

Sessions (the JSESSIONID cookie) are signed tokens (`session_tokens`): minting one writes
nothing; the session is stored (as a SHA-256 of the token) when the token first comes back as a
cookie, so a client that sends Basic on every request and drops the cookies stores nothing. A
resolved session is remembered for `SESSION_CACHE_SECONDS`, so a request carrying only the
cookie costs no database read; the `cached_*` methods do no I/O and may be called from an
event loop.
"""

from __future__ import annotations

import hmac
import logging
import math
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from openucs.domain.enums import Role
from openucs.domain.formats import to_millis
from openucs.domain.ids import new_user_id
from openucs.domain.models import Session, User
from openucs.errors import (
    Conflict,
    InvalidInput,
    LockedOut,
    NotFound,
    PermissionDenied,
    Unauthenticated,
)
from openucs.services.session_tokens import SessionToken, TokenSigner, hash_token
from openucs.store.base import Store

log = logging.getLogger(__name__)

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


def set_enabled(*, store: Store, user_name: str, enabled: bool) -> User:
    """Enable or disable the login `user_name`. A disabled user is refused at once on every
    path (see `Authenticator.confirmed`) and their sessions end; enabling does not bring those
    back."""
    user = _login(store, user_name)
    with store.atomic():
        if not enabled:
            _keep_an_admin(store, user, roles=user.roles, enabled=False)
        saved = store.save_user(replace(user, enabled=enabled))
        if not enabled:
            store.end_user_sessions(user.id)
    return saved


def delete_user(*, store: Store, user_name: str) -> User:
    """Delete the login `user_name`: no password, disabled, every session ended. The user row
    stays as the owner of their interactions (its id and names), as an owner met on import
    does; `add` gives the name a login again."""
    user = _login(store, user_name)
    with store.atomic():
        _keep_an_admin(store, user, roles=user.roles, enabled=False)
        saved = store.save_user(replace(user, enabled=False, password_hash=None))
        store.end_user_sessions(user.id)
    return saved


def set_roles(*, store: Store, user_name: str, roles: frozenset[Role]) -> User:
    """Give `user_name` these roles; they apply from the user's next request (every request
    reads the user's roles), sessions included."""
    if not roles:
        raise InvalidInput("role", "at least one role is required")
    user = _login(store, user_name)
    with store.atomic():
        _keep_an_admin(store, user, roles=roles, enabled=user.enabled)
        return store.save_user(replace(user, roles=roles))


def _login(store: Store, user_name: str) -> User:
    user = store.get_user_by_name(user_name)
    if user is None:
        raise NotFound("user", user_name)
    return user


def _keep_an_admin(store: Store, user: User, *, roles: frozenset[Role], enabled: bool) -> None:
    """Refuse the change that would leave no admin who can log in."""
    if not user.is_admin or not user.can_login or (enabled and Role.ADMIN in roles):
        return
    others = [u for u in store.list_users() if u.id != user.id and u.is_admin and u.can_login]
    if not others:
        raise Conflict(f"{user.user_name!r} is the last admin who can log in")


def list_users(*, store: Store) -> list[User]:
    return store.list_users()


def read_user(*, store: Store, user: User, user_id: str) -> User:
    """One user: anybody themself, supervisors and admins anyone (GWS `GET /users/{id}`)."""
    if user_id != user.id and not user.reads_everything:
        raise PermissionDenied("an agent may read only their own user")
    found = store.get_user(user_id)
    if found is None:
        raise NotFound("user", user_id)
    return found


@dataclass
class Authenticator:
    """Checks credentials and sessions; keeps the short-lived caches of both."""

    store: Store
    cache_seconds: float = 60.0
    session_idle_seconds: float = 28_800.0
    # After this many failed password checks in a row, a user name is refused without a check
    # for `lockout_seconds` (0: never): online guessing gets a few tries a minute. Counted in
    # this process, or with `shared_lockout` (several worker processes) in the store.
    max_failures: int = 5
    lockout_seconds: float = 60.0
    shared_lockout: bool = False
    clock: Callable[[], float] = time.monotonic
    wall_clock: Callable[[], float] = time.time  # session issue times (epoch seconds)
    _key: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    _cache: dict[bytes, tuple[float, User]] = field(default_factory=dict)
    _sessions: dict[str, tuple[float, User]] = field(default_factory=dict)
    # user id -> the store's change stamp when the user was last read, and the user as read
    _confirmed: dict[str, tuple[int, User]] = field(default_factory=dict)
    _failures: dict[str, tuple[int, float]] = field(default_factory=dict)  # count, refused until
    _renewing: set[bytes] = field(default_factory=set)  # digests checked again in the background
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _next_sweep: float = 0.0
    _signer: TokenSigner | None = None

    # --- passwords ---------------------------------------------------------------------------

    def cached_basic(self, user_name: str, password: str) -> User | None:
        """The user of a recent successful Basic check of these credentials; no I/O. A locked
        out user name is refused (LockedOut) even with the right password cached."""
        self._refuse_if_locked_out(user_name)
        hit = self._cache.get(self._digest(user_name, password))
        return hit[1] if hit and hit[0] > time.monotonic() else None

    def basic(self, user_name: str, password: str) -> User:
        """The user of these credentials, else Unauthenticated (LockedOut after too many
        failures). An unknown name costs one hash check too, as a wrong password does."""
        cached = self.cached_basic(user_name, password)
        if cached is not None:
            current = self.confirmed(cached)
            if current is None:
                raise Unauthenticated()
            self._renew_if_aging(user_name, password)
            return current
        if self.shared_lockout:
            self._refuse_if_locked_out_anywhere(user_name)
        user = self.store.get_user_by_name(user_name)
        stored = user.password_hash if user is not None and user.can_login else None
        if not _verify(stored or _dummy_hash(), password) or user is None or stored is None:
            self._count_failure(user_name)
            raise Unauthenticated()
        if self.shared_lockout:
            self.store.clear_login_failures(user_name)
        with self._lock:
            self._failures.pop(user_name, None)
            if len(self._cache) > _CACHE_LIMIT:
                self._cache.clear()
            self._cache[self._digest(user_name, password)] = (
                time.monotonic() + self.cache_seconds,
                user,
            )
        return user

    def _renew_if_aging(self, user_name: str, password: str) -> None:
        """A remembered check in the second half of its life is done again in the background,
        so that a caller who keeps coming never waits for one in line. A CometD client on
        Basic sends a long poll every few hundred milliseconds; the poll after each expiry
        waited for the hash check (and the store's failure counter) behind the other requests
        on SQLite's writer, 1.3-2.1 s with 60 writes a second (bench/changes.py)."""
        digest = self._digest(user_name, password)
        with self._lock:
            hit = self._cache.get(digest)
            if hit is None or digest in self._renewing:
                return
            if hit[0] - time.monotonic() > self.cache_seconds / 2:
                return
            self._renewing.add(digest)
        threading.Thread(
            target=self._renew,
            args=(digest, user_name, password),
            name="openucs-basic-renew",
            daemon=True,
        ).start()

    def _renew(self, digest: bytes, user_name: str, password: str) -> None:
        """Check remembered credentials again: remembered anew when they still hold, else
        forgotten (a changed password ends them now, not at the expiry). Not a login attempt:
        neither a failure nor a success is counted."""
        try:
            user = self.store.get_user_by_name(user_name)
            stored = user.password_hash if user is not None and user.can_login else None
            holds = user is not None and stored is not None and _verify(stored, password)
            with self._lock:
                if holds and user is not None:
                    self._cache[digest] = (time.monotonic() + self.cache_seconds, user)
                else:
                    self._cache.pop(digest, None)
        except Exception:  # the entry expires as before; the next call checks in line
            log.warning("could not check remembered credentials again", exc_info=True)
        finally:
            with self._lock:
                self._renewing.discard(digest)

    def confirmed_at_once(self, user: User) -> User | None:
        """What `confirmed` answers, when it can tell without reading the user: nothing has
        been committed to the database (by any process) since this process last read them
        (`Store.change_stamp`). No I/O but that stamp; None: call `confirmed`."""
        seen = self._confirmed.get(user.id)
        if seen is None:
            return None
        stamp = self.store.change_stamp()
        return seen[1] if stamp is not None and stamp == seen[0] else None

    def confirmed(self, user: User) -> User | None:
        """The user as stored now, when they may still log in; else None, and the caches
        forget them. Roles and names come from the store, so a change applies at once."""
        unchanged = self.confirmed_at_once(user)
        if unchanged is not None:
            return unchanged
        stamp = self.store.change_stamp()  # before the read: a commit in between reads again
        current = self.store.get_user(user.id)
        if current is not None and current.can_login:
            if stamp is not None:
                with self._lock:
                    if len(self._confirmed) > _CACHE_LIMIT:
                        self._confirmed.clear()
                    self._confirmed[user.id] = (stamp, current)
            return current
        with self._lock:
            self._confirmed.pop(user.id, None)
            for digest in [k for k, (_, u) in self._cache.items() if u.id == user.id]:
                self._cache.pop(digest, None)
            for token_hash in [k for k, (_, u) in self._sessions.items() if u.id == user.id]:
                self._sessions.pop(token_hash, None)
        return None

    def _refuse_if_locked_out(self, user_name: str) -> None:
        with self._lock:
            _, until = self._failures.get(user_name, (0, 0.0))
        wait = until - self.clock()
        if wait > 0:
            raise LockedOut(retry_after=math.ceil(wait))

    def _count_failure(self, user_name: str) -> None:
        if self.max_failures <= 0:
            return
        if self.shared_lockout:
            until_ms = int((self.wall_clock() + self.lockout_seconds) * 1000)
            locked = self.store.count_login_failure(
                user_name, max_failures=self.max_failures, until_ms=until_ms
            )
            if locked:
                self._mirror_lockouts({user_name: locked})
            return
        with self._lock:
            count = self._failures.get(user_name, (0, 0.0))[0] + 1
            if len(self._failures) > _CACHE_LIMIT:
                self._failures.clear()
            if count >= self.max_failures:
                self._failures[user_name] = (0, self.clock() + self.lockout_seconds)
            else:
                self._failures[user_name] = (count, 0.0)

    def _refuse_if_locked_out_anywhere(self, user_name: str) -> None:
        """Shared lockout: the lockout another process may have decided, from the store."""
        until_ms = self.store.login_locked_until(user_name)
        if until_ms > self.wall_clock() * 1000:
            self._mirror_lockouts({user_name: until_ms})
            self._refuse_if_locked_out(user_name)

    def refresh_lockouts(self) -> None:
        """Shared lockout: copy the lockouts in force from the store, so that a password
        remembered here (checked without I/O) is refused too. Run every second or so."""
        self._mirror_lockouts(self.store.login_lockouts(int(self.wall_clock() * 1000)))

    def _mirror_lockouts(self, lockouts: dict[str, int]) -> None:
        now_wall, now = self.wall_clock(), self.clock()
        with self._lock:
            for user_name, until_ms in lockouts.items():
                self._failures[user_name] = (0, now + until_ms / 1000 - now_wall)

    def _digest(self, user_name: str, password: str) -> bytes:
        return hmac.digest(self._key, f"{user_name}\0{password}".encode(), "sha256")

    # --- sessions ----------------------------------------------------------------------------

    @property
    def signer(self) -> TokenSigner:
        """The token signer; the first use reads (or creates) the shared key in the store."""
        if self._signer is None:
            self._signer = TokenSigner.shared(self.store)
        return self._signer

    @property
    def signer_ready(self) -> bool:
        """Whether `mint_session` and `csrf_token` can run without I/O."""
        return self._signer is not None

    def mint_session(self, user: User) -> str:
        """A new session token; nothing is stored until it comes back as a cookie."""
        return self.signer.mint(user.id, int(self.wall_clock())).token

    def open_session(self, user: User) -> tuple[str, Session]:
        """A new session, stored now (the web login form); the token and the stored record."""
        minted = self.signer.mint(user.id, int(self.wall_clock()))
        return minted.token, self._store_session(minted)

    def csrf_token(self, token: str) -> str | None:
        """The CSRF token of a session token with a valid signature (not checked for expiry)."""
        parsed = self.signer.parse(token)
        return None if parsed is None else self.signer.csrf_token(parsed.session_id)

    def cached_session_user(self, token: str) -> User | None:
        """The user of a session resolved in the last few seconds; no I/O."""
        hit = self._sessions.get(hash_token(token))
        return hit[1] if hit and hit[0] > time.monotonic() else None

    def session_user(self, token: str) -> tuple[Session, User] | None:
        """The session and user of a cookie, else None (forged, expired, closed, or the user
        can no longer log in). The first use of a token stores its session."""
        parsed = self.signer.parse(token)
        if parsed is None:
            return None
        session = self.store.get_session(parsed.token_hash)
        if session is None:
            if self.wall_clock() - parsed.issued > self.session_idle_seconds:
                return None  # never used, and too old to start now
            user = self.store.get_user(parsed.user_id)
            if user is None or not user.can_login:
                return None
            session = self._store_session(parsed)
        else:
            user = self.store.get_user(session.user_id)
        user = self._user_if_open(session, user)
        if user is None:
            return None
        with self._lock:
            if len(self._sessions) > _CACHE_LIMIT:
                self._sessions.clear()
            self._sessions[session.token_hash] = (time.monotonic() + SESSION_CACHE_SECONDS, user)
        return session, user

    def _user_if_open(self, session: Session, user: User | None) -> User | None:
        """The user when the stored session may be used; else None, and the session expired
        (or closed). Moves the last-seen time forward now and then."""
        if session.closed_at is not None:
            return None
        now = datetime.now(UTC)
        idle = (now - session.last_seen_at).total_seconds()
        if idle > self.session_idle_seconds:
            self.store.delete_session(session.token_hash)
            return None
        if user is None or not user.can_login:
            self.store.close_session(replace(session, closed_at=now))
            return None
        if idle > SESSION_TOUCH_SECONDS:
            self.store.touch_session(session.token_hash, to_millis(now))
            session.last_seen_at = now
        return user

    def _store_session(self, parsed: SessionToken) -> Session:
        self._sweep_idle_sessions()
        return self.store.add_session(self._record(parsed, closed=False))

    def _record(self, parsed: SessionToken, *, closed: bool) -> Session:
        """The stored form of a token's session, seen now (and closed now, when `closed`)."""
        issued = datetime.fromtimestamp(parsed.issued, UTC)
        csrf = self.signer.csrf_token(parsed.session_id)
        now = datetime.now(UTC)
        return Session(
            parsed.token_hash, parsed.user_id, csrf, issued, now, now if closed else None
        )

    def close_session(self, token: str) -> None:
        """Log out: the token is refused from now on, in every process (within
        `SESSION_CACHE_SECONDS` in the others)."""
        parsed = self.signer.parse(token)
        if parsed is None:
            return
        with self._lock:
            self._sessions.pop(parsed.token_hash, None)
        self.store.close_session(self._record(parsed, closed=True))

    def expire_sessions(self) -> int:
        """Delete the sessions, open or closed, not seen for `session_idle_seconds`: by then
        their tokens are refused by their issue time, so a closed one cannot come back."""
        cutoff = to_millis(datetime.now(UTC)) - int(self.session_idle_seconds * 1000)
        return self.store.delete_sessions_seen_before(cutoff)

    def _sweep_idle_sessions(self) -> None:
        """Expire idle sessions now and then, when a new one is stored."""
        now = time.monotonic()
        if now < self._next_sweep:
            return
        self._next_sweep = now + SESSION_SWEEP_SECONDS
        self.expire_sessions()


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


_dummy: tuple[PasswordHasher, str] | None = None


def _dummy_hash() -> str:
    """A hash of a random password, made by the current hasher, to check in place of a missing
    one: an unknown name then costs as much as a known one."""
    global _dummy
    hasher = _hasher
    if _dummy is None or _dummy[0] is not hasher:
        _dummy = (hasher, hasher.hash(secrets.token_urlsafe(16)))
    return _dummy[1]


def user_id_of(store: Store, ref: str) -> str:
    """The id of the user `ref` names, by user name or by id; NotFound when neither."""
    found = store.get_user_by_name(ref) or store.get_user(ref)
    if found is None:
        raise NotFound("user", ref)
    return found.id

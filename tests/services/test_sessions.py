"""Sessions: idle expiry (a used session stays alive, an unused one expires), signed tokens
stored on first use, logout for good, and one key for every process on a database."""

import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from openucs.domain.enums import Role
from openucs.domain.formats import to_millis
from openucs.domain.models import User
from openucs.services.session_tokens import hash_token
from openucs.services.users import SESSION_TOUCH_SECONDS, Authenticator, add_user
from openucs.store import Store

IDLE = 3600.0


def login(store: Store) -> tuple[Authenticator, str]:
    user = add_user(
        store=store, user_name="agent1", roles=frozenset({Role.AGENT}), password="a-long-password"
    )
    auth = Authenticator(store, session_idle_seconds=IDLE)
    token, _ = auth.open_session(user)
    return auth, token


def agent1(store: Store) -> User:
    user = store.get_user_by_name("agent1")
    assert user is not None
    return user


def seen(store: Store, token: str) -> datetime:
    session = store.get_session(hash_token(token))
    assert session is not None
    return session.last_seen_at


def test_use_after_a_while_moves_last_seen_forward(store: Store) -> None:
    auth, token = login(store)
    earlier = datetime.now(UTC) - timedelta(seconds=SESSION_TOUCH_SECONDS + 30)
    store.touch_session(hash_token(token), to_millis(earlier))
    assert auth.session_user(token) is not None
    assert seen(store, token) > earlier + timedelta(seconds=SESSION_TOUCH_SECONDS)


def test_recent_use_writes_nothing(store: Store) -> None:
    auth, token = login(store)
    before = seen(store, token)
    assert auth.session_user(token) is not None
    assert seen(store, token) == before


def test_a_session_idle_for_too_long_is_refused_and_deleted(store: Store) -> None:
    auth, token = login(store)
    stale = datetime.now(UTC) - timedelta(seconds=IDLE + 5)
    store.touch_session(hash_token(token), to_millis(stale))
    assert auth.session_user(token) is None
    assert store.get_session(hash_token(token)) is None


def test_opening_a_session_sweeps_idle_ones(store: Store) -> None:
    _, token = login(store)
    stale = datetime.now(UTC) - timedelta(seconds=IDLE + 5)
    store.touch_session(hash_token(token), to_millis(stale))
    other = Authenticator(store, session_idle_seconds=IDLE)
    user = agent1(store)
    other.open_session(user)
    assert store.get_session(hash_token(token)) is None


def test_a_token_is_stored_only_when_first_used(store: Store) -> None:
    add_user(store=store, user_name="agent1", roles=frozenset({Role.AGENT}), password="x" * 12)
    user = agent1(store)
    auth = Authenticator(store, session_idle_seconds=IDLE)
    token = auth.mint_session(user)
    assert store.get_session(hash_token(token)) is None
    used = auth.session_user(token)
    assert used is not None
    session, found = used
    assert found.id == user.id
    assert store.get_session(hash_token(token)) == session
    assert session.csrf_token == auth.csrf_token(token)


def test_processes_on_one_database_share_the_key(store: Store) -> None:
    auth, token = login(store)
    other = Authenticator(store, session_idle_seconds=IDLE)  # another process, same database
    user = agent1(store)
    minted = other.mint_session(user)
    assert auth.session_user(minted) is not None
    assert other.csrf_token(token) == auth.csrf_token(token)
    other.close_session(token)
    assert Authenticator(store).session_user(token) is None


def test_a_logged_out_token_stays_refused_even_if_never_used(store: Store) -> None:
    auth, _ = login(store)
    token = auth.mint_session(agent1(store))
    auth.close_session(token)
    closed = store.get_session(hash_token(token))
    assert closed is not None and closed.closed_at is not None
    assert auth.session_user(token) is None


def test_an_unused_token_older_than_the_idle_time_is_refused(store: Store) -> None:
    login(store)
    user = agent1(store)
    late = Authenticator(store, session_idle_seconds=IDLE)
    token = late.mint_session(user)
    late.wall_clock = lambda: time.time() + IDLE + 5
    assert late.session_user(token) is None
    assert store.get_session(hash_token(token)) is None
    fresh = late.mint_session(user)  # issued by the moved clock: fine
    assert late.session_user(fresh) is not None


def test_a_disabled_user_s_session_is_closed_for_good(store: Store) -> None:
    _, token = login(store)
    user = agent1(store)
    store.save_user(replace(user, enabled=False))
    assert Authenticator(store).session_user(token) is None
    store.save_user(user)
    assert Authenticator(store).session_user(token) is None
    closed = store.get_session(hash_token(token))
    assert closed is not None and closed.closed_at is not None


def test_the_sweep_deletes_closed_and_idle_sessions(store: Store) -> None:
    auth, token = login(store)
    auth.close_session(token)
    idle, _ = auth.open_session(agent1(store))
    assert auth.expire_sessions() == 0
    stale = to_millis(datetime.now(UTC) - timedelta(seconds=IDLE + 5))
    store.touch_session(hash_token(token), stale)
    store.touch_session(hash_token(idle), stale)
    assert auth.expire_sessions() == 2

"""Session idle expiry: a used session stays alive, an unused one expires."""

from datetime import UTC, datetime, timedelta

from openucs.domain.enums import Role
from openucs.domain.formats import to_millis
from openucs.services.users import SESSION_TOUCH_SECONDS, Authenticator, add_user, hash_token

IDLE = 3600.0


def login(store):
    user = add_user(
        store=store, user_name="agent1", roles=frozenset({Role.AGENT}), password="a-long-password"
    )
    auth = Authenticator(store, session_idle_seconds=IDLE)
    token, _ = auth.open_session(user)
    return auth, token


def seen(store, token):
    session = store.get_session(hash_token(token))
    assert session is not None
    return session.last_seen_at


def test_use_after_a_while_moves_last_seen_forward(store):
    auth, token = login(store)
    earlier = datetime.now(UTC) - timedelta(seconds=SESSION_TOUCH_SECONDS + 30)
    store.touch_session(hash_token(token), to_millis(earlier))
    assert auth.session_user(token) is not None
    assert seen(store, token) > earlier + timedelta(seconds=SESSION_TOUCH_SECONDS)


def test_recent_use_writes_nothing(store):
    auth, token = login(store)
    before = seen(store, token)
    assert auth.session_user(token) is not None
    assert seen(store, token) == before


def test_a_session_idle_for_too_long_is_refused_and_deleted(store):
    auth, token = login(store)
    stale = datetime.now(UTC) - timedelta(seconds=IDLE + 5)
    store.touch_session(hash_token(token), to_millis(stale))
    assert auth.session_user(token) is None
    assert store.get_session(hash_token(token)) is None


def test_opening_a_session_sweeps_idle_ones(store):
    _, token = login(store)
    stale = datetime.now(UTC) - timedelta(seconds=IDLE + 5)
    store.touch_session(hash_token(token), to_millis(stale))
    other = Authenticator(store, session_idle_seconds=IDLE)
    user = store.get_user_by_name("agent1")
    other.open_session(user)
    assert store.get_session(hash_token(token)) is None

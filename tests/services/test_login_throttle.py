"""Failed password checks: a user name is refused for a while after a few in a row."""

from __future__ import annotations

import pytest

from openucs.domain.enums import Role
from openucs.errors import LockedOut, Unauthenticated
from openucs.services.users import Authenticator, add_user
from openucs.store import Store

PASSWORD = "a-long-password"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def auth(store: Store, clock: Clock) -> Authenticator:
    for name in ("agent1", "agent2"):
        add_user(store=store, user_name=name, roles=frozenset({Role.AGENT}), password=PASSWORD)
    return Authenticator(store, max_failures=3, lockout_seconds=60, clock=clock)


def fail(auth: Authenticator, user_name: str, times: int) -> None:
    for _ in range(times):
        with pytest.raises(Unauthenticated):
            auth.basic(user_name, "wrong password")


def test_the_right_password_is_refused_while_locked_out_then_accepted(auth, clock):
    fail(auth, "agent1", 3)
    with pytest.raises(LockedOut) as caught:
        auth.basic("agent1", PASSWORD)
    assert caught.value.retry_after == 60
    assert str(caught.value) == "Access denied"

    clock.now += 59.5
    with pytest.raises(LockedOut) as caught:
        auth.basic("agent1", PASSWORD)
    assert caught.value.retry_after == 1

    clock.now += 1
    assert auth.basic("agent1", PASSWORD).user_name == "agent1"


def test_a_success_resets_the_count_and_other_names_are_untouched(auth):
    fail(auth, "agent1", 2)
    auth.basic("agent1", PASSWORD)
    fail(auth, "agent1", 2)
    assert auth.basic("agent1", PASSWORD).user_name == "agent1"
    fail(auth, "agent2", 3)
    assert auth.basic("agent1", PASSWORD).user_name == "agent1"
    with pytest.raises(LockedOut):
        auth.basic("agent2", PASSWORD)


def test_unknown_names_lock_too_and_the_lock_skips_the_password_check(auth, monkeypatch):
    fail(auth, "nobody", 3)
    checked: list[str] = []
    monkeypatch.setattr(auth.store, "get_user_by_name", checked.append)
    with pytest.raises(LockedOut):
        auth.basic("nobody", "anything")
    assert checked == []


def test_zero_failures_turns_the_lock_off(store, clock):
    add_user(store=store, user_name="agent1", roles=frozenset({Role.AGENT}), password=PASSWORD)
    auth = Authenticator(store, max_failures=0, clock=clock)
    fail(auth, "agent1", 10)
    assert auth.basic("agent1", PASSWORD).user_name == "agent1"

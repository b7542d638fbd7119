"""Failed password checks: a user name is refused for a while after a few in a row, even with
the right password remembered; every refused name costs one hash check."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Literal

import pytest
from argon2 import PasswordHasher

from openucs.domain.enums import Role
from openucs.errors import LockedOut, Unauthenticated
from openucs.services import users as user_service
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


def test_the_right_password_is_refused_while_locked_out_then_accepted(
    auth: Authenticator, clock: Clock
) -> None:
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


def test_a_success_resets_the_count_and_other_names_are_untouched(auth: Authenticator) -> None:
    fail(auth, "agent1", 2)
    auth.basic("agent1", PASSWORD)
    fail(auth, "agent1", 2)
    assert auth.basic("agent1", PASSWORD).user_name == "agent1"
    fail(auth, "agent2", 3)
    assert auth.basic("agent1", PASSWORD).user_name == "agent1"
    with pytest.raises(LockedOut):
        auth.basic("agent2", PASSWORD)


def test_unknown_names_lock_too_and_the_lock_skips_the_password_check(
    auth: Authenticator, monkeypatch: pytest.MonkeyPatch
) -> None:
    fail(auth, "nobody", 3)
    checked: list[str] = []
    monkeypatch.setattr(auth.store, "get_user_by_name", checked.append)
    with pytest.raises(LockedOut):
        auth.basic("nobody", "anything")
    assert checked == []


def test_zero_failures_turns_the_lock_off(store: Store, clock: Clock) -> None:
    add_user(store=store, user_name="agent1", roles=frozenset({Role.AGENT}), password=PASSWORD)
    auth = Authenticator(store, max_failures=0, clock=clock)
    fail(auth, "agent1", 10)
    assert auth.basic("agent1", PASSWORD).user_name == "agent1"


def test_the_lockout_holds_while_the_right_password_is_remembered(
    auth: Authenticator, clock: Clock
) -> None:
    assert auth.basic("agent1", PASSWORD).user_name == "agent1"
    assert auth.cached_basic("agent1", PASSWORD) is not None
    fail(auth, "agent1", 3)
    with pytest.raises(LockedOut):
        auth.cached_basic("agent1", PASSWORD)
    with pytest.raises(LockedOut):
        auth.basic("agent1", PASSWORD)
    clock.now += 61
    assert auth.cached_basic("agent1", PASSWORD) is not None


class CountingHasher(PasswordHasher):
    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.verified = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        self.verified += 1
        return super().verify(hash, password)


def test_every_refused_name_costs_one_hash_check(
    store: Store, auth: Authenticator, monkeypatch: pytest.MonkeyPatch
) -> None:
    hasher = CountingHasher()
    monkeypatch.setattr(user_service, "_hasher", hasher)
    add_user(store=store, user_name="owner", roles=frozenset({Role.AGENT}), password=None)
    disabled = store.get_user_by_name("agent2")
    assert disabled is not None
    store.save_user(replace(disabled, enabled=False))
    for name, password in [
        ("agent1", "wrong password"),
        ("nobody", PASSWORD),
        ("owner", PASSWORD),  # met on import: no password
        ("agent2", PASSWORD),  # disabled, with the right password
    ]:
        before = hasher.verified
        with pytest.raises(Unauthenticated):
            auth.basic(name, password)
        assert hasher.verified == before + 1, name
    fail(auth, "nobody", 2)  # locked out now: no check at all
    before = hasher.verified
    with pytest.raises(LockedOut):
        auth.basic("nobody", PASSWORD)
    assert hasher.verified == before


def test_shared_lockout_counts_failures_over_every_worker(
    auth: Authenticator, store: Store, clock: Clock
) -> None:
    wall = Clock()
    one, two, three = (
        Authenticator(
            store,
            max_failures=3,
            lockout_seconds=60,
            clock=clock,
            wall_clock=wall,
            shared_lockout=True,
        )
        for _ in range(3)
    )
    for worker in (one, two):
        assert worker.basic("agent1", PASSWORD).user_name == "agent1"  # remembered by both
    fail(one, "agent1", 2)
    fail(two, "agent1", 1)  # the third in a row, on the other worker: locked out
    with pytest.raises(LockedOut):
        three.basic("agent1", PASSWORD)  # a worker that remembers nothing asks the store
    one.refresh_lockouts()  # what each worker does every second
    with pytest.raises(LockedOut):
        one.cached_basic("agent1", PASSWORD)  # the remembered password is refused too
    assert two.basic("agent2", PASSWORD).user_name == "agent2"
    wall.now += 61
    clock.now += 61
    assert one.basic("agent1", PASSWORD).user_name == "agent1"
    fail(two, "agent1", 2)
    assert three.basic("agent1", PASSWORD).user_name == "agent1"  # checked: count again
    fail(one, "agent1", 2)
    assert store.login_locked_until("agent1") < wall.now * 1000  # no second lockout


def _renewed(auth: Authenticator) -> None:
    deadline = time.monotonic() + 30
    while auth._renewing and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not auth._renewing


def _age(auth: Authenticator, user_name: str, left: float) -> None:
    """The remembered check of `user_name` made to expire in `left` seconds."""
    [(digest, (_, user))] = [
        (d, hit) for d, hit in auth._cache.items() if hit[1].user_name == user_name
    ]
    auth._cache[digest] = (time.monotonic() + left, user)


def _left(auth: Authenticator, user_name: str) -> float:
    hits = [hit for hit in auth._cache.values() if hit[1].user_name == user_name]
    return hits[0][0] - time.monotonic() if hits else 0.0


def test_a_remembered_password_in_use_is_checked_again_before_it_expires(store: Store) -> None:
    add_user(store=store, user_name="agent1", roles=frozenset({Role.AGENT}), password=PASSWORD)
    auth = Authenticator(store, cache_seconds=60)
    assert auth.basic("agent1", PASSWORD).user_name == "agent1"  # checked, remembered
    auth.basic("agent1", PASSWORD)
    assert not auth._renewing  # the first half of its life: nothing more
    _age(auth, "agent1", left=20)
    assert auth.basic("agent1", PASSWORD).user_name == "agent1"  # at once; checked behind
    _renewed(auth)
    assert _left(auth, "agent1") > 50  # remembered anew


def test_a_changed_password_ends_the_remembered_one_at_its_next_check(store: Store) -> None:
    user = add_user(
        store=store, user_name="agent1", roles=frozenset({Role.AGENT}), password=PASSWORD
    )
    auth = Authenticator(store, cache_seconds=60)
    auth.basic("agent1", PASSWORD)
    store.save_user(replace(user, password_hash=user_service.hash_password("another-password")))
    _age(auth, "agent1", left=20)
    auth.basic("agent1", PASSWORD)  # still within its life: accepted, checked again behind
    _renewed(auth)
    assert auth.cached_basic("agent1", PASSWORD) is None  # forgotten before its expiry
    with pytest.raises(Unauthenticated):
        auth.basic("agent1", PASSWORD)

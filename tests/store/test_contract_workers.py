"""The Store contract for the state the worker processes share (login failures and
lockouts, per-user referenceIds), on every engine; counting at once from threads loses no
count."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from openucs.store import Store


def test_the_third_failure_in_a_row_locks_out_and_starts_again(store: Store) -> None:
    def count() -> int:
        return store.count_login_failure("ann", max_failures=3, until_ms=5_000)

    assert store.login_locked_until("ann") == 0
    assert [count(), count(), count()] == [0, 0, 5_000]
    assert store.login_locked_until("ann") == 5_000
    assert store.login_lockouts(4_999) == {"ann": 5_000}
    assert store.login_lockouts(5_000) == {}
    assert [count(), count(), count()] == [0, 0, 5_000]  # counted from zero again
    assert store.login_locked_until("bob") == 0


def test_a_success_forgets_the_failures(store: Store) -> None:
    store.count_login_failure("ann", max_failures=2, until_ms=5_000)
    store.clear_login_failures("ann")
    assert store.count_login_failure("ann", max_failures=2, until_ms=5_000) == 0
    store.clear_login_failures("nobody")  # nothing to forget: no error


def test_failures_counted_at_once_all_count(store: Store) -> None:
    with ThreadPoolExecutor(4) as pool:
        ends = list(
            pool.map(
                lambda _: store.count_login_failure("ann", max_failures=8, until_ms=9),
                range(8),
            )
        )
    assert sorted(ends) == [0] * 7 + [9]


def test_user_reference_ids_count_per_user_at_once(store: Store) -> None:
    assert store.last_user_reference_id("u1") == 0
    with ThreadPoolExecutor(4) as pool:
        given = list(pool.map(lambda _: store.next_user_reference_id("u1"), range(10)))
    assert sorted(given) == list(range(1, 11))
    assert store.next_user_reference_id("u2") == 1
    assert store.last_user_reference_id("u1") == 10

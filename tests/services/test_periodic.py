"""The background job the prunes and the archive schedule run on: its turns, its failures,
its stop."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import pytest

from openucs.services.periodic import PeriodicJob


class Counting(PeriodicJob):
    thread_name = "test-periodic"
    failure = "counting failed"

    def __init__(self, every: timedelta, *, wait_first: bool = False, fail: int = 0) -> None:
        super().__init__(every, wait_first=wait_first)
        self.runs = 0
        self.fail = fail
        self.ran = threading.Event()

    def run_once(self) -> int:
        self.runs += 1
        if self.runs <= self.fail:
            raise RuntimeError("the database is away")
        self.ran.set()
        return self.runs


def test_it_runs_at_once_and_stops_when_closed() -> None:
    job = Counting(timedelta(hours=1))
    job.start()
    assert job.ran.wait(5)
    job.close()
    assert job.runs == 1
    assert job.stopping.is_set()
    assert not any(t.name == "test-periodic" for t in threading.enumerate())


def test_a_failure_is_logged_and_the_next_turn_runs(caplog: pytest.LogCaptureFixture) -> None:
    job = Counting(timedelta(milliseconds=10), fail=2)
    with caplog.at_level(logging.ERROR, logger="openucs.periodic"):
        job.start()
        assert job.ran.wait(5)
        job.close()
    assert job.runs >= 3
    assert [r.getMessage() for r in caplog.records] == ["counting failed"] * 2


def test_wait_first_runs_nothing_before_its_first_turn() -> None:
    job = Counting(timedelta(hours=1), wait_first=True)
    job.start()
    assert not job.ran.wait(0.2)
    job.close()
    assert job.runs == 0


def test_a_disabled_job_starts_no_thread() -> None:
    class Off(Counting):
        @property
        def enabled(self) -> bool:
            return False

    job = Off(timedelta(milliseconds=10))
    job.start()
    assert not job.ran.wait(0.2)
    job.close()
    assert job.runs == 0

"""The event-loop twin of PeriodicJob: the lockout mirror and the end of disabled users'
CometD clients run on it."""

from __future__ import annotations

import asyncio
import logging

import pytest

from openucs.api.background import PeriodicTask


class Counting(PeriodicTask):
    failure = "counting failed"

    def __init__(self, every: float, *, wait_first: bool = False, fail: int = 0) -> None:
        super().__init__(every, wait_first=wait_first)
        self.runs = 0
        self.fail = fail

    async def run_once(self) -> int:
        self.runs += 1
        if self.runs <= self.fail:
            raise RuntimeError("the database is away")
        return self.runs


def test_a_failure_is_logged_and_the_next_turn_runs(caplog: pytest.LogCaptureFixture) -> None:
    async def scenario() -> int:
        task = Counting(0.01, fail=2)
        await task.start()
        while task.runs < 3:
            await asyncio.sleep(0.01)
        await task.stop()
        return task.runs

    with caplog.at_level(logging.WARNING, logger="openucs.api.background"):
        assert asyncio.run(scenario()) >= 3
    assert [r.getMessage() for r in caplog.records] == ["counting failed"] * 2


def test_wait_first_runs_nothing_before_its_first_turn() -> None:
    async def scenario() -> int:
        task = Counting(3600, wait_first=True)
        await task.start()
        await asyncio.sleep(0.1)
        await task.stop()
        return task.runs

    assert asyncio.run(scenario()) == 0


def test_without_wait_first_it_runs_at_once_and_stop_ends_it() -> None:
    async def scenario() -> tuple[int, int]:
        task = Counting(3600)
        await task.start()
        await asyncio.sleep(0.1)
        await task.stop()
        ran = task.runs
        await asyncio.sleep(0.05)
        return ran, task.runs

    assert asyncio.run(scenario()) == (1, 1)

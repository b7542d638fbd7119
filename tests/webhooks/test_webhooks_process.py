"""Webhooks from a real `openucs serve` to a real receiver process, on every engine: a server
killed with SIGKILL in the middle of a retry schedule, then started again, delivers every
record, in seq order, with at most one sent twice after a 2xx."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import httpx

from tests.cli.conftest import Run
from tests.cli.test_changes_process import ADMIN, NEW, _users, serving
from tests.webhooks.helpers import Received, receiving

FAILURES = 3  # the receiver's 500s: attempts at 0, 1 and 3 s, the 4th (7 s) goes through
COUNT = 20
FAST = {
    "webhook_allow_private_targets": "true",
    "webhook_retry_base_seconds": "1",
    "webhook_timeout_seconds": "1",
    "webhook_poll_ms": "50",
}


def _answered_2xx(got: list[Received]) -> list[Received]:
    return [r for r in got if r.n > FAILURES]  # the receiver fails the first FAILURES


def test_a_killed_server_resumes_its_retry_schedule_and_loses_nothing(
    run: Run, database_url: str, tmp_path: Path
) -> None:
    _users(run, database_url)
    log = tmp_path / "server.log"
    with receiving(tmp_path, fail=FAILURES) as receiver:
        with serving(database_url, log, **FAST) as (base, process):
            with httpx.Client(auth=ADMIN, timeout=10.0) as client:
                made = client.post(f"{base}/webhooks", json={"url": receiver.url})
                assert made.status_code == 201, made.text
                for n in range(COUNT):
                    answer = client.post(f"{base}/interactions", json={"id": f"K{n}", **NEW})
                    assert answer.status_code == 201
            receiver.wait_for(lambda got: len(got) >= FAILURES - 1)
            process.send_signal(signal.SIGKILL)  # in the retry schedule of record 1
            process.wait(timeout=10)
        killed_at = time.monotonic()
        before = receiver.received()
        assert [r.seq for r in before] == [1] * len(before)  # nothing got through yet
        assert len(before) <= FAILURES

        with serving(database_url, log, **FAST):
            got = receiver.wait_for(lambda g: {r.seq for r in _answered_2xx(g)} >= set(
                range(1, COUNT + 1)
            ), timeout=60)  # fmt: skip
    assert time.monotonic() - killed_at < 60
    delivered = [r.seq for r in _answered_2xx(got)]
    assert sorted(set(delivered)) == list(range(1, COUNT + 1))
    assert len(delivered) - COUNT <= 1  # at most the one in flight, twice
    assert delivered == sorted(delivered)  # in seq order
    assert [r.seq for r in got[:FAILURES]] == [1] * FAILURES

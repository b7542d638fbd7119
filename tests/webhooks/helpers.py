"""The receiver process of the webhook tests (tests/webhooks/receiver.py) and what it got."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RECEIVER = Path(__file__).with_name("receiver.py")


@dataclass
class Received:
    n: int
    at: float
    headers: dict[str, str]
    body: bytes

    @property
    def record(self) -> dict[str, Any]:
        return json.loads(self.body)  # type: ignore[no-any-return]

    @property
    def seq(self) -> int:
        return int(self.record["seq"])

    def header(self, name: str) -> str:
        return {k.lower(): v for k, v in self.headers.items()}[name.lower()]


@dataclass
class Receiver:
    url: str
    log: Path
    process: subprocess.Popen[bytes]

    def received(self) -> list[Received]:
        if not self.log.exists():
            return []
        entries = [json.loads(line) for line in self.log.read_text().splitlines() if line]
        return [Received(e["n"], e["at"], e["headers"], e["body"].encode()) for e in entries]

    def wait_for(
        self, done: Callable[[list[Received]], bool], timeout: float = 30.0
    ) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.received()
            if done(got):
                return got
            time.sleep(0.02)
        raise AssertionError(f"the receiver did not get what was expected: {self.received()}")


@contextmanager
def receiving(
    directory: Path, *, fail: int = 0, hang: int = 0, hang_seconds: float = 5.0
) -> Iterator[Receiver]:
    """A receiver process on a free port of 127.0.0.1; stopped at the end."""
    log = directory / f"received-{time.monotonic_ns()}.ndjson"
    args = [sys.executable, str(RECEIVER), str(log), "--fail", str(fail), "--hang", str(hang)]
    args += ["--hang-seconds", str(hang_seconds)]
    process = subprocess.Popen(args, stdout=subprocess.PIPE)
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())
        yield Receiver(f"http://127.0.0.1:{port}/hook", log, process)
    finally:
        process.kill()
        process.wait(10)
        if process.stdout is not None:
            process.stdout.close()

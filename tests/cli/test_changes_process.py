"""The change log against real `openucs serve` processes, on every engine: a server killed
with SIGKILL during acknowledged writes loses none of their records; the event stream,
read with a streaming HTTP client, resumes after `Last-Event-ID`, beats, and keeps an
agent to what they may read."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from tests.cli.conftest import Run
from tests.cli.test_serve_process import free_port, wait_until_up

ADMIN = ("boss", "boss-password")
AGENT = ("ann", "ann-password")
NEW = {"mediaType": "chat", "startDate": "2024-03-01T10:00:00Z"}


@contextmanager
def serving(url: str, log: Path, **settings: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENUCS_")}
    env.update({f"OPENUCS_{k.upper()}": v for k, v in settings.items()})
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "openucs", "serve", "--database", url, "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    base = f"http://127.0.0.1:{port}/openucs/v1"
    try:
        wait_until_up(f"http://127.0.0.1:{port}/api/v2/me", process)
        yield base, process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)


def _users(run: Run, url: str) -> None:
    for (name, password), role in ((ADMIN, "admin"), (AGENT, "agent")):
        run("users", "add", name, "--role", role, "--password-stdin", "--database", url,
            input=f"{password}\n")  # fmt: skip


def _write_until_stopped(base: str, prefix: str, acked: list[str], stop: threading.Event) -> None:
    with httpx.Client(auth=ADMIN, timeout=10.0) as client:
        n = 0
        while not stop.is_set():
            n += 1
            iid = f"{prefix}{n:06d}"
            try:
                answer = client.post(f"{base}/interactions", json={"id": iid, **NEW})
            except httpx.TransportError:
                return  # the server is gone
            if answer.status_code == 201:
                acked.append(iid)


def _all_changes(base: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    after = 0
    with httpx.Client(auth=ADMIN, timeout=30.0) as client:
        while True:
            page = client.get(f"{base}/changes", params={"after": after, "limit": 1000}).json()
            found += page["changes"]
            after = page["next"]
            if page["endOfStream"]:
                return found


def test_a_killed_server_loses_no_acknowledged_change(
    run: Run, database_url: str, tmp_path: Path
) -> None:
    _users(run, database_url)
    acked: list[str] = []
    with serving(database_url, tmp_path / "server.log") as (base, process):
        stop = threading.Event()
        writers = [
            threading.Thread(target=_write_until_stopped, args=(base, f"W{w}-", acked, stop))
            for w in range(4)
        ]
        for writer in writers:
            writer.start()
        deadline = time.monotonic() + 30
        while len(acked) < 200 and time.monotonic() < deadline:
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)  # in the middle of the writers' requests
        process.wait(timeout=10)
        stop.set()
        for writer in writers:
            writer.join(timeout=30)
    assert len(acked) >= 200

    with serving(database_url, tmp_path / "server.log") as (base, _):
        changes = _all_changes(base)
    logged = {c["interactionId"] for c in changes if c["type"] == "interaction.created"}
    assert set(acked) <= logged
    assert [c["seq"] for c in changes] == list(range(1, len(changes) + 1))


def _events(response: httpx.Response) -> Iterator[dict[str, str]]:
    """Each event of a stream as its fields; a comment comes as {"comment": ...}."""
    event: dict[str, str] = {}
    for line in response.iter_lines():
        if not line:
            if event:
                yield event
            event = {}
        elif line.startswith(":"):
            yield {"comment": line[1:].strip()}
        else:
            name, _, value = line.partition(":")
            event[name] = value.removeprefix(" ")


def _next_records(events: Iterator[dict[str, str]], count: int) -> list[dict[str, str]]:
    records = (e for e in events if "id" in e)
    return [e for _, e in zip(range(count), records, strict=False)]  # range first: no extra read


def test_the_stream_resumes_after_the_last_event_id_and_beats(
    run: Run, database_url: str, tmp_path: Path
) -> None:
    _users(run, database_url)
    fast = {"changes_poll_ms": "50", "changes_heartbeat_ms": "300"}
    with (
        serving(database_url, tmp_path / "server.log", **fast) as (base, _),
        httpx.Client(timeout=10.0) as client,
    ):
        for n in range(3):
            client.post(f"{base}/interactions", json={"id": f"S{n}", **NEW}, auth=ADMIN)
        with client.stream("GET", f"{base}/changes/stream", auth=ADMIN) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            events = _events(response)
            first = _next_records(events, 3)
            assert [e["id"] for e in first] == ["1", "2", "3"]
            assert first[0]["event"] == "interaction.created"
            assert '"interactionId":"S0"' in first[0]["data"]
            assert next(e for e in events if "comment" in e) == {"comment": "heartbeat"}
            client.post(f"{base}/interactions", json={"id": "LIVE", **NEW}, auth=ADMIN)
            [live] = _next_records(events, 1)
            assert live["id"] == "4" and '"LIVE"' in live["data"]

        resumed = {"Last-Event-ID": "2"}
        with client.stream(
            "GET", f"{base}/changes/stream?after=0", auth=ADMIN, headers=resumed
        ) as response:
            assert [e["id"] for e in _next_records(_events(response), 2)] == ["3", "4"]

        mine = {"id": "MINE", **NEW, "ownerInformation": {"userName": AGENT[0]}}
        client.post(f"{base}/interactions", json=mine, auth=ADMIN)
        with httpx.stream("GET", f"{base}/changes/stream", auth=AGENT, timeout=10.0) as response:
            [only] = _next_records(_events(response), 1)
            assert only["id"] == "5" and '"MINE"' in only["data"]
        assert httpx.get(f"{base}/changes/stream", timeout=10.0).status_code == 401

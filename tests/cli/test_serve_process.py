"""A real `openucs serve` process (as many workers as CPU cores, the default): it migrates,
listens, and answers an authenticated call. Starting the workers takes a while on a loaded
machine, hence the generous limits."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from tests.cli.conftest import Run


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}")
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"server did not answer within {timeout} s")


def test_a_real_server_process_answers_me(
    run: Run, new_sqlite: Callable[[str], str], tmp_path: Path
) -> None:
    url = new_sqlite("served")
    run("users", "add", "alice", "--role", "supervisor", "--first-name", "Alice",
        "--password-stdin", "--database", url, input="alice-password\n")  # fmt: skip
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENUCS_")}
    log = (tmp_path / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "openucs", "serve", "--database", url, "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{port}/api/v2"
        wait_until_up(base + "/me", process)
        answer = httpx.get(base + "/me", auth=("alice", "alice-password"), timeout=5.0)
        assert answer.status_code == 200
        body = answer.json()
        assert body["statusCode"] == 0
        assert body["user"]["userName"] == "alice"
        assert body["user"]["roles"] == ["ROLE_SUPERVISOR"]
        denied = httpx.get(base + "/me", auth=("alice", "wrong-password"), timeout=5.0)
        assert denied.status_code == 401
    finally:
        process.terminate()
        # uvicorn shuts down gracefully, then re-raises SIGTERM: exit status -15.
        assert process.wait(timeout=45) in (0, -15)
        log.close()
    assert b"Finished server process" in (tmp_path / "server.log").read_bytes()

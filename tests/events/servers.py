"""Real server processes for the socket-level tests: `openucs` under uvicorn on a free port,
and a TCP proxy whose connections a test can cut."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from openucs.domain.enums import Role
from openucs.services import users as user_service
from openucs.store import open_store

PASSWORD = "interop-password-1"
USERS = {"agent1": Role.AGENT, "agent2": Role.AGENT, "super": Role.SUPERVISOR}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def add_users(database_url: str) -> dict[str, str]:
    """The test logins; returns user name -> user id."""
    store = open_store(database_url)
    try:
        return {
            name: user_service.add_user(
                store=store, user_name=name, roles=frozenset({role}), password=PASSWORD
            ).id
            for name, role in USERS.items()
        }
    finally:
        store.close()


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def notifications(self) -> str:
        return f"{self.url}/api/v2/notifications"

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise AssertionError("no VmRSS")


@contextlib.contextmanager
def running_server(database_url: str, log_dir: Path, **settings: str) -> Iterator[Server]:
    """`uvicorn --factory openucs.api.asgi:app_factory` with OPENUCS_* settings; stopped (and
    its log shown on failure) afterwards."""
    port = free_port()
    env = {**os.environ, "OPENUCS_DATABASE_URL": database_url, "OPENUCS_PORT": str(port)}
    env.update({f"OPENUCS_{k.upper()}": v for k, v in settings.items()})
    log = log_dir / f"server-{port}.log"
    command = [sys.executable, "-m", "uvicorn", "--factory", "openucs.api.asgi:app_factory"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(process, port, log)
    try:
        _wait_ready(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def _wait_ready(server: Server, limit: float = 30.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"server exited:\n{server.log.read_text()}")
        with contextlib.suppress(httpx.TransportError):
            httpx.get(f"{server.url}/api/v2/diagnostics/version", timeout=1)
            return
        time.sleep(0.05)
    raise AssertionError(f"server not ready in {limit}s:\n{server.log.read_text()}")


class Proxy:
    """A TCP relay to `target_port`; `cut()` drops every connection it carries."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def __aenter__(self) -> Proxy:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.cut()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    @property
    def connections(self) -> int:
        return len(self._writers) // 2

    async def cut(self) -> None:
        writers, self._writers = list(self._writers), set()
        for writer in writers:
            writer.close()
        for writer in writers:
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        self._writers |= {writer, up_writer}
        await asyncio.gather(
            _pipe(reader, up_writer), _pipe(up_reader, writer), return_exceptions=True
        )
        self._writers -= {writer, up_writer}


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while chunk := await reader.read(65536):
            writer.write(chunk)
            await writer.drain()
    finally:
        writer.close()

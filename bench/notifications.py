"""Notification benchmark: latency from an operation's POST to its CometD delivery, with N
long-polling clients on one server process, and the server memory per idle client.

    .venv/bin/python bench/notifications.py                  # 200 clients, 1000 operations
    .venv/bin/python bench/notifications.py --clients 500 --operations 2000

One `openucs` process (uvicorn, SQLite, 127.0.0.1) is started here. N users each log in once
(session cookie), handshake, subscribe to /v2/ucs/interactions and keep a long poll open.
Then, one at a time, a random user POSTs an operation (SetCallNote on an unknown call: the
answer is a store lookup and a failure notification) and the time from just before the POST to
the moment that user's poll returns the notification is recorded: p50, p99, max.

Memory: the server's RSS (from /proc) after the N users logged in, then with the N clients
handshaken, subscribed and holding a poll, then with --idle more clients that are handshaken
and subscribed but do not poll (queue and registry only). The differences per client are
reported. Results go to bench/results/notifications-<date>.md and .json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from argon2 import PasswordHasher

from openucs.domain.enums import Role
from openucs.services import users as user_service
from openucs.store import open_store

HERE = Path(__file__).resolve().parent
PASSWORD = "bench-password-1"  # noqa: S105 - a throwaway local login
TOPIC = "/v2/ucs/interactions"
OPERATION = {"operationName": "SetCallNote", "note": "bench"}


@dataclass
class Desk:
    """One user's HTTP session and CometD client."""

    name: str
    http: httpx.AsyncClient
    client_id: str = ""
    arrived: dict[int, float] = field(default_factory=dict)
    wake: asyncio.Event = field(default_factory=asyncio.Event)

    async def bayeux(self, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        reply = await self.http.post("/api/v2/notifications", json=messages)
        reply.raise_for_status()
        answers: list[dict[str, Any]] = reply.json()
        return answers

    async def join(self, subscribe: bool = True) -> str:
        [shake] = await self.bayeux([{"channel": "/meta/handshake", "version": "1.0"}])
        client_id = str(shake["clientId"])
        batch = [{"channel": "/meta/connect", "clientId": client_id}]
        if subscribe:
            batch.insert(
                0, {"channel": "/meta/subscribe", "clientId": client_id, "subscription": TOPIC}
            )
        await self.bayeux(batch)
        return client_id

    async def poll_forever(self) -> None:
        connect = [{"channel": "/meta/connect", "clientId": self.client_id}]
        while True:
            for message in await self.bayeux(connect):
                if message.get("channel") == TOPIC:
                    self.arrived[message["data"]["referenceId"]] = time.perf_counter()
                    self.wake.set()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare(db: Path, users: int) -> list[str]:
    store = open_store(f"sqlite:///{db}")
    store.upgrade()
    # Cheap password hashes: the benchmark is about notifications, not Argon2.
    user_service._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    names = [f"desk{n:04d}" for n in range(users)]
    for name in names:
        user_service.add_user(
            store=store, user_name=name, roles=frozenset({Role.AGENT}), password=PASSWORD
        )
    store.close()
    return names


def start_server(db: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "OPENUCS_DATABASE_URL": f"sqlite:///{db}",
        "OPENUCS_PORT": str(port),
        "OPENUCS_COMETD_MAX_INTERVAL_MS": "600000",
        "OPENUCS_LOG_LEVEL": "warning",
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "openucs.api.asgi:app_factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--timeout-keep-alive",  # clients reuse idle connections: no close race mid-run
        "300",
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/v2/diagnostics/version", timeout=1)
            return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"server did not start:\n{log.read_text()}")


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise SystemExit("no VmRSS")


async def settle_rss(pid: int) -> int:
    await asyncio.sleep(1.0)
    return rss_kib(pid)


async def measure(
    args: argparse.Namespace, port: int, pid: int, names: list[str]
) -> dict[str, Any]:
    base = f"http://127.0.0.1:{port}"
    limits = httpx.Limits(max_connections=4, max_keepalive_connections=4)
    desks = [Desk(n, httpx.AsyncClient(base_url=base, timeout=60, limits=limits)) for n in names]
    for desk in desks:  # log in: one Basic check, then the cookie
        reply = await desk.http.get("/api/v2/me", auth=(desk.name, PASSWORD))
        reply.raise_for_status()
    rss_logged_in = await settle_rss(pid)
    for desk in desks:
        desk.client_id = await desk.join()
    pollers = [asyncio.create_task(d.poll_forever()) for d in desks]
    await asyncio.sleep(0.5)
    rss_polling = await settle_rss(pid)
    rng = random.Random(42)
    latencies = await _operations(desks, rng, args.operations)
    rss_before_idle = await settle_rss(pid)
    for n in range(args.idle):  # spread over the users (at most 100 clients per user)
        await desks[n % len(desks)].join()
    rss_idle = await settle_rss(pid)
    for task in pollers:
        task.cancel()
    await asyncio.gather(*pollers, return_exceptions=True)
    for desk in desks:
        await desk.http.aclose()
    ordered = sorted(latencies)
    return {
        "clients": len(desks),
        "operations": len(latencies),
        "latency_ms": {
            "p50": round(statistics.median(ordered), 2),
            "p99": round(ordered[int(len(ordered) * 0.99) - 1], 2),
            "max": round(ordered[-1], 2),
        },
        "rss_kib": {
            "logged_in": rss_logged_in,
            "polling": rss_polling,
            "before_idle": rss_before_idle,
            "idle": rss_idle,
        },
        "memory_per_polling_client_kib": round((rss_polling - rss_logged_in) / len(desks), 1),
        "idle_clients": args.idle,
        "memory_per_idle_client_kib": round((rss_idle - rss_before_idle) / max(args.idle, 1), 2),
    }


async def _operations(desks: list[Desk], rng: random.Random, count: int) -> list[float]:
    latencies: list[float] = []
    for _ in range(count):
        desk = rng.choice(desks)
        started = time.perf_counter()
        reply = await desk.http.post("/api/v2/ucs/interactions/NO-SUCH-CALL", json=OPERATION)
        reference_id = int(reply.json()["referenceId"])
        while reference_id not in desk.arrived:
            desk.wake.clear()
            await asyncio.wait_for(desk.wake.wait(), 30)
        latencies.append((desk.arrived.pop(reference_id) - started) * 1000)
    return latencies


def render(result: dict[str, Any]) -> str:
    lat, rss = result["latency_ms"], result["rss_kib"]
    return "\n".join(
        [
            f"# Notifications benchmark ({result['date']})",
            "",
            f"One server process (SQLite), {result['clients']} long-polling CometD clients, "
            f"{result['operations']} operations one at a time (SetCallNote, failure notification).",
            "",
            "| measure | value |",
            "|---|---|",
            f"| POST -> delivery p50 | {lat['p50']} ms |",
            f"| POST -> delivery p99 | {lat['p99']} ms |",
            f"| POST -> delivery max | {lat['max']} ms |",
            f"| server RSS, users logged in | {rss['logged_in']} KiB |",
            f"| server RSS, + {result['clients']} polling clients | {rss['polling']} KiB |",
            f"| memory per polling client (held poll) | "
            f"{result['memory_per_polling_client_kib']} KiB |",
            f"| memory per idle client ({result['idle_clients']} handshaken, subscribed, not "
            f"polling) | {result['memory_per_idle_client_kib']} KiB |",
            "",
        ]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--operations", type=int, default=1000)
    parser.add_argument("--idle", type=int, default=2000)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="openucs-bench-") as tmp:
        db = Path(tmp) / "notifications.db"
        names = prepare(db, args.clients)
        port = free_port()
        process = start_server(db, port, Path(tmp) / "server.log")
        try:
            result = asyncio.run(measure(args, port, process.pid, names))
        finally:
            process.terminate()
            process.wait(10)
    result["date"] = datetime.now(UTC).strftime("%Y-%m-%d")
    out = args.out or HERE / "results" / f"notifications-{result['date']}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".md").write_text(render(result))
    out.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    print(render(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

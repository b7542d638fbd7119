"""Where a read's server time goes: the app in-process, driven straight through ASGI (no socket,
no HTTP client), for the reads of `bench/floor.py` on a seeded database.

    PYTHONPATH=src .venv/bin/python bench/read_profile.py --database sqlite:////tmp/x.db
    PYTHONPATH=src .venv/bin/python bench/read_profile.py --database URL --profile --read history

Without `--profile`: the process CPU time (all threads: handler threads, the audit writer) per
request, for each read and client, over `--requests` sequential requests after a warm-up, in
`--rounds` rounds (the median is shown). With `--profile`: cProfile in every thread (the event
loop's, the worker threads', the audit writer's), the functions with the most own time and the
most cumulative time. Only names older revisions have are used, so a revision's `src` can be
measured the same way (PYTHONPATH set to it).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import cProfile
import pstats
import statistics
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from floor import _paths  # noqa: E402
from scenarios import PASSWORD, USER, create_bench_user  # noqa: E402

from openucs.api.app import create_app  # noqa: E402
from openucs.config import load_settings  # noqa: E402
from openucs.store import open_store  # noqa: E402

READS = {"history": "contact history", "week": "agent week", "byid": "get by id"}
Headers = list[tuple[bytes, bytes]]
App = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


async def call(app: App, path: str, headers: Headers) -> tuple[int, Headers, bytes]:
    """One GET through the ASGI app: status, headers and body."""
    route, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": route,
        "raw_path": route.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    answer: dict[str, Any] = {"body": b""}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
            answer["headers"] = list(message.get("headers", ()))
        else:
            answer["body"] += message.get("body", b"")

    await app(scope, receive, send)
    return answer["status"], answer["headers"], answer["body"]


async def client_headers(app: App) -> dict[str, Headers]:
    """Basic credentials, and a stored session's cookie (sent once, so its row exists)."""
    basic = base64.b64encode(f"{USER}:{PASSWORD}".encode())
    with_basic = [(b"authorization", b"Basic " + basic)]
    status, headers, _ = await call(app, "/api/v2/me", with_basic)
    cookie = next(v for k, v in headers if k == b"set-cookie").split(b";")[0]
    with_cookie = [(b"cookie", cookie)]
    status, _, _ = await call(app, "/api/v2/me", with_cookie)
    if status != 200:
        raise RuntimeError(f"the session cookie was refused: {status}")
    return {"Basic": with_basic, "cookie": with_cookie}


async def run(app: App, paths: list[str], headers: Headers, count: int) -> None:
    for i in range(count):
        status, _, body = await call(app, paths[i % len(paths)], headers)
        if status != 200:
            raise RuntimeError(f"GET {paths[i % len(paths)]}: {status} {body[:200]!r}")


def thread_profiles() -> list[cProfile.Profile]:
    """A profiler started in every thread that starts from now on."""
    profiles: list[cProfile.Profile] = []

    def start(*_: Any) -> None:
        profile = cProfile.Profile()
        profiles.append(profile)
        profile.enable()  # replaces this hook in this thread

    threading.setprofile(start)
    return profiles


async def measure(args: argparse.Namespace) -> None:
    profiles = thread_profiles() if args.profile else []
    store = open_store(args.database)
    create_bench_user(store)
    paths = _paths(args.database, args.targets)
    app: Any = create_app(load_settings(database_url=args.database), store)
    try:
        async with app.lifespan():
            clients = await client_headers(app)
            for read in args.read or list(READS):
                for kind in args.client or list(clients):
                    group, headers = paths[READS[read]], clients[kind]
                    await run(app, group, headers, args.warmup)
                    if args.profile:
                        await profiled(app, group, headers, args.requests, profiles, read, kind)
                        continue
                    figures = []
                    for _ in range(args.rounds):
                        began = time.process_time()
                        await run(app, group, headers, args.requests)
                        figures.append((time.process_time() - began) / args.requests * 1e6)
                    shown = ", ".join(f"{f:.0f}" for f in figures)
                    print(
                        f"{READS[read]:16} {kind:7} CPU us/request: median"
                        f" {statistics.median(figures):.0f} ({shown})",
                        flush=True,
                    )
    finally:
        store.close()


async def profiled(
    app: App,
    group: list[str],
    headers: Headers,
    count: int,
    profiles: list[cProfile.Profile],
    read: str,
    kind: str,
) -> None:
    main = cProfile.Profile()
    for profile in profiles:
        profile.clear()
    main.enable()
    await run(app, group, headers, count)
    main.disable()
    stats = pstats.Stats(main)
    for profile in profiles:
        with contextlib.suppress(TypeError):  # a thread that ran nothing meanwhile
            stats.add(profile)
    print(f"=== {READS[read]}, {kind}: {count} requests ===")
    stats.sort_stats("tottime").print_stats(45)
    stats.sort_stats("cumulative").print_stats(70)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--read", action="append", choices=list(READS))
    parser.add_argument("--client", action="append", choices=["Basic", "cookie"])
    parser.add_argument("--requests", type=int, default=1_000)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--targets", type=int, default=50)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    try:
        import uvloop

        uvloop.run(measure(args))
    except ImportError:
        asyncio.run(measure(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Multi-worker throughput: `openucs serve --workers 1` against `--workers 2` on one database.

    .venv/bin/python bench/workers.py                         # 20,000 interactions, 2 rounds
    .venv/bin/python bench/workers.py --interactions 100000 --requests 300 --rounds 3

Each run starts `openucs serve --workers W` (SQLite, the demo database of bench/sessions.py),
logs 16 clients in (each keeps its session cookie and its own kept-alive connection, which the
kernel hands to one of the workers), and has them read contact histories at once: the 100
newest interactions of one of the 16 busiest contacts, `--requests` sequential GETs per client
after a warm-up. Reported per worker count: the medians over rounds of requests/s (all
clients), p50 and p99, and how the connections fell on the workers (`X-OpenUCS-Worker`).
Rounds alternate the order of the worker counts, so drift of the machine falls on both. The
load generator runs on the same machine as the server: on a small machine it takes its share
of the cores, so the figures are a floor for what a separate client would see.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import httpx  # noqa: E402
from scenarios import (  # noqa: E402
    PASSWORD,
    USER,
    Timing,
    create_bench_user,
    free_port,
    today,
    write_results,
)
from sessions import _seeded  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from openucs.store import open_store  # noqa: E402

CONNECTIONS = 16
WARM_UP = 20
WORKER = "x-openucs-worker"


def main() -> int:
    args = _arguments()
    url = args.database or _seeded(args.interactions)
    store = open_store(url)
    try:
        create_bench_user(store)
        rows = store.count_interactions()
    finally:
        store.close()
    paths = _contact_paths(Path(make_url(url).database or ""))
    load_before = os.getloadavg()[0]
    runs: dict[int, list[dict[str, Any]]] = {w: [] for w in args.workers}
    for round_ in range(args.rounds):
        order = args.workers if round_ % 2 == 0 else list(reversed(args.workers))
        for workers in order:
            print(f"round {round_ + 1}: --workers {workers}", file=sys.stderr)
            runs[workers].append(_run(url, workers, paths, args.requests))
    record = {
        "date": today(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}",
        "interactions": rows,
        "connections": CONNECTIONS,
        "requests_per_connection": args.requests,
        "rounds": args.rounds,
        # The 1-minute load average before and after: other work on a shared machine.
        "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        "results": {str(w): _summary(r) for w, r in runs.items()},
        "runs": {str(w): r for w, r in runs.items()},
    }
    write_results(record, _markdown(record), f"workers-{today()}", args.out)
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--interactions", type=int, default=20_000)
    parser.add_argument("--database", help="an existing SQLite URL instead of the seeded one")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--requests", type=int, default=200, help="per connection")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", type=Path)
    return parser.parse_args()


def _contact_paths(db_path: Path) -> list[str]:
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        found = conn.execute(
            "SELECT contact_id FROM interactions WHERE contact_id IS NOT NULL "
            "GROUP BY contact_id ORDER BY count(*) DESC, contact_id LIMIT ?",
            (CONNECTIONS,),
        ).fetchall()
    return [f"/ucs/contacts/{c}/interactions?fromDate=2000-01-01&maxSize=100" for (c,) in found]


def _run(url: str, workers: int, paths: list[str], requests: int) -> dict[str, Any]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENUCS_")}
    env["OPENUCS_LOG_LEVEL"] = "warning"
    command = [sys.executable, "-m", "openucs", "serve", "--database", url]
    command += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    log = HERE / ".data" / f"workers-{workers}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/api/v2/diagnostics/version", process)
        return asyncio.run(_load(f"http://127.0.0.1:{port}/api/v2", paths, requests))
    finally:
        process.terminate()
        process.wait(30)


def _wait_until_up(url: str, process: subprocess.Popen[bytes], limit: float = 120.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            httpx.get(url, timeout=1.0)
            time.sleep(2.0)  # the other workers start a moment later
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("server did not come up")


async def _load(base: str, paths: list[str], requests: int) -> dict[str, Any]:
    clients = [
        httpx.AsyncClient(base_url=base, limits=httpx.Limits(max_connections=1), timeout=30)
        for _ in paths
    ]
    try:
        tags = []
        for client in clients:  # log in: from now on the session cookie only
            answer = await client.get("/me", auth=(USER, PASSWORD))
            answer.raise_for_status()
            tags.append(answer.headers.get(WORKER, "-"))

        async def reads(client: httpx.AsyncClient, path: str, count: int) -> list[float]:
            samples = []
            for _ in range(count):
                started = time.perf_counter()
                answer = await client.get(path)
                samples.append((time.perf_counter() - started) * 1000)
                if answer.status_code != 200:
                    raise RuntimeError(f"{path}: {answer.status_code}")
            return samples

        await asyncio.gather(*(reads(c, p, WARM_UP) for c, p in zip(clients, paths, strict=True)))
        started = time.perf_counter()
        per_client = await asyncio.gather(
            *(reads(c, p, requests) for c, p in zip(clients, paths, strict=True))
        )
        elapsed = time.perf_counter() - started
    finally:
        for client in clients:
            await client.aclose()
    timing = Timing([s for samples in per_client for s in samples])
    return {
        "requests_per_s": round(len(timing.samples_ms) / elapsed, 1),
        "p50_ms": round(timing.p50, 2),
        "p99_ms": round(timing.p99, 2),
        "connections_per_worker": sorted(Counter(tags).values(), reverse=True),
    }


def _summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        key: round(statistics.median(r[key] for r in runs), 2)
        for key in ("requests_per_s", "p50_ms", "p99_ms")
    }


def _markdown(record: dict[str, Any]) -> str:
    lines = [
        f"# Multi-worker throughput, {record['date']}",
        "",
        f"{record['machine']}; SQLite, {record['interactions']:,} interactions; "
        f"{record['connections']} connections at once, each a session-cookie client reading "
        f"the 100 newest interactions of one of the 16 busiest contacts, "
        f"{record['requests_per_connection']} requests each; medians of "
        f"{record['rounds']} rounds (`bench/workers.py`). Load average (1 min) before and "
        f"after: {record['load_average'][0]} and {record['load_average'][1]}.",
        "",
        "| `--workers` | requests/s | p50 ms | p99 ms | connections per worker (each round) |",
        "|---:|---:|---:|---:|---|",
    ]
    for workers, summary in record["results"].items():
        spread = "; ".join(
            "/".join(map(str, r["connections_per_worker"])) for r in record["runs"][workers]
        )
        lines.append(
            f"| {workers} | {summary['requests_per_s']} | {summary['p50_ms']} | "
            f"{summary['p99_ms']} | {spread} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())

"""The floor benchmark (issue 10): OpenUCS against a server that does nothing but answer.

    .venv/bin/python bench/floor.py --engine sqlite              # 1,000,000 rows, built once
    .venv/bin/python bench/floor.py --engine postgresql --rows 200000
    .venv/bin/python bench/floor.py --database sqlite:///other.db  # a database seeded elsewhere

The *floor* is Litestar on uvicorn with httptools and uvloop, one process, no database, no
authentication: it answers each request path with the exact bytes OpenUCS answered for it
(recorded first, in the same run), from memory. Both servers get the same load from
`bench/load.py`: 16 keep-alive connections for throughput, one for p50/p99, for four reads
(contact history of 100 newest, one agent's week of 100, GET by id with content, a search page),
each with HTTP Basic on every request and with the session cookie. Reported: each figure, the
ratio to the floor, the servers' CPU per request, and the driver's own ceiling (requests per
second of its CPU). Results: bench/results/floor-<date>-<engine>.md and .json.
"""

from __future__ import annotations

import argparse
import base64
import os
import pickle
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import httpx  # noqa: E402
from litestar import Litestar, Request, Response, get  # noqa: E402
from load import Figures, Load, latency, throughput  # noqa: E402
from scenarios import (  # noqa: E402
    PASSWORD,
    USER,
    create_bench_user,
    free_port,
    server,
    today,
    write_results,
)
from search_build import ENGINES, POSTGRES_ADMIN, Database, build, built  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from openucs.store import open_store  # noqa: E402

READS = ("contact history", "agent week", "get by id", "search page")
TARGETED = READS[:3]  # the reads the issue sets targets for
CLIENTS = ("Basic", "cookie")
SEARCH_WORDS = ("refund", "invoice", "payment", "order", "delivery", "password", "contract")
# Issue 10's targets: throughput against the floor's, per engine; p50 and p99 at one connection.
THROUGHPUT_TARGET = {"sqlite": 0.5, "postgresql": 0.35}
P50_TARGET = 3.0
P99_TARGET_MS = 5.0
BASIC_TARGET = 1.2


def main() -> int:
    args = _arguments()
    url = args.database or _built_database(args)
    engine = make_url(url).get_backend_name()
    store = open_store(url)
    try:
        create_bench_user(store)
        rows = store.count_interactions()
    finally:
        store.close()
    paths = _paths(url, args.targets)
    record: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": make_url(url).render_as_string(hide_password=True),
        "engine": engine,
        "interactions": rows,
        "python": platform.python_version(),
        "connections": args.connections,
        "seconds": args.seconds,
        "latency_requests": args.requests,
        "targets_per_read": args.targets,
        "load_average": [round(os.getloadavg()[0], 2)],
    }
    record["results"] = _measure_both(url, paths, args)
    record["load_average"].append(round(os.getloadavg()[0], 2))
    markdown = render(record)
    print(markdown)
    stem = f"floor-{today()}-{'postgres' if engine == 'postgresql' else engine}"
    write_results(record, markdown, stem, args.out)
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=ENGINES, default="sqlite")
    parser.add_argument("--rows", type=int, default=1_000_000, help="demo interactions")
    parser.add_argument("--postgres", default=POSTGRES_ADMIN, help="server and admin database")
    parser.add_argument("--database", help="a seeded database instead of the built one")
    parser.add_argument("--connections", type=int, default=16, help="for throughput")
    parser.add_argument("--seconds", type=float, default=5.0, help="of throughput per figure")
    parser.add_argument("--requests", type=int, default=1_000, help="for p50/p99, per figure")
    parser.add_argument("--targets", type=int, default=50, help="request paths per read")
    parser.add_argument("--out", type=Path)
    return parser.parse_args()


def _built_database(args: argparse.Namespace) -> str:
    """The demo database of `bench/search_build.py` named `floor`, built when missing."""
    db = Database(args.engine, args.rows, "floor", args.postgres)
    if built(db) is None:
        print(f"building {db.url} ({args.rows:,} interactions)", file=sys.stderr)
        build(db)
    return db.url


# --- the request paths -------------------------------------------------------------------------


def _paths(url: str, count: int) -> dict[str, list[str]]:
    """`count` paths per read, from random interactions (busy contacts and agents come up as
    often as they are busy); GET by id takes interactions with content."""
    engine = create_engine(make_url(url))
    try:
        with engine.connect() as conn:
            picked = conn.execute(
                text(
                    "SELECT id, contact_id, owner_id, start_ms FROM interactions"
                    " WHERE contact_id IS NOT NULL AND owner_id IS NOT NULL"
                    " ORDER BY random() LIMIT :n"
                ),
                {"n": count},
            ).all()
            with_content = conn.scalars(
                text("SELECT interaction_id FROM interaction_contents ORDER BY random() LIMIT :n"),
                {"n": count},
            ).all()
    finally:
        engine.dispose()
    paths: dict[str, list[str]] = {read: [] for read in READS}
    for _id, contact, owner, start_ms in picked:
        day = datetime.fromtimestamp(start_ms / 1000, UTC).date()
        week = f"fromDate={day - timedelta(days=6)}&toDate={day}"
        paths["contact history"].append(
            f"/api/v2/ucs/contacts/{contact}/interactions?fromDate=2000-01-01&maxSize=100"
        )
        paths["agent week"].append(f"/api/v2/ucs/interactions?userId={owner}&{week}&maxSize=100")
    paths["get by id"] = [f"/api/v2/ucs/interactions/{i}" for i in with_content]
    paths["search page"] = [f"/openucs/v1/interactions?q={w}&maxSize=100" for w in SEARCH_WORDS]
    return paths


# --- the two servers ---------------------------------------------------------------------------


def _measure_both(
    url: str, paths: dict[str, list[str]], args: argparse.Namespace
) -> dict[str, Any]:
    log = HERE / ".data" / "floor-bench.server.log"
    log.parent.mkdir(exist_ok=True)
    pids: list[int] = []
    with server(url, free_port(), log, None, pids) as client:
        cookie = client.cookies["JSESSIONID"]
        answers = _record(client, paths)
        openucs = ("127.0.0.1", client.base_url.port or 80, pids[0])
        with _floor_server(answers) as floor:
            _same_bytes(answers, floor)
            headers = {
                "Basic": (("Authorization", "Basic " + _basic()),),
                "cookie": (("Cookie", f"JSESSIONID={cookie}"),),
            }
            results: dict[str, Any] = {}
            for read in READS:
                for client_kind in CLIENTS:
                    key = f"{read} | {client_kind}"
                    print(f"measuring {key}", file=sys.stderr)
                    results[key] = _pair(paths[read], headers[client_kind], openucs, floor, args)
    return results


def _basic() -> str:
    return base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()


def _record(client: httpx.Client, paths: dict[str, list[str]]) -> dict[str, tuple[str, bytes]]:
    """OpenUCS's answer to every path: its Content-Type and body bytes."""
    answers = {}
    for group in paths.values():
        for path in group:
            answer = client.get(path)
            if answer.status_code != 200:
                raise RuntimeError(f"GET {path}: {answer.status_code} {answer.text[:200]}")
            answers[path] = (answer.headers["content-type"], answer.content)
    return answers


@contextmanager
def _floor_server(answers: dict[str, tuple[str, bytes]]) -> Iterator[tuple[str, int, int]]:
    """The floor in a process of its own: (host, port, pid)."""
    port = free_port()
    with tempfile.NamedTemporaryFile(suffix=".pickle", delete=False) as file:
        pickle.dump(answers, file)
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--serve", file.name, "--port", str(port)]
    )
    try:
        _wait_until_up(f"http://127.0.0.1:{port}", next(iter(answers)), process)
        yield "127.0.0.1", port, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)
        Path(file.name).unlink()


def _wait_until_up(base: str, path: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the floor server exited with status {process.returncode}")
        try:
            httpx.get(base + path, timeout=1.0)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("the floor server did not answer within 60 s")


def _same_bytes(answers: dict[str, tuple[str, bytes]], floor: tuple[str, int, int]) -> None:
    with httpx.Client(base_url=f"http://{floor[0]}:{floor[1]}") as client:
        for path, (media, body) in answers.items():
            got = client.get(path)
            if got.content != body or got.headers["content-type"] != media:
                raise RuntimeError(f"the floor answers {path} with other bytes")


def _pair(
    paths: list[str],
    headers: tuple[tuple[str, str], ...],
    openucs: tuple[str, int, int],
    floor: tuple[str, int, int],
    args: argparse.Namespace,
) -> dict[str, dict[str, float]]:
    """Throughput and latency of one read and client on both servers."""
    found: dict[str, dict[str, float]] = {}
    for name, (host, port, pid) in (("openucs", openucs), ("floor", floor)):
        load = Load(host, port, headers)
        many = throughput(
            load, paths, connections=args.connections, seconds=args.seconds, server_pid=pid
        )
        one = latency(
            load, paths, requests=args.requests, server_pid=pid, most_seconds=4 * args.seconds
        )
        found[name] = _figures(many, one)
    return found


def _figures(many: Figures, one: Figures) -> dict[str, float]:
    return {
        "requests_per_s": round(many.per_second, 1),
        "server_cpu_ms": round(many.server_cpu_ms, 3),
        "driver_ceiling_per_s": round(many.driver_ceiling, 1),
        "p50_ms": round(one.p50, 3),
        "p99_ms": round(one.p99, 3),
        "one_connection_per_s": round(one.per_second, 1),
        "latency_samples": one.requests,
    }


# --- the floor server --------------------------------------------------------------------------


def floor_app(answers: dict[str, tuple[str, bytes]]) -> Litestar:
    """Litestar answering each recorded path (raw path and query) with its recorded bytes."""

    @get("/{rest:path}")
    async def answer(request: Request[Any, Any, Any], rest: str) -> Response[bytes]:
        scope = request.scope
        query = scope["query_string"]
        path = scope["raw_path"].decode() + ("?" + query.decode() if query else "")
        media, body = answers[path]
        return Response(body, media_type=media)

    return Litestar([answer], openapi_config=None)


def serve(answers_file: str, port: int) -> None:
    import uvicorn

    with Path(answers_file).open("rb") as file:
        answers = pickle.load(file)  # noqa: S301 - written by this script's parent
    uvicorn.run(
        floor_app(answers),
        host="127.0.0.1",
        port=port,
        http="httptools",
        loop="uvloop",
        log_level="warning",
        access_log=False,
    )


# --- the report --------------------------------------------------------------------------------


def render(r: dict[str, Any]) -> str:
    engine = r["engine"]
    lines = [
        f"# OpenUCS against the floor, {engine}, {r['date']}",
        "",
        f"{r['database']} ({r['interactions']:,} interactions), Python {r['python']}. "
        f"Throughput: {r['connections']} keep-alive connections for {r['seconds']:g} s; "
        f"p50/p99: one connection, {r['latency_requests']:,} sequential GETs; "
        f"{r['targets_per_read']} request paths per read (search: {len(SEARCH_WORDS)} words). "
        f"One OpenUCS process, one floor process (Litestar, uvicorn, httptools, uvloop, the "
        f"recorded bytes from memory), the driver (`bench/load.py`, uvloop) in a third; 2 CPUs "
        f"shared with other work (load average {r['load_average'][0]} before, "
        f"{r['load_average'][1]} after).",
        "",
        "| read | client | OpenUCS req/s | floor req/s | ratio | p50 ms | floor p50 | p50 ratio "
        "| p99 ms | floor p99 | server CPU ms/req | floor CPU ms/req | CPU ratio "
        "| driver ceiling req/s |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key, pair in r["results"].items():
        read, client = key.split(" | ")
        o, f = pair["openucs"], pair["floor"]
        lines.append(
            f"| {read} | {client} | {o['requests_per_s']:,.0f} | {f['requests_per_s']:,.0f} "
            f"| {o['requests_per_s'] / f['requests_per_s']:.2f}x | {o['p50_ms']:.2f} "
            f"| {f['p50_ms']:.2f} | {o['p50_ms'] / f['p50_ms']:.1f}x | {o['p99_ms']:.2f} "
            f"| {f['p99_ms']:.2f} | {o['server_cpu_ms']:.2f} | {f['server_cpu_ms']:.2f} "
            f"| {o['server_cpu_ms'] / f['server_cpu_ms']:.1f}x "
            f"| {min(o['driver_ceiling_per_s'], f['driver_ceiling_per_s']):,.0f} |"
        )
    lines += ["", "## Targets (issue 10, part 2)", "", *_verdicts(r)]
    lines += [
        "",
        "Driver ceiling: requests per second of the driver's own CPU time during the floor's "
        "or OpenUCS's throughput run (the lower); above the floor's figure, the driver was not "
        "what limited it. Server CPU: user + system time of the server process (all threads) "
        "per request during the throughput run; its ratio (OpenUCS over the floor) moves less "
        "with the machine's load than the wall-clock figures.",
    ]
    return "\n".join(lines) + "\n"


def _verdicts(r: dict[str, Any]) -> list[str]:
    want = THROUGHPUT_TARGET.get(r["engine"], 0.5)
    out = []
    for key, pair in r["results"].items():
        read, client = key.split(" | ")
        if read not in TARGETED:
            continue
        o, f = pair["openucs"], pair["floor"]
        ratio = o["requests_per_s"] / f["requests_per_s"]
        p50 = o["p50_ms"] / f["p50_ms"]
        out.append(
            f"- {read}, {client}: throughput {ratio:.2f}x (>= {want}x: {_ok(ratio >= want)}); "
            f"p50 {p50:.1f}x (<= {P50_TARGET:g}x: {_ok(p50 <= P50_TARGET)}); "
            f"p99 {o['p99_ms']:.2f} ms (<= {P99_TARGET_MS:g} ms: "
            f"{_ok(o['p99_ms'] <= P99_TARGET_MS)})"
        )
    for read in READS:
        basic = r["results"][f"{read} | Basic"]["openucs"]
        cookie = r["results"][f"{read} | cookie"]["openucs"]
        cost = cookie["requests_per_s"] / basic["requests_per_s"]
        cpu = basic["server_cpu_ms"] / cookie["server_cpu_ms"]
        out.append(
            f"- Basic against cookie, {read}: {cost:.2f}x the time (throughput), {cpu:.2f}x the "
            f"server CPU (<= {BASIC_TARGET}x: {_ok(max(cost, cpu) <= BASIC_TARGET)})"
        )
    return out


def _ok(met: bool) -> str:
    return "met" if met else "**MISSED**"


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--serve":
        serve(sys.argv[2], int(sys.argv[4]))
        sys.exit(0)
    sys.exit(main())

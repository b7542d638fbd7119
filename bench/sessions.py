"""Session benchmark: what logging in costs, for a client that sends HTTP Basic on every request
and never keeps a cookie, and for one that keeps the `JSESSIONID` cookie.

    .venv/bin/python bench/sessions.py                      # seeds bench/.data/sessions-20000.db
    .venv/bin/python bench/sessions.py --requests 5000 --path /api/v2/me
    .venv/bin/python bench/sessions.py --database sqlite:///bench/.data/bench-1000000.db

One `openucs serve` process on 127.0.0.1 (SQLite) answers one request at a time. Each scenario
sends N GETs of `--path` after 20 warm-up requests and reports requests/s, p50 and p99 of the
round trip, and over all N + 20 requests the session rows before and after and what was
written: the pages SQLite appended to the write-ahead log (0: nothing was written; the log is
checkpointed before each scenario). Results go to bench/results/sessions-<date>.md and .json
(or --out FILE).
"""

from __future__ import annotations

import argparse
import platform
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
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
    server,
    today,
    write_results,
)
from sqlalchemy.engine import make_url  # noqa: E402

from openucs.store import open_store  # noqa: E402

WARM_UP = 20


def main() -> int:
    args = _arguments()
    url = args.database or _seeded(args.interactions)
    db_path = Path(make_url(url).database or "")
    store = open_store(url)
    try:
        create_bench_user(store)
        rows = store.count_interactions()
    finally:
        store.close()
    log = HERE / ".data" / "sessions-bench.server.log"
    log.parent.mkdir(exist_ok=True)
    with server(url, free_port(), log) as cookie_client:
        base = str(cookie_client.base_url)
        with httpx.Client(base_url=base, timeout=30.0, auth=(USER, PASSWORD)) as basic_client:
            results = {
                "Basic on every request, no cookie": _scenario(
                    db_path, lambda: _basic_only(basic_client, args.path), args.requests
                ),
                "session cookie": _scenario(
                    db_path, lambda: _checked(cookie_client.get(args.path)), args.requests
                ),
            }
    record = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": make_url(url).render_as_string(hide_password=True),
        "interactions": rows,
        "path": args.path,
        "requests": args.requests,
        "python": platform.python_version(),
        "scenarios": results,
    }
    print(render(record))
    write_results(record, render(record), f"sessions-{today()}", args.out)
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", help="sqlite:///FILE.db (default: a seeded demo database)")
    parser.add_argument("--interactions", type=int, default=20_000, help="rows of the demo")
    parser.add_argument("--requests", type=int, default=2_000)
    parser.add_argument("--path", default="/api/v2/me")
    parser.add_argument("--out", type=Path)
    return parser.parse_args()


def _seeded(n: int) -> str:
    path = HERE / ".data" / f"sessions-{n}.db"
    url = f"sqlite:///{path}"
    if not path.exists():
        path.parent.mkdir(exist_ok=True)
        command = [sys.executable, "-m", "openucs", "seed", "--database", url, "-n", str(n)]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return url


def _basic_only(client: httpx.Client, path: str) -> None:
    client.cookies.clear()  # a client that never keeps the cookie
    answer = _checked(client.get(path))
    if "set-cookie" not in answer.headers:
        raise RuntimeError("a Basic answer without a session cookie")


def _checked(answer: httpx.Response) -> httpx.Response:
    if answer.status_code != 200:
        raise RuntimeError(f"{answer.request.url}: {answer.status_code} {answer.text[:200]}")
    return answer


def _scenario(db_path: Path, request: Any, n: int) -> dict[str, Any]:
    """Rows and writes count from before the warm-up (the first use of a cookie stores its
    session), the times from after it."""
    sessions_before = _session_rows(db_path)
    _checkpoint(db_path)
    for _ in range(WARM_UP):
        request()
    samples = []
    began = time.perf_counter()
    for _ in range(n):
        start = time.perf_counter_ns()
        request()
        samples.append((time.perf_counter_ns() - start) / 1e6)
    elapsed = time.perf_counter() - began
    timing = Timing(samples)
    return {
        "requests_per_s": round(n / elapsed, 1),
        "p50_ms": round(timing.p50, 3),
        "p99_ms": round(timing.p99, 3),
        "session_rows_before": sessions_before,
        "session_rows_after": _session_rows(db_path),
        "wal_pages_written": _wal_pages(db_path),
    }


def _session_rows(db_path: Path) -> int:
    with sqlite3.connect(db_path) as conn:
        return int(conn.execute("SELECT count(*) FROM sessions").fetchone()[0])


def _checkpoint(db_path: Path) -> None:
    """Copy the write-ahead log into the database and empty it (the server is idle now)."""
    with sqlite3.connect(db_path) as conn:
        busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    if busy:
        raise RuntimeError("could not empty the write-ahead log")


def _wal_pages(db_path: Path) -> int:
    """Pages appended to the write-ahead log since `_checkpoint`."""
    with sqlite3.connect(db_path) as conn:
        _, pages, _ = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    return int(pages)


def render(r: dict[str, Any]) -> str:
    lines = [
        f"# Sessions benchmark, {r['date']}",
        "",
        f"{r['database']} ({r['interactions']:,} interactions), Python {r['python']}; "
        f"{r['requests']:,} sequential GET {r['path']} per scenario (after {WARM_UP} more, "
        "counted in rows and writes), one server process.",
        "",
        "| client | requests/s | p50 ms | p99 ms | session rows before -> after "
        "| WAL pages written |",
        "|---|---:|---:|---:|---|---:|",
    ]
    for name, s in r["scenarios"].items():
        lines.append(
            f"| {name} | {s['requests_per_s']:,.0f} | {s['p50_ms']:.2f} | {s['p99_ms']:.2f} "
            f"| {s['session_rows_before']} -> {s['session_rows_after']} "
            f"| {s['wal_pages_written']} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())

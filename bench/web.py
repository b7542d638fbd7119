"""Web UI benchmark: the server time of the search page and the contact page, p50 and p99, on
the benchmark database (1,000,000 interactions, built by bench/run.py), and of the dashboard.

    .venv/bin/python bench/web.py                                   # bench/.data/bench-1000000.db
    .venv/bin/python bench/web.py --database sqlite:///bench/.data/bench-100000.db
    .venv/bin/python bench/web.py --database postgresql://postgres@127.0.0.1/bench --requests 300

One `openucs serve` process on 127.0.0.1 answers one request at a time from one client holding
a session cookie (a supervisor's: the pages read everything). The server time is the page's
`Server-Timing: app;dur=` header: from the web router to the response's start, so it holds the
session check, the store reads and the template, and not the HTTP round trip (reported too).
Targets are drawn from random interactions (busy contacts and agents come up as often as they
are busy). Target, reported and not asserted: p99 <= 150 ms for every page.
Results go to bench/results/web-<date>.md and .json (or --out FILE.md|FILE.json).
"""

from __future__ import annotations

import argparse
import platform
import random
import re
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import httpx  # noqa: E402
from scenarios import (  # noqa: E402
    Timing,
    create_bench_user,
    free_port,
    server,
    today,
    write_results,
)
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from openucs.store import open_store  # noqa: E402

P99_TARGET_MS = 150.0
DASHBOARD = "dashboard, last 30 days (no target)"
SEED = 7
WORDS = ("refund", "order", "password", "delivery", "invoice", "address")
_SERVER_TIME = re.compile(r"app;dur=([0-9.]+)")


def main() -> int:
    args = _arguments()
    store = open_store(args.database)
    try:
        create_bench_user(store)
        rows = store.count_interactions()
    finally:
        store.close()
    targets = pick_targets(args.database, args.samples)
    log = HERE / ".data" / "web-bench.server.log"
    log.parent.mkdir(exist_ok=True)
    with server(args.database, free_port(), log) as client:
        targets["search, page 2 of the default"] = [_next_page(client)]
        results = {name: measure(client, paths, args.requests) for name, paths in targets.items()}
        # Two aggregate scans of a month: reported, with fewer requests and no target.
        results[DASHBOARD] = measure(client, ["/dashboard"], max(20, args.requests // 20))
    record = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": make_url(args.database).render_as_string(hide_password=True),
        "interactions": rows,
        "requests": args.requests,
        "python": platform.python_version(),
        "pages": results,
    }
    print(render(record))
    write_results(record, render(record), f"web-{today()}", args.out)
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default = f"sqlite:///{HERE / '.data' / 'bench-1000000.db'}"
    parser.add_argument("--database", default=default, help=f"default {default}")
    parser.add_argument("--requests", type=int, default=1000, help="per page")
    parser.add_argument("--samples", type=int, default=200, help="distinct targets per page")
    parser.add_argument("--out", type=Path, help="bench/results/web-<date>.md or .json")
    args = parser.parse_args()
    url = make_url(args.database)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").exists():
        parser.error(f"{url.database} does not exist: build it with bench/run.py first")
    return args


def pick_targets(database_url: str, count: int) -> dict[str, list[str]]:
    """Page paths for each measured page, from random interactions of the main tier."""
    rng = random.Random(SEED)
    engine = create_engine(make_url(database_url).set(drivername=_driver(database_url)))
    samples: list[Sequence[Any]] = []  # rows of _SAMPLE
    with engine.connect() as conn:
        low, high = conn.execute(
            text("SELECT min(start_ms), max(start_ms) FROM interactions WHERE source = 'main'")
        ).one()
        while len(samples) < count:
            found = conn.execute(_SAMPLE, {"t": rng.randint(low, high)}).first()
            if found is not None:
                samples.append(found)
    engine.dispose()
    targets: dict[str, list[str]] = {
        "search, default (last month)": ["/"],
        "search, one agent's week": [],
        "search, contact by email": [],
        "search, text in the last month": [f"/?{urlencode({'text': w})}" for w in WORDS],
        "contact page": [],
    }
    for contact_id, user_name, email, start_ms in samples:
        day = datetime.fromtimestamp(start_ms / 1000, UTC).date()
        week = {"agent": user_name, "start": str(day - timedelta(days=6)), "end": str(day)}
        targets["search, one agent's week"].append(f"/?{urlencode(week)}")
        targets["search, contact by email"].append(
            f"/?{urlencode({'contact': email, 'start': '2000-01-01'})}"
        )
        targets["contact page"].append(f"/contacts/{contact_id}")
    return targets


_SAMPLE = text(
    """
    SELECT i.contact_id, u.user_name, p.value, i.start_ms
    FROM interactions i
    JOIN users u ON u.id = i.owner_id
    JOIN contact_points p ON p.contact_id = i.contact_id AND p.kind = 'email'
    WHERE i.source = 'main' AND i.start_ms >= :t
    ORDER BY i.start_ms
    LIMIT 1
    """
)


def _driver(database_url: str) -> str:
    return "sqlite+pysqlite" if database_url.startswith("sqlite") else "postgresql+psycopg"


def _next_page(client: httpx.Client) -> str:
    first = client.get("/")
    first.raise_for_status()
    found = re.search(r'href="([^"]+)" rel="next"', first.text)
    if found is None:
        raise RuntimeError("the default search has a single page")
    return found.group(1).replace("&amp;", "&")


def measure(client: httpx.Client, paths: list[str], n: int) -> dict[str, float]:
    server_ms: list[float] = []
    total_ms: list[float] = []

    def one(path: str, keep: Callable[[float, float], None] | None) -> None:
        began = datetime.now(UTC)
        answer = client.get(path)
        spent = (datetime.now(UTC) - began).total_seconds() * 1000
        if answer.status_code != 200:
            raise RuntimeError(f"GET {path}: {answer.status_code} {answer.text[:300]}")
        found = _SERVER_TIME.search(answer.headers.get("server-timing", ""))
        if found is None:
            raise RuntimeError(f"GET {path}: no Server-Timing header")
        if keep:
            keep(float(found.group(1)), spent)

    def record(server: float, total: float) -> None:
        server_ms.append(server)
        total_ms.append(total)

    for path in paths[:20]:  # warm caches and code paths
        one(path, None)
    for i in range(n):
        one(paths[i % len(paths)], record)
    server, total = Timing(server_ms), Timing(total_ms)
    return {
        "server_p50": round(server.p50, 2),
        "server_p99": round(server.p99, 2),
        "server_max": round(max(server_ms), 2),
        "http_p50": round(total.p50, 2),
        "http_p99": round(total.p99, 2),
    }


def render(r: dict[str, Any]) -> str:
    lines = [
        f"OpenUCS web UI benchmark, {r['interactions']:,} interactions, {r['database']}, "
        f"Python {r['python']}, {r['date']}, {r['requests']:,} requests per page",
        "",
        "| page | server p50 ms | server p99 ms | server max ms | HTTP p50 ms | HTTP p99 ms |"
        " p99 <= 150 ms |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for name, t in r["pages"].items():
        verdict = "met" if t["server_p99"] <= P99_TARGET_MS else "MISSED"
        if name == DASHBOARD:
            verdict = "-"
        lines.append(
            f"| {name} | {t['server_p50']:.1f} | {t['server_p99']:.1f} | {t['server_max']:.1f} "
            f"| {t['http_p50']:.1f} | {t['http_p99']:.1f} | {verdict} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())

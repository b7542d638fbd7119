"""Read audit benchmark: what recording every read costs the read path.

    .venv/bin/python bench/audit.py                     # seeds bench/.data/sessions-20000.db
    .venv/bin/python bench/audit.py --rounds 5 --requests 3000

The same database and code served twice, `audit_reads` off and on, in rounds ordered off-on,
on-off, ... (so drift of the machine falls on both alike). Each run starts one `openucs serve`
process (SQLite) and sends, with the session cookie, N sequential GETs of each read: the contact
with the most interactions (its 100 newest) and one of its interactions with content. Reported
per read and mode: the medians over the rounds of requests/s, p50 and p99, and of the server's
CPU time per request (user + system, all its threads: the audit's writer thread included), which
on a shared 2-core machine varies far less than wall-clock figures; and the ratios of audit on
to off. Results go to bench/results/audit-<date>.md and .json.
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import httpx  # noqa: E402
from scenarios import Timing, create_bench_user, free_port, server, today, write_results  # noqa: E402
from sessions import _seeded  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from openucs.store import open_store  # noqa: E402

WARM_UP = 50
MODES = {"audit off": "false", "audit on": "true"}


def main() -> int:
    args = _arguments()
    url = args.database or _seeded(args.interactions)
    db_path = Path(make_url(url).database or "")
    store = open_store(url)
    try:
        create_bench_user(store)
    finally:
        store.close()
    reads = _reads(db_path)
    runs: dict[str, dict[str, list[dict[str, float]]]] = {
        mode: {name: [] for name in reads} for mode in MODES
    }
    records_before = _audit_rows(db_path)
    for round_ in range(args.rounds):
        order = list(MODES.items())
        for mode, value in order if round_ % 2 == 0 else reversed(order):
            log = HERE / ".data" / "audit-bench.server.log"
            pids: list[int] = []
            with server(url, free_port(), log, {"audit_reads": value}, pids) as client:
                for name, path in reads.items():
                    runs[mode][name].append(_measure(client, path, args.requests, pids[0]))
    record = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": make_url(url).render_as_string(hide_password=True),
        "python": platform.python_version(),
        "rounds": args.rounds,
        "requests": args.requests,
        "reads": reads,
        "results": {mode: {n: _median(r) for n, r in per.items()} for mode, per in runs.items()},
        "audit_records_written": _audit_rows(db_path) - records_before,
    }
    print(render(record))
    write_results(record, render(record), f"audit-{today()}", args.out)
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", help="sqlite:///FILE.db (default: a seeded demo database)")
    parser.add_argument("--interactions", type=int, default=20_000, help="rows of the demo")
    parser.add_argument("--requests", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path)
    return parser.parse_args()


def _reads(db_path: Path) -> dict[str, str]:
    with sqlite3.connect(db_path) as conn:
        contact, item = conn.execute(
            "SELECT contact_id, max(id) FROM interactions WHERE contact_id IS NOT NULL"
            " GROUP BY contact_id ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
    return {
        "contact history (100 newest)": f"/api/v2/ucs/contacts/{contact}/interactions",
        "get by id with content": f"/api/v2/ucs/interactions/{item}",
    }


def _measure(client: httpx.Client, path: str, n: int, pid: int) -> dict[str, float]:
    for _ in range(WARM_UP):
        _checked(client.get(path))
    time.sleep(0.5)  # the audit's writer has written the warm-up's records
    samples = []
    cpu_before = _cpu_seconds(pid)
    began = time.perf_counter()
    for _ in range(n):
        start = time.perf_counter_ns()
        _checked(client.get(path))
        samples.append((time.perf_counter_ns() - start) / 1e6)
    elapsed = time.perf_counter() - began
    time.sleep(0.5)  # and those of the measured requests
    cpu_ms = (_cpu_seconds(pid) - cpu_before - 0.0) * 1000 / n
    timing = Timing(samples)
    return {
        "requests_per_s": n / elapsed,
        "p50_ms": timing.p50,
        "p99_ms": timing.p99,
        "cpu_ms_per_request": cpu_ms,
    }


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of the process, all threads (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _checked(answer: httpx.Response) -> None:
    if answer.status_code != 200:
        raise RuntimeError(f"{answer.request.url}: {answer.status_code} {answer.text[:200]}")


def _median(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: round(statistics.median(r[key] for r in runs), 3) for key in runs[0]}


def _audit_rows(db_path: Path) -> int:
    with sqlite3.connect(db_path) as conn:
        return int(conn.execute("SELECT count(*) FROM read_audit").fetchone()[0])


def render(r: dict[str, Any]) -> str:
    off, on = r["results"]["audit off"], r["results"]["audit on"]
    lines = [
        f"# Read audit benchmark, {r['date']}",
        "",
        f"{r['database']}, Python {r['python']}; {r['rounds']} alternating rounds of "
        f"{r['requests']:,} sequential cookie GETs per read and mode (medians over rounds), "
        "one server process.",
        "",
        "| read | audit | requests/s | p50 ms | p99 ms | server CPU ms/request |",
        "|---|---|---:|---:|---:|---:|",
    ]
    costs = []
    for name in r["reads"]:
        for mode, s in (("off", off[name]), ("on", on[name])):
            lines.append(
                f"| {name} | {mode} | {s['requests_per_s']:,.0f} | {s['p50_ms']:.2f} "
                f"| {s['p99_ms']:.2f} | {s['cpu_ms_per_request']:.3f} |"
            )
        rate = on[name]["requests_per_s"] / off[name]["requests_per_s"]
        cpu = on[name]["cpu_ms_per_request"] / off[name]["cpu_ms_per_request"]
        costs.append(cpu)
        lines.append(f"| {name} | on/off | {rate:.3f} | | | {cpu:.3f} |")
    lines += ["", f"audit records written: {r['audit_records_written']:,}"]
    verdict = "met" if max(costs) <= 1.1 else "MISSED"
    lines.append(
        f"target: the audit costs a read at most 10% more server CPU: {verdict} "
        f"(worst {max(costs):.3f}x)"
    )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())

"""Read path benchmark: the same reads served by several versions of the code, back to back.

    .venv/bin/python bench/read_path.py --against a3a51b2             # that commit vs this tree
    .venv/bin/python bench/read_path.py --against a3a51b2 --rounds 5 --requests 2000

Variants: `base` (the `--against` commit's `src/`, exported with `git archive` and served through
PYTHONPATH) and `this` (the working tree), each with uvicorn's pure-Python HTTP parser and
event loop (h11, asyncio: `uvloop` and `httptools` hidden from the server) and, for `this`, also
with what uvicorn picks when they are installed (`this+std`: httptools, uvloop). Rounds run the
variants in turn, the order reversed every other round, so drift of the machine falls on all.

Each run starts one `openucs serve` process (SQLite, the demo database of bench/sessions.py) and
sends N sequential GETs per read and client after a warm-up: the 100 newest interactions of the
busiest contact, and its newest interaction with content (GET by id), each with HTTP Basic on
every request and no cookie, and with the session cookie. Reported per read, client and
variant: the medians over rounds of requests/s, p50, p99 and the server's CPU time per request
(user + system, all threads), which on a shared machine varies less than wall-clock figures.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
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
from sessions import _seeded  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from openucs.store import open_store  # noqa: E402

WARM_UP = 100
CLIENTS = ("Basic", "cookie")
# Shadow modules that make uvicorn's `auto` choice fall back to h11 and asyncio.
_NO_STANDARD = "raise ImportError('hidden by bench/read_path.py')\n"


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
    reads = _reads(db_path)
    variants = _variants(args.against)
    runs: dict[str, dict[str, list[dict[str, float]]]] = {v: {} for v in variants}
    for round_ in range(args.rounds):
        order = list(variants.items())
        for name, pythonpath in order if round_ % 2 == 0 else reversed(order):
            print(f"round {round_ + 1}: {name}", file=sys.stderr)
            for key, figures in _run(url, pythonpath, reads, args.requests).items():
                runs[name].setdefault(key, []).append(figures)
    record = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": make_url(url).render_as_string(hide_password=True),
        "interactions": rows,
        "python": platform.python_version(),
        "against": args.against,
        "rounds": args.rounds,
        "requests": args.requests,
        "reads": reads,
        "results": {v: {k: _median(r) for k, r in per.items()} for v, per in runs.items()},
        "rounds_raw": runs,
    }
    print(render(record))
    write_results(record, render(record), f"read-path-{today()}-speed", args.out)
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", help="sqlite:///FILE.db (default: a seeded demo database)")
    parser.add_argument("--interactions", type=int, default=20_000, help="rows of the demo")
    parser.add_argument("--against", help="a commit to compare with (default: this tree only)")
    parser.add_argument("--requests", type=int, default=1_000)
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
        "contact history (100 newest)": (
            f"/api/v2/ucs/contacts/{contact}/interactions?fromDate=2000-01-01&maxSize=100"
        ),
        "get by id with content": f"/api/v2/ucs/interactions/{item}",
    }


def _variants(against: str | None) -> dict[str, list[str]]:
    """Variant name -> directories to put first on the server's PYTHONPATH."""
    hidden = _hidden_standard()
    variants = {"this": [hidden], "this+std": []}
    if against:
        variants = {"base": [hidden, _exported(against)], **variants}
    return variants


def _hidden_standard() -> str:
    folder = HERE / ".data" / "no-uvicorn-standard"
    for module in ("uvloop", "httptools"):
        (folder / module).mkdir(parents=True, exist_ok=True)
        (folder / module / "__init__.py").write_text(_NO_STANDARD)
    return str(folder)


def _exported(commit: str) -> str:
    """The commit's `src/` in bench/.data/src-COMMIT/src (made once)."""
    sha = subprocess.run(
        ["git", "rev-parse", "--short", commit], check=True, capture_output=True, text=True
    ).stdout.strip()
    target = HERE / ".data" / f"src-{sha}"
    if not (target / "src").exists():
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        archive = subprocess.run(["git", "archive", sha, "src"], check=True, capture_output=True)
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return str(target / "src")


@contextmanager
def _pythonpath(entries: list[str]) -> Iterator[None]:
    before = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join([*entries, *([before] if before else [])])
    try:
        yield
    finally:
        if before is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = before


def _run(
    url: str, pythonpath: list[str], reads: dict[str, str], n: int
) -> dict[str, dict[str, float]]:
    log = HERE / ".data" / "read-path-bench.server.log"
    pids: list[int] = []
    found = {}
    with _pythonpath(pythonpath), server(url, free_port(), log, None, pids) as cookie_client:
        base = str(cookie_client.base_url)
        with httpx.Client(base_url=base, timeout=30.0, auth=(USER, PASSWORD)) as basic_client:

            def basic(path: str) -> None:
                basic_client.cookies.clear()  # a client that never keeps the cookie
                _checked(basic_client.get(path))

            def cookie(path: str) -> None:
                _checked(cookie_client.get(path))

            for read, path in reads.items():
                for client, call in (("Basic", basic), ("cookie", cookie)):
                    found[f"{read} | {client}"] = _measure(partial(call, path), n, pids[0])
    return found


def _measure(request: Callable[[], None], n: int, pid: int) -> dict[str, float]:
    for _ in range(WARM_UP):
        request()
    time.sleep(0.3)  # the audit's writer has written the warm-up's records
    samples = []
    cpu_before = _cpu_seconds(pid)
    began = time.perf_counter()
    for _ in range(n):
        start = time.perf_counter_ns()
        request()
        samples.append((time.perf_counter_ns() - start) / 1e6)
    elapsed = time.perf_counter() - began
    time.sleep(0.3)  # and those of the measured requests
    timing = Timing(samples)
    return {
        "requests_per_s": n / elapsed,
        "p50_ms": timing.p50,
        "p99_ms": timing.p99,
        "cpu_ms_per_request": (_cpu_seconds(pid) - cpu_before) * 1000 / n,
    }


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of the process, all threads (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _checked(answer: httpx.Response) -> None:
    if answer.status_code != 200:
        raise RuntimeError(f"{answer.request.url}: {answer.status_code} {answer.text[:200]}")


def _median(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: round(statistics.median(r[key] for r in runs), 3) for key in runs[0]}


def render(r: dict[str, Any]) -> str:
    variants = list(r["results"])
    first = variants[0]
    lines = [
        f"# Read path benchmark, {r['date']}",
        "",
        f"{r['database']} ({r['interactions']:,} interactions), Python {r['python']}; "
        f"{r['rounds']} rounds of {r['requests']:,} sequential GETs per read, client and "
        f"variant (medians over rounds), one server process. Variants: "
        + ", ".join(variants)
        + (f" (base: {r['against']})" if r["against"] else "")
        + ".",
        "",
        f"| read | client | variant | requests/s | p50 ms | p99 ms | server CPU ms/request "
        f"| req/s vs {first} (paired) | CPU vs {first} (paired) |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for key in r["results"][first]:
        read, client = key.split(" | ")
        for variant in variants:
            s = r["results"][variant][key]
            lines.append(
                f"| {read} | {client} | {variant} | {s['requests_per_s']:,.0f} "
                f"| {s['p50_ms']:.2f} | {s['p99_ms']:.2f} | {s['cpu_ms_per_request']:.3f} "
                f"| {_paired(r, variant, key, 'requests_per_s'):.2f}x "
                f"| {_paired(r, variant, key, 'cpu_ms_per_request'):.2f}x |"
            )
    lines += [
        "",
        f"Paired: the median over rounds of the ratio to {first} in the same round (the load of "
        "the machine changes between rounds far more than between the runs of one round).",
    ]
    return "\n".join(lines) + "\n"


def _paired(r: dict[str, Any], variant: str, key: str, figure: str) -> float:
    runs = r["rounds_raw"]
    first = next(iter(runs))
    pairs = zip(runs[variant][key], runs[first][key], strict=True)
    return float(statistics.median(v[figure] / b[figure] for v, b in pairs))


if __name__ == "__main__":
    sys.exit(main())

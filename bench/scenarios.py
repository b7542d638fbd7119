"""The three read scenarios of the benchmark, each measured twice on the same database:

- through HTTP: a real `openucs serve` process on 127.0.0.1, one httpx client holding the
  JSESSIONID cookie, one request at a time;
- as bare SQL: the very statements the store runs for the scenario (captured from SQLAlchemy
  while the store answers it in-process), replayed with the sqlite3 module.

The difference is the cost of everything above the database: HTTP, auth, routing, access rules,
the domain objects and the JSON.
"""

from __future__ import annotations

import json
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, event

from openucs.config import load_settings
from openucs.domain.enums import Role
from openucs.gws.params import HistoryParams, build_history_query
from openucs.services.users import add_user
from openucs.store.base import Store

USER, PASSWORD = "bench", "bench-password"
SCENARIOS = ("contact history", "agent week", "get by id")
Statement = tuple[str, tuple[Any, ...]]


@dataclass
class Target:
    """One request of a scenario: its URL and the SQL statements the store runs for it."""

    path: str
    statements: list[Statement] = field(default_factory=list)


@dataclass
class Timing:
    samples_ms: list[float]

    @property
    def p50(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p99(self) -> float:
        ordered = sorted(self.samples_ms)
        return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


# --- choosing targets ----------------------------------------------------------------------


def pick_targets(db_path: Path, count: int, seed: int) -> dict[str, list[Target]]:
    """Random interactions (so busy contacts and agents come up as often as they are busy) and,
    from them, a contact, an agent and a week, and an id."""
    rng = random.Random(seed)
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        top = conn.execute("SELECT max(rowid) FROM interactions").fetchone()[0]
        rows: list[tuple[str, str | None, str | None, int]] = []
        while len(rows) < count:
            found = conn.execute(
                "SELECT id, contact_id, owner_id, start_ms FROM interactions WHERE rowid = ?",
                (rng.randint(1, top),),
            ).fetchone()
            if found and found[1] and found[2]:
                rows.append(found)
    targets: dict[str, list[Target]] = {name: [] for name in SCENARIOS}
    for iid, contact, owner, start_ms in rows:
        day = datetime.fromtimestamp(start_ms / 1000, UTC).date()
        week = f"fromDate={day - timedelta(days=6)}&toDate={day}"
        targets["contact history"].append(
            Target(f"/api/v2/ucs/contacts/{contact}/interactions?fromDate=2000-01-01&maxSize=100")
        )
        targets["agent week"].append(
            Target(f"/api/v2/ucs/interactions?userId={owner}&{week}&maxSize=100")
        )
        targets["get by id"].append(Target(f"/api/v2/ucs/interactions/{iid}"))
    return targets


# --- capturing the store's SQL -------------------------------------------------------------


@contextmanager
def captured() -> Iterator[list[Statement]]:
    """Every SELECT any SQLAlchemy engine sends while inside the block."""
    seen: list[Statement] = []

    def hook(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT") and not many:
            seen.append((statement, tuple(params or ())))

    event.listen(Engine, "before_cursor_execute", hook)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", hook)


def capture_statements(store: Store, targets: dict[str, list[Target]]) -> None:
    """Run each target's store read in-process and keep the statements it sends."""
    settings = load_settings()
    now = datetime.now(UTC)
    for target in targets["contact history"]:
        contact = target.path.split("/")[5]
        params = HistoryParams(contactId=contact, fromDate="2000-01-01", maxSize=100)
        query = build_history_query(params, settings=settings, now=now)
        with captured() as seen:
            store.history(query)
        target.statements = list(seen)
    for target in targets["agent week"]:
        args = dict(part.split("=") for part in target.path.split("?")[1].split("&"))
        params = HistoryParams(
            userId=args["userId"], fromDate=args["fromDate"], toDate=args["toDate"], maxSize=100
        )
        query = build_history_query(params, settings=settings, now=now)
        with captured() as seen:
            store.history(query)
        target.statements = list(seen)
    for target in targets["get by id"]:
        with captured() as seen:
            store.get_interaction(target.path.rsplit("/", 1)[1], with_content=True)
        target.statements = list(seen)


def query_plans(db_path: Path, targets: dict[str, list[Target]]) -> dict[str, str]:
    """`EXPLAIN QUERY PLAN` of each scenario's statements (its first target)."""
    plans = {}
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        for name, group in targets.items():
            lines: list[str] = []
            for sql, params in group[0].statements:
                found = conn.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
                lines.extend(str(row[3]) for row in found)
                lines.append("--")
            plans[name] = "\n".join(lines[:-1])
    return plans


# --- measuring -----------------------------------------------------------------------------


def measure(run_one: Callable[[Target], None], targets: list[Target], n: int) -> Timing:
    for target in targets[:20]:  # warm caches and code paths
        run_one(target)
    samples = []
    for i in range(n):
        target = targets[i % len(targets)]
        began = time.perf_counter_ns()
        run_one(target)
        samples.append((time.perf_counter_ns() - began) / 1e6)
    return Timing(samples)


def measure_sql(db_path: Path, targets: list[Target], n: int) -> Timing:
    conn = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA cache_size = -65536")

    def run_one(target: Target) -> None:
        for sql, params in target.statements:
            conn.execute(sql, params).fetchall()

    try:
        return measure(run_one, targets, n)
    finally:
        conn.close()


def measure_http(client: httpx.Client, targets: list[Target], n: int) -> Timing:
    def run_one(target: Target) -> None:
        answer = client.get(target.path)
        if answer.status_code != 200 or answer.json().get("statusCode") != 0:
            raise RuntimeError(f"GET {target.path}: {answer.status_code} {answer.text[:200]}")

    return measure(run_one, targets, n)


# --- the server process --------------------------------------------------------------------


def create_bench_user(store: Store) -> None:
    if store.get_user_by_name(USER) is None:
        add_user(store=store, user_name=USER, roles=frozenset({Role.SUPERVISOR}), password=PASSWORD)


@contextmanager
def server(
    database_url: str,
    port: int,
    log_path: Path,
    settings: dict[str, str] | None = None,
    pids: list[int] | None = None,
) -> Iterator[httpx.Client]:
    """`openucs serve` on 127.0.0.1:port (with `settings` as OPENUCS_ variables), and a client
    logged in with a session cookie. The server's process id is appended to `pids`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENUCS_")}
    env["OPENUCS_LOG_LEVEL"] = "warning"  # no access log line per request
    env["OPENUCS_WORKERS"] = "1"  # one process, as measured so far (bench/workers.py: more)
    env.update({f"OPENUCS_{k.upper()}": v for k, v in (settings or {}).items()})
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "openucs", "serve", "--database", database_url,
             "--host", "127.0.0.1", "--port", str(port)],
            stdout=log, stderr=subprocess.STDOUT, env=env,
        )  # fmt: skip
        if pids is not None:
            pids.append(process.pid)
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_until_up(base + "/api/v2/diagnostics/version", process)
            with httpx.Client(base_url=base, timeout=30.0) as client:
                me = client.get("/api/v2/me", auth=(USER, PASSWORD))
                me.raise_for_status()
                if "JSESSIONID" not in client.cookies:
                    raise RuntimeError("the server set no JSESSIONID cookie")
                yield client
        finally:
            process.terminate()
            process.wait(timeout=30)


def _wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode}")
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("the server did not answer within 60 s")


RESULTS = Path(__file__).resolve().parent / "results"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def result_paths(out: Path | None, stem: str) -> list[Path]:
    """Where a run's report goes: `out`, or `results/<stem>.md` and `.json`."""
    if out is not None:
        return [out]
    return [RESULTS / f"{stem}.md", RESULTS / f"{stem}.json"]


def write_results(record: dict[str, Any], markdown: str, stem: str, out: Path | None) -> None:
    """The run's report: the record as JSON and its Markdown (or one of them, into `out`)."""
    for path in result_paths(out, stem):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(record, indent=1) if path.suffix == ".json" else markdown)
        print(f"wrote {path}")


def today() -> str:
    return datetime.now(UTC).date().isoformat()

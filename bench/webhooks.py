"""Webhook benchmark (issue 11 part 6, webhook half): change-to-delivery latency at a steady
write rate, and delivery throughput to a fast receiver.

    .venv/bin/python bench/webhooks.py                         # SQLite in bench/.data
    .venv/bin/python bench/webhooks.py --database postgresql://postgres@127.0.0.1/bench
    .venv/bin/python bench/webhooks.py --rate 500 --seconds 10 --backlog 5000

Three processes: a real `openucs serve` (its dispatcher does the sending), a fast receiver
(bench/webhook_receiver.py: 204 at once, notes each record's seq and arrival time), and this
one, which writes interactions through the store.

- latency: one endpoint; interactions written at `--rate` changes/s (batches of 10 every
  20 ms at 500/s) for `--seconds`; each record's latency is its arrival at the receiver minus
  the end of the commit that wrote it. p50/p99/max, per `webhook_poll_ms` tried.
- throughput: `--backlog` records written while no server runs, then the server started:
  records delivered per second from the first arrival to the last, for 1 and 4 endpoints.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import psycopg  # noqa: E402
from scenarios import free_port, write_results  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from openucs.domain.enums import InteractionType, MediaType, Role, State  # noqa: E402
from openucs.domain.models import Interaction, User  # noqa: E402
from openucs.domain.webhooks import NewWebhook  # noqa: E402
from openucs.services import records, webhooks  # noqa: E402
from openucs.services.webhooks import TargetPolicy  # noqa: E402
from openucs.store import Store, open_store  # noqa: E402

BATCH = 10
ADMIN = User(id="BENCHADMIN", user_name="bench-admin", roles=frozenset({Role.ADMIN}))


@contextmanager
def receiver(log: Path) -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, str(HERE / "webhook_receiver.py"), str(log)], stdout=subprocess.PIPE
    )
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())
        yield f"http://127.0.0.1:{port}/hook"
    finally:
        process.kill()
        process.wait(10)
        if process.stdout is not None:
            process.stdout.close()


@contextmanager
def serving(url: str, log: Path, poll_ms: int) -> Iterator[subprocess.Popen[bytes]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENUCS_")}
    env.update(
        OPENUCS_LOG_LEVEL="warning",
        OPENUCS_WEBHOOK_ALLOW_PRIVATE_TARGETS="true",
        OPENUCS_WEBHOOK_POLL_MS=str(poll_ms),
    )
    port = free_port()
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "openucs", "serve", "--database", url, "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    try:
        time.sleep(3)  # started (the dispatcher starts with the app)
        if process.poll() is not None:
            raise RuntimeError(f"the server exited: see {log}")
        yield process
    finally:
        process.terminate()
        process.wait(30)


def arrivals(log: Path) -> dict[int, float]:
    """seq -> first arrival time."""
    found: dict[int, float] = {}
    if log.exists():
        for line in log.read_text().splitlines():
            seq, at = line.split()
            found.setdefault(int(seq), float(at))
    return found


def wait_for(log: Path, count: int, timeout: float) -> dict[int, float]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = arrivals(log)
        if len(got) >= count:
            return got
        time.sleep(0.05)
    raise RuntimeError(f"only {len(arrivals(log))} of {count} records arrived")


def batch(prefix: str, n: int) -> list[Interaction]:
    start = datetime(2026, 12, 6, tzinfo=UTC)
    return [
        Interaction(
            id=f"{prefix}{n:06d}{k:02d}",
            media_type=MediaType.CHAT,
            type_id=InteractionType.INBOUND,
            state=State.STOPPED,
            start_date=start,
            subject="benchmark",
        )
        for k in range(BATCH)
    ]


def endpoint(store: Store, url: str) -> None:
    webhooks.create_webhook(
        store=store,
        user=ADMIN,
        data=NewWebhook(url=url),
        policy=TargetPolicy(allow_private=True),
        zone=UTC,
    )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def latency_run(url: str, work: Path, rate: int, seconds: float, poll_ms: int) -> dict[str, Any]:
    log = work / f"latency-{poll_ms}.log"
    store = open_store(url)
    try:
        with receiver(log) as target, serving(url, work / "server.log", poll_ms):
            endpoint(store, target)
            _, first = store.change_bounds()
            committed: dict[int, float] = {}
            interval = BATCH / rate
            begin = time.monotonic()
            n = 0
            while time.monotonic() - begin < seconds:
                due = begin + n * interval
                if (wait := due - time.monotonic()) > 0:
                    time.sleep(wait)
                records.ingest(store=store, interactions=batch(f"L{poll_ms}-", n))
                done = time.time()
                _, last = store.change_bounds()
                for seq in range(last - BATCH + 1, last + 1):
                    committed.setdefault(seq, done)
                n += 1
            wrote = time.monotonic() - begin
            got = wait_for(log, len(committed), 120)
    finally:
        store.close()
    latencies = [(got[s] - t) * 1000 for s, t in committed.items() if s > first]
    return {
        "poll_ms": poll_ms,
        "changes": len(latencies),
        "write_rate": round(len(latencies) / wrote),
        "p50_ms": round(statistics.median(latencies), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "max_ms": round(max(latencies), 1),
    }


def throughput_run(url: str, work: Path, backlog: int, endpoints: int) -> dict[str, Any]:
    logs = [work / f"throughput-{endpoints}-{k}.log" for k in range(endpoints)]
    store = open_store(url)
    try:
        with contextlib.ExitStack() as stack:
            targets = [stack.enter_context(receiver(log)) for log in logs]
            for target in targets:
                endpoint(store, target)
            for n in range(backlog // BATCH):
                records.ingest(store=store, interactions=batch(f"T{endpoints}-", n))
            with serving(url, work / "server.log", 250):
                got = [wait_for(log, backlog, 600) for log in logs]
    finally:
        store.close()
    times = [t for each in got for t in each.values()]
    span = max(times) - min(times)
    return {
        "endpoints": endpoints,
        "records": backlog * endpoints,
        "seconds": round(span, 2),
        "per_second": round(backlog * endpoints / span),
    }


@contextmanager
def fresh_url(given: str | None, work: Path, name: str) -> Iterator[str]:
    """A new SQLite file, or a new schema in the given PostgreSQL database (dropped after)."""
    if given is None:
        url = f"sqlite:///{work / (name + '.db')}"
        _upgraded(url)
        yield url
        return
    schema = f"bench_webhooks_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(given, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
    try:
        scoped = make_url(given).update_query_dict({"options": f"-csearch_path={schema}"})
        rendered = scoped.render_as_string(hide_password=False)
        _upgraded(rendered)
        yield rendered
    finally:
        with psycopg.connect(given, autocommit=True) as admin:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


def markdown(record: dict[str, Any]) -> str:
    lines = [
        f"# Webhooks ({record['engine']}, {record['date']})",
        "",
        f"Machine: {record['machine']}; `bench/webhooks.py {' '.join(record['argv'])}`.",
        "",
        "## Change to delivery (one endpoint)",
        "",
        "| webhook_poll_ms | changes | write rate /s | p50 ms | p99 ms | max ms |",
        "|---|---|---|---|---|---|",
    ]
    for run in record["latency"]:
        lines.append(
            f"| {run['poll_ms']} | {run['changes']} | {run['write_rate']} | {run['p50_ms']} | "
            f"{run['p99_ms']} | {run['max_ms']} |"
        )
    lines += [
        "",
        "## Throughput to a fast receiver (a backlog, sent in order per endpoint)",
        "",
        "| endpoints | records | seconds | records/s |",
        "|---|---|---|---|",
    ]
    for run in record["throughput"]:
        lines.append(
            f"| {run['endpoints']} | {run['records']} | {run['seconds']} | {run['per_second']} |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", help="a fresh PostgreSQL database (default: SQLite)")
    parser.add_argument("--rate", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--backlog", type=int, default=5000)
    parser.add_argument("--polls", default="250,50")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        latency = []
        for poll in (int(p) for p in args.polls.split(",")):
            with fresh_url(args.database, work, f"latency-{poll}") as url:
                latency.append(latency_run(url, work, args.rate, args.seconds, poll))
            print(latency[-1])
        throughput = []
        for count in (1, 4):
            with fresh_url(args.database, work, f"throughput-{count}") as url:
                throughput.append(throughput_run(url, work, args.backlog, count))
            print(throughput[-1])
    record = {
        "date": datetime.now(UTC).date().isoformat(),
        "engine": "postgresql" if args.database else "sqlite",
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "argv": sys.argv[1:],
        "latency": latency,
        "throughput": throughput,
    }
    stem = f"webhooks-{record['date']}-{record['engine']}"
    write_results(record, markdown(record), stem, args.out)
    return 0


def _upgraded(url: str) -> None:
    store = open_store(url)
    try:
        store.upgrade()
    finally:
        store.close()


if __name__ == "__main__":
    sys.exit(main())

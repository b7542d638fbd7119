"""`make bench`: seed a fresh SQLite database with N demo interactions (1,000,000 by default),
then measure the import rate, the latency of three reads through HTTP and as bare SQL, and check
that the query plans do not change between N/10 and N rows.

    .venv/bin/python bench/run.py                       # the full run (takes a while)
    .venv/bin/python bench/run.py --interactions 100000 # a quick one
    .venv/bin/python bench/run.py --reuse               # keep the database of an earlier run

The database lives in bench/.data/ (not in git); results go to bench/results/<date>.md and .json
(or --out FILE.md|FILE.json). Requests go only to a server on 127.0.0.1 started here.
Targets (reported, not asserted): import >= 20,000 interactions/s, contact history HTTP p99 <=
5 ms, equal plans at both sizes.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from report import render_markdown, render_table  # noqa: E402
from scenarios import (  # noqa: E402
    SCENARIOS,
    Target,
    capture_statements,
    create_bench_user,
    free_port,
    measure_http,
    measure_sql,
    pick_targets,
    query_plans,
    result_paths,
    server,
    today,
)

from openucs.demo import DemoBatches, DemoData, DemoPlan  # noqa: E402
from openucs.domain.query import HistoryQuery  # noqa: E402
from openucs.gws.ndjson import (  # noqa: E402
    ContactLineEncoder,
    InteractionLineEncoder,
    InteractionLines,
    decode_contact_line,
)
from openucs.services import bulk, pipeline  # noqa: E402
from openucs.store import Store, open_store  # noqa: E402

SEED = 42
BASE_URL = "http://127.0.0.1:8080/api/v2"
BASELINE = "no-op (version)"  # HTTP with auth and no store read: the floor of the stack


def main() -> int:
    args = _arguments()
    n = args.interactions
    data = HERE / ".data"
    data.mkdir(exist_ok=True)
    db_path = data / f"bench-{n}.db"
    url = f"sqlite:///{db_path}"
    sidecar = db_path.with_suffix(".seed.json")
    if not (args.reuse and db_path.exists() and sidecar.exists()):
        _remove_database(db_path)
        store = open_store(url)
        try:
            store.upgrade()
            seeded = _seed(store, url, db_path, n)
        finally:
            store.close()
        seeded["file_import"] = _import_file(url, data, n)
        sidecar.write_text(json.dumps(seeded, indent=1))
    results = json.loads(sidecar.read_text())
    if "file_import" not in results:  # a database seeded before the file import was measured
        results["file_import"] = _import_file(url, data, n)
        sidecar.write_text(json.dumps(results, indent=1))
    results.update(date=datetime.now(UTC).isoformat(timespec="seconds"), requests=args.requests)
    results["load_before"] = [round(x, 2) for x in os.getloadavg()]
    results["plans"]["large"] = query_plans(db_path, _targets(results["plans"]["statements"]))
    results["plans"]["identical"] = results["plans"]["large"] == results["plans"]["small"]
    results["latency"] = _latency(url, db_path, args.samples, args.requests)
    results["load_after"] = [round(x, 2) for x in os.getloadavg()]
    print(render_table(results))
    for out in result_paths(args.out, today() if n == 1_000_000 else f"{today()}-{n}"):
        out.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(results, indent=1) if out.suffix == ".json" else render_markdown(results)
        out.write_text(text + "\n")
        print(f"wrote {out}")
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=2000, help="per scenario and mode")
    parser.add_argument("--samples", type=int, default=200, help="distinct targets per scenario")
    parser.add_argument("--reuse", action="store_true", help="reuse an earlier run's database")
    parser.add_argument("--out", type=Path, help="bench/results/<date>.md or .json")
    args = parser.parse_args()
    if args.interactions < 1000:
        parser.error("--interactions must be at least 1000")
    return args


def _seed(store: Store, url: str, db_path: Path, n: int) -> dict[str, Any]:
    """Seed as `openucs seed` does (generated and prepared in a second process), pausing once
    at n/10 rows to record the plans of the scenario statements."""
    plan = DemoPlan(interactions=n, seed=SEED)
    data = DemoData(plan)
    contacts = bulk.save_contact_batches(
        store=store, batches=bulk.batched(data.contacts(), bulk.DEFAULT_BATCH)
    )
    small_at = n // 10
    snapshot: dict[str, Any] = {}
    os.sync()  # no earlier writes still on their way to the disk while the import is timed

    def progress(done: int) -> None:
        if sys.stderr.isatty():
            print(f"\rseeding: {done:,} of {n:,}", end="", file=sys.stderr, flush=True)
        if done >= small_at and not snapshot:
            paused = time.perf_counter()
            targets = pick_targets(db_path, 5, SEED)
            capture_statements(store, targets)
            snapshot.update(
                rows=done,
                small=query_plans(db_path, targets),
                statements={k: [t.statements for t in v] for k, v in targets.items()},
                pause=time.perf_counter() - paused,
            )

    stats = pipeline.ingest_in_two_processes(
        store=store,
        database_url=url,
        source=DemoBatches(plan, bulk.DEFAULT_BATCH),
        progress=progress,
    )
    if sys.stderr.isatty():
        print(file=sys.stderr)
    seconds = stats.seconds - snapshot.pop("pause")  # the plan snapshot is not import time
    return {
        "interactions": stats.records,
        "contacts": contacts.records,
        "seed_load": [round(x, 2) for x in os.getloadavg()],
        "seed": _rates(stats.records, seconds, stats.store_seconds),
        "plans": {"small_rows": snapshot["rows"], "large_rows": stats.records, **snapshot},
    }


def _import_file(url: str, data: Path, n: int) -> dict[str, Any]:
    """Export the seeded database to NDJSON, then import the files into a new database as
    `openucs import` does (a file this large is decoded in a second process)."""
    contacts_file = data / f"bench-{n}.contacts.ndjson"
    interactions_file = data / f"bench-{n}.ndjson"
    store = open_store(url)
    try:
        with contacts_file.open("wb") as out:
            bulk.export_contacts(store=store, encode=ContactLineEncoder(BASE_URL), write=out.write)
        with interactions_file.open("wb") as out:
            query = bulk.export_query(HistoryQuery(), bounded=False)
            encode = InteractionLineEncoder(BASE_URL, UTC)
            bulk.export_interactions(store=store, query=query, encode=encode, write=out.write)
    finally:
        store.close()
    target = data / f"bench-{n}-imported.db"
    _remove_database(target)
    store = open_store(f"sqlite:///{target}")
    try:
        store.upgrade()
        with contacts_file.open("rb") as lines:
            bulk.import_contacts(store=store, lines=lines, decode=decode_contact_line)
        os.sync()  # the export's 1.3 GB must not be written back during the timed import
        stats = pipeline.ingest_in_two_processes(
            store=store,
            database_url=f"sqlite:///{target}",
            source=bulk.NdjsonFileBatches(str(interactions_file), InteractionLines(UTC)),
        )
        imported = store.count_interactions()
    finally:
        store.close()
    _remove_database(target)
    return {
        **_rates(stats.records, stats.seconds, stats.store_seconds),
        "file_bytes": interactions_file.stat().st_size,
        "rows_after": imported,
    }


def _rates(records: int, seconds: float, write_seconds: float) -> dict[str, Any]:
    return {
        "seconds": round(seconds, 1),
        "end_to_end_rate": round(records / seconds),
        "write_rate": round(records / write_seconds),
        "batch_size": bulk.DEFAULT_BATCH,
    }


def _remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _targets(statements: dict[str, list[list[list[Any]]]]) -> dict[str, list[Target]]:
    return {
        name: [Target("", [(sql, tuple(params)) for sql, params in group]) for group in groups]
        for name, groups in statements.items()
    }


def _latency(url: str, db_path: Path, samples: int, requests: int) -> dict[str, Any]:
    targets = pick_targets(db_path, samples, SEED + 1)
    store = open_store(url)
    try:
        capture_statements(store, targets)
        create_bench_user(store)
    finally:
        store.close()
    latency: dict[str, Any] = {}
    for name in SCENARIOS:
        sql = measure_sql(db_path, targets[name], requests)
        latency[name] = {"sql_p50": sql.p50, "sql_p99": sql.p99}
    with server(url, free_port(), db_path.with_suffix(".server.log")) as client:
        for name in SCENARIOS:
            http = measure_http(client, targets[name], requests)
            latency[name].update(http_p50=http.p50, http_p99=http.p99)
        floor = measure_http(client, [Target("/api/v2/diagnostics/version")], requests)
        latency[BASELINE] = {"http_p50": floor.p50, "http_p99": floor.p99}
    return latency


if __name__ == "__main__":
    sys.exit(main())

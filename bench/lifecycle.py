"""Archive benchmark: `openucs archive` on a seeded database, same database and second one.

    .venv/bin/python -m openucs seed --database sqlite:///bench/.data/archive-1000000.db \
        -n 1000000 --now 2026-12-06
    .venv/bin/python bench/lifecycle.py --database bench/.data/archive-1000000.db \
        --now 2026-12-06 --older-than 180d

The seeded SQLite file is copied for each run (it is never changed). For each layout (the
archive tier in the same database; in a second SQLite file) the script times a dry run, then
the run that moves the threads (`services.archive.archive_threads`, batches of 1,000 threads,
as `openucs archive` runs it), and checks that the tiers hold what they should afterwards.
Results go to bench/results/archive-<date>.md and .json.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from scenarios import today, write_results  # noqa: E402

from openucs.domain.enums import Source  # noqa: E402
from openucs.domain.query import HistoryQuery  # noqa: E402
from openucs.services.archive import archive_threads, parse_duration  # noqa: E402
from openucs.store import Store, open_store  # noqa: E402

DATA = HERE / ".data"
LAYOUTS = ("same database", "second database")


def copy_database(source: Path, target: Path) -> None:
    """The seeded file and its WAL, copied (the seeded database stays as it is)."""
    for suffix in ("", "-wal", "-shm"):
        done = Path(str(target) + suffix)
        done.unlink(missing_ok=True)
        found = Path(str(source) + suffix)
        if found.exists():
            shutil.copyfile(found, done)


def run_layout(layout: str, seeded: Path, before: datetime, batch: int) -> dict[str, Any]:
    work = DATA / "archive-run.db"
    archive_file = DATA / "archive-run-archive.db"
    copy_database(seeded, work)
    for suffix in ("", "-wal", "-shm"):
        Path(str(archive_file) + suffix).unlink(missing_ok=True)
    archive_url = f"sqlite:///{archive_file}" if layout == "second database" else ""
    return run_on(layout, f"sqlite:///{work}", archive_url, before, batch)


def run_on(
    layout: str, database_url: str, archive_url: str, before: datetime, batch: int
) -> dict[str, Any]:
    """One dry run and one run on a database (changed: the threads move)."""
    store = open_store(database_url, archive_url)
    load = [round(os.getloadavg()[0], 2)]
    try:
        store.upgrade()
        total = store.count_interactions()
        began = time.monotonic()
        dry = archive_threads(store=store, before=before, batch_threads=batch, dry_run=True)
        dry_seconds = time.monotonic() - began
        report = archive_threads(
            store=store, before=before, batch_threads=batch, progress=_progress(layout)
        )
        print()
        load.append(round(os.getloadavg()[0], 2))
        left = _left(store)
    finally:
        store.close()
    assert (report.threads, report.interactions) == (dry.threads, dry.interactions)
    return {
        "layout": layout,
        "interactions": total,
        "threads_moved": report.threads,
        "interactions_moved": report.interactions,
        "seconds": round(report.seconds, 1),
        "rate": round(report.interactions / report.seconds) if report.seconds else None,
        "dry_run_seconds": round(dry_seconds, 1),
        "left": left,
        "load_average": load,  # 1-minute load average before and after the run
    }


def _progress(layout: str) -> Any:
    shown = [0.0]

    def show(report: Any) -> None:
        if time.monotonic() - shown[0] > 5:
            shown[0] = time.monotonic()
            print(f"\r{layout}: {report.interactions:,} moved, {report.seconds:.0f} s", end="")

    return show


def _left(store: Store) -> dict[str, int]:
    """How many interactions each tier holds afterwards (in whichever database keeps it)."""
    return {
        f"{source.value} tier": store.count_history(
            HistoryQuery(source=source), cap=100_000_000
        ).value
        for source in Source
    }


def markdown(record: dict[str, Any]) -> str:
    lines = [
        f"# Archive benchmark, {record['date']}",
        "",
        f"{record['interactions']:,} demo interactions (`openucs seed -n "
        f"{record['interactions']} --now {record['now']}`, 13 months of history); "
        f"`archive_threads(before=now - {record['older_than']})`, batches of "
        f"{record['batch_threads']:,} threads, each one transaction; machine: "
        f"{record['machine']} (2 cores shared with other jobs).",
        "",
        "| Layout | Threads moved | Interactions moved | Time | Rate | Dry run | Left after "
        "| Load (1 min, before/after) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for run in record["runs"]:
        left = ", ".join(f"{k}: {v:,}" for k, v in run["left"].items())
        lines.append(
            f"| {run['layout']} | {run['threads_moved']:,} | {run['interactions_moved']:,} | "
            f"{run['seconds']} s | {run['rate']:,}/s | {run['dry_run_seconds']} s | {left} | "
            f"{' / '.join(str(x) for x in run['load_average'])} |"
        )
    lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", type=Path, help="the seeded SQLite file (copied)")
    parser.add_argument(
        "--postgres", help="a seeded PostgreSQL URL instead: same database, archived in place"
    )
    parser.add_argument("--now", required=True, help="the seed's anchor day, yyyy-mm-dd")
    parser.add_argument("--older-than", default="180d")
    parser.add_argument("--batch-threads", type=int, default=1000)
    parser.add_argument("--layout", choices=LAYOUTS, action="append")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    now = datetime.fromisoformat(args.now).replace(tzinfo=UTC)
    before = now - parse_duration("older_than", args.older_than)
    if args.postgres:
        runs = [run_on("same database (PostgreSQL)", args.postgres, "", before, args.batch_threads)]
    else:
        runs = [
            run_layout(layout, args.database, before, args.batch_threads)
            for layout in args.layout or LAYOUTS
        ]
    record = {
        "date": today(),
        "now": args.now,
        "older_than": args.older_than,
        "batch_threads": args.batch_threads,
        "interactions": runs[0]["interactions"],
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
        "runs": runs,
    }
    write_results(record, markdown(record), f"archive-{today()}", args.out)


if __name__ == "__main__":
    main()

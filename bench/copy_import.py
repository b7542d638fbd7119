"""Import at the engine's speed (issue 10, part 4): `openucs seed`'s import of N demo
interactions on PostgreSQL against a plain COPY of the same rows into the same tables.

    .venv/bin/python bench/copy_import.py --rows 100000
    .venv/bin/python bench/copy_import.py --rows 1000000 --keep

The import runs as `openucs seed` runs it (`bench/search_build.py`: two processes, batches of
20,000, attributes, contents, search documents and change records included), into a fresh
database. Then a second fresh database gets the same schema, contacts and users (not timed),
and the rows of `interactions`, `interaction_attributes`, `interaction_contents`,
`interaction_search` and `changes` are copied from the first with `COPY ... TO STDOUT` /
`COPY ... FROM STDIN` (text format), one transaction, timed: what the engine takes to store
those bytes with the same indexes, constraints and triggers, and no Python per row.
Results: bench/results/copy-import-<date>.md and .json.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import psycopg  # noqa: E402
from scenarios import today, write_results  # noqa: E402
from search_build import POSTGRES_ADMIN, Database, build_apart, create, drop  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from openucs.store import open_store  # noqa: E402

UNTIMED = ("users", "contacts", "contact_points")
TIMED = (
    "interactions",
    "interaction_attributes",
    "interaction_contents",
    "interaction_search",
    "changes",
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--postgres", default=POSTGRES_ADMIN, help="server and admin database")
    parser.add_argument("--keep", action="store_true", help="keep the imported database")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    source = Database("postgresql", args.rows, "copy-import", args.postgres)
    target = Database("postgresql", args.rows, "plain-copy", args.postgres)
    load = [round(os.getloadavg()[0], 2)]
    imported = build_apart(source, keep=True)
    load.append(round(os.getloadavg()[0], 2))
    try:
        copied = _plain_copy(source, target)
    finally:
        drop(target)
        if not args.keep:
            drop(source)
    load.append(round(os.getloadavg()[0], 2))
    record = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "rows": args.rows,
        "import": imported,
        "plain_copy": copied,
        "load_average": load,
    }
    markdown = render(record)
    print(markdown)
    write_results(record, markdown, f"copy-import-{today()}-{args.rows}", args.out)
    return 0


def _plain_copy(source: Database, target: Database) -> dict[str, Any]:
    drop(target)
    create(target)
    store = open_store(target.url)
    try:
        store.upgrade()
    finally:
        store.close()
    with _connect(source) as src, _connect(target) as dst:
        for table in UNTIMED:
            _copy_table(src, dst, table)
        dst.commit()
        began = time.perf_counter()
        sizes = {table: _copy_table(src, dst, table) for table in TIMED}
        dst.commit()
        seconds = time.perf_counter() - began
    return {"seconds": round(seconds, 2), "bytes": sizes}


def _connect(db: Database) -> psycopg.Connection[Any]:
    url = make_url(db.url)
    return psycopg.connect(
        host=url.host, port=url.port, user=url.username, dbname=url.database,
        password=url.password,
    )  # fmt: skip


def _copy_table(src: psycopg.Connection[Any], dst: psycopg.Connection[Any], table: str) -> int:
    """Every row of `table` from `src` into `dst`, in the columns' order of `src`; bytes sent."""
    columns = [
        row[0]
        for row in src.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s"
            " ORDER BY ordinal_position",
            (table,),
        )
    ]
    names = ", ".join(columns)
    sent = 0
    with (
        src.cursor() as out,
        dst.cursor() as into,
        out.copy(f"COPY {table} ({names}) TO STDOUT") as reading,
        into.copy(f"COPY {table} ({names}) FROM STDIN") as writing,
    ):
        for chunk in reading:
            writing.write(chunk)
            sent += len(chunk)
    return sent


def render(r: dict[str, Any]) -> str:
    imp, plain = r["import"], r["plain_copy"]
    rows = r["rows"]
    plain_rate = rows / plain["seconds"]
    return (
        "\n".join(
            [
                f"# PostgreSQL import against a plain COPY, {r['date']}",
                "",
                f"{rows:,} demo interactions (seed 42), source {imp['source']}. Load average "
                f"{r['load_average'][0]} before, {r['load_average'][1]} after the import, "
                f"{r['load_average'][2]} after the plain COPY (2 CPUs shared with other work).",
                "",
                "| what | seconds | interactions/s | ratio to plain COPY |",
                "|---|---:|---:|---:|",
                f"| `openucs seed`'s import, end to end | {imp['seconds']} "
                f"| {imp['end_to_end_rate']:,} | {imp['end_to_end_rate'] / plain_rate:.2f}x |",
                f"| the same, the writer's transactions alone | {rows / imp['write_rate']:.1f} "
                f"| {imp['write_rate']:,} | {imp['write_rate'] / plain_rate:.2f}x |",
                f"| plain COPY of the same rows (interactions, attributes, contents, search "
                f"documents, change records) | {plain['seconds']} | {plain_rate:,.0f} | 1.00x |",
                "",
                "Bytes copied per table: "
                + ", ".join(f"{t} {n / 1e6:,.1f} MB" for t, n in plain["bytes"].items())
                + ".",
            ]
        )
        + "\n"
    )


if __name__ == "__main__":
    sys.exit(main())

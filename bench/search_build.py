"""The search benchmark's databases: N demo interactions (seed 42, the 13 months before a fixed
day) seeded as `openucs seed` does, on SQLite (a file under /tmp/bench-search/) or PostgreSQL
(a database of its own on the server), with the import rate measured.

Runnable alone, so that the same build can be timed on another revision's source (PYTHONPATH
set to its `src`): only names that older revisions have are used here.

    .venv/bin/python bench/search_build.py --engine sqlite --rows 100000 --name plain
    .venv/bin/python bench/search_build.py --engine sqlite --rows 100000 --migrate-from plain
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from openucs.demo import DemoBatches, DemoData, DemoPlan
from openucs.services import bulk, pipeline
from openucs.store import open_store
from openucs.store.sql import SqlStore

SEED = 42
ANCHOR = datetime(2026, 12, 1, tzinfo=UTC)  # every start lies in the 13 months before it
DATA = Path("/tmp/bench-search")  # noqa: S108 - scratch space, kept between runs
POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
ENGINES = ("sqlite", "postgresql")


@dataclass(frozen=True)
class Database:
    """Where one benchmark database lives, and the file recording how it was built."""

    engine: str
    rows: int
    name: str
    postgres_admin: str = POSTGRES_ADMIN

    @property
    def stem(self) -> str:
        return f"{self.name}-{self.rows}"

    @property
    def url(self) -> str:
        if self.engine == "sqlite":
            return f"sqlite:///{DATA / self.stem}.db"
        admin = make_url(self.postgres_admin)
        return admin.set(database=f"bench_{self.stem}").render_as_string(hide_password=False)

    @property
    def sidecar(self) -> Path:
        return DATA / f"{self.stem}.{self.engine}.json"

    def plan(self) -> DemoPlan:
        return DemoPlan(interactions=self.rows, seed=SEED, now=ANCHOR)


def build(db: Database) -> dict[str, Any]:
    """A fresh database holding the plan's data, then ANALYZE; returns the import figures
    (also written to the sidecar file)."""
    DATA.mkdir(parents=True, exist_ok=True)
    drop(db)
    create(db)
    store = open_store(db.url)
    try:
        store.upgrade()
        plan = db.plan()
        contacts = bulk.save_contact_batches(
            store=store, batches=bulk.batched(DemoData(plan).contacts(), bulk.DEFAULT_BATCH)
        )
        os.sync()  # no earlier writes still on their way to the disk while the import is timed
        load_before = os.getloadavg()[0]
        stats = pipeline.ingest_in_two_processes(
            store=store,
            database_url=db.url,
            source=DemoBatches(plan, bulk.DEFAULT_BATCH),
            progress=_progress(db.rows),
        )
        load_after = os.getloadavg()[0]
        if isinstance(store, SqlStore):
            store.analyze()
        rows = store.count_interactions()
    finally:
        store.close()
    record = {
        "engine": db.engine,
        "name": db.name,
        "rows": rows,
        "contacts": contacts.records,
        "built": datetime.now(UTC).isoformat(timespec="seconds"),
        "source": os.environ.get("BENCH_SOURCE_REVISION") or _revision(),
        "seconds": round(stats.seconds, 1),
        "end_to_end_rate": round(stats.records / stats.seconds),
        "write_rate": round(stats.records / stats.store_seconds),
        "load": [round(load_before, 2), round(load_after, 2)],
    }
    db.sidecar.write_text(json.dumps(record, indent=1))
    return record


def migrate_from(db: Database, earlier: Database) -> dict[str, Any]:
    """`db` as a copy of `earlier` (built by an older revision), brought to this revision's
    schema by `store.upgrade()` (timed: the migrations fill the new indexes), then ANALYZE.
    No import is measured: the sidecar records the upgrade."""
    drop(db)
    if db.engine == "sqlite":
        shutil.copyfile(_file(earlier), _file(db))
    else:
        source = make_url(earlier.url).database
        _admin(db, f'CREATE DATABASE "{make_url(db.url).database}" TEMPLATE "{source}"')
    store = open_store(db.url)
    try:
        load_before = os.getloadavg()[0]
        began = time.perf_counter()
        store.upgrade()
        seconds = time.perf_counter() - began
        load_after = os.getloadavg()[0]
        if isinstance(store, SqlStore):
            store.analyze()
        rows = store.count_interactions()
    finally:
        store.close()
    record = {
        "engine": db.engine,
        "name": db.name,
        "rows": rows,
        "built": datetime.now(UTC).isoformat(timespec="seconds"),
        "source": os.environ.get("BENCH_SOURCE_REVISION") or _revision(),
        "migrated_from": earlier.stem,
        "upgrade_seconds": round(seconds, 1),
        "load": [round(load_before, 2), round(load_after, 2)],
    }
    db.sidecar.write_text(json.dumps(record, indent=1))
    return record


def build_apart(db: Database, revision: str | None = None, *, keep: bool = False) -> dict[str, Any]:
    """`build(db)` in a process of its own, on the source of `revision` (by `git archive`,
    under DATA) or of this working tree; the database is dropped afterwards unless `keep`."""
    env = dict(os.environ)
    if revision:
        env.update(PYTHONPATH=str(source_tree(revision) / "src"), BENCH_SOURCE_REVISION=revision)
    command = [sys.executable, str(Path(__file__).resolve()), "--engine", db.engine,
               "--rows", str(db.rows), "--name", db.name,
               "--postgres", db.postgres_admin]  # fmt: skip
    if not keep:
        command.append("--drop")
    done = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    record: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return record


def source_tree(revision: str) -> Path:
    """The `src` of `revision`, extracted once under DATA."""
    tree = DATA / f"src-{revision}"
    if not tree.exists():
        archive = subprocess.run(
            ["git", "archive", revision, "src"],
            cwd=Path(__file__).resolve().parents[1], check=True, capture_output=True,
        )  # fmt: skip
        tree.mkdir(parents=True)
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    return tree


def _revision() -> str:
    """The working tree's commit (and `+changes` when it differs from it)."""
    here = Path(__file__).resolve().parents[1]
    run = partial(subprocess.run, cwd=here, capture_output=True, text=True, check=False)
    commit = run(["git", "rev-parse", "--short", "HEAD"]).stdout.strip() or "working tree"
    changed = run(["git", "status", "--porcelain", "src"]).stdout.strip()
    return commit + ("+changes" if changed else "")


def _file(db: Database) -> Path:
    return Path(make_url(db.url).database or "")


def built(db: Database) -> dict[str, Any] | None:
    """The sidecar of an earlier build of this database, if the database is still there."""
    if not db.sidecar.exists() or not exists(db):
        return None
    record: dict[str, Any] = json.loads(db.sidecar.read_text())
    return record


def exists(db: Database) -> bool:
    if db.engine == "sqlite":
        return _file(db).exists()
    engine = create_engine(db.postgres_admin)
    try:
        with engine.connect() as conn:
            found = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"),
                {"name": make_url(db.url).database},
            ).first()
    finally:
        engine.dispose()
    return found is not None


def create(db: Database) -> None:
    if db.engine == "postgresql":
        _admin(db, f'CREATE DATABASE "{make_url(db.url).database}"')


def drop(db: Database) -> None:
    """Remove the database and its sidecar (the files, or DROP DATABASE)."""
    db.sidecar.unlink(missing_ok=True)
    if db.engine == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{_file(db)}{suffix}").unlink(missing_ok=True)
    else:
        _admin(db, f'DROP DATABASE IF EXISTS "{make_url(db.url).database}" WITH (FORCE)')


def _admin(db: Database, statement: str) -> None:
    engine = create_engine(db.postgres_admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(statement))
    finally:
        engine.dispose()


def _progress(total: int) -> bulk.Progress | None:
    if not sys.stderr.isatty():
        return None

    def show(done: int) -> None:
        end = "\n" if done >= total else ""
        print(f"\rseeding: {done:,} of {total:,}", end=end, file=sys.stderr, flush=True)

    return show


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=ENGINES, required=True)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--name", default="search", help="names the file or database")
    parser.add_argument("--postgres", default=POSTGRES_ADMIN, help="server and admin database")
    parser.add_argument("--drop", action="store_true", help="drop the database once measured")
    parser.add_argument("--migrate-from", metavar="NAME", help="copy NAME-<rows> and upgrade it")
    args = parser.parse_args()
    db = Database(args.engine, args.rows, args.name, args.postgres)
    if args.migrate_from:
        earlier = Database(args.engine, args.rows, args.migrate_from, args.postgres)
        record = migrate_from(db, earlier)
    else:
        record = build(db)
    print(json.dumps(record))
    if args.drop:
        drop(db)
    return 0


if __name__ == "__main__":
    sys.exit(main())

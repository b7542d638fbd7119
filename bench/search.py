"""Search benchmark (issue 9): the nine queries of the issue, newest-first top 100 with the
total, over HTTP on SQLite and on PostgreSQL, at 1,000,000 demo interactions by default.

    .venv/bin/python bench/search.py                              # both engines, 1,000,000 rows
    .venv/bin/python bench/search.py --rows 100000 --requests 50  # a quick one
    .venv/bin/python bench/search.py --reuse --keep               # measure again, keep the data
    .venv/bin/python bench/search.py --rows 10000000 --engine sqlite --text-only \
        --baseline bench/results/search-<date>.json               # how the text queries grow

Per engine: a database of N demo interactions (bench/search_build.py: seeded as `openucs seed`
does, the import rate measured, then ANALYZE; SQLite under /tmp/bench-search/, PostgreSQL a
database `bench_search-<N>` of its own, dropped afterwards unless --keep), one `openucs serve`
on 127.0.0.1 and one client holding a supervisor's session cookie (logged in with HTTP Basic),
sequential `GET /openucs/v1/interactions?q=...&maxSize=100`: p50 and p99 per query kind.
The route always counts, so the cost of the total is measured in process on the same queries:
`store.history` (the page) against `store.history` + `store.count_history(cap=10,000)`, and
`store.facet_counts` beside them. Also: the text index's size, the import rate against the
same import without the index (a `plain` build by the source of --plain-rev, or its sidecar
from an earlier run), the plans of the page and count statements, and the load average.
Results go to bench/results/search-<date>.md and .json (or --out FILE.md|FILE.json).
Targets, reported and not asserted: p99 <= 50 ms for every query on both engines; the total at
most doubles the page's time; the import with the text index at least 0.8x the plain one.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import httpx  # noqa: E402
from scenarios import Timing, create_bench_user, free_port, server, today, write_results  # noqa: E402
from search_build import (  # noqa: E402
    ANCHOR,
    DATA,
    ENGINES,
    POSTGRES_ADMIN,
    Database,
    build,
    build_apart,
    built,
    drop,
)
from search_queries import TEXT_KINDS, Kind, kinds, rank_words  # noqa: E402
from search_report import render  # noqa: E402
from sqlalchemy import Engine, Pool, create_engine, event, text  # noqa: E402

from openucs.config import load_settings  # noqa: E402
from openucs.domain.query import TOTAL_CAP, HistoryQuery  # noqa: E402
from openucs.domain.search import snippet  # noqa: E402
from openucs.errors import StoreError  # noqa: E402
from openucs.gws.params import SearchParams, build_search_query  # noqa: E402
from openucs.store import Store, open_store  # noqa: E402

PAGE = 100
FACETS = ("mediaType", "state")


@dataclass(frozen=True)
class Budget:
    """How long one query kind is measured: up to `requests`, and no more once `seconds`
    (warm-up included) have gone, but at least `min_samples` (a query of seconds still gets a
    p50, if not a meaningful p99)."""

    requests: int
    seconds: float
    min_samples: int


Statement = tuple[str, Any]


def main() -> int:
    args = _arguments()
    if args.combine:
        return _combine(args.combine, args.baseline, args.out)
    engines = ENGINES if args.engine == "both" else (args.engine,)
    plan = Database(engines[0], args.rows, "search").plan()
    chosen = [k for k in kinds(rank_words(plan)) if not args.text_only or k.name in TEXT_KINDS]
    record: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "rows": args.rows,
        "anchor": ANCHOR.date().isoformat(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "cpus": os.cpu_count(),
        "requests": args.requests,
        "budget_s": args.budget,
        "min_samples": args.min_samples,
        "statement_limit_s": args.statement_limit,
        "queries": {k.name: {"what": k.what, "variants": list(k.variants)} for k in chosen},
        "engines": {},
    }
    for engine in engines:
        db = Database(engine, args.rows, "search", args.postgres)
        record["engines"][engine] = _run_engine(db, chosen, args)
    if args.baseline:
        record["baseline"] = json.loads(args.baseline.read_text())
    markdown = render(record)
    print(markdown)
    stem = f"search-{today()}"
    if args.rows != 1_000_000 or len(engines) == 1:
        stem += f"-{'-'.join(engines)}-{args.rows}"
    write_results(record, markdown, stem, args.out)
    return 0


def _combine(paths: list[Path], baseline: Path | None, out: Path | None) -> int:
    """One record of runs made apart (one engine each, at the same size): the first run's,
    with the engines of all (and `baseline`'s for the growth)."""
    runs = [json.loads(path.read_text()) for path in paths]
    record = runs[0]
    for run in runs[1:]:
        record["engines"].update(run["engines"])
    if baseline:
        record["baseline"] = json.loads(baseline.read_text())
    markdown = render(record)
    print(markdown)
    write_results(record, markdown, f"search-{record['date'][:10]}", out)
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="interactions")
    parser.add_argument("--engine", choices=(*ENGINES, "both"), default="both")
    parser.add_argument("--postgres", default=POSTGRES_ADMIN, help="server and admin database")
    parser.add_argument("--requests", type=int, default=300, help="per query kind and mode")
    parser.add_argument("--budget", type=float, default=60.0, help="seconds per kind and mode")
    parser.add_argument("--min-samples", type=int, default=5, help="per kind and mode")
    parser.add_argument(
        "--statement-limit", type=float, default=10.0, help="seconds: a slower query is stopped"
    )
    parser.add_argument("--text-only", action="store_true", help=f"only {', '.join(TEXT_KINDS)}")
    parser.add_argument("--reuse", action="store_true", help="reuse a database built earlier")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument(
        "--plain-rev", help="a revision without the text index: its import rate is the baseline"
    )
    parser.add_argument("--baseline", type=Path, help="an earlier run's .json to compare with")
    parser.add_argument("--out", type=Path, help="bench/results/search-<date>.md or .json")
    parser.add_argument(
        "--combine", type=Path, nargs="+", help="only write one report of these runs' .json"
    )
    args = parser.parse_args()
    if args.rows < 1000:
        parser.error("--rows must be at least 1000")
    return args


def _run_engine(db: Database, chosen: list[Kind], args: argparse.Namespace) -> dict[str, Any]:
    load_before = _load()
    budget = Budget(args.requests, args.budget, args.min_samples)
    imported = (built(db) if args.reuse else None) or build(db)
    result: dict[str, Any] = {
        "url": db.url,
        "import": imported,
        "plain_import": _plain_import(db, args),
        "load_before": load_before,
        "store": {},
        "plans": {},
    }
    store = open_store(db.url)
    try:
        create_bench_user(store)
        result["index_size"] = index_size(db)
    finally:
        store.close()
    # In process first, each statement stopped past --statement-limit: a kind whose statements
    # run longer is not sent over HTTP (the server would go on running what the client gave up).
    store = open_store(db.url)
    try:
        with statement_limit(args.statement_limit):
            for kind in chosen:
                queries = search_queries(kind)
                measured = partial(measure_store, store, queries, budget)
                result["store"][kind.name] = _or_error(measured)
        for kind in chosen:
            first = search_queries(kind)[0]
            result["plans"][kind.name] = _or_error(partial(plans, db, store, first))
    finally:
        store.close()
    log = DATA / "logs" / f"server-{db.engine}-{db.rows}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with server(db.url, free_port(), log) as client:
        result["http"] = {
            k.name: _or_error(partial(measure_http, client, k, budget))
            if "error" not in result["store"][k.name]
            else {"error": f"not sent: in process, {result['store'][k.name]['error']}"}
            for k in chosen
        }
    result["load_after"] = _load()
    if not args.keep:
        drop(db)
    return result


class _StatementClock:
    """What stops a slow statement, shared by every connection that got the handler (the
    pooled ones outlive a `statement_limit` block and must not go on stopping statements)."""

    seconds: float | None = None
    started = 0.0

    def expired(self) -> int:
        return int(self.seconds is not None and time.monotonic() - self.started > self.seconds)


_CLOCK = _StatementClock()


@contextmanager
def statement_limit(seconds: float) -> Iterator[None]:
    """Inside the block, a statement stops after `seconds`: on SQLite by a progress handler
    (given to each connection opened while a block runs), on PostgreSQL by the
    `statement_timeout` of each connection opened inside (which keeps it afterwards)."""

    def connected(dbapi_conn: Any, record: Any) -> None:
        if isinstance(dbapi_conn, sqlite3.Connection):
            dbapi_conn.set_progress_handler(_CLOCK.expired, 10_000)
        else:
            with dbapi_conn.cursor() as cursor:
                cursor.execute(f"SET statement_timeout = {int(seconds * 1000)}")
            dbapi_conn.commit()

    def starting(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        _CLOCK.started = time.monotonic()

    _CLOCK.seconds = seconds
    event.listen(Pool, "connect", connected)
    event.listen(Engine, "before_cursor_execute", starting)
    try:
        yield
    finally:
        event.remove(Engine, "before_cursor_execute", starting)
        event.remove(Pool, "connect", connected)
        _CLOCK.seconds = None


def _or_error(measure: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """What `measure` found, or the error that stopped it (one query's failure does not
    cost the others' figures)."""
    try:
        return measure()
    except Exception as error:  # noqa: BLE001 - reported in the results, not hidden
        print(f"error: {error}", file=sys.stderr)
        return {"error": str(error)[:500]}


# --- over HTTP -------------------------------------------------------------------------------


def measure_http(client: httpx.Client, kind: Kind, budget: Budget) -> dict[str, Any]:
    """Sequential GETs going round the variants, after one round of warm-up, which also records
    each variant's total and page size."""
    paths = [
        "/openucs/v1/interactions?" + urlencode({"q": q, "maxSize": PAGE}) for q in kind.variants
    ]
    deadline = time.monotonic() + budget.seconds
    answers = {}
    for q, path in zip(kind.variants, paths, strict=True):
        answers[q] = _search(client, path)
        if time.monotonic() > deadline:  # slow queries: the others' totals are not known
            break
    samples = _timed(lambda i: _search(client, paths[i % len(paths)]), budget, deadline)
    timing = Timing(samples)
    return {
        "p50": timing.p50,
        "p99": timing.p99,
        "samples": len(samples),
        "totals": {q: _total(a) for q, a in answers.items()},
        "page_sizes": {q: len(a["interactions"]) for q, a in answers.items()},
    }


def _search(client: httpx.Client, path: str) -> dict[str, Any]:
    answer = client.get(path)
    body: dict[str, Any] = answer.json() if answer.status_code < 500 else {}
    if answer.status_code != 200 or body.get("statusCode") != 0:
        raise RuntimeError(f"GET {path}: {answer.status_code} {answer.text[:300]}")
    return body


def _total(answer: dict[str, Any]) -> str:
    total = answer.get("total") or {}
    return f"{total.get('value')} {total.get('relation')}"


def _timed(run: Callable[[int], object], budget: Budget, deadline: float) -> list[float]:
    """Milliseconds of `run(i)` for i = 0.. up to `budget.requests` times, or fewer (not below
    its `min_samples`) once the monotonic clock passed `deadline`."""
    samples = []
    for i in range(budget.requests):
        if i >= budget.min_samples and time.monotonic() > deadline:
            break
        began = time.perf_counter_ns()
        run(i)
        samples.append((time.perf_counter_ns() - began) / 1e6)
    return samples


# --- in process: the page, the total, the facets ----------------------------------------------


def search_queries(kind: Kind) -> list[HistoryQuery]:
    """Each variant as the route builds it (all time unless `q` has a startDate)."""
    settings = load_settings()
    return [
        build_search_query(SearchParams(q=q, maxSize=PAGE), settings=settings)
        for q in kind.variants
    ]


def measure_store(store: Store, queries: list[HistoryQuery], budget: Budget) -> dict[str, Any]:
    """The parts of the route's work on the same query one after the other, going round the
    variants after one round of warm-up: the page, the count, the facets, and what the
    snippets cost (the page's content read again, then `snippet` per item, as the search
    service does). p50 and p99 of each, and of page + count (per request)."""
    parts: dict[str, list[float]] = {"page": [], "count": [], "facets": [], "content": []}
    parts["snippets"] = []

    def one(i: int) -> None:
        query = queries[i % len(queries)]
        began = time.perf_counter_ns()
        page = store.history(query)
        paged = time.perf_counter_ns()
        store.count_history(query, cap=TOTAL_CAP)
        counted = time.perf_counter_ns()
        store.facet_counts(query, fields=FACETS, cap=TOTAL_CAP)
        faceted = time.perf_counter_ns()
        found = store.get_interactions([item.id for item in page.items], with_content=True)
        read = time.perf_counter_ns()
        if query.q is not None:
            for item in found.values():
                snippet(query.q, item)
        done = time.perf_counter_ns()
        for name, start, end in (
            ("page", began, paged),
            ("count", paged, counted),
            ("facets", counted, faceted),
            ("content", faceted, read),
            ("snippets", read, done),
        ):
            parts[name].append((end - start) / 1e6)

    deadline = time.monotonic() + budget.seconds
    for i in range(len(queries)):
        one(i)
        if time.monotonic() > deadline:
            break
    for samples in parts.values():
        samples.clear()
    _timed(one, budget, deadline)
    parts["page + count"] = [p + c for p, c in zip(parts["page"], parts["count"], strict=True)]
    found: dict[str, Any] = {"samples": len(parts["page"])}
    for name, samples in parts.items():
        timing = Timing(samples)
        found[name] = {"p50": timing.p50, "p99": timing.p99}
    return found


# --- plans --------------------------------------------------------------------------------------


@contextmanager
def captured() -> Iterator[list[Statement]]:
    """Every statement any SQLAlchemy engine sends inside the block, as the driver gets it."""
    seen: list[Statement] = []

    def hook(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append((statement, params))

    event.listen(Engine, "before_cursor_execute", hook)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", hook)


def plans(db: Database, store: Store, query: HistoryQuery) -> dict[str, list[str]]:
    """The plan of each statement of the page and of the count: SQLite's `EXPLAIN QUERY PLAN`,
    PostgreSQL's `EXPLAIN (ANALYZE, BUFFERS)` (so with the time of each step)."""
    # The statements are what is wanted here, not their rows: a slow one is stopped early.
    with captured() as page, statement_limit(1.0), suppress(StoreError):
        store.history(query)
    with captured() as count, statement_limit(1.0), suppress(StoreError):
        store.count_history(query, cap=TOTAL_CAP)
    prefix = "EXPLAIN QUERY PLAN " if db.engine == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
    engine = create_engine(db.url)
    try:
        with engine.connect() as conn:
            return {
                part: [
                    "\n".join(
                        str(row[-1]) for row in conn.exec_driver_sql(prefix + sql, params).all()
                    )
                    for sql, params in statements
                ]
                for part, statements in (("page", page), ("count", count))
            }
    finally:
        engine.dispose()


# --- sizes, imports, load ---------------------------------------------------------------------

# The search core's objects: the text index (SQLite FTS5 `interaction_fts` and its shadow tables,
# `interaction_search_keys`; PostgreSQL `interaction_search` and its GIN index) and the typed
# keys of attribute values (`ix_interaction_attributes_num`, `_moment`).
_TEXT_INDEX = ("fts", "search")
_ATTRIBUTE_KEYS = ("attributes_num", "attributes_moment")


def index_size(db: Database) -> dict[str, Any]:
    """Bytes of the database and of each table and index (SQLite: `dbstat`; PostgreSQL: a
    table's own heap and TOAST, an index's pages), and the sum of those of the text index."""
    if db.engine == "sqlite":
        path = Path(db.url.removeprefix("sqlite:///"))
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            rows: list[Any] = conn.execute(
                "SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC"
            ).fetchall()
        database = path.stat().st_size
    else:
        engine = create_engine(db.url)
        try:
            with engine.connect() as conn:
                rows = list(conn.execute(text(_PG_SIZES)).all())
                database = int(conn.execute(text("SELECT pg_database_size(current_database())"))
                               .scalar_one())  # fmt: skip
        finally:
            engine.dispose()
    objects = {str(name): int(size) for name, size in rows}
    text_index = {n: s for n, s in objects.items() if any(p in n.lower() for p in _TEXT_INDEX)}
    keys = {n: s for n, s in objects.items() if any(p in n.lower() for p in _ATTRIBUTE_KEYS)}
    return {
        "database": database,
        "objects": objects,
        "text_index": text_index,
        "text_index_total": sum(text_index.values()),
        "attribute_keys": keys,
        "attribute_keys_total": sum(keys.values()),
    }


_PG_SIZES = """
SELECT c.relname,
       pg_relation_size(c.oid) + coalesce(pg_total_relation_size(nullif(c.reltoastrelid, 0)), 0)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
  AND c.relkind IN ('r', 'i', 'm')
ORDER BY 2 DESC
"""


def _plain_import(db: Database, args: argparse.Namespace) -> dict[str, Any] | None:
    """The import figures of the same build without the text index: built now from the source
    of --plain-rev, else those of an earlier plain build of this size, if any."""
    plain = Database(db.engine, db.rows, "plain", db.postgres_admin)
    if args.plain_rev:
        return build_apart(plain, args.plain_rev, keep=args.keep)
    if not plain.sidecar.exists():
        return None
    found: dict[str, Any] = json.loads(plain.sidecar.read_text())
    return found


def _load() -> dict[str, Any]:
    """The load averages (1, 5, 15 minutes), and `uptime`'s line as it was."""
    line = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    return {"averages": [round(x, 2) for x in os.getloadavg()], "uptime": line}


if __name__ == "__main__":
    sys.exit(main())

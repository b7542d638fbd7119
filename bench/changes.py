"""Change-log benchmark (issue 11 part 6): delivery latency of pushed change records, and the
import rate with the change log on and off.

    .venv/bin/python bench/changes.py delivery --rate 500 --seconds 20       # SQLite
    .venv/bin/python bench/changes.py delivery --postgres postgresql://postgres@127.0.0.1/test
    .venv/bin/python bench/changes.py imports --records 100000 --rounds 2

delivery: one `openucs serve` process on a fresh database; an SSE client
(`GET /openucs/v1/changes/stream`) and a CometD client (aiocometd-ng, `/openucs/changes`), each
in its own process, read every record; then a writer process POSTs interaction creates on a
fixed schedule (`--rate` a second, open loop, at most 16 in flight) for `--seconds`, one POST
a record, or `--batch` records a request through the bulk route (when the server cannot take
`--rate` single POSTs, the feed still sees `--rate` changes a second). For each
record: from the writer's acknowledgement (the 201 received) to the record's receipt, and
from its `at` (the commit, in milliseconds) to its receipt; p50, p99, max. One machine, one
clock (`time.time()`).

imports: each importer (`openucs import --format`'s code: parser, then
`services.importers.import_records`) on `--records` generated records (bench/importers.py's
files) into a fresh SQLite database, with the change log on and off, in alternating paired
rounds. *Off* is a bench-only store whose `_flush_changes` drops the noted records (no rows in
`changes`, no counter update); what the store does to note them (the created/updated probe)
is still paid, so the ratio is the cost of writing the log.

Results: `--out` (Markdown and JSON), or print only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import httpx  # noqa: E402
from scenarios import today, write_results  # noqa: E402

import importers as importer_bench  # noqa: E402
from openucs.domain.enums import Role  # noqa: E402
from openucs.importers import ImportOptions, parser_of  # noqa: E402
from openucs.services import importers, users  # noqa: E402
from openucs.store import open_store  # noqa: E402
from openucs.store._changes import PENDING, ChangeMethods  # noqa: E402

ADMIN = ("bench-admin", "bench-password-1")
BODY = {"mediaType": "chat", "startDate": "2024-03-01T10:00:00Z"}
IN_FLIGHT = 16


# --- delivery --------------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serving(url: str, poll_ms: int, log: Path, workers: int | None = None) -> Iterator[str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENUCS_")}
    env.update({"OPENUCS_CHANGES_POLL_MS": str(poll_ms), "OPENUCS_COMETD_MAX_QUEUE": "10000"})
    command = [sys.executable, "-m", "openucs", "serve", "--database", url, "--port", str(port)]
    if workers is not None:
        command += ["--workers", str(workers)]
    with log.open("ab") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise SystemExit(f"server exited: see {log}")
            with contextlib.suppress(httpx.TransportError):
                httpx.get(f"{base}/api/v2/diagnostics/version", timeout=1)
                break
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(30)


def read_sse(base: str, out: Path) -> None:
    """Child process: every record of the event stream, `seq at interactionId received`."""
    with (
        out.open("w") as sink,
        httpx.Client(auth=ADMIN, timeout=httpx.Timeout(10, read=None)) as client,
        client.stream("GET", f"{base}/openucs/v1/changes/stream") as response,
    ):
        sink.write("ready\n")
        sink.flush()
        for line in response.iter_lines():
            if line.startswith("data:"):
                received = time.time()
                record = json.loads(line[5:])
                sink.write(f"{record['seq']} {record['at']!r} {record['interactionId']} ")
                sink.write(f"{received}\n")
                sink.flush()


def read_cometd(base: str, out: Path) -> None:
    """Child process: every record of the CometD channel, as `read_sse` writes them."""
    import base64

    from aiocometd_ng.client import Client
    from aiocometd_ng.constants import ConnectionType
    from aiocometd_ng.extensions import AuthExtension

    class Basic(AuthExtension):
        async def outgoing(self, payload: Any, headers: Any) -> None:
            token = base64.b64encode(":".join(ADMIN).encode()).decode()
            headers["Authorization"] = f"Basic {token}"

        async def incoming(self, payload: Any, headers: Any = None) -> None:
            return None

    async def follow() -> None:
        url = f"{base}/api/v2/notifications"
        async with Client(
            url,
            ConnectionType.LONG_POLLING,
            auth=Basic(),
            connection_timeout=0,
            max_pending_count=100_000,
        ) as client:
            await client.subscribe("/openucs/changes")
            with out.open("w") as sink:
                sink.write("ready\n")
                sink.flush()
                async for message in client:
                    received = time.time()
                    record = message["data"]
                    sink.write(f"{record['seq']} {record['at']!r} {record['interactionId']} ")
                    sink.write(f"{received}\n")
                    sink.flush()

    asyncio.run(follow())


def read_bayeux(base: str, out: Path) -> None:
    """Child process: the CometD channel read by a bare Bayeux long-poll loop over httpx (no
    client library: what the server alone costs), written as `read_sse` writes them."""

    def post(client: httpx.Client, *messages: dict[str, Any]) -> list[dict[str, Any]]:
        answer: list[dict[str, Any]] = client.post("", json=list(messages)).json()
        return answer

    with httpx.Client(
        base_url=f"{base}/api/v2/notifications", auth=ADMIN, timeout=httpx.Timeout(60)
    ) as client:
        [shake] = post(client, {"channel": "/meta/handshake", "version": "1.0"})
        me = shake["clientId"]
        subscribe = {"channel": "/meta/subscribe", "clientId": me}
        [joined] = post(client, {**subscribe, "subscription": "/openucs/changes"})
        assert joined["successful"], joined
        connect = {"channel": "/meta/connect", "clientId": me, "connectionType": "long-polling"}
        with out.open("w") as sink:
            sink.write("ready\n")
            sink.flush()
            while True:
                answer = post(client, connect)
                got = time.time()
                for message in answer:
                    if message.get("channel") != "/openucs/changes":
                        continue
                    record = message["data"]
                    sink.write(f"{record['seq']} {record['at']!r} {record['interactionId']} ")
                    sink.write(f"{got}\n")
                sink.flush()


def write_at_rate(base: str, rate: float, seconds: float, batch: int, out: Path) -> None:
    """Child process: creates on an open-loop schedule, one POST each (`batch` 1) or `batch`
    a request through the bulk route; `id acknowledged` per created record."""

    async def run() -> None:
        requests = int(rate * seconds) // batch
        gate = asyncio.Semaphore(IN_FLIGHT)
        acks: list[str] = []
        limits = httpx.Limits(max_connections=IN_FLIGHT)
        async with httpx.AsyncClient(
            base_url=base, auth=ADMIN, timeout=60, limits=limits
        ) as client:
            await client.get("/api/v2/me")  # log in once: the session cookie from now on
            client.auth = httpx.Auth()
            began = time.perf_counter()

            async def one(n: int) -> None:
                ids = [f"W{n * batch + k:08d}" for k in range(batch)]
                async with gate:
                    try:
                        answer = await _post(client, ids)
                    except httpx.TransportError:
                        return  # not acknowledged: not counted
                    if answer.status_code in (200, 201):
                        acked = time.time()
                        acks.extend(f"{iid} {acked}" for iid in ids)

            tasks = []
            for n in range(requests):
                delay = began + n * batch / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                tasks.append(asyncio.create_task(one(n)))
            await asyncio.gather(*tasks)
            elapsed = time.perf_counter() - began
        out.write_text(f"{elapsed}\n" + "\n".join(acks) + "\n")

    asyncio.run(run())


async def _post(client: httpx.AsyncClient, ids: list[str]) -> httpx.Response:
    if len(ids) == 1:
        return await client.post("/openucs/v1/interactions", json={"id": ids[0], **BODY})
    lines = "".join(json.dumps({"id": iid, **BODY}) + "\n" for iid in ids)
    headers = {"Content-Type": "application/x-ndjson"}
    return await client.post("/openucs/v1/interactions/bulk", content=lines, headers=headers)


def child(role: str, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, __file__, role, *args])


def received(path: Path) -> dict[str, tuple[float, float]]:
    """interactionId -> (commit time from `at`, receipt time)."""
    found: dict[str, tuple[float, float]] = {}
    for line in path.read_text().splitlines()[1:]:
        parts = line.split(" ")
        if len(parts) < 5:
            continue  # a line being written
        at = " ".join(parts[1:3]).strip("'")
        committed = datetime.strptime(at, "%Y-%m-%d %H:%M:%S.%f%z").timestamp()
        found[parts[3]] = (committed, float(parts[4]))
    return found


def wait_ready(path: Path, limit: float = 60) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().startswith("ready"):
            return
        time.sleep(0.1)
    raise SystemExit(f"reader not ready: {path}")


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    return {"p50_ms": at(0.5), "p99_ms": at(0.99), "max_ms": ordered[-1] * 1000}


READERS = ("sse", "cometd", "bayeux")


def delivery(
    url: str,
    engine: str,
    rate: float,
    seconds: float,
    poll_ms: int,
    batch: int,
    *,
    workers: int | None = None,
    names: tuple[str, ...] = ("sse", "cometd"),
) -> dict[str, Any]:
    work = importer_bench.DATA / f"changes-{engine}-{poll_ms}-{batch}"
    work.mkdir(parents=True, exist_ok=True)
    store = open_store(url)
    try:
        store.upgrade()
        users.add_user(
            store=store, user_name=ADMIN[0], roles=frozenset({Role.ADMIN}), password=ADMIN[1]
        )
    finally:
        store.close()
    with serving(url, poll_ms, work / "server.log", workers) as base:
        readers = {name: work / f"{name}.txt" for name in names}
        for path in readers.values():
            path.unlink(missing_ok=True)
        processes = [child(f"_{name}", base, str(path)) for name, path in readers.items()]
        try:
            for path in readers.values():
                wait_ready(path)
            (work / "acks.txt").unlink(missing_ok=True)
            writer = child(
                "_write", base, str(rate), str(seconds), str(batch), str(work / "acks.txt")
            )
            writer.wait()
            lines = (work / "acks.txt").read_text().splitlines()
            elapsed, acks = float(lines[0]), dict(line.split(" ") for line in lines[1:])
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if all(len(received(p)) >= len(acks) for p in readers.values()):
                    break
                time.sleep(0.5)
        finally:
            for process in processes:
                process.terminate()
                process.wait(10)
    result: dict[str, Any] = {
        "engine": engine,
        "workers": workers or os.cpu_count(),
        "poll_ms": poll_ms,
        "batch": batch,
        "asked_rate": rate,
        "written": len(acks),
        "achieved_rate": len(acks) / elapsed,
    }
    for name, path in readers.items():
        got = received(path)
        since_ack = [got[i][1] - float(t) for i, t in acks.items() if i in got]
        since_commit = [receipt - commit for commit, receipt in got.values()]
        result[name] = {
            "received": sum(1 for i in acks if i in got),
            "from_ack": percentiles(since_ack),
            "from_commit": percentiles(since_commit),
        }
    return result


# --- imports -----------------------------------------------------------------------------


def _drop_changes(self: Any, conn: Any) -> None:
    conn.info.pop(PENDING, None)


@contextlib.contextmanager
def change_log(on: bool) -> Iterator[None]:
    kept = ChangeMethods._flush_changes
    if not on:
        ChangeMethods._flush_changes = _drop_changes  # type: ignore[method-assign]
    try:
        yield
    finally:
        ChangeMethods._flush_changes = kept  # type: ignore[method-assign]


def import_once(format_: str, path: Path, on: bool) -> dict[str, Any]:
    data = path.read_bytes()
    with importer_bench.fresh_database("sqlite", None, f"changes-{format_}") as url:
        store = open_store(url)
        try:
            store.upgrade()
            with change_log(on):
                began = time.perf_counter()
                stats = importers.import_records(
                    store=store, records=parser_of(format_)(data, ImportOptions())
                )
                seconds = time.perf_counter() - began
            logged = store.change_bounds()[1]
        finally:
            store.close()
    return {
        "format": format_,
        "log": on,
        "records": stats.records,
        "per_s": stats.records / seconds,
        "store_seconds": stats.store_seconds,
        "seqs": logged,
    }


def imports(records: int, rounds: int, formats: list[str]) -> list[dict[str, Any]]:
    runs = []
    for format_ in formats:
        path = importer_bench.write_file(format_, records)
        for n in range(rounds):
            order = (True, False) if n % 2 == 0 else (False, True)
            for on in order:
                row = import_once(format_, path, on)
                row["round"] = n + 1
                print(
                    f"{format_} round {n + 1} log {'on ' if on else 'off'}: "
                    f"{row['per_s']:,.0f}/s (store {row['store_seconds']:.1f} s, "
                    f"{row['seqs']:,} seqs)",
                    flush=True,
                )
                runs.append(row)
    return runs


# --- report ------------------------------------------------------------------------------


def markdown(record: dict[str, Any]) -> str:
    lines = [f"# Change log benchmark, {record['date']}", "", record["machine"], ""]
    if record.get("delivery"):
        lines += [
            "## Delivery: change to SSE and to CometD",
            "",
            "| engine | workers | poll | records a request | asked /s | achieved /s | written | "
            "reader | received | from ack p50 / p99 / max | from commit p50 / p99 / max |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for row in record["delivery"]:
            for name in (n for n in READERS if n in row):
                got = row[name]
                ack, commit = got["from_ack"], got["from_commit"]
                lines.append(
                    f"| {row['engine']} | {row.get('workers', '-')} | {row['poll_ms']} ms | "
                    f"{row.get('batch', 1)} | "
                    f"{row['asked_rate']:.0f} | "
                    f"{row['achieved_rate']:.0f} | {row['written']:,} | {name} | "
                    f"{got['received']:,} | {_ms(ack)} | {_ms(commit)} |"
                )
        lines.append("")
    if record.get("imports"):
        lines += [
            "## Import rate, change log on and off (SQLite)",
            "",
            "| format | records | round | on /s | off /s | on/off |",
            "|---|---|---|---|---|---|",
        ]
        runs = record["imports"]
        for on in (r for r in runs if r["log"]):
            off = next(
                r
                for r in runs
                if not r["log"] and r["format"] == on["format"] and r["round"] == on["round"]
            )
            lines.append(
                f"| {on['format']} | {on['records']:,} | {on['round']} | {on['per_s']:,.0f} | "
                f"{off['per_s']:,.0f} | {on['per_s'] / off['per_s']:.2f} |"
            )
        lines.append("")
    return "\n".join(lines)


def _ms(found: dict[str, float]) -> str:
    if not found:
        return "-"
    return f"{found['p50_ms']:.0f} / {found['p99_ms']:.0f} / {found['max_ms']:.0f} ms"


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1].startswith("_"):
        role, *given = sys.argv[1:]
        if role == "_sse":
            read_sse(given[0], Path(given[1]))
        elif role == "_cometd":
            read_cometd(given[0], Path(given[1]))
        elif role == "_bayeux":
            read_bayeux(given[0], Path(given[1]))
        else:
            write_at_rate(given[0], float(given[1]), float(given[2]), int(given[3]), Path(given[4]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["delivery", "imports", "all"])
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--poll-ms", type=int, nargs="*", default=[500])
    parser.add_argument("--batch", type=int, default=1, help="records a request (bulk route)")
    parser.add_argument("--workers", type=int, help="server workers (default: the server's)")
    parser.add_argument(
        "--readers",
        nargs="+",
        choices=READERS,
        default=["sse", "cometd"],
        help="bayeux: a bare long-poll loop over httpx, no CometD client library",
    )
    parser.add_argument("--postgres", help="delivery on PostgreSQL too (a fresh schema)")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--records", "-n", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--formats", nargs="*", default=list(importer_bench.EXTENSIONS))
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    record: dict[str, Any] = {"date": today(), "delivery": [], "imports": []}
    if args.what in ("delivery", "all"):
        engines = ([] if args.no_sqlite else ["sqlite"]) + (["postgres"] if args.postgres else [])
        for engine in engines:
            for poll_ms in args.poll_ms:
                name = f"delivery-{poll_ms}-{args.batch}"
                with importer_bench.fresh_database(engine, args.postgres, name) as url:
                    row = delivery(
                        url,
                        engine,
                        args.rate,
                        args.seconds,
                        poll_ms,
                        args.batch,
                        workers=args.workers,
                        names=tuple(args.readers),
                    )
                print(json.dumps(row), flush=True)
                record["delivery"].append(row)
    if args.what in ("imports", "all"):
        record["imports"] = imports(args.records, args.rounds, args.formats)
    record["machine"] = (
        f"{os.uname().machine}, Python {sys.version.split()[0]}, 2 cores shared with other "
        f"sessions; load average {os.getloadavg()[0]:.1f} at the end."
    )
    report = markdown(record)
    print(report)
    if args.out:
        write_results(record, report, f"changes-{today()}", args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

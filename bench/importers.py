"""Importer benchmark: each format's rate on N generated records (100,000 by default).

    .venv/bin/python bench/importers.py                       # SQLite
    .venv/bin/python bench/importers.py --postgres postgresql://postgres@127.0.0.1:5432/test

For each format (connect-ctr, genesys-cloud, csv) a file of N deterministic records is written
to bench/.data (one customer per ten records, a phone number or an email address, written in
varying ways; 200 agents; a tenth of the Connect records transfers), then imported into a fresh
database by the code `openucs import --format` runs (the parser, then
`services.importers.import_records` in batches of 20,000, contacts identified per batch), twice:
the first run creates the contacts and owners, the second finds everything (idempotency).
Reported: records/s end to end for both runs, the parser alone, and the part spent in the
store's transactions. Results go to bench/results/importers-<date>.md and .json.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import random
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import psycopg  # noqa: E402
from scenarios import today, write_results  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from openucs.importers import ImportOptions, parser_of  # noqa: E402
from openucs.services import importers  # noqa: E402
from openucs.store import open_store  # noqa: E402

DATA = HERE / ".data"
BEGIN = datetime(2025, 1, 1, tzinfo=UTC)
AGENTS = [f"agent{n:03d}" for n in range(200)]
EXTENSIONS = {"connect-ctr": "ndjson", "genesys-cloud": "json", "csv": "csv"}


# --- generated files ---------------------------------------------------------------------


class Customers:
    """One customer per ten records: half by phone (written three ways), half by email."""

    def __init__(self, rng: random.Random, count: int) -> None:
        self.rng = rng
        self.count = max(count // 10, 1)

    def pick(self) -> tuple[str | None, str | None]:
        n = self.rng.randrange(self.count)
        if n % 2:
            return None, f"customer{n}@example.com"
        digits = f"{5550000000 + n:010d}"
        spelled = self.rng.choice(
            [f"+1{digits}", f"+1 ({digits[:3]}) {digits[3:6]}-{digits[6:]}", f"1{digits}"]
        )
        return spelled, None


def _moment(rng: random.Random) -> datetime:
    return BEGIN + timedelta(seconds=rng.randrange(365 * 86400))


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def connect_records(n: int, rng: random.Random) -> Iterator[dict[str, Any]]:
    customers = Customers(rng, n)
    previous: str | None = None
    for _ in range(n):
        contact_id = str(uuid.UUID(int=rng.getrandbits(128)))
        phone, email = customers.pick()
        channel = "EMAIL" if email else rng.choice(["VOICE", "VOICE", "VOICE", "CHAT", "TASK"])
        start = _moment(rng)
        end = start + timedelta(seconds=rng.randrange(30, 1800))
        transfer = previous is not None and rng.random() < 0.1
        endpoint = (
            {"Address": email, "Type": "EMAIL_ADDRESS"}
            if email
            else {"Address": phone, "Type": "TELEPHONE_NUMBER"}
        )
        yield {
            "AWSContactTraceRecordFormatVersion": "2017-03-10",
            "Agent": {"Username": rng.choice(AGENTS), "AgentInteractionDuration": 120},
            "Attributes": {"Account": f"AC-{rng.randrange(10**6)}", "Reason": "billing"},
            "Channel": channel,
            "ContactId": contact_id,
            "CustomerEndpoint": endpoint if channel in ("VOICE", "EMAIL") else None,
            "DisconnectTimestamp": _iso(end),
            "InitialContactId": previous if transfer else None,
            "InitiationMethod": "TRANSFER" if transfer else rng.choice(["INBOUND", "OUTBOUND"]),
            "InitiationTimestamp": _iso(start),
            "LastUpdateTimestamp": _iso(end),
            "PreviousContactId": previous if transfer else None,
            "Queue": {"Name": "Support"},
        }
        previous = contact_id


def genesys_conversations(n: int, rng: random.Random) -> Iterator[dict[str, Any]]:
    customers = Customers(rng, n)
    for _ in range(n):
        phone, email = customers.pick()
        media = "email" if email else rng.choice(["voice", "voice", "chat", "message"])
        start = _moment(rng)
        end = start + timedelta(seconds=rng.randrange(30, 1800))
        session: dict[str, Any] = {"mediaType": media, "direction": "inbound"}
        if media == "voice":
            session["ani"] = f"tel:{phone}"
        elif media == "email":
            session["addressFrom"] = email
        elif media == "message":
            session |= {"messageType": "sms", "addressFrom": phone}
        segment = [
            {"segmentStart": _iso(start), "segmentEnd": _iso(end), "segmentType": "interact"}
        ]
        yield {
            "conversationId": str(uuid.UUID(int=rng.getrandbits(128))),
            "conversationStart": _iso(start),
            "conversationEnd": _iso(end),
            "originatingDirection": "inbound",
            "participants": [
                {
                    "purpose": "customer",
                    "participantName": "Alex Sample",
                    "attributes": {"IVR_Choice": str(rng.randrange(9))},
                    "sessions": [{**session, "segments": segment}],
                },
                {
                    "purpose": "agent",
                    "userId": str(uuid.UUID(int=rng.randrange(200))),
                    "participantName": "Agent Smith",
                    "sessions": [{"mediaType": media, "direction": "inbound"}],
                },
            ],
        }


CSV_HEADER = [
    "externalId", "mediaType", "typeId", "state", "startDate", "endDate", "subject",
    "phoneNumber", "ownerInformation.userName", "contact.emailAddress", "attr.Region",
]  # fmt: skip


def csv_rows(n: int, rng: random.Random) -> Iterator[list[str]]:
    customers = Customers(rng, n)
    for number in range(n):
        phone, email = customers.pick()
        start = _moment(rng)
        end = start + timedelta(seconds=rng.randrange(30, 1800))
        yield [
            f"UCS-{number:08d}", "email" if email else "call", "Inbound", "Stopped", _iso(start),
            _iso(end), "Order question", phone or "", rng.choice(AGENTS), email or "",
            rng.choice(["EMEA", "AMER", "APAC"]),
        ]  # fmt: skip


def write_file(format_: str, n: int) -> Path:
    path = DATA / f"importers-{format_}-{n}.{EXTENSIONS[format_]}"
    if path.exists():
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    rng = random.Random(42)
    if format_ == "connect-ctr":
        text = "".join(json.dumps(r) + "\n" for r in connect_records(n, rng))
    elif format_ == "genesys-cloud":
        text = json.dumps({"conversations": list(genesys_conversations(n, rng))})
    else:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(CSV_HEADER)
        writer.writerows(csv_rows(n, rng))
        text = out.getvalue()
    path.write_text(text)
    return path


# --- measuring ---------------------------------------------------------------------------


@contextmanager
def fresh_database(engine: str, postgres: str | None, name: str) -> Iterator[str]:
    if engine == "sqlite":
        path = DATA / f"importers-{name}.db"
        for stale in DATA.glob(f"importers-{name}.db*"):
            stale.unlink()
        yield f"sqlite:///{path}"
        return
    admin = make_url(postgres or "").set(drivername="postgresql")
    admin_url = admin.render_as_string(hide_password=False)
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield admin.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False
        )
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def measure(format_: str, path: Path, url: str) -> dict[str, Any]:
    data = path.read_bytes()
    parse = parser_of(format_)
    began = time.perf_counter()
    count = sum(1 for _ in parse(data, ImportOptions()))
    parse_seconds = time.perf_counter() - began
    store = open_store(url)
    try:
        store.upgrade()
        runs = [_import(store, parse, data) for _ in range(2)]
        contacts = store.count_contacts() if hasattr(store, "count_contacts") else None
        stored = store.count_interactions()
    finally:
        store.close()
    return {
        "records": count,
        "bytes": len(data),
        "parse_per_s": count / parse_seconds,
        "first": runs[0],
        "again": runs[1],
        "stored": stored,
        "contacts": contacts,
    }


def _import(store: Any, parse: Callable[..., Any], data: bytes) -> dict[str, float]:
    began = time.perf_counter()
    stats = importers.import_records(store=store, records=parse(data, ImportOptions()))
    seconds = time.perf_counter() - began
    return {
        "seconds": seconds,
        "per_s": stats.records / seconds,
        "store_seconds": stats.store_seconds,
    }


def markdown(record: dict[str, Any]) -> str:
    lines = [
        f"# Importers, {record['date']}",
        "",
        f"{record['records']:,} generated records per format; batches of 20,000; "
        f"{record['machine']}. End to end = the parser and the writes, as `openucs import "
        "--format` runs them; *again* = the same file imported a second time (everything "
        "found, nothing new); store = the part of the first run inside the store's "
        "transactions (contact identification and ingest).",
        "",
        "| engine | format | file | parser alone | first import | store part | again |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in record["results"]:
        first = row["first"]
        lines.append(
            f"| {row['engine']} | {row['format']} | {row['bytes'] / 1e6:.1f} MB | "
            f"{row['parse_per_s']:,.0f}/s | {first['per_s']:,.0f}/s ({first['seconds']:.1f} s) | "
            f"{first['store_seconds']:.1f} s | {row['again']['per_s']:,.0f}/s |"
        )
    lines += ["", "Stored after both runs equals the records (idempotent):", ""]
    lines += [
        f"- {row['engine']} {row['format']}: {row['stored']:,} of {row['records']:,}"
        for row in record["results"]
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", "-n", type=int, default=100_000)
    parser.add_argument("--postgres", help="also on PostgreSQL (a fresh schema of this database)")
    parser.add_argument("--formats", nargs="*", default=list(EXTENSIONS))
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    engines = [*([] if args.no_sqlite else ["sqlite"]), *(["postgres"] if args.postgres else [])]
    results = []
    for format_ in args.formats:
        path = write_file(format_, args.records)
        for engine in engines:
            with fresh_database(engine, args.postgres, format_) as url:
                row = {"engine": engine, "format": format_, **measure(format_, path, url)}
            print(
                f"{engine} {format_}: {row['first']['per_s']:,.0f}/s first, "
                f"{row['again']['per_s']:,.0f}/s again, parser {row['parse_per_s']:,.0f}/s",
                flush=True,
            )
            results.append(row)
    record = {
        "date": today(),
        "records": args.records,
        "machine": f"{platform.machine()}, Python {platform.python_version()}, load average "
        f"{os.getloadavg()[0]:.1f} at the end (2 cores shared with other work)",
        "results": results,
    }
    write_results(record, markdown(record), f"importers-{today()}", args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""What redaction at ingest costs an import: the NDJSON import (`openucs import FILE`, i.e.
`services.bulk.import_interactions`) of the same file with redaction off, on (card, iban, ssn)
and on with a chosen pattern too, alternating in rounds on fresh SQLite databases, so that drift
of a shared machine falls on every mode alike.

    .venv/bin/python bench/redaction.py --rows 20000 --rounds 3

The file holds `--rows` demo interactions (`openucs seed`'s generator: calls, chats with
transcripts, emails with bodies), one in ten with a card number, an IBAN or an SSN added to its
transcript, email body or comment, exported as NDJSON once (bench/.data). Reported per mode:
each round's end-to-end rate and the part in `records.ingest` (checks, redaction, store), their
medians, the ratio to "off", and the redaction functions alone (microseconds an interaction,
no database). Results go to bench/results/redaction-<date>.md and .json.
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from scenarios import today, write_results  # noqa: E402

from openucs.demo.generator import DemoData, DemoPlan  # noqa: E402
from openucs.domain.models import Interaction  # noqa: E402
from openucs.domain.redaction import NO_REDACTION, Redaction, redact_interaction  # noqa: E402
from openucs.gws.ndjson import (  # noqa: E402
    ContactLineEncoder,
    InteractionLineEncoder,
    InteractionLines,
    decode_contact_line,
)
from openucs.services import bulk  # noqa: E402
from openucs.store import open_store  # noqa: E402

DATA = HERE / ".data"
NOW = datetime(2026, 11, 25, tzinfo=UTC)
SECRETS = (
    "my card is 4111 1111 1111 1111, exp 12/27",
    "please refund to DE89 3704 0044 0532 0130 00",
    "SSN 078-05-1120 for the form",
)
MODES = {
    "off": NO_REDACTION,
    "on": Redaction.parse(kinds="card,iban,ssn", patterns=[], attributes=""),
    "on+pattern": Redaction.parse(
        kinds="card,iban,ssn", patterns=[r"ACCT-[0-9]{6}"], attributes=""
    ),
}


def with_secret(item: Interaction, number: int) -> Interaction:
    """Every tenth interaction gets one secret, in its transcript, email body or comment."""
    if number % 10:
        return item
    secret = SECRETS[(number // 10) % len(SECRETS)]
    if item.messages:
        item.messages[-1].text = f"{item.messages[-1].text or ''} {secret}"
    elif item.email is not None:
        item.email.body_as_plain_text = f"{item.email.body_as_plain_text or ''}\n{secret}"
    else:
        item.comment = f"{item.comment or ''} {secret}"
    return item


def write_file(rows: int) -> tuple[Path, Path]:
    history = DATA / f"redaction-{rows}.ndjson"
    contacts = DATA / f"redaction-{rows}-contacts.ndjson"
    if history.exists() and contacts.exists():
        return history, contacts
    DATA.mkdir(parents=True, exist_ok=True)
    data = DemoData(DemoPlan(interactions=rows, now=NOW))
    encode_contact = ContactLineEncoder("http://bench/api/v2")
    contacts.write_bytes(b"".join(encode_contact(c) for c in data.contacts()))
    encode = InteractionLineEncoder("http://bench/api/v2", UTC)
    with history.open("wb") as out:
        for number, item in enumerate(data.interactions()):
            out.write(encode(with_secret(item, number)))
    return history, contacts


@dataclass
class Run:
    mode: str
    rate: float
    store_rate: float
    seconds: float
    cpu_us: float  # this process's CPU time an interaction (SQLite runs in it)
    markers: int


def import_once(mode: str, history: Path, contacts: Path, round_: int) -> Run:
    path = DATA / f"redaction-{mode}-{round_}.db"
    for stale in DATA.glob(f"{path.name}*"):
        stale.unlink()
    store = open_store(f"sqlite:///{path}", redaction=MODES[mode])
    try:
        store.upgrade()
        with contacts.open("rb") as lines:
            bulk.import_contacts(store=store, lines=lines, decode=decode_contact_line)
        with history.open("rb") as lines:
            cpu = time.process_time()
            stats = bulk.import_interactions(store=store, lines=lines, decode=InteractionLines(UTC))
            cpu = time.process_time() - cpu
    finally:
        store.close()
    markers = _count_markers(path)
    for stale in DATA.glob(f"{path.name}*"):
        stale.unlink()
    cpu_us = cpu / max(stats.records, 1) * 1e6
    return Run(mode, stats.rate, stats.store_rate, stats.seconds, cpu_us, markers)


def _count_markers(path: Path) -> int:
    """How many stored texts hold a marker (a check that the mode did redact)."""
    with sqlite3.connect(path) as conn:
        found = 0
        for query in _MARKER_COUNTS:
            found += conn.execute(query).fetchone()[0]
    return found


_MARKER_COUNTS = (
    "SELECT count(*) FROM interactions WHERE comment LIKE '%redacted]%'",
    "SELECT count(*) FROM interaction_contents WHERE messages LIKE '%redacted]%'",
    "SELECT count(*) FROM interaction_contents WHERE email LIKE '%redacted]%'",
)


def redaction_alone(history: Path) -> dict[str, float]:
    """Microseconds an interaction for `redact_interaction`, on the decoded file."""
    decode = InteractionLines(UTC)
    with history.open("rb") as lines:
        items = [decode(raw) for raw in lines if raw.strip()]
    alone: dict[str, float] = {}
    for mode, policy in MODES.items():
        copies = [decode(InteractionLineEncoder("http://x", UTC)(i)) for i in items]
        began = time.process_time()  # CPU time: a loaded machine changes it less than wall time
        for item in copies:
            redact_interaction(item, policy)
        alone[mode] = (time.process_time() - began) / len(copies) * 1e6
    return alone


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    history, contacts = write_file(args.rows)
    runs: list[Run] = []
    for round_ in range(args.rounds):
        order = list(MODES) if round_ % 2 == 0 else list(reversed(MODES))
        for mode in order:
            run = import_once(mode, history, contacts, round_)
            print(
                f"round {round_ + 1} {mode}: {run.rate:,.0f}/s ({run.store_rate:,.0f}/s "
                f"ingest), {run.cpu_us:.0f} us CPU an interaction"
            )
            runs.append(run)
    alone = redaction_alone(history)
    record = _record(args, history, runs, alone)
    write_results(record, _markdown(record), f"redaction-{today()}", args.out)
    return 0


def _record(
    args: argparse.Namespace, history: Path, runs: list[Run], alone: dict[str, float]
) -> dict[str, Any]:
    medians = {
        mode: {
            "rate": statistics.median(r.rate for r in runs if r.mode == mode),
            "store_rate": statistics.median(r.store_rate for r in runs if r.mode == mode),
            "cpu_us": statistics.median(r.cpu_us for r in runs if r.mode == mode),
        }
        for mode in MODES
    }
    return {
        "date": today(),
        "rows": args.rows,
        "rounds": args.rounds,
        "file_mb": round(history.stat().st_size / 1e6, 1),
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
        "load": os.getloadavg()[0],
        "runs": [r.__dict__ for r in runs],
        "medians": medians,
        "alone_us": alone,
    }


def _markdown(record: dict[str, Any]) -> str:
    off = record["medians"]["off"]
    lines = [
        f"# Redaction at ingest, {record['date']}",
        "",
        f"`bench/redaction.py --rows {record['rows']} --rounds {record['rounds']}`: the NDJSON "
        f"import (`openucs import FILE`) of {record['rows']:,} demo interactions "
        f"({record['file_mb']} MB, one in ten with a card number, an IBAN or an SSN) into a "
        f"fresh SQLite file, per mode, alternating; {record['machine']}, load average "
        f"{record['load']:.1f} at the end (2 cores shared with other sessions).",
        "",
        "| mode | rounds (end to end /s) | median /s | vs off | ingest median /s | vs off "
        "| CPU us an interaction (median) | vs off | rows with a marker |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for mode, median in record["medians"].items():
        rates = ", ".join(f"{r['rate']:,.0f}" for r in record["runs"] if r["mode"] == mode)
        markers = {r["markers"] for r in record["runs"] if r["mode"] == mode}
        lines.append(
            f"| {mode} | {rates} | {median['rate']:,.0f} | {median['rate'] / off['rate']:.2f} "
            f"| {median['store_rate']:,.0f} | {median['store_rate'] / off['store_rate']:.2f} "
            f"| {median['cpu_us']:.0f} | {median['cpu_us'] / off['cpu_us']:.2f} "
            f"| {', '.join(str(m) for m in sorted(markers))} |"
        )
    lines += ["", "Redaction alone (`redact_interaction`, no database), CPU per interaction:", ""]
    lines += [f"- {mode}: {us:.1f} us" for mode, us in record["alone_us"].items()]
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())

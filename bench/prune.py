"""Retention benchmark: `openucs prune` over a large history (docs/privacy.md).

    .venv/bin/python bench/prune.py --interactions 1000000            # SQLite in bench/.data
    .venv/bin/python bench/prune.py --interactions 100000 --database postgresql://...

Seeds N interactions (a third each chat, call and email; chats with a four-message transcript,
emails with a body, every one with two custom attributes and a contact among 10,000), spread
evenly over the 1,460 days before now, in the main tier (one in ten in the archive tier), with
holds on 10 contacts. Then times a dry run and the prune itself of `chat=730,email=730,call=365`
(about 58% of the rows go), in batches of 1,000 with a deletion noted for each in the change
log, and checks what is left. Results go to bench/results/prune-<date>.md.
"""

from __future__ import annotations

import argparse
import platform
import sqlite3
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from scenarios import today  # noqa: E402

from openucs.domain.enums import InteractionType, MediaType, Source, State  # noqa: E402
from openucs.domain.ids import new_ucs_id  # noqa: E402
from openucs.domain.models import ChatMessage, Contact, EmailContent, Interaction  # noqa: E402
from openucs.domain.privacy import Hold, RetentionPolicy  # noqa: E402
from openucs.services.privacy import prune  # noqa: E402
from openucs.store import Store, open_store  # noqa: E402

POLICY = "chat=730,email=730,call=365"
DAYS = 1460
CONTACTS = 10_000
HELD_CONTACTS = 10
BATCH = 5000
MEDIA = (MediaType.CHAT, MediaType.CALL, MediaType.EMAIL)


def _interaction(n: int, total: int, now: datetime) -> Interaction:
    media = MEDIA[n % 3]
    start = now - timedelta(days=DAYS) + timedelta(seconds=DAYS * 86_400 * n / total)
    item = Interaction(
        id=f"P{n:09d}",
        media_type=media,
        type_id=InteractionType.INBOUND,
        state=State.STOPPED,
        start_date=start,
        subject=f"request {n} about order {n % 977}",
        contact_id=f"K{n % CONTACTS:05d}",
        custom_attributes={"queue": f"q{n % 12}", "order": str(n % 977)},
        source=Source.ARCHIVE if n % 10 == 0 else Source.MAIN,
    )
    if media is MediaType.CHAT:
        item.messages = [
            ChatMessage(index=i, type="Text", timestamp=start, text=f"line {i} of chat {n}")
            for i in range(4)
        ]
    elif media is MediaType.EMAIL:
        item.email = EmailContent(from_address=f"c{n % CONTACTS}@example.com", body=f"mail {n}")
    return item


def seed(store: Store, total: int, now: datetime) -> float:
    began = time.perf_counter()
    store.save_contacts([Contact(id=f"K{c:05d}", last_name=f"C{c}") for c in range(CONTACTS)])
    for first in range(0, total, BATCH):
        batch = [_interaction(n, total, now) for n in range(first, min(first + BATCH, total))]
        store.save_interactions(batch)
    store.analyze()
    return time.perf_counter() - began


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--interactions", type=int, default=100_000)
    parser.add_argument("--database", help="default: a new SQLite file in bench/.data")
    parser.add_argument("--out", type=Path, help="the Markdown file (default bench/results)")
    parser.add_argument(
        "--erase-after",
        metavar="URL",
        help="instead: time erasing one contact (not held) in a database this bench left",
    )
    args = parser.parse_args()
    if args.erase_after:
        return time_erasure(args.erase_after)
    url = args.database
    if url is None:
        path = HERE / ".data" / f"prune-{args.interactions}.db"
        path.parent.mkdir(exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    now = datetime.now(UTC)
    store = open_store(url)
    try:
        store.upgrade()
        seeded = seed(store, args.interactions, now)
        print(f"seeded {args.interactions:,} in {seeded:.0f} s", flush=True)
        placer = "0" * 32
        for c in range(HELD_CONTACTS):
            store.add_hold(Hold(new_ucs_id(), f"K{c:05d}", None, "bench", placer, now))
        policy = RetentionPolicy.parse(POLICY)
        began = time.perf_counter()
        dry = prune(store=store, policy=policy, now=now, dry_run=True)
        dry_s = time.perf_counter() - began
        print(f"dry run: {dry.total:,} would go, {dry.held:,} held, {dry_s:.1f} s", flush=True)
        began = time.perf_counter()
        done = prune(store=store, policy=policy, now=now)
        prune_s = time.perf_counter() - began
        print(f"prune: {done.total:,} removed, {done.held:,} held, {prune_s:.1f} s", flush=True)
        left = store.count_interactions()
        again = prune(store=store, policy=policy, now=now)
        last_seq = store.change_bounds()[1]
    finally:
        store.close()
    assert done.total == dry.total and left == args.interactions - done.total
    assert again.total == 0
    engine = "SQLite" if url.startswith("sqlite") else "PostgreSQL"
    version = sqlite3.sqlite_version if engine == "SQLite" else "(server)"
    markdown = f"""# Retention prune benchmark, {today()}

`bench/prune.py --interactions {args.interactions}` on {engine} {version}, Python
{platform.python_version()}, {platform.machine()}, a 2-core machine shared with other jobs.

Seeded {args.interactions:,} interactions (chat, call, email a third each; chats with a
4-message transcript, emails with a body; 2 custom attributes each; one in ten in the archive
tier; {CONTACTS:,} contacts, {HELD_CONTACTS} of them under a legal hold) over {DAYS} days, in
{seeded:.0f} s. Policy `{POLICY}`, batches of 1,000, a change record per deletion.

| step | interactions | held (kept) | seconds | interactions/s |
|---|---:|---:|---:|---:|
| dry run | {dry.total:,} | {dry.held:,} | {dry_s:.1f} | {dry.total / dry_s:,.0f} |
| prune | {done.total:,} | {done.held:,} | {prune_s:.1f} | {done.total / prune_s:,.0f} |

Per media type and tier removed: {done.removed}. Left: {left:,} interactions; a second prune
removed {again.total}. Change log: last seq {last_seq:,} (seeding plus one record per deletion).
"""
    out = args.out or HERE / "results" / f"prune-{today()}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(markdown)
    print(f"wrote {out}")
    return 0


def time_erasure(url: str) -> int:
    """Erase contact K00010 (its interactions left by the prune) and print the report and the
    time: on SQLite most of it is the FTS5 optimize, which rewrites the whole text index."""
    store = open_store(url)
    try:
        left = store.count_interactions()
        began = time.perf_counter()
        report = store.erase_contact(f"K{HELD_CONTACTS:05d}")
        took = time.perf_counter() - began
    finally:
        store.close()
    print(f"erased from {left:,} interactions in {took:.1f} s: {report}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

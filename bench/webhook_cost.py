"""What one webhook delivery costs the dispatcher (issue 11): one endpoint drains a backlog to
the fast receiver (bench/webhook_receiver.py, another process) with the dispatcher in this
process, `run_once` in a loop on one thread, so the CPU time measured is the dispatcher's
alone (its statements, the encoding, the HTTP client), not the receiver's.

    PYTHONPATH=src .venv/bin/python bench/webhook_cost.py                  # SQLite, in a temp dir
    PYTHONPATH=src .venv/bin/python bench/webhook_cost.py --database postgresql://postgres@127.0.0.1/bench
    PYTHONPATH=src .venv/bin/python bench/webhook_cost.py --profile 30     # cProfile's top 30

Prints one JSON line: records, CPU ms and wall ms per delivery, deliveries per second, and the
load average before and after the run (the machine is shared: say it with the figures).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from openucs.domain.webhooks import NewWebhook  # noqa: E402
from openucs.gws.changes import encode_change  # noqa: E402
from openucs.services import records, webhooks  # noqa: E402
from openucs.services.webhook_delivery import Schedule, WebhookDispatcher  # noqa: E402
from openucs.services.webhooks import TargetPolicy  # noqa: E402
from openucs.store import open_store  # noqa: E402
from webhooks import ADMIN, arrivals, batch, fresh_url, receiver  # noqa: E402

BASE_URL = "http://gws.example/api/v2"


def _encode(record: Any) -> bytes:
    return encode_change(record, base_url=BASE_URL, zone=UTC)


def drain(url: str, work: Path, count: int, profile: int) -> dict[str, Any]:
    store = open_store(url)
    log = work / "cost.log"
    try:
        with receiver(log) as target:
            policy = TargetPolicy(allow_private=True)
            webhooks.create_webhook(
                store=store, user=ADMIN, data=NewWebhook(url=target), policy=policy, zone=UTC
            )
            for n in range(count // 10):
                records.ingest(store=store, interactions=batch("C", n))
            dispatcher = WebhookDispatcher(
                store, encode=_encode, zone=UTC, policy=policy, schedule=Schedule(), workers=1
            )
            profiler = cProfile.Profile() if profile else None
            load_before = os.getloadavg()
            cpu, wall = time.process_time(), time.perf_counter()
            if profiler is not None:
                profiler.enable()
            made = 0
            while made < count:
                done = dispatcher.run_once()
                if not done:
                    break
                made += done
            if profiler is not None:
                profiler.disable()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            load_after = os.getloadavg()
            got = arrivals(log)
    finally:
        store.close()
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(profile)
    return {
        "records": count,
        "delivered": len(got),
        "attempts": made,
        "cpu_ms_per_delivery": round(cpu * 1000 / max(made, 1), 3),
        "wall_ms_per_delivery": round(wall * 1000 / max(made, 1), 3),
        "per_second": round(made / wall, 1),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in load_after],
        "profiled": bool(profile),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", help="a PostgreSQL database (default: SQLite)")
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--profile", type=int, default=0, help="print cProfile's top N")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        with fresh_url(args.database, work, "cost") as url:
            result = drain(url, work, args.records, args.profile)
    result["engine"] = "postgresql" if args.database else "sqlite"
    result["date"] = datetime.now(UTC).isoformat(timespec="seconds")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

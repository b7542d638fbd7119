"""What the text index costs an import: the search benchmark's build (bench/search_build.py,
`openucs seed`'s pipeline) on this working tree and on a revision without the text index,
alternating, in rounds (plain first, then indexed first, ...), so drift of a shared machine falls
on both alike.

    .venv/bin/python bench/search_import.py --plain-rev a3a51b2 --rows 200000 --rounds 3

Each build runs in a process of its own on a fresh database (dropped afterwards). Reported per
engine: each round's end-to-end and writing rates, their medians, and indexed / plain.
Target, reported and not asserted: indexed >= 0.8x plain, end to end.
Results go to bench/results/search-import-<date>.md and .json (or --out FILE.md|FILE.json).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from scenarios import today, write_results  # noqa: E402
from search_build import ENGINES, POSTGRES_ADMIN, Database, build_apart  # noqa: E402
from search_report import IMPORT_FACTOR, NAMES  # noqa: E402


def main() -> int:
    args = _arguments()
    engines = ENGINES if args.engine == "both" else (args.engine,)
    builds = {"plain": args.plain_rev, "indexed": None}
    runs: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for engine in engines:
        runs[engine] = {label: [] for label in builds}
        for round_ in range(args.rounds):
            order = list(builds.items())
            for label, revision in order if round_ % 2 == 0 else reversed(order):
                db = Database(engine, args.rows, f"import-{label}", args.postgres)
                record = build_apart(db, revision)
                print(f"{engine} round {round_ + 1} {label}: {record['end_to_end_rate']:,}/s")
                runs[engine][label].append(record)
    record = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "rows": args.rows,
        "rounds": args.rounds,
        "plain_rev": args.plain_rev,
        "cpus": os.cpu_count(),
        "runs": runs,
    }
    markdown = render(record)
    print(markdown)
    write_results(record, markdown, f"search-import-{today()}", args.out)
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plain-rev", required=True, help="a revision without the text index")
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--engine", choices=(*ENGINES, "both"), default="both")
    parser.add_argument("--postgres", default=POSTGRES_ADMIN, help="server and admin database")
    parser.add_argument("--out", type=Path)
    return parser.parse_args()


def render(r: dict[str, Any]) -> str:
    lines = [
        f"# Import with and without the text index, {r['date'][:10]}",
        "",
        f"{r['rows']:,} demo interactions per build (`openucs seed`'s pipeline, a fresh database "
        f"each), {r['rounds']} alternating rounds; plain: revision {r['plain_rev']}; indexed: "
        f"this working tree. {r['cpus']} CPUs shared with other work: the load average "
        "(1 minute) before and after each build is shown.",
        "",
        "| engine | build | end to end /s (rounds) | median | writing /s median | load |",
        "|---|---|---|---:|---:|---|",
    ]
    verdicts = []
    for engine, by_label in r["runs"].items():
        medians = {}
        for label, builds in by_label.items():
            rates = [b["end_to_end_rate"] for b in builds]
            medians[label] = statistics.median(rates)
            writing = statistics.median(b["write_rate"] for b in builds)
            loads = ", ".join(f"{b['load'][0]}->{b['load'][1]}" for b in builds)
            lines.append(
                f"| {NAMES[engine]} | {label} | {', '.join(f'{x:,}' for x in rates)} "
                f"| {medians[label]:,.0f} | {writing:,.0f} | {loads} |"
            )
        ratio = medians["indexed"] / medians["plain"]
        verdicts.append(
            f"{NAMES[engine]} {ratio:.2f}x ({'met' if ratio >= IMPORT_FACTOR else 'MISSED'})"
        )
    lines += ["", f"Target: indexed >= {IMPORT_FACTOR}x plain (medians): {'; '.join(verdicts)}."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())

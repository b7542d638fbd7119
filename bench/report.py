"""The benchmark's printed table and its Markdown record."""

from __future__ import annotations

import os
import platform
import sqlite3
from typing import Any

IMPORT_TARGET = 20_000
CONTACT_P99_TARGET_MS = 5.0


def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def render_table(r: dict[str, Any]) -> str:
    seed, imported, plans = r["seed"], r["file_import"], r["plans"]
    slowest = min(seed["end_to_end_rate"], imported["end_to_end_rate"])
    lines = [
        f"OpenUCS benchmark, {r['interactions']:,} interactions and {r['contacts']:,} contacts, "
        f"SQLite {sqlite3.sqlite_version}, Python {platform.python_version()}, {r['date']}",
        "",
        "import (batches of "
        f"{seed['batch_size']:,}, prepared in a second process, written in this one):",
        f"  openucs seed     end to end {seed['end_to_end_rate']:>7,}/s ({seed['seconds']} s),"
        f" writing {seed['write_rate']:>7,}/s",
        f"  openucs import   end to end {imported['end_to_end_rate']:>7,}/s "
        f"({imported['seconds']} s), writing {imported['write_rate']:>7,}/s "
        f"(NDJSON export of this database, {imported['file_bytes'] / 1e6:,.0f} MB)",
        "",
        f"{'scenario':<18}{'HTTP p50':>10}{'HTTP p99':>10}{'SQL p50':>10}{'SQL p99':>10}"
        f"{'HTTP/SQL p50':>14}",
    ]
    for name, t in r["latency"].items():
        if "sql_p50" not in t:
            lines.append(f"{name:<18}{_ms(t['http_p50'])}{_ms(t['http_p99'])}{'-':>10}{'-':>10}")
            continue
        ratio = t["http_p50"] / t["sql_p50"] if t["sql_p50"] else float("inf")
        lines.append(
            f"{name:<18}{_ms(t['http_p50'])}{_ms(t['http_p99'])}{_ms(t['sql_p50'])}"
            f"{_ms(t['sql_p99'])}{ratio:>13.1f}x"
        )
    lines += [
        f"({r['requests']:,} sequential requests per cell; HTTP: one client, session cookie)",
        f"(1-minute load average on {os.cpu_count()} CPUs: {_load(r.get('seed_load'))} after "
        f"seeding, {_load(r.get('load_before'))} before and {_load(r.get('load_after'))} after "
        "the reads)",
        "",
        f"query plans at {plans['small_rows']:,} and {plans['large_rows']:,} rows: "
        + ("identical" if plans["identical"] else "DIFFERENT: " + ", ".join(_differing(plans))),
        "",
        "targets:",
        f"  import >= {IMPORT_TARGET:,}/s end to end, seed and file: "
        f"{_verdict(slowest >= IMPORT_TARGET)} ({slowest:,}/s)",
        f"  contact history HTTP p99 <= {CONTACT_P99_TARGET_MS} ms: "
        f"{_verdict(r['latency']['contact history']['http_p99'] <= CONTACT_P99_TARGET_MS)}"
        f" ({r['latency']['contact history']['http_p99']:.2f} ms)",
        f"  equal plans at both sizes: {_verdict(plans['identical'])}",
    ]
    return "\n".join(lines)


def render_markdown(r: dict[str, Any]) -> str:
    plans = r["plans"]
    parts = [
        f"# Benchmark {r['date'][:10]}: {r['interactions']:,} interactions",
        "",
        f"Machine: {platform.machine()} {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}. "
        "Produced by `make bench` (bench/run.py).",
        "",
        "```",
        render_table(r),
        "```",
        "",
        f"## Query plans ({plans['small_rows']:,} rows vs {plans['large_rows']:,} rows)",
    ]
    for name, small in plans["small"].items():
        large = plans["large"][name]
        parts += ["", f"### {name}" + ("" if small == large else " (DIFFERENT)"), "", "```", small]
        if small != large:
            parts += ["--- at the larger size:", large]
        parts.append("```")
    return "\n".join(parts)


def _load(values: list[float] | None) -> str:
    return f"{values[0]:.1f}" if values else "?"  # the 1-minute average


def _ms(value: float) -> str:
    return f"{value:>7.2f} ms"


def _differing(plans: dict[str, Any]) -> list[str]:
    return [name for name in plans["small"] if plans["small"][name] != plans["large"].get(name)]

"""The search benchmark's Markdown record (bench/search.py)."""

from __future__ import annotations

import platform
from typing import Any

P99_TARGET_MS = 50.0
TOTAL_FACTOR = 2.0  # page + count at most this many times the page
IMPORT_FACTOR = 0.8  # the import with the text index at least this share of the plain one
NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def render(r: dict[str, Any]) -> str:
    engines = list(r["engines"])
    parts = [
        f"# Search benchmark {r['date'][:10]}: {r['rows']:,} interactions",
        "",
        f"Machine: {platform.machine()} {platform.system()} {platform.release()}, "
        f"{r['cpus']} CPUs (shared with other work: see the load), Python {r['python']}, "
        f"SQLite {r['sqlite']}. Produced by `bench/search.py` (`make bench`). Demo data of seed "
        f"42 over the 13 months before {r['anchor']}.",
        "",
        *_loads(r),
        "",
        *_queries(r),
        "",
        *_http(r, engines),
        "",
        *_totals(r, engines),
        "",
        *_imports(r, engines),
        "",
        *_sizes(r, engines),
    ]
    if "baseline" in r:
        parts += ["", *_growth(r, engines)]
    parts += ["", *_plans(r, engines)]
    return "\n".join(parts) + "\n"


def _loads(r: dict[str, Any]) -> list[str]:
    lines = ["Load (`uptime`) around each engine's run:", ""]
    for engine, e in r["engines"].items():
        lines.append(f"- {NAMES[engine]}: before `{e['load_before']['uptime']}`")
        lines.append(f"  after `{e['load_after']['uptime']}`")
    return lines


def _queries(r: dict[str, Any]) -> list[str]:
    lines = [
        "## The queries",
        "",
        "Each is `GET /openucs/v1/interactions?q=...&maxSize=100`: newest first, the top 100, with "
        "its total. Requests go round the variants; the first variant is shown.",
        "",
        "| query | what | first variant | variants |",
        "|---|---|---|---:|",
    ]
    for name, q in r["queries"].items():
        lines.append(f"| {name} | {q['what']} | `{q['variants'][0]}` | {len(q['variants'])} |")
    return lines


def _http(r: dict[str, Any], engines: list[str]) -> list[str]:
    head = "| query |" + "".join(f" {NAMES[e]} p50 | p99 | n | totals |" for e in engines)
    lines = [
        f"## Over HTTP (ms; target p99 <= {P99_TARGET_MS:.0f} ms)",
        "",
        f"Sequential requests, one client with a supervisor's session cookie, up to "
        f"{r['requests']} per query (n: fewer once {r['budget_s']:.0f} s, warm-up included, "
        f"had gone; at least {r.get('min_samples', 5)}). Totals: the smallest and largest "
        "over the variants warmed up (`+`: the cap stopped a count).",
        "",
        head,
        "|---|" + "---:|---:|---:|---|" * len(engines),
    ]
    missed = []
    for name in r["queries"]:
        row = f"| {name} |"
        for engine in engines:
            h = r["engines"][engine]["http"][name]
            if "error" in h:
                missed.append(f"{name} on {NAMES[engine]} (error)")
                row += f" {_failure(h['error'], r)} | | | |"
                continue
            mark = "" if h["p99"] <= P99_TARGET_MS else " **x**"
            if mark:
                missed.append(f"{name} on {NAMES[engine]}")
            row += (
                f" {h['p50']:.1f} | {h['p99']:.1f}{mark} | {h['samples']} | {_span(h['totals'])} |"
            )
        lines.append(row)
    verdict = "met" if not missed else "MISSED (**x**): " + "; ".join(missed)
    return [*lines, "", f"Target p99 <= {P99_TARGET_MS:.0f} ms: {verdict}."]


def _failure(error: str, r: dict[str, Any]) -> str:
    """A statement stopped by the limit reads as what it says of the query's time."""
    limit = r.get("statement_limit_s")
    if limit and ("interrupted" in error or "statement timeout" in error):
        sent = "not sent over HTTP: " if error.startswith("not sent") else ""
        return f"{sent}> {limit:.0f} s (a statement was stopped at the limit)"
    return f"error: {error[:80]}"


def _span(totals: dict[str, str]) -> str:
    values = [t.split() for t in totals.values()]
    numbers = sorted(int(v[0]) for v in values if v[0].isdigit())
    if not numbers:
        return "?"
    capped = "+" if any(v[1:] == ["gte"] for v in values) else ""
    low, high = numbers[0], numbers[-1]
    return f"{low:,}{capped}" if low == high else f"{low:,}-{high:,}{capped}"


def _totals(r: dict[str, Any], engines: list[str]) -> list[str]:
    lines = [
        "## What the total costs (in process)",
        "",
        "The route always counts, so the page and the count are timed apart in the benchmark's "
        "own process on the same queries: `store.history(query)` (101 rows), then "
        "`store.count_history(query, cap=10000)`, then `store.facet_counts(query, "
        "fields=(mediaType, state), cap=10000)`, then what the route's snippets cost: the "
        "page's content read again (`store.get_interactions(ids, with_content=True)`) and "
        "`domain.search.snippet` per item. Ratio: (page + count) / page, per request, "
        f"at p50 and p99; target <= {TOTAL_FACTOR:.0f}.",
        "",
        "| query | engine | page p50 | p99 | count p50 | p99 | page+count p50 | p99 | ratio p50 "
        "| p99 | facets p50 | p99 | content p50 | snippets p50 |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    missed = []
    for name in r["queries"]:
        for engine in engines:
            s = r["engines"][engine]["store"][name]
            if "error" in s:
                lines.append(f"| {name} | {NAMES[engine]} | {_failure(s['error'], r)} |")
                continue
            page, both = s["page"], s["page + count"]
            ratios = [both[p] / page[p] if page[p] else float("inf") for p in ("p50", "p99")]
            mark = "" if max(ratios) <= TOTAL_FACTOR else " **x**"
            if mark:
                missed.append(f"{name} on {NAMES[engine]}")
            lines.append(
                f"| {name} | {NAMES[engine]} | {page['p50']:.1f} | {page['p99']:.1f} "
                f"| {s['count']['p50']:.1f} | {s['count']['p99']:.1f} | {both['p50']:.1f} "
                f"| {both['p99']:.1f} | {ratios[0]:.2f} | {ratios[1]:.2f}{mark} "
                f"| {s['facets']['p50']:.1f} | {s['facets']['p99']:.1f} "
                f"| {_p50(s, 'content')} | {_p50(s, 'snippets')} |"
            )
    verdict = "met" if not missed else "MISSED (**x**): " + "; ".join(missed)
    return [*lines, "", f"Target: the total at most doubles the page: {verdict}."]


def _p50(found: dict[str, Any], part: str) -> str:
    return f"{found[part]['p50']:.1f}" if part in found else "-"


def _imports(r: dict[str, Any], engines: list[str]) -> list[str]:
    lines = [
        "## Import rate with the text index",
        "",
        "`openucs seed`'s pipeline (generated and prepared in a second process, written in "
        "batches of 20,000 in this one), end to end and in the writer alone; `plain` is the "
        "same build by a revision without the text index (its `source`). Load: the 1-minute "
        "average before and after the import.",
        "",
        "| engine | build | source | rows | seconds | end to end /s | writing /s | load |",
        "|---|---|---|---:|---:|---:|---:|---|",
    ]
    verdicts = []
    for engine in engines:
        e = r["engines"][engine]
        for label, found in (("text index", e["import"]), ("plain", e["plain_import"])):
            if not found or "end_to_end_rate" not in found:
                lines.append(f"| {NAMES[engine]} | {label} | {_unmeasured(found)} | | | | | |")
                continue
            lines.append(
                f"| {NAMES[engine]} | {label} | {found['source']} | {found['rows']:,} "
                f"| {found['seconds']} | {found['end_to_end_rate']:,} | {found['write_rate']:,} "
                f"| {found['load'][0]} -> {found['load'][1]} |"
            )
        if e["plain_import"] and "end_to_end_rate" in e["import"]:
            ratio = e["import"]["end_to_end_rate"] / e["plain_import"]["end_to_end_rate"]
            ok = "met" if ratio >= IMPORT_FACTOR else "MISSED"
            verdicts.append(f"{NAMES[engine]} {ratio:.2f}x ({ok})")
    verdict = "; ".join(verdicts) or "no import to compare here (see search-import-<date>.md)"
    return [*lines, "", f"Target: with the index >= {IMPORT_FACTOR}x plain, end to end: {verdict}."]


def _unmeasured(found: dict[str, Any] | None) -> str:
    if found and "migrated_from" in found:
        return (
            f"not imported: a copy of {found['migrated_from']} upgraded by {found['source']} "
            f"in {found['upgrade_seconds']} s (the migration filled the index)"
        )
    return "(not measured)"


def _sizes(r: dict[str, Any], engines: list[str]) -> list[str]:
    lines = [
        "## Index size",
        "",
        "SQLite: pages per table and index from `dbstat`; PostgreSQL: `pg_relation_size` of each "
        "table (with its TOAST) and index. The text index: the objects named like fts or "
        "search; the attribute keys: the indexes of attribute values as numbers and dates.",
        "",
        "| engine | database | text index | its parts | attribute keys | largest objects |",
        "|---|---:|---:|---|---:|---|",
    ]
    for engine in engines:
        s = r["engines"][engine]["index_size"]
        parts = ", ".join(f"{n} {_mb(b)}" for n, b in s["text_index"].items())
        largest = ", ".join(f"{n} {_mb(b)}" for n, b in list(s["objects"].items())[:6])
        lines.append(
            f"| {NAMES[engine]} | {_mb(s['database'])} | {_mb(s['text_index_total'])} "
            f"| {parts or '-'} | {_mb(s.get('attribute_keys_total', 0))} | {largest} |"
        )
    return lines


def _mb(size: int) -> str:
    return f"{size / 1e6:,.0f} MB"


def _growth(r: dict[str, Any], engines: list[str]) -> list[str]:
    base = r["baseline"]
    lines = [
        f"## Growth: {base['rows']:,} -> {r['rows']:,} rows (HTTP, ms)",
        "",
        "| query | engine | p50 before | p50 now | x | p99 before | p99 now | x |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name in r["queries"]:
        for engine in engines:
            was = base["engines"].get(engine, {}).get("http", {}).get(name)
            now = r["engines"][engine]["http"][name]
            if not was or "error" in was or "error" in now:
                continue
            lines.append(
                f"| {name} | {NAMES[engine]} | {was['p50']:.1f} | {now['p50']:.1f} "
                f"| {now['p50'] / was['p50']:.1f} | {was['p99']:.1f} | {now['p99']:.1f} "
                f"| {now['p99'] / was['p99']:.1f} |"
            )
    return lines


def _plans(r: dict[str, Any], engines: list[str]) -> list[str]:
    lines = [
        "## Plans",
        "",
        "Of the first variant of each query: SQLite `EXPLAIN QUERY PLAN`, PostgreSQL "
        "`EXPLAIN (ANALYZE, BUFFERS)`, of each statement the page and the count send.",
    ]
    for engine in engines:
        for name, found in r["engines"][engine]["plans"].items():
            lines += ["", f"### {name}, {NAMES[engine]}"]
            if "error" in found:
                lines += ["", f"error: {found['error']}"]
                continue
            for part, statements in found.items():
                for plan in statements:
                    lines += ["", f"{part}:", "", "```", plan, "```"]
    return lines

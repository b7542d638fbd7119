"""A stacked bar chart drawn on the server as SVG: one bar per day, one segment per series.

Every text is escaped; each segment has a `<title>` (a tooltip, and what a screen reader reads
for it), and the chart carries a title and a one-sentence description. The page also offers
the same figures as a table.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape


@dataclass(frozen=True, slots=True)
class Frame:
    """The drawing's size in SVG units and its text size; the page scales it to its width."""

    width: int = 960
    height: int = 300
    font: int = 12
    labels: int = 12  # at most this many day labels under the bars
    left: int = 56
    right: int = 12
    top: int = 14
    bottom: int = 40


WIDE = Frame()
NARROW = Frame(width=480, height=360, font=18, labels=4, left=64, bottom=46)


@dataclass(frozen=True, slots=True)
class Series:
    label: str
    color: str
    values: Sequence[int]


def nice_ceiling(value: int, ticks: int = 4) -> int:
    """The top of the axis: `ticks` equal whole steps of 1, 2, 3, 4, 5, 6 or 8 times a power
    of ten, the smallest reaching `value`."""
    if value <= ticks:
        return ticks
    raw = value / ticks
    power = 10 ** math.floor(math.log10(raw))
    step = next(s * power for s in (1, 2, 3, 4, 5, 6, 8, 10) if s * power >= raw)
    return int(step * ticks)


def day_label(day: date) -> str:
    return f"{day:%b} {day.day}"


def stacked_bars(
    days: Sequence[date],
    series: Sequence[Series],
    *,
    title: str,
    frame: Frame = WIDE,
    key: str = "chart",
) -> Markup:
    """The chart as an `<svg>` element; `key` makes its element ids unique on the page."""
    totals = [sum(s.values[i] for s in series) for i in range(len(days))]
    top = nice_ceiling(max(totals, default=0))
    f = frame
    plot_w, plot_h = f.width - f.left - f.right, f.height - f.top - f.bottom
    slot = plot_w / max(len(days), 1)
    parts = [
        f'<svg class="chart {key}" viewBox="0 0 {f.width} {f.height}" role="img" '
        f'aria-labelledby="{key}-title {key}-desc" xmlns="http://www.w3.org/2000/svg" '
        f'font-size="{f.font}">',
        f'<title id="{key}-title">{escape(title)}</title>',
        f'<desc id="{key}-desc">{escape(_describe(days, totals))}</desc>',
    ]
    parts += _grid(f, top, plot_w, plot_h)
    for i, day in enumerate(days):
        x = f.left + i * slot + slot * 0.1
        y = float(f.top + plot_h)
        for s in series:
            value = s.values[i]
            if not value:
                continue
            h = plot_h * value / top
            y -= h
            tip = f"{day.isoformat()} · {s.label}: {value:,}"
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.8:.1f}" height="{h:.1f}" '
                f'fill="{escape(s.color)}"><title>{escape(tip)}</title></rect>'
            )
    parts += _x_labels(f, days, slot, plot_h)
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - built here from escaped values


def _grid(f: Frame, top: int, plot_w: float, plot_h: float) -> list[str]:
    parts = []
    for k in range(5):
        y = f.top + plot_h - plot_h * k / 4
        parts.append(
            f'<line class="grid" x1="{f.left}" x2="{f.left + plot_w}" y1="{y:.1f}" '
            f'y2="{y:.1f}"/><text class="axis" x="{f.left - 6}" y="{y + f.font / 3:.1f}" '
            f'text-anchor="end">{top * k // 4:,}</text>'
        )
    return parts


def _x_labels(f: Frame, days: Sequence[date], slot: float, plot_h: float) -> list[str]:
    every = max(1, math.ceil(len(days) / f.labels))
    parts = []
    for i, day in enumerate(days):
        if i % every:
            continue
        x = f.left + i * slot + slot / 2
        parts.append(
            f'<text class="axis" x="{x:.1f}" y="{f.top + plot_h + f.font * 1.5:.1f}" '
            f'text-anchor="middle">{escape(day_label(day))}</text>'
        )
    return parts


def _describe(days: Sequence[date], totals: Sequence[int]) -> str:
    if not days:
        return "No days in the window."
    total = sum(totals)
    busiest = max(range(len(days)), key=lambda i: totals[i])
    return (
        f"{total:,} interactions from {days[0]} to {days[-1]}; the busiest day was "
        f"{days[busiest]} with {totals[busiest]:,}."
    )

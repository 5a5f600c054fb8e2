"""Charts drawn on the server as inline SVG: a line chart of numeric data, a Gantt timeline of jobs.

No JavaScript library and no build step: a page gets finished SVG, which a browser shows as is
and a test can count (a ``polyline`` per series, a ``rect.bar`` per job). Big values are thinned
to at most `MAX_POINTS` points before any of them is turned into text.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from html import escape
from typing import Any

from scenaria.drawing.model import STATE_COLOURS

__all__ = ["MAX_POINTS", "gantt", "line_chart", "numeric_series"]

#: the most points a line of a chart has (a longer series is sampled evenly, its last point kept)
MAX_POINTS = 500
_MAX_LINES = 8
_PALETTE = ("#1e88e5", "#e53935", "#43a047", "#fb8c00", "#8e24aa", "#00897b", "#6d4c41", "#3949ab")
_WIDTH, _HEIGHT, _LEFT, _RIGHT, _TOP, _BOTTOM = 640, 220, 56, 16, 12, 28


def _thinned(count: int) -> list[int]:
    """The positions to draw of a series of ``count`` points: all, or `MAX_POINTS` evenly spread."""
    if count <= MAX_POINTS:
        return list(range(count))
    step = (count - 1) / (MAX_POINTS - 1)
    return [round(i * step) for i in range(MAX_POINTS)]


def _column(values: Any) -> list[tuple[int, float]] | None:
    """(position, number) pairs of a 1-D numeric array-like (list, numpy array, pandas Series)."""
    dtype = getattr(values, "dtype", None)
    if dtype is not None and getattr(dtype, "kind", "O") not in "iuf":
        return None
    picked = _thinned(len(values))
    if dtype is not None:
        taken = values.iloc[picked] if hasattr(values, "iloc") else values[picked]
        numbers = [float(item) for item in taken.tolist()]
    else:
        numbers = [values[i] for i in picked]
        if not all(isinstance(item, int | float) and not isinstance(item, bool) for item in numbers):
            return None
    return [(i, float(n)) for i, n in zip(picked, numbers, strict=True) if math.isfinite(n)]


def numeric_series(value: Any) -> dict[str, list[tuple[int, float]]] | None:
    """The lines a value makes, by name: a list or 1-D array of numbers is one, a DataFrame's
    numeric columns are one each (the first eight). None when the value is not numeric data."""
    if isinstance(value, list | tuple):
        line = _column(value) if len(value) >= 2 else None
        return {"value": line} if line else None
    if hasattr(value, "select_dtypes") and hasattr(value, "columns"):  # a pandas DataFrame
        numeric = value.select_dtypes(include="number")
        lines = {str(name): _column(numeric[name]) for name in list(numeric.columns)[:_MAX_LINES]}
        kept = {name: line for name, line in lines.items() if line}
        return kept if kept and len(value) >= 2 else None
    if getattr(value, "ndim", None) == 1 and len(value) >= 2:  # a numpy array, a pandas Series
        line = _column(value)
        return {str(getattr(value, "name", None) or "value"): line} if line else None
    return None


class _Frame:
    """The plot area and the ranges it maps (a flat range is widened by one either way)."""

    def __init__(self, points: list[tuple[float, float]]) -> None:
        self.x_low, self.x_high = _range(p[0] for p in points)
        self.y_low, self.y_high = _range(p[1] for p in points)
        self.width, self.height = _WIDTH - _LEFT - _RIGHT, _HEIGHT - _TOP - _BOTTOM

    def x(self, value: float) -> float:
        return _LEFT + (value - self.x_low) / (self.x_high - self.x_low) * self.width

    def y(self, value: float) -> float:
        return _TOP + (self.y_high - value) / (self.y_high - self.y_low) * self.height


def _range(values: Any) -> tuple[float, float]:
    found = list(values)
    low, high = min(found), max(found)
    return (low - 1, high + 1) if low == high else (low, high)


def _label(value: float) -> str:
    return f"{value:.4g}"


def _seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def _axes(frame: _Frame, x_name: str) -> list[str]:
    parts = [
        f"<rect x='{_LEFT}' y='{_TOP}' width='{frame.width}' height='{frame.height}' fill='#fafafa' stroke='#bbb'/>"
    ]
    for step in range(5):
        tick = frame.y_low + (frame.y_high - frame.y_low) * step / 4
        y = frame.y(tick)
        parts.append(f"<line x1='{_LEFT}' x2='{_LEFT + frame.width}' y1='{y:.1f}' y2='{y:.1f}' stroke='#eee'/>")
        parts.append(f"<text x='{_LEFT - 4}' y='{y + 4:.1f}' font-size='11' text-anchor='end'>{_label(tick)}</text>")
    base = _TOP + frame.height + 14
    right = _LEFT + frame.width
    parts.append(f"<text x='{_LEFT}' y='{base}' font-size='11'>{_label(frame.x_low)}</text>")
    parts.append(f"<text x='{right}' y='{base}' font-size='11' text-anchor='end'>{_label(frame.x_high)}</text>")
    if x_name:
        middle = _LEFT + frame.width / 2
        parts.append(f"<text x='{middle}' y='{base}' font-size='11' text-anchor='middle'>{escape(x_name)}</text>")
    return parts


def line_chart(lines: dict[str, list[tuple[float, float]]], title: str = "", x_name: str = "") -> str:
    """An SVG line chart of (x, y) series, by name, with its axes' ranges and a legend."""
    points = [point for line in lines.values() for point in line]
    if not points:
        return ""
    frame = _Frame(points)
    height = _HEIGHT + 18 * len(lines)
    parts = [
        f"<svg class='chart line' xmlns='http://www.w3.org/2000/svg' width='{_WIDTH}' height='{height}' role='img'"
        f" aria-label='{escape(title, quote=True)}'>",
        *_axes(frame, x_name),
    ]
    for number, (name, line) in enumerate(lines.items()):
        colour = _PALETTE[number % len(_PALETTE)]
        drawn = " ".join(f"{frame.x(x):.1f},{frame.y(y):.1f}" for x, y in line)
        parts.append(
            f"<polyline class='series' data-name='{escape(name, quote=True)}' data-points='{len(line)}' "
            f"fill='none' stroke='{colour}' stroke-width='1.8' points='{drawn}'/>"
        )
        legend_y = _HEIGHT + 18 * number + 6
        parts.append(f"<rect x='{_LEFT}' y='{legend_y - 9}' width='12' height='4' fill='{colour}'/>")
        parts.append(f"<text x='{_LEFT + 18}' y='{legend_y}' font-size='12'>{escape(name)}</text>")
    parts.append("</svg>")
    return "".join(parts)


def gantt(jobs: Sequence[Any], now: dt.datetime | None = None) -> str:
    """A timeline of jobs as SVG: one row each, a bar from its run's start to its end (still
    running: to ``now``), coloured by status; a job that never ran has no bar, only its row."""
    rows = [(job, _span(job, now or dt.datetime.now())) for job in jobs]
    spans = [span for _, span in rows if span is not None]
    if not rows:
        return ""
    first = min((start for start, _ in spans), default=dt.datetime.now())
    last = max((end for _, end in spans), default=first)
    total = max((last - first).total_seconds(), 1e-3)
    label_w, row_h, width = 220, 26, _WIDTH + 160
    inner_w = width - label_w - 64  # room for the last bar's duration
    height = _TOP + row_h * len(rows) + 30
    parts = [
        f"<svg class='chart gantt' xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' role='img'"
        " aria-label='jobs timeline'>"
    ]
    for number, (job, span) in enumerate(rows):
        y = _TOP + row_h * number
        status = job.status.name
        parts.append(
            f"<text x='4' y='{y + 17}' font-size='12'>{escape(job._task_config_id or job.id)} ({status.lower()})</text>"
        )
        if span is None:
            continue
        start, end = span
        x = label_w + (start - first).total_seconds() / total * inner_w
        bar = max((end - start).total_seconds() / total * inner_w, 2.0)
        fill, stroke = STATE_COLOURS.get(status, ("#eeeeee", "#757575"))
        seconds = (end - start).total_seconds()
        parts.append(
            f"<rect class='bar' data-job='{escape(job.id, quote=True)}' data-status='{status}' x='{x:.1f}' y='{y + 4}'"
            f" width='{bar:.1f}' height='{row_h - 8}' fill='{fill}' stroke='{stroke}'><title>{escape(job.id)}: "
            f"{seconds:.3f} s</title></rect>"
        )
        parts.append(f"<text x='{x + bar + 4:.1f}' y='{y + 17}' font-size='11'>{_seconds(seconds)}</text>")
    axis_y = _TOP + row_h * len(rows) + 16
    stamp = first.strftime("%H:%M:%S.%f")[:-3]
    parts.append(f"<text x='{label_w}' y='{axis_y}' font-size='11'>{stamp}</text>")
    parts.append(
        f"<text x='{label_w + inner_w}' y='{axis_y}' font-size='11' text-anchor='end'>+{_seconds(total)}</text></svg>"
    )
    return "".join(parts)


def _span(job: Any, now: dt.datetime) -> tuple[dt.datetime, dt.datetime] | None:
    """When a job's run started and ended, from its status records (None: it never ran); a
    running job ends ``now``."""
    start = job.run_at
    if start is None:
        return None
    end = job.finished_at or (now if job.is_running() else start)
    return start, max(end, start)

"""Charts of the printed sheets as SVG, drawn on the server: horizontal bars grouped under
headings, and a strip of dots (one facility among those of its quartier). No script, no font
download: they print and turn into a PDF as they are.

Every bar carries its value as a data label and every category is written on the chart, so
nothing is told by colour alone; references (a target, a capacity) are dashed lines with their
label. The sheet puts each chart's numbers in a table beside it and its title in real text.
Colours: bars #1f4e79 (8.6:1 on white), text #1a1a1a (17:1), axes #595959 (7:1).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from geo.core.text import escape_html

BAR = "#1f4e79"
TEXT = "#1a1a1a"
AXIS = "#595959"
DOT = "#8c8c8c"
FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"
ROW = 15.0
BAR_HEIGHT = 10.0


@dataclass(frozen=True)
class Bar:
    """One bar: its category ``label``, ``value`` (``inf``/above the axis: drawn to the end with
    a break) and the data label ``text`` written after it."""

    label: str
    value: float
    text: str


@dataclass(frozen=True)
class Reference:
    """A dashed vertical line at ``value`` with its ``label`` (e.g. the 7-minute target)."""

    value: float
    label: str


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _text(x: float, y: float, text: str, size: float = 9.0, anchor: str = "start",
          weight: str = "normal", colour: str = TEXT) -> str:
    return (f'<text x="{_fmt(x)}" y="{_fmt(y)}" font-size="{size:g}" font-family="{FONT}" '
            f'fill="{colour}" text-anchor="{anchor}"'
            + (f' font-weight="{weight}"' if weight != "normal" else "")
            + f">{escape_html(text)}</text>")


def nice_max(value: float, floor: float = 1.0) -> float:
    """A round axis end at or above ``value`` (1, 2, 2.5, 5 × a power of ten)."""
    value = max(value, floor)
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def _ticks(axis_max: float, count: int = 4) -> list[float]:
    return [axis_max * i / count for i in range(count + 1)]


def _svg(width: float, height: float, title: str, body: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{_fmt(width)}" height="{_fmt(height)}" '
            f'viewBox="0 0 {_fmt(width)} {_fmt(height)}"><title>{escape_html(title)}</title>'
            f'<rect width="{_fmt(width)}" height="{_fmt(height)}" fill="#ffffff"/>{body}</svg>')


def bar_chart(groups: Sequence[tuple[str, Sequence[Bar]]], axis_max: float, title: str,
              axis_label: str = "", references: Sequence[Reference] = (), width: float = 360.0,
              label_width: float = 96.0, tick_format=lambda v: f"{v:g}") -> str:
    """Horizontal bars under group headings (a heading "" is left out), the axis from 0 to
    ``axis_max`` with its ticks and label, and the ``references`` as dashed lines."""
    left, right, top = label_width, width - 62.0, 16.0 + (10.0 if references else 0.0)
    span = right - left

    def x_of(value: float) -> float:
        return left + span * min(max(value, 0.0), axis_max) / axis_max

    parts, y = [], top
    for heading, bars in groups:
        if heading:
            parts.append(_text(4, y + 10, heading, 8.5, weight="bold"))
            y += ROW
        for bar in bars:
            parts.append(_text(left - 5, y + 9, bar.label, 8.5, anchor="end"))
            end = x_of(bar.value)
            parts.append(f'<rect x="{_fmt(left)}" y="{_fmt(y + 1)}" width="{_fmt(max(end - left, 0.0))}" '
                         f'height="{_fmt(BAR_HEIGHT)}" fill="{BAR}"/>')
            if bar.value > axis_max:  # a break: the bar goes on beyond the axis
                parts.append(f'<path d="M{_fmt(end - 6)} {_fmt(y + 13)}L{_fmt(end - 2)} {_fmt(y - 1)}" '
                             f'stroke="#ffffff" stroke-width="2"/>')
            parts.append(_text(end + 3, y + 9.5, bar.text, 8.0))
            y += ROW
    bottom = y + 2
    axis = [f'<line x1="{_fmt(left)}" y1="{_fmt(top - 2)}" x2="{_fmt(left)}" y2="{_fmt(bottom)}" '
            f'stroke="{AXIS}" stroke-width="0.8"/>']
    for tick in _ticks(axis_max):
        x = x_of(tick)
        axis.append(f'<line x1="{_fmt(x)}" y1="{_fmt(bottom)}" x2="{_fmt(x)}" y2="{_fmt(bottom + 3)}" '
                    f'stroke="{AXIS}" stroke-width="0.8"/>')
        axis.append(_text(x, bottom + 12, tick_format(tick), 7.5, anchor="middle", colour=AXIS))
    if axis_label:
        axis.append(_text(left + span / 2, bottom + 23, axis_label, 7.5, anchor="middle", colour=AXIS))
    for index, ref in enumerate(references):
        x = x_of(ref.value)
        axis.append(f'<line x1="{_fmt(x)}" y1="{_fmt(top - 4)}" x2="{_fmt(x)}" y2="{_fmt(bottom)}" '
                    f'stroke="#000000" stroke-width="1.2" stroke-dasharray="4 3"/>')
        anchor = "end" if x > left + span * 0.6 else "start"
        axis.append(_text(x + (-3 if anchor == "end" else 3), 9 + 10 * index, ref.label, 7.5,
                          anchor=anchor))
    height = bottom + (27 if axis_label else 16)
    return _svg(width, height, title, "".join(axis + parts))


@dataclass(frozen=True)
class StripRow:
    """One row of a dot strip: its ``label``, the ``values`` of the group (grey dots), the
    ``value`` of the one shown (a black diamond; ``inf``: at the end) and its ``text``."""

    label: str
    values: Sequence[float]
    value: float
    text: str


def dot_strip(rows: Sequence[StripRow], axis_max: float, title: str, axis_label: str = "",
              reference: Reference | None = None, width: float = 360.0,
              label_width: float = 70.0) -> str:
    """One row per category: the group's values as small grey dots (beyond the axis: at its
    end), the one shown as a black diamond with its value written beside it, and a dashed
    reference line (the target)."""
    left, right, top = label_width, width - 70.0, 22.0
    span = right - left
    row = 20.0

    def x_of(value: float) -> float:
        return left + span * min(max(value, 0.0), axis_max) / axis_max

    parts, y = [], top
    for item in rows:
        centre = y + row / 2
        parts.append(_text(left - 5, centre + 3, item.label, 8.5, anchor="end"))
        parts.append(f'<line x1="{_fmt(left)}" y1="{_fmt(centre)}" x2="{_fmt(right)}" '
                     f'y2="{_fmt(centre)}" stroke="#d9d9d9" stroke-width="0.6"/>')
        for value in item.values:
            parts.append(f'<circle cx="{_fmt(x_of(value))}" cy="{_fmt(centre)}" r="2.6" '
                         f'fill="{DOT}" fill-opacity="0.7"/>')
        x = x_of(item.value)
        parts.append(f'<path d="M{_fmt(x)} {_fmt(centre - 6)}L{_fmt(x + 6)} {_fmt(centre)}'
                     f'L{_fmt(x)} {_fmt(centre + 6)}L{_fmt(x - 6)} {_fmt(centre)}Z" fill="#000000" '
                     f'stroke="#ffffff" stroke-width="1"/>')
        parts.append(_text(right + 9, centre + 3, item.text, 8.0))
        y += row
    bottom = y + 2
    axis = []
    for tick in _ticks(axis_max):
        tx = x_of(tick)
        axis.append(f'<line x1="{_fmt(tx)}" y1="{_fmt(bottom)}" x2="{_fmt(tx)}" y2="{_fmt(bottom + 3)}" '
                    f'stroke="{AXIS}" stroke-width="0.8"/>')
        axis.append(_text(tx, bottom + 12, f"{tick:g}", 7.5, anchor="middle", colour=AXIS))
    axis.append(f'<line x1="{_fmt(left)}" y1="{_fmt(bottom)}" x2="{_fmt(right)}" y2="{_fmt(bottom)}" '
                f'stroke="{AXIS}" stroke-width="0.8"/>')
    if axis_label:
        axis.append(_text(left + span / 2, bottom + 23, axis_label, 7.5, anchor="middle", colour=AXIS))
    if reference is not None:
        x = x_of(reference.value)
        axis.append(f'<line x1="{_fmt(x)}" y1="{_fmt(top - 6)}" x2="{_fmt(x)}" y2="{_fmt(bottom)}" '
                    f'stroke="#000000" stroke-width="1.2" stroke-dasharray="4 3"/>')
        axis.append(_text(x + 3, 11, reference.label, 7.5))
    height = bottom + (27 if axis_label else 16)
    return _svg(width, height, title, "".join(axis + parts))

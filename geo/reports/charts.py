"""Charts of the printed sheets as SVG, drawn on the server: horizontal bars grouped under
headings, and a strip of dots (one facility among those of its quartier). No script, no font
download: they print and turn into a PDF as they are.

Every bar carries its value as a data label and every category is written on the chart, so
nothing is told by colour alone; references (a target, a capacity) are dashed lines with their
label. The sheet puts each chart's numbers in a table beside it and its title in real text.
Colours: bars #1f4e79 (8.6:1 on white), text #1a1a1a (17:1), axes #595959 (7:1). Sizes are CSS
pixels of a chart about 95 mm wide: 10 px prints at about 7.5 pt.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from geo.core.text import escape_html

BAR = "#1f4e79"
TEXT = "#1a1a1a"
AXIS = "#595959"
DOT = "#7f7f7f"
FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"
#: Text sizes: categories and data labels, group headings, axis and reference labels.
LABEL = 10.0
AXIS_TEXT = 9.0
ROW = 16.0
BAR_HEIGHT = 11.0
STRIP_ROW = 19.0


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


@dataclass(frozen=True)
class StripRow:
    """One row of a dot strip: its ``label``, the ``values`` of the group (grey dots), the
    ``value`` of the one shown (a black diamond; ``inf``: at the end) and its ``text``."""

    label: str
    values: Sequence[float]
    value: float
    text: str


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def text_width(text: str, size: float) -> float:
    """About how wide a text is (DejaVu Sans averages 0.6 em per character)."""
    return 0.6 * size * len(text)


def _text(x: float, y: float, text: str, size: float = LABEL, anchor: str = "start",
          bold: bool = False, colour: str = TEXT) -> str:
    return (f'<text x="{_fmt(x)}" y="{_fmt(y)}" font-size="{size:g}" font-family="{FONT}" '
            f'fill="{colour}" text-anchor="{anchor}"' + (' font-weight="bold"' if bold else "")
            + f">{escape_html(text)}</text>")


def _label(x: float, y: float, text: str) -> str:
    """A data label on a white patch (a reference line behind it stays readable)."""
    return (f'<rect x="{_fmt(x - 1.5)}" y="{_fmt(y - 9.5)}" width="{_fmt(text_width(text, LABEL) + 3)}" '
            f'height="12.5" fill="#ffffff"/>' + _text(x, y, text))


def _nice_step(value: float) -> float:
    """A round step at or above ``value`` (1, 2, 2.5 or 5 × a power of ten)."""
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 2.5, 5, 10) if step * power >= value - 1e-9)


def nice_max(value: float, floor: float = 1.0, ticks: int = 4) -> float:
    """A round axis end at or above ``value`` (at least ``floor``): a whole number of round
    steps, about ``ticks`` of them."""
    value = max(value, floor)
    step = _nice_step(value / ticks)
    return step * math.ceil(value / step - 1e-9)


def ticks(axis_max: float, count: int = 4) -> list[float]:
    """Round ticks from 0 to ``axis_max``."""
    step = _nice_step(axis_max / count)
    return [step * i for i in range(int(axis_max / step + 1e-9) + 1)]


def _svg(width: float, height: float, title: str, body: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{_fmt(width)}" height="{_fmt(height)}" '
            f'viewBox="0 0 {_fmt(width)} {_fmt(height)}"><title>{escape_html(title)}</title>'
            f'<rect width="{_fmt(width)}" height="{_fmt(height)}" fill="#ffffff"/>{body}</svg>')


def _axis(left: float, right: float, bottom: float, axis_max: float, label: str,
          tick_text: Callable[[float], str]) -> list[str]:
    span = right - left
    out = [f'<line x1="{_fmt(left)}" y1="{_fmt(bottom)}" x2="{_fmt(right)}" y2="{_fmt(bottom)}" '
           f'stroke="{AXIS}" stroke-width="0.8"/>']
    for tick in ticks(axis_max):
        x = left + span * tick / axis_max
        out.append(f'<line x1="{_fmt(x)}" y1="{_fmt(bottom)}" x2="{_fmt(x)}" y2="{_fmt(bottom + 3)}" '
                   f'stroke="{AXIS}" stroke-width="0.8"/>')
        out.append(_text(x, bottom + 13, tick_text(tick), AXIS_TEXT, anchor="middle", colour=AXIS))
    if label:
        out.append(_text(left + span / 2, bottom + 25, label, AXIS_TEXT, anchor="middle", colour=AXIS))
    return out


def _references(references: Sequence[Reference], left: float, span: float, axis_max: float,
                top: float, bottom: float) -> list[str]:
    """Dashed lines (drawn under the bars) with their labels stacked above the plot."""
    out = []
    for index, ref in enumerate(references):
        x = left + span * min(max(ref.value, 0.0), axis_max) / axis_max
        y = 11.0 + 12.0 * index
        out.append(f'<line x1="{_fmt(x)}" y1="{_fmt(y + 2)}" x2="{_fmt(x)}" y2="{_fmt(bottom)}" '
                   f'stroke="#000000" stroke-width="1.2" stroke-dasharray="4 3"/>')
        width = text_width(ref.label, AXIS_TEXT)
        end = x + 3 + width > left + span + 60
        start = x - 3 - width if end else x + 3
        out.append(f'<rect x="{_fmt(start - 1)}" y="{_fmt(y - 8.5)}" width="{_fmt(width + 2)}" '
                   f'height="11" fill="#ffffff"/>')
        out.append(_text(start, y, ref.label, AXIS_TEXT))
    return out


def bar_chart(groups: Sequence[tuple[str, Sequence[Bar]]], axis_max: float, title: str,
              axis_label: str = "", references: Sequence[Reference] = (), width: float = 360.0,
              label_width: float | None = None,
              tick_text: Callable[[float], str] = lambda v: f"{v:g}") -> str:
    """Horizontal bars in groups, the axis from 0 to ``axis_max`` with round ticks (written by
    ``tick_text``) and its label, and the ``references`` as dashed lines. A group's heading
    ("" for none) is written in bold at the left of its first bar, whose label stays right-aligned
    against the axis; a thin rule separates the groups. ``label_width``: room for the labels
    (default: measured on them)."""
    if label_width is None:
        label_width = 10 + max((text_width(heading, LABEL) + 8 * bool(heading)
                                + max((text_width(bar.label, LABEL) for bar in bars), default=0)
                                for heading, bars in groups), default=40)
    left, right = label_width, width - 66.0
    top = 6.0 + 12.0 * len(references)
    span = right - left
    parts, y = [], top
    for index, (heading, bars) in enumerate(groups):
        if heading:
            parts.append(_text(2, y + 10.5, heading, LABEL, bold=True))
        if index and heading:
            parts.append(f'<line x1="0" y1="{_fmt(y)}" x2="{_fmt(right)}" y2="{_fmt(y)}" '
                         f'stroke="#bfbfbf" stroke-width="0.6"/>')
        for bar in bars:
            parts.append(_text(left - 5, y + 10.5, bar.label, LABEL, anchor="end"))
            end = left + span * min(max(bar.value, 0.0), axis_max) / axis_max
            parts.append(f'<rect x="{_fmt(left)}" y="{_fmt(y + 2)}" width="{_fmt(end - left)}" '
                         f'height="{_fmt(BAR_HEIGHT)}" fill="{BAR}"/>')
            if bar.value > axis_max:  # a break: the bar goes on beyond the axis
                parts.append(f'<path d="M{_fmt(end - 7)} {_fmt(y + 15)}L{_fmt(end - 3)} {_fmt(y)}" '
                             f'stroke="#ffffff" stroke-width="2"/>')
            parts.append(_label(end + 4, y + 11, bar.text))
            y += ROW
    bottom = y + 2
    body = [*_references(references, left, span, axis_max, top, bottom),
            f'<line x1="{_fmt(left)}" y1="{_fmt(top)}" x2="{_fmt(left)}" y2="{_fmt(bottom)}" '
            f'stroke="{AXIS}" stroke-width="0.8"/>', *parts,
            *_axis(left, right, bottom, axis_max, axis_label, tick_text)]
    return _svg(width, bottom + (30 if axis_label else 18), title, "".join(body))


def dot_strip(rows: Sequence[StripRow], axis_max: float, title: str, axis_label: str = "",
              reference: Reference | None = None, width: float = 360.0,
              label_width: float = 60.0) -> str:
    """One row per category: the group's values as small grey dots (beyond the axis: at its
    end), the one shown as a black diamond with its value written at the right, and a dashed
    reference line (the target)."""
    left, right = label_width, width - 92.0
    top = 18.0 if reference else 6.0
    span = right - left

    def x_of(value: float) -> float:
        return left + span * min(max(value, 0.0), axis_max) / axis_max

    parts, y = [], top
    for item in rows:
        centre = y + STRIP_ROW / 2
        parts.append(_text(left - 6, centre + 3.5, item.label, LABEL, anchor="end"))
        parts.append(f'<line x1="{_fmt(left)}" y1="{_fmt(centre)}" x2="{_fmt(right)}" '
                     f'y2="{_fmt(centre)}" stroke="#d9d9d9" stroke-width="0.6"/>')
        parts += [f'<circle cx="{_fmt(x_of(value))}" cy="{_fmt(centre)}" r="2.8" fill="{DOT}" '
                  f'fill-opacity="0.75"/>' for value in item.values]
        x = x_of(item.value)
        parts.append(f'<path d="M{_fmt(x)} {_fmt(centre - 7)}L{_fmt(x + 7)} {_fmt(centre)}'
                     f'L{_fmt(x)} {_fmt(centre + 7)}L{_fmt(x - 7)} {_fmt(centre)}Z" fill="#000000" '
                     f'stroke="#ffffff" stroke-width="1.2"/>')
        parts.append(_text(right + 10, centre + 3.5, item.text, LABEL))
        y += STRIP_ROW
    bottom = y + 2
    refs = (_references([reference], left, span, axis_max, top, bottom) if reference else [])
    body = [*refs, *parts, *_axis(left, right, bottom, axis_max, axis_label, lambda v: f"{v:g}")]
    return _svg(width, bottom + (30 if axis_label else 18), title, "".join(body))

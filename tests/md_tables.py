"""Read the tables the analysis pages write as markdown (``geo.ui.tables``) back into DataFrames,
the way a reader reads them: numbers written for the page's language (``1 234,5``) become
floats, a dash is a missing value, a link cell is its URL, escaped text is unescaped."""

from __future__ import annotations

import math
import re

import pandas as pd

_LINK = re.compile(r"^\[(?P<label>.*)\]\((?P<url>[^)]*)\)$")
_FR_NUMBER = re.compile(r"^-?\d{1,3}(?:\u202f\d{3})*(?:,\d+)?$")
_EN_NUMBER = re.compile(r"^-?\d{1,3}(?:,\d{3})*(?:\.\d+)?$")
_ESCAPED = re.compile(r"\\(.)")
_CELL_SEPARATOR = re.compile(r"(?<!\\)\|")


def unescape(text: str) -> str:
    """Markdown-escaped text as it reads (``Saint\\-Blaise`` -> ``Saint-Blaise``), word joiners
    (autolink guards) removed."""
    return _ESCAPED.sub(r"\1", text).replace("\u2060", "").replace("&lt;", "<").replace(
        "&gt;", ">").replace("&amp;", "&")


def value(cell: str, lang: str = "fr") -> object:
    """One cell: a float for a number of ``lang``, NaN for « — », a link's URL, else the text."""
    cell = cell.strip()
    if cell == "—":
        return math.nan
    if cell == "∞":
        return math.inf
    link = _LINK.match(cell)
    if link:
        return link["url"]
    if lang == "fr" and _FR_NUMBER.match(cell):
        return float(cell.replace("\u202f", "").replace(",", "."))
    if lang == "en" and _EN_NUMBER.match(cell):
        return float(cell.replace(",", ""))
    return unescape(cell)


def parse(text: str, lang: str = "fr") -> pd.DataFrame | None:
    """The markdown table ``text`` is, or None when it is not one."""
    lines = text.strip().splitlines()
    if len(lines) < 2 or not lines[0].startswith("| ") or not lines[1].startswith("|---"):
        return None
    def cells(line: str) -> list[str]:
        return [c.strip() for c in _CELL_SEPARATOR.split(line.strip())[1:-1]]

    headers = [unescape(h) for h in cells(lines[0])]
    rows = [[value(c, lang) for c in cells(line)] for line in lines[2:]]
    return pd.DataFrame(rows, columns=headers)


def tables(at, lang: str = "fr") -> list[pd.DataFrame]:
    """Every markdown table of an AppTest run (or of one of its containers), in page order."""
    found = (parse(m.value, lang) for m in at.markdown)
    return [frame for frame in found if frame is not None]


def table(at, column: str, index: int = 0, lang: str = "fr") -> pd.DataFrame:
    """The ``index``-th table having ``column``."""
    return [frame for frame in tables(at, lang) if column in frame.columns][index]


def having(frames: list[pd.DataFrame], *columns: str) -> pd.DataFrame:
    """The first of ``frames`` having every one of ``columns``."""
    return next(frame for frame in frames if set(columns) <= set(frame.columns))

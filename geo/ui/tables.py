"""Tables of the analysis pages (« Inondation », « Chaleur »), written as text: a markdown table
Streamlit renders as a real HTML ``<table>`` with its ``<th>`` headers.

Why not ``st.dataframe``: the data grid is a canvas drawn by ~200 KB of compressed JavaScript (the
grid and its Arrow formatting chunks) that a page loads the first time it shows one, which put a
cold load of these pages over issue 13's 1 MB; a screen reader reads a canvas cell by cell
through an overlay, where a ``<table>`` is navigated as one; the grid writes numbers in the
browser's locale (``1,234.5`` on a French page), where these cells are written for the page's
language (``1 234,5``); and a table of text prints as it is seen. What the grid gave and this
does not: sorting by a column (each table here is already ranked the way its section reads) and
a search box.

Every cell coming from data is escaped (``escape_md``: no link, image, HTML or formatting is
interpreted, ``|`` cannot split a row). Number columns are aligned right. Link columns hold the
app's own relative URLs, written as links with a fixed label. Long tables fold into an expander
(its content is sent with the page: folding only keeps the page short).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from urllib.parse import quote

import pandas as pd
import streamlit as st

from geo.core.text import escape_md, markdown_table
from geo.ui.base import num, t

#: Rows shown before a table folds into an expander.
FOLD_AFTER = 25
#: Most decimals a number column is written with (its values are rounded by the caller).
MAX_DECIMALS = 3


def decimals_of(values: pd.Series) -> int:
    """The fewest decimals (0 to ``MAX_DECIMALS``) that write every value of a numeric column as
    it is: a column the caller rounded to 1 decimal is written with 1, counts with none."""
    finite = [float(v) for v in values if pd.notna(v) and math.isfinite(float(v))]
    for decimals in range(MAX_DECIMALS + 1):
        if all(abs(round(v, decimals) - v) < 1e-9 for v in finite):
            return decimals
    return MAX_DECIMALS


def number_cell(value: object, decimals: int) -> str:
    """One number cell for the page's language: a dash when missing, ∞ when infinite."""
    if pd.isna(value):
        return "—"
    return "∞" if math.isinf(float(value)) else num(float(value), decimals)


def cell(value: object) -> str:
    """One cell of a text column as markdown: escaped, a dash for a missing value, « oui » /
    « non » for a flag, a number (no decimals) for the odd number among text."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, bool):
        return t("expo.yes" if value else "expo.no")
    if isinstance(value, (int, float)):
        return number_cell(value, 0)
    return escape_md(value)


def link_cell(url: object, label: str) -> str:
    """A link to one of the app's own pages (``fiche?fid=…``), the label fixed; no URL, a dash."""
    if url is None or (isinstance(url, float) and math.isnan(url)) or not str(url):
        return "—"
    safe = quote(str(url), safe="?=&/-_.~%")
    return f"[{escape_md(label)}]({safe})"


def markdown(frame: pd.DataFrame, links: Mapping[str, str] | None = None) -> str:
    """``frame`` as a markdown table: its columns as headers (escaped), number columns written
    with the decimals their values have, ``links`` (column -> label) as links."""
    links = links or {}
    columns: list[list[str]] = []
    right: list[bool] = []
    for name in frame.columns:
        values = frame[name]
        is_number = (name not in links and pd.api.types.is_numeric_dtype(values)
                     and not pd.api.types.is_bool_dtype(values))
        right.append(is_number)
        if name in links:
            columns.append([link_cell(v, links[name]) for v in values])
        elif is_number:
            decimals = decimals_of(values)
            columns.append([number_cell(v, decimals) for v in values])
        else:
            columns.append([cell(v) for v in values])
    rows = [list(row) for row in zip(*columns, strict=True)]
    return markdown_table([escape_md(name) for name in frame.columns], rows, right)


def table(frame: pd.DataFrame, *, links: Mapping[str, str] | None = None, fold_after: int | None = FOLD_AFTER,
          what: str | None = None) -> None:
    """Show ``frame`` as a table (see the module's docstring). Over ``fold_after`` rows it folds
    into an expander saying how many rows it has (``what``: what a row is, for its label)."""
    if frame.empty:
        st.caption(t("table.empty"))
        return
    text = markdown(frame, links)
    if fold_after is not None and len(frame) > fold_after:
        label = t("table.fold", n=len(frame), what=what or t("table.rows"))
        with st.expander(label):
            st.markdown(text)
    else:
        st.markdown(text)

"""Escaping text that comes from data or users before it is rendered."""

from __future__ import annotations

import html
import re

import pandas as pd

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:])")


def escape_html(value: object) -> str:
    """Text safe inside HTML (tooltips, popups): ``<img onerror=…>`` is shown, never run."""
    return html.escape("" if value is None else str(value), quote=True)


def escape_md(value: object) -> str:
    """Text safe inside Streamlit markdown: no link, image, HTML or formatting is interpreted."""
    text = "" if value is None else str(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text).replace("\n", " ")


def markdown_table(headers: list[str], rows: list[list[str]]) -> str:
    """A markdown table (real text when printed, unlike a data grid). Cells are markdown: the
    caller escapes what comes from data with ``escape_md``, which also escapes ``|``."""
    lines = [headers, *rows]
    out = ["| " + " | ".join(cells) + " |" for cells in lines]
    return "\n".join([out[0], "|" + "---|" * len(headers), *out[1:]])


def plain_text(value: object) -> str:
    """A data value as plain text: "" for missing values, whole floats without ".0", trimmed."""
    if value is None or (not isinstance(value, (list, tuple, dict)) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()

"""Escaping text that comes from data or users before it is rendered, and cleaning what users
type of the invisible characters that could change how it reads.

Why escaping alone is not enough in Streamlit's markdown: remark-gfm finds "autolink literals"
(``http://``, ``www.``, e-mail addresses) in the text *after* markdown escapes are decoded, so
``http\\://x`` or ``bob\\@x.example`` still become clickable ``<a target=_blank>`` links (seen in
Chromium on ``st.markdown``, ``st.caption``, alerts, expander and tab labels, radio labels and
options, markdown tables). A WORD JOINER (U+2060: invisible, zero width, no line break, ignored
by screen readers) inside the three patterns remark-gfm looks for stops it; it must be inserted
*before* escaping (``escape_md`` turns ``www.`` into ``www\\.``, which the rule would then miss).
"""

from __future__ import annotations

import html
import re
import unicodedata

import pandas as pd

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:])")
WORD_JOINER = "\u2060"
_SCHEME = re.compile(r"(:)(//)")
_WWW = re.compile(r"(www)(\.)", re.IGNORECASE)
#: Bidirectional formatting characters (Unicode TR9): embeddings and overrides LRE, RLE, PDF,
#: LRO, RLO, isolates LRI, RLI, FSI, PDI (the "Trojan Source" set, CVE-2021-42574), and the
#: implicit marks LRM, RLM, ALM.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
                          "\u200e\u200f\u061c")
_BIDI = re.compile("[" + "".join(sorted(BIDI_CONTROLS)) + "]")
# Other invisible format characters a form never needs: zero-width space, byte-order mark, line
# and paragraph separators, interlinear annotations, the language tags block. ZWJ and ZWNJ stay:
# emoji sequences and Persian need them.
_INVISIBLE = re.compile("[\u200b\ufeff\u2028\u2029\ufff9-\ufffb\U000e0000-\U000e007f]")


def escape_html(value: object) -> str:
    """Text safe inside HTML (tooltips, popups): ``<img onerror=…>`` is shown, never run."""
    return html.escape("" if value is None else str(value), quote=True)


def neutralise_autolinks(text: str) -> str:
    """``text`` with a WORD JOINER where remark-gfm would start an autolink (``://``, ``www.``,
    ``@``): it reads the same, nothing is clickable. For display only (a URL copied from the
    screen carries the joiner). Alone (without ``escape_md``) for the project's own words in a
    widget label: Streamlit uses a label as is for its accessible name, where escaping
    backslashes would be read out."""
    text = _SCHEME.sub(r"\1" + WORD_JOINER + r"\2", text)
    text = _WWW.sub(r"\1" + WORD_JOINER + r"\2", text)
    return text.replace("@", "@" + WORD_JOINER)


def escape_md(value: object) -> str:
    """Text safe inside Streamlit markdown: no link (explicit or automatic), image, HTML or
    formatting is interpreted."""
    text = neutralise_autolinks("" if value is None else str(value))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text).replace("\n", " ")


def markdown_table(headers: list[str], rows: list[list[str]], right: list[bool] | None = None) -> str:
    """A markdown table (real text when printed, unlike a data grid). Cells are markdown: the
    caller escapes what comes from data with ``escape_md``, which also escapes ``|``. ``right``:
    which columns are aligned right (numbers, so that their digits line up)."""
    lines = [headers, *rows]
    out = ["| " + " | ".join(cells) + " |" for cells in lines]
    rule = "|" + "".join("---:|" if aligned else "---|" for aligned in (right or [False] * len(headers)))
    return "\n".join([out[0], rule, *out[1:]])


def plain_text(value: object) -> str:
    """A data value as plain text: "" for missing values, whole floats without ".0", trimmed."""
    if value is None or (not isinstance(value, (list, tuple, dict)) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def clean_bidi(text: str) -> str:
    """``text`` in NFC without bidirectional controls and the invisible characters above: what
    validation keeps of a user's text. A right-to-left name still reads right-to-left (the
    Unicode bidi algorithm needs no control for that); it can no longer reverse what follows."""
    text = unicodedata.normalize("NFC", text)
    return _INVISIBLE.sub("", _BIDI.sub("", text))


def isolate_html(value: object) -> str:
    """HTML-escaped text in a ``<bdi>``: a user's text inside HTML cannot change the direction
    of what surrounds it."""
    return f"<bdi>{escape_html(value)}</bdi>"

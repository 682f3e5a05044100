"""What Streamlit's markdown would turn into links by itself: a port of remark-gfm's literal
autolink patterns (mdast-util-gfm-autolink-literal 2.x), applied to the text the markdown parser
sees (escapes and the HTML entities ``escape_md`` writes decoded), as the real transform is.

Checked against Chromium on Streamlit 1.67 (see the issue 16 notes): every sample this finds a
link in was rendered as an ``<a>``, and text ``escape_md`` returns renders none.
"""

from __future__ import annotations

import re

_GFM_URL = re.compile(r"(https?://|www(?=\.))([-.\w]+)", re.IGNORECASE)
_GFM_EMAIL = re.compile(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)")


def gfm_links(markdown: str) -> list[str]:
    """The autolink literals remark-gfm would find in ``markdown`` (empty: none)."""
    text = re.sub(r"\\(.)", r"\1", markdown)
    text = text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    return [m.group(0) for m in _GFM_URL.finditer(text)] + \
        [m.group(0) for m in _GFM_EMAIL.finditer(text)]

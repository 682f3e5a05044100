"""Reading a printed sheet's HTML in the tests (standard library parser): headings in order, the
visible text, tables, images (with their SVG decoded) and each layer's feature count in the map."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

_BLOCKS = {"p", "li", "h1", "h2", "h3", "tr", "td", "th", "div", "figcaption", "caption", "br", "span"}


@dataclass
class Sheet:
    headings: list[tuple[int, str]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    tables: list[list[list[str]]] = field(default_factory=list)
    images: list[dict[str, str]] = field(default_factory=list)
    lang: str = ""
    root: str = ""

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", " ".join(self.texts)).replace("\u202f", " ").replace("\xa0", " ")

    def image(self, alt_start: str) -> dict[str, str]:
        return next(img for img in self.images if img.get("alt", "").startswith(alt_start))

    def map_svg(self) -> str:
        return next(img["svg"] for img in self.images if 'data-layer="' in img.get("svg", ""))

    def map_counts(self) -> dict[str, int]:
        """Features drawn per layer in the printed map (its groups' data-count)."""
        return {layer: int(count) for layer, count in
                re.findall(r'data-layer="([^"]+)" data-count="(\d+)"', self.map_svg())}

    def table_with(self, header: str) -> list[list[str]]:
        return next(table for table in self.tables if table and header in table[0])


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sheet = Sheet()
        self._heading: tuple[int, list[str]] | None = None
        self._table: list[list[str]] | None = None
        self._cell: list[str] | None = None
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if tag in ("style", "script"):
            self._skip += 1
        elif tag in ("main", "article") and "print-doc" in values.get("class", ""):
            self.sheet.lang, self.sheet.root = values.get("lang", ""), tag
        elif tag in ("h1", "h2", "h3", "h4"):
            self._heading = (int(tag[1]), [])
        elif tag == "table":
            self._table = []
        elif tag == "tr" and self._table is not None:
            self._table.append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "img":
            src = values.get("src", "")
            if src.startswith("data:image/svg+xml;base64,"):
                values["svg"] = base64.b64decode(src.split(",", 1)[1]).decode("utf-8")
            self.sheet.images.append(values)
        if tag in _BLOCKS:
            self.sheet.texts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self._skip -= 1
        elif tag in ("h1", "h2", "h3", "h4") and self._heading:
            self.sheet.headings.append((self._heading[0], "".join(self._heading[1]).strip()))
            self._heading = None
        elif tag in ("td", "th") and self._cell is not None and self._table:
            self._table[-1].append(re.sub(r"\s+", " ", " ".join(self._cell)).strip())
            self._cell = None
        elif tag == "table" and self._table is not None:
            self.sheet.tables.append(self._table)
            self._table = None
        if tag in _BLOCKS:
            self.sheet.texts.append(" ")

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.sheet.texts.append(data)
        if self._heading:
            self._heading[1].append(data)
        if self._cell is not None:
            self._cell.append(data)


def parse(html: str) -> Sheet:
    parser = _Parser()
    parser.feed(html)
    return parser.sheet


def from_app(at) -> Sheet:
    """The sheet an AppTest run drew (its ``st.html`` element holding the document)."""
    bodies = [element.proto.body for element in at.get("html") if 'class="print-doc"' in element.proto.body]
    assert len(bodies) == 1, f"expected one sheet on the page, found {len(bodies)}"
    return parse(bodies[0])

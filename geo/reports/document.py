"""A small builder of printable HTML documents (A4 portrait): headings, paragraphs, tables, figures
and key-figure boxes, every text escaped unless it is :class:`Html` built here. The sheets use it
and so can any other printed report (the workshop report).

One document gives two renderings of the same content:

- :meth:`Document.html`: a whole page (``<html lang>``, ``<title>``, its print CSS), static, no
  script: what the browser prints and what ``geo.reports.pdf`` turns into a PDF;
- :meth:`Document.fragment`: the same body and CSS for a page of the app (``st.html``), every
  rule scoped under the document's root class so the app's own styles are left alone.

Print rules: A4 portrait with margins, page numbers at the bottom, colours printed as they are
(``print-color-adjust: exact``: legend swatches are backgrounds), and ``break-inside: avoid`` on
figures, key figures, table rows and blocks so a page break never cuts one. Images are inline
``data:`` URIs (SVG), with their text alternative in ``alt``.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

#: The class of the document's root element; every CSS rule is scoped under it.
ROOT_CLASS = "print-doc"
#: Text colours used: #1a1a1a on white is 17:1, #4d4d4d 8.4:1 (WCAG AA needs 4.5:1).
TEXT = "#1a1a1a"
MUTED = "#4d4d4d"

PAGE_CSS = """@page { size: A4 portrait; margin: 11mm 12mm 13mm 12mm;
  @bottom-right { content: counter(page) " / " counter(pages); font: 8pt sans-serif; color: #4d4d4d; } }"""

# The legend's symbols (.map-legend img) stand before their names on the same line, not as blocks
# like figures, without pushing the lines apart: the legend stays as tall as the map beside it.
DOC_CSS = """
.R { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; font-size: 9pt; line-height: 1.3;
  color: #1a1a1a; background: #ffffff; max-width: 186mm; margin: 0 auto;
  -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.R * { box-sizing: border-box; }
.R p, .R li, .R ul, .R figure, .R figcaption, .R a, .R strong, .R em, .R span { font-size: inherit;
  line-height: inherit; letter-spacing: normal; }
.R h1 { font-size: 14pt; margin: 0 0 1mm; line-height: 1.2; color: #1a1a1a; padding: 0; }
.R h2 { font-size: 10.5pt; margin: 2.2mm 0 1.2mm; padding: 0 0 0.4mm; border-bottom: 0.4mm solid #1f4e79;
  color: #1a1a1a; break-after: avoid; page-break-after: avoid; line-height: 1.25; }
.R h3 { font-size: 9.5pt; margin: 2mm 0 1mm; color: #1a1a1a; break-after: avoid;
  page-break-after: avoid; padding: 0; line-height: 1.25; }
.R p { margin: 0 0 1.5mm; }
.R .muted, .R figcaption, .R .note { color: #4d4d4d; font-size: 7.5pt; }
.R .lead { color: #4d4d4d; margin-bottom: 2mm; font-size: 9.5pt; }
.R table { border-collapse: collapse; width: 100%; font-size: 7.5pt; margin: 0 0 1.5mm; }
.R caption { text-align: left; font-weight: bold; padding-bottom: 0.5mm; color: #1a1a1a; }
.R th, .R td { border-bottom: 0.2mm solid #8c8c8c; padding: 0.6mm 1.2mm; text-align: left;
  vertical-align: top; }
.R th { background: #eef2f7; }
.R td.num, .R th.num { text-align: right; }
.R td.num { white-space: nowrap; }
.R tr, .R figure, .R .keep, .R .figures li, .R .chart { break-inside: avoid; page-break-inside: avoid; }
.R figure { margin: 0 0 2mm; }
.R figcaption { margin-top: 1mm; }
.R img { display: block; max-width: 100%; height: auto; }
.R ul { margin: 0 0 1.5mm; padding-left: 4.5mm; }
.R li { margin: 0 0 0.5mm; }
.R .figures { list-style: none; margin: 0 0 1mm; padding: 0; display: flex; flex-wrap: wrap; gap: 1.5mm; }
.R .figures li { flex: 1 1 0; min-width: 28mm; border: 0.3mm solid #1f4e79; border-radius: 1mm;
  padding: 1mm 1.5mm; margin: 0; }
.R .figures .value { display: block; font-size: 12pt; font-weight: bold; color: #1a1a1a; }
.R .figures .label { display: block; font-size: 7pt; color: #4d4d4d; }
.R .row { display: flex; gap: 3mm; align-items: flex-start; }
.R .row > * { flex: 1 1 0; min-width: 0; }
.R .row > .wide { flex: 1.5 1 0; }
.R .chart { display: flex; gap: 3mm; align-items: flex-start; margin: 0 0 2mm; }
.R .chart > figure { flex: 1.25 1 0; min-width: 0; margin: 0; }
.R .chart > table { flex: 1 1 0; width: auto; }
.R .chart > .table { flex: 1 1 0; min-width: 0; }
.R .box { border: 0.3mm solid #8c8c8c; padding: 1.5mm 2mm; border-radius: 1mm; margin: 0 0 2mm; }
.R .link { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 7.5pt;
  word-break: break-all; }
.R .sources { columns: 3; column-gap: 4mm; font-size: 6.3pt; line-height: 1.25; padding-left: 3mm; }
.R .sources li { break-inside: avoid; page-break-inside: avoid; }
.R .sheet-head { display: flex; gap: 3mm; align-items: flex-start; margin-bottom: 2mm; }
.R .sheet-head .title { flex: 1 1 0; min-width: 0; }
.R .sheet-head .qr-text { flex: 0 0 38mm; padding-top: 1mm; }
.R .sheet-head .qr-image { flex: 0 0 26mm; }
.R .map-legend { font-size: 7pt !important; line-height: 1.25; }
.R .map-legend img { display: inline-block; vertical-align: middle;
  margin: -0.3mm 1.2mm -0.3mm 0 !important; }
.R .map-legend > li { margin: 0 !important; }
.R .legend h3 { margin-top: 0; }
.R .annex { break-before: page; page-break-before: always; }
.R a { color: #0b4f8a; }
"""


class Html(str):
    """Markup built by this module (or escaped text): inserted as it is."""


def esc(value: object) -> Html:
    """Text from data or users, escaped for HTML (``None`` is empty)."""
    return Html(html.escape("" if value is None else str(value), quote=True))


def _text(value: object) -> str:
    return value if isinstance(value, Html) else esc(value)


def _attrs(attrs: dict[str, object]) -> str:
    out = []
    for key, value in attrs.items():
        if value is None or value is False:
            continue
        name = key.rstrip("_").replace("_", "-")
        out.append(f' {name}="{esc(value)}"')
    return "".join(out)


def tag(name: str, content: object = "", **attrs: object) -> Html:
    """``<name attrs>content</name>`` (``content`` escaped unless it is :class:`Html`;
    ``class_`` → ``class``, ``aria_label`` → ``aria-label``)."""
    return Html(f"<{name}{_attrs(attrs)}>{_text(content)}</{name}>")


def join(parts: Iterable[object]) -> Html:
    """Parts joined, each escaped unless it is :class:`Html`."""
    return Html("".join(_text(part) for part in parts))


def svg_image(svg: str, alt: str, width: str = "100%", **attrs: object) -> Html:
    """An SVG as an ``<img>`` with its text alternative (a ``data:`` URI: works in the app's
    sanitised HTML, in print and in the PDF, offline)."""
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return Html(f'<img src="data:image/svg+xml;base64,{data}"{_attrs({"alt": alt, **attrs})} '
                f'style="width:{esc(width)}">')


def table(headers: Sequence[object], rows: Iterable[Sequence[object]], caption: object = None,
          numeric: Sequence[int] = (), **attrs: object) -> Html:
    """A table with column headers (``scope="col"``); ``numeric``: indexes of right-aligned
    columns. Cells are escaped unless they are :class:`Html`."""
    def cell(kind: str, index: int, value: object, scope: str | None = None) -> str:
        return tag(kind, value, class_="num" if index in numeric else None, scope=scope)

    head = join(cell("th", i, h, "col") for i, h in enumerate(headers))
    body = join(tag("tr", join(cell("td", i, v) for i, v in enumerate(row))) for row in rows)
    cap = tag("caption", caption) if caption is not None else ""
    return tag("table", join([cap, tag("thead", tag("tr", head)), tag("tbody", body)]), **attrs)


def key_figures(items: Iterable[tuple[object, object]]) -> Html:
    """Boxes of headline figures: (value, label) each, a list read in order."""
    return tag("ul", join(tag("li", join([tag("span", value, class_="value"),
                                          tag("span", label, class_="label")]))
                          for value, label in items), class_="figures")


def bullet_list(items: Iterable[object], **attrs: object) -> Html:
    return tag("ul", join(tag("li", item) for item in items), **attrs)


def scoped_css(css: str, root: str = ROOT_CLASS) -> str:
    """The document's CSS with ``.R`` replaced by the root class."""
    return css.replace(".R", f".{root}")


@dataclass
class Document:
    """A printable document: its language, title, body parts and extra CSS (scoped under
    ``.R`` like :data:`DOC_CSS`)."""

    lang: str
    title: str
    parts: list[str] = field(default_factory=list)
    css: str = ""

    def add(self, *parts: object) -> Document:
        self.parts.extend(_text(part) for part in parts)
        return self

    def heading(self, level: int, text: object, **attrs: object) -> Document:
        return self.add(tag(f"h{level}", text, **attrs))

    def paragraph(self, text: object, **attrs: object) -> Document:
        return self.add(tag("p", text, **attrs))

    def section(self, heading: object, *blocks: object, level: int = 2, keep: bool = True) -> Document:
        """A heading and the blocks under it; ``keep``: one block a page break never cuts (so
        a heading never ends a page alone)."""
        return self.add(tag("section", join([tag(f"h{level}", heading), *blocks]),
                            class_="keep" if keep else None))

    def style(self) -> str:
        return scoped_css(DOC_CSS + self.css)

    def body(self, element: str = "main") -> Html:
        """The content in its root element (``main`` for the whole document; a page of the app
        has its own ``main``, so the fragment is an ``article``)."""
        return tag(element, Html("".join(self.parts)), class_=ROOT_CLASS, lang=self.lang)

    def html(self) -> str:
        """The whole document (what is printed and turned into a PDF)."""
        return (f'<!DOCTYPE html><html lang="{esc(self.lang)}"><head><meta charset="utf-8">'
                f'<meta name="viewport" content="width=device-width, initial-scale=1">'
                f"<title>{esc(self.title)}</title><style>{PAGE_CSS}{self.style()}"
                f"body {{ margin: 0; background: #ffffff; }}</style></head>"
                f"<body>{self.body()}</body></html>")

    def fragment(self) -> str:
        """The body and its CSS for a page of the app (``st.html``): the page's own print
        rules decide what else is hidden when printing."""
        return f"<style>{PAGE_CSS}{self.style()}</style>{self.body('article')}"

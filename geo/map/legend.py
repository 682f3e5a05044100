"""The map's legend: one entry per visible layer with the symbol the map draws (same shape, fill
and outline, ``geo.map.symbols``), the colour steps of scaled layers and the layer's status."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from geo.core.i18n import t
from geo.core.palette import best_text_colour
from geo.core.text import escape_html
from geo.map.layers import LAYERS
from geo.map.styles import POINT_OUTLINE, POINT_OUTLINE_WEIGHT
from geo.map.symbols import symbol_svg


@dataclass(frozen=True)
class LegendEntry:
    layer_id: str
    title: str
    colour: str
    shape: str
    status: str
    dashed: bool = False
    steps: tuple[tuple[str, str], ...] = ()
    scale_label: str = ""
    #: the point symbol (``geo.map.symbols``), the outline of areas and lines, the fill opacity
    symbol: str = "circle"
    outline: str = ""
    fill: float = 0.0
    dash: str = ""
    #: (radius, range text) of a layer sized by a field, then its missing value
    sizes: tuple[tuple[float, str], ...] = ()


def legend(layer_ids: Iterable[str], titles: dict[str, str], statuses: dict[str, str],
           lang: str, kinds: dict[str, Iterable[str]] | None = None) -> list[LegendEntry]:
    """One legend entry per visible layer (drawing order), with the colour steps of scaled ones.
    ``kinds``: the kinds a layer holds in the build; a layer coloured by kind lists only those
    (the PPRI layer around the 20e holds zone B sectors only, so zone V is not in its legend)."""
    wanted = set(layer_ids)
    entries = []
    for layer in LAYERS.values():
        if layer.id not in wanted:
            continue
        shape = "point" if layer.is_point else ("area" if layer.fill else "line")
        steps = tuple(layer.scale.steps()) if layer.scale else ()
        if layer.kind_colours:
            held = set((kinds or {}).get(layer.id, dict(layer.kind_colours)))
            steps = tuple((colour, f"{t('map.zone', lang)} {kind}")
                          for kind, colour in layer.kind_colours if kind in held)
        sizes = ()
        if layer.size:
            sizes = (*layer.size.steps(), (layer.size.missing_radius, layer.size.missing(lang)))
        entries.append(LegendEntry(layer.id, titles.get(layer.id, layer.id), layer.colour, shape,
                                   statuses.get(layer.id, "official"), bool(layer.dash), steps,
                                   layer.scale.label(lang) if layer.scale
                                   else (layer.size.label(lang) if layer.size else ""),
                                   layer.shape, layer.line_colour, layer.fill, layer.dash, sizes))
    return entries


def _swatch(entry: LegendEntry, svg: str | None = None, scale: float = 1.0) -> str:
    """The entry's symbol as the map draws it (point symbol, area with its outline, or line), as
    a decorative image: Streamlit's HTML sanitiser drops inline SVG, not data URLs. ``scale``
    sizes the image (its viewBox keeps the drawing): the SVG's own size, not only the ``<img>``
    attributes, since WeasyPrint's PDF ignores those."""
    svg = svg or _swatch_svg(entry)
    if scale != 1.0:
        svg = re.sub(r'width="([\d.]+)" height="([\d.]+)"',
                     lambda m: f'width="{float(m[1]) * scale:.1f}" height="{float(m[2]) * scale:.1f}"',
                     svg, count=1)
    size = re.search(r'width="([\d.]+)" height="([\d.]+)"', svg)
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (f'<img alt="" src="data:image/svg+xml;base64,{data}" width="{size[1]}" '
            f'height="{size[2]}" style="vertical-align:middle;margin-right:6px">')


def _sized(symbol: str, colour: str, radius: float) -> str:
    return symbol_svg(symbol, colour, POINT_OUTLINE, radius, POINT_OUTLINE_WEIGHT)


def _swatch_svg(entry: LegendEntry) -> str:
    if entry.shape == "point":
        return symbol_svg(entry.symbol, entry.colour, POINT_OUTLINE, 6.0, POINT_OUTLINE_WEIGHT)
    dash = f' stroke-dasharray="{escape_html(entry.dash)}"' if entry.dash else ""
    outline = escape_html(entry.outline or entry.colour)
    if entry.shape == "area":
        body = (f'<rect x="1" y="1" width="16" height="11" fill="{escape_html(entry.colour)}" '
                f'fill-opacity="{entry.fill:g}" stroke="{outline}" stroke-width="1.5"{dash}/>')
    else:
        body = f'<line x1="0" y1="6.5" x2="18" y2="6.5" stroke="{outline}" stroke-width="2.5"{dash}/>'
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="18" height="13" viewBox="0 0 18 13" '
            f'aria-hidden="true" focusable="false" style="vertical-align:middle;margin-right:6px">'
            f'{body}</svg>')


def legend_html(entries: Sequence[LegendEntry], lang: str, symbol_scale: float = 1.0) -> str:
    """The legend as a list (titles escaped; status labels for derived and old layers). Symbols
    are decorative: the text names each layer. Chip labels are black or white, whichever
    contrasts more with the chip (``geo.core.palette.best_text_colour``). ``symbol_scale``: the
    symbols' size against the live map's (a printed map drawn smaller has its legend's symbols
    drawn at its own scale)."""
    rows = []
    for entry in entries:
        status = ""
        if entry.status != "official":
            status = f' <i style="color:#8a5a00">({escape_html(t(f"status.{entry.status}", lang))})</i>'
        steps = ""
        if entry.steps:
            cells = "".join(
                f'<li style="display:inline-block;padding:1px 6px;margin:1px;background:{colour};'
                f'color:{best_text_colour(colour)};border:1px solid #595959">{escape_html(text)}</li>'
                for colour, text in entry.steps)
            label = f"{escape_html(entry.scale_label)}" if entry.scale_label else ""
            steps = (f'<div style="margin:0 0 4px 18px">{label}'
                     f'<ul style="list-style:none;margin:0;padding:0">{cells}</ul></div>')
        if entry.sizes:  # a layer sized by a field: its symbol at each size, then the unknown
            *scaled, (missing_radius, missing_text) = entry.sizes
            missing_colour = LAYERS[entry.layer_id].size.missing_colour
            cells = "".join(
                f'<li style="display:inline-block;margin:1px 6px 1px 0">'
                f'{_swatch(entry, _sized(entry.symbol, entry.colour, radius), symbol_scale)}'
                f'{escape_html(text)}</li>' for radius, text in scaled)
            unknown = _swatch(entry, _sized(entry.symbol, missing_colour, missing_radius), symbol_scale)
            cells += f'<li style="display:inline-block">{unknown}{escape_html(missing_text)}</li>'
            steps = (f'<div style="margin:0 0 4px 18px">{escape_html(entry.scale_label)}'
                     f'<ul style="list-style:none;margin:0;padding:0">{cells}</ul></div>')
        rows.append(f'<li style="margin:2px 0">{_swatch(entry, scale=symbol_scale)}'
                    f'{escape_html(entry.title)}{status}{steps}</li>')
    return (f'<ul class="map-legend" style="font-size:0.85em;list-style:none;margin:0;padding:0">'
            f'{"".join(rows)}</ul>')

"""The map of a printed sheet, drawn on the server as SVG: the same features as the live map for
the same view (:func:`view_selection` applies ``geo.map.layers.select`` exactly as the map page
does), painted with the live map's styles (``geo.map.paint``), in Lambert-93, with a scale bar
and a north arrow. Offline: no tile, no script; the legend and the attribution are text beside
it (the sheet's HTML).

The features the view selects are the live map's, counted per layer (:class:`MapDrawing`);
those that reach the frame are drawn (the rest could not be seen on paper, as on a screen the
live map shows only what is in view) and counted apart, for the map's text alternative.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace

import geopandas as gpd
import numpy as np
import shapely

from geo.core.settings import METRIC_CRS
from geo.core.text import escape_html
from geo.map.layers import DRAW_ORDER, HALO_WEIGHT, HIGHLIGHTS, LAYERS, LayerDef, select
from geo.map.paint import Paint, feature_fill, feature_radius, paint
from geo.map.state import MapState
from geo.map.styles import MAP_BACKGROUND
from geo.map.symbols import vertices

#: Leaflet's container background when no base map is drawn (the app's default view).
BACKGROUND = MAP_BACKGROUND  # the live map without a base map
#: Simplification tolerance, in pixels of the printed map (below what a printer shows).
SIMPLIFY_PX = 0.35
#: How far outside the frame a feature still shows (pixels: the largest symbol and stroke).
BLEED_PX = 20.0
#: Lengths a scale bar may take (metres).
SCALE_STEPS = (50, 100, 200, 250, 500, 1000, 2000, 2500, 5000)
FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"


@dataclass(frozen=True)
class PrintFrame:
    """What the printed map shows: ``(x0, y0, x1, y1)`` in Lambert-93 metres on a map of
    ``width`` × ``height`` CSS pixels (``scale``: metres per pixel, the same in x and y)."""

    x0: float
    y0: float
    x1: float
    y1: float
    width: float
    height: float

    @property
    def scale(self) -> float:
        return (self.x1 - self.x0) / self.width

    def box(self) -> shapely.Geometry:
        return shapely.box(self.x0, self.y0, self.x1, self.y1)


def frame_for(bounds: Iterable[float], width: float, height: float, margin: float = 0.05,
              min_span_m: float = 300.0) -> PrintFrame:
    """The frame showing ``(minx, miny, maxx, maxy)`` (Lambert-93) whole with a ``margin``
    (share of the span) on a ``width`` × ``height`` map: the short side is widened so that
    metres per pixel are the same in x and y; a span under ``min_span_m`` is widened to it."""
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    span_x = max(maxx - minx, min_span_m) * (1 + 2 * margin)
    span_y = max(maxy - miny, min_span_m) * (1 + 2 * margin)
    scale = max(span_x / width, span_y / height)
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    half_w, half_h = scale * width / 2, scale * height / 2
    return PrintFrame(cx - half_w, cy - half_h, cx + half_w, cy + half_h, width, height)


def frame_around(x: float, y: float, span_m: float, width: float, height: float) -> PrintFrame:
    """The frame centred on a point (Lambert-93), ``span_m`` metres across its width."""
    scale = span_m / width
    return PrintFrame(x - span_m / 2, y - scale * height / 2, x + span_m / 2, y + scale * height / 2,
                      width, height)


def view_selection(state: MapState, frame_of: Callable[[str], gpd.GeoDataFrame]
                   ) -> dict[str, gpd.GeoDataFrame]:
    """The features the live map draws for ``state``, per layer of ``state.layers``: the map
    page's own selection (``select`` with the layer's type filter, the quartier, and the time
    of day for a layer drawn per time of day), on the frames ``frame_of`` gives (the map page's
    ``geo.ui.map.map_frame``)."""
    out = {}
    for layer_id in state.layers:
        spec = LAYERS[layer_id]
        out[layer_id] = select(frame_of(layer_id), spec, state.types.get(layer_id), state.quartier,
                               state.period if spec.by_period else None)
    return out


@dataclass(frozen=True)
class MapDrawing:
    """A drawn map: the SVG, the features the view selects per layer (``counts``: the live
    map's) and those drawn, which reach the frame (``in_frame``)."""

    svg: str
    counts: dict[str, int] = field(default_factory=dict)
    in_frame: dict[str, int] = field(default_factory=dict)


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


class _Projector:
    """Lambert-93 metres to the map's pixels (y down)."""

    def __init__(self, frame: PrintFrame) -> None:
        self.frame = frame

    def xy(self, coords: np.ndarray) -> np.ndarray:
        f = self.frame
        return np.column_stack(((coords[:, 0] - f.x0) / f.scale, (f.y1 - coords[:, 1]) / f.scale))

    def ring(self, coords: np.ndarray) -> str:
        text = " ".join(f"{x:.1f} {y:.1f}" for x, y in self.xy(coords).tolist())
        return f"M{text}Z"


def _path_data(geom: shapely.Geometry, proj: _Projector, closed: bool) -> str:
    """SVG path data of a polygon (rings closed, holes kept by even-odd) or a line."""
    parts = []
    for part in getattr(geom, "geoms", [geom]):
        if isinstance(part, shapely.Polygon):
            rings = [part.exterior, *part.interiors]
            parts += [proj.ring(np.asarray(ring.coords)) for ring in rings]
        elif isinstance(part, shapely.LineString):
            text = proj.ring(np.asarray(part.coords))
            parts.append(text if closed else text[:-1])
    return "".join(parts)


def _stroke_attrs(p: Paint) -> str:
    dash = f' stroke-dasharray="{escape_html(p.dash)}"' if p.dash else ""
    return (f'stroke="{p.stroke}" stroke-width="{_fmt(p.stroke_width)}" '
            f'stroke-opacity="{p.stroke_opacity:g}" stroke-linejoin="round"{dash}')




def _point(x: float, y: float, radius: float, shape: str, attrs: str) -> str:
    corners = vertices(shape)
    if not corners:
        return f'<circle cx="{_fmt(x)}" cy="{_fmt(y)}" r="{_fmt(radius)}"{attrs}/>'
    points = " ".join(f"{_fmt(x + vx * radius)},{_fmt(y + vy * radius)}" for vx, vy in corners)
    return f'<polygon points="{points}"{attrs}/>'


def _layer_svg(layer: LayerDef, frame: gpd.GeoDataFrame, proj: _Projector) -> tuple[str, int]:
    """One layer's ``<g>`` (``data-count``: the features selected; ``data-drawn``: those
    reaching the frame, drawn) and how many were drawn."""
    p = paint(layer)
    geoms = frame.to_crs(METRIC_CRS).geometry.values
    reach = shapely.buffer(proj.frame.box(), BLEED_PX * proj.frame.scale)
    shown = np.asarray(shapely.intersects(geoms, reach), dtype=bool) if len(geoms) else np.zeros(0, bool)
    geoms = geoms[shown]
    if not layer.is_point:
        geoms = shapely.simplify(geoms, proj.frame.scale * SIMPLIFY_PX, preserve_topology=True)
    rows = frame.drop(columns=frame.geometry.name)[shown].to_dict("records")
    areas, points = [], []
    for geom, row in zip(geoms, rows, strict=True):
        if geom is None or geom.is_empty:
            continue
        colour = feature_fill(layer, row)
        attrs = (f' fill="{colour}"' + (f' stroke="{colour}"' if p.feature_stroke else "")) if colour else ""
        if isinstance(geom, (shapely.Point, shapely.MultiPoint)):
            point = shapely.get_point(geom, 0) if isinstance(geom, shapely.MultiPoint) else geom
            (x, y), = proj.xy(np.array([[point.x, point.y]]))
            points.append(_point(x, y, feature_radius(layer, row) or 5, p.shape, attrs))
        else:
            areas.append(f'<path d="{_path_data(geom, proj, closed=True)}"{attrs}/>')
    fill = (f'fill="{p.fill}" fill-opacity="{p.fill_opacity:g}"' if p.fill_opacity > 0
            else 'fill="none"')
    # points: the symbols' own paint on a nested group, so a layer holding areas and points
    # (the gap layers: cells and facilities) paints each as the live map does
    point_paint = (f'fill="{p.fill}" fill-opacity="{p.point_fill_opacity:g}" '
                   f'stroke="{p.point_stroke}" stroke-width="{_fmt(p.point_stroke_width)}" '
                   'stroke-dasharray="none"')
    body = "".join(areas) + (f'<g {point_paint}>{"".join(points)}</g>' if points else "")
    drawn = len(areas) + len(points)
    return (f'<g data-layer="{escape_html(layer.id)}" data-count="{len(frame)}" data-drawn="{drawn}" '
            f'{fill} {_stroke_attrs(p)} fill-rule="evenodd">{body}</g>', drawn)


def _highlight_svg(name: str, frame: gpd.GeoDataFrame, proj: _Projector) -> str:
    """The live map's highlight (``HIGHLIGHTS``): a quartier outline or the selected feature."""
    layer = HIGHLIGHTS[name]
    items = []
    for geom in frame.to_crs(METRIC_CRS).geometry.values:
        if geom is None or geom.is_empty:
            continue
        if isinstance(geom, shapely.Point):
            (x, y), = proj.xy(np.array([[geom.x, geom.y]]))
            items.append(f'<circle cx="{_fmt(x)}" cy="{_fmt(y)}" r="{_fmt(layer.radius)}"/>')
        else:
            items.append(f'<path d="{_path_data(geom, proj, closed=True)}"/>')
    if not items:
        return ""
    # as the live map: the white halo first, wider, then the black line (one of the two
    # contrasts with whatever is underneath)
    halo = paint(replace(layer, colour=layer.halo, weight=HALO_WEIGHT, dash="", halo=""))
    return (f'<g data-highlight="{name}" fill="none" {_stroke_attrs(halo)}>{"".join(items)}</g>'
            f'<g data-highlight="{name}" fill="none" {_stroke_attrs(paint(layer))}>'
            f'{"".join(items)}</g>')


def _nice_length(max_m: float) -> int:
    return max((step for step in SCALE_STEPS if step <= max_m), default=SCALE_STEPS[0])


def _scale_bar(frame: PrintFrame, lang: str) -> str:
    """Bottom left: a bar of a round length (at most a quarter of the map's width)."""
    metres = _nice_length(frame.width * frame.scale / 4)
    length = metres / frame.scale
    label = f"{metres / 1000:g} km" if metres >= 1000 else f"{metres} m"
    x, y = 10.0, frame.height - 12.0
    half = length / 2
    return (f'<g data-part="scale"><rect x="{_fmt(x - 5)}" y="{_fmt(y - 17)}" '
            f'width="{_fmt(length + 10 + 8 * len(label))}" height="25" fill="#ffffff" '
            f'fill-opacity="0.85"/>'
            f'<rect x="{_fmt(x)}" y="{_fmt(y)}" width="{_fmt(half)}" height="4" fill="#000000"/>'
            f'<rect x="{_fmt(x + half)}" y="{_fmt(y)}" width="{_fmt(half)}" height="4" '
            f'fill="#ffffff" stroke="#000000" stroke-width="0.8"/>'
            f'<text x="{_fmt(x)}" y="{_fmt(y - 4)}" font-size="10" font-family="{FONT}" '
            f'fill="#000000">0</text>'
            f'<text x="{_fmt(x + length)}" y="{_fmt(y - 4)}" font-size="10" font-family="{FONT}" '
            f'fill="#000000" text-anchor="middle">{label}</text></g>')


def _north_arrow(frame: PrintFrame) -> str:
    """Top right: north is up (Lambert-93 grid north; under 0.2° from true north in Paris)."""
    x, y = frame.width - 20.0, 12.0
    return (f'<g data-part="north"><rect x="{_fmt(x - 12)}" y="{_fmt(y - 6)}" width="24" '
            f'height="40" fill="#ffffff" fill-opacity="0.85"/>'
            f'<path d="M{_fmt(x)} {_fmt(y)}L{_fmt(x + 7)} {_fmt(y + 18)}L{_fmt(x)} {_fmt(y + 13)}'
            f'L{_fmt(x - 7)} {_fmt(y + 18)}Z" fill="#000000"/>'
            f'<text x="{_fmt(x)}" y="{_fmt(y + 31)}" font-size="11" font-weight="bold" '
            f'font-family="{FONT}" fill="#000000" text-anchor="middle">N</text></g>')


def draw_map(selection: Mapping[str, gpd.GeoDataFrame], frame: PrintFrame, lang: str,
             title: str, highlights: Mapping[str, gpd.GeoDataFrame] | None = None) -> MapDrawing:
    """The SVG map of ``selection`` (layer id → features, any CRS, as :func:`view_selection`
    gives them) in ``frame``, layers stacked in the live map's drawing order, then the
    ``highlights`` (``"quartier"``, ``"highlight"``: the live map's), the scale bar and the
    north arrow. ``title`` is the SVG's own title (the page gives the image its alternative)."""
    proj = _Projector(frame)
    groups, counts, in_frame = [], {}, {}
    for layer_id in sorted(selection, key=lambda lid: DRAW_ORDER.get(lid, len(DRAW_ORDER))):
        features = selection[layer_id]
        svg, in_frame[layer_id] = _layer_svg(LAYERS[layer_id], features, proj)
        counts[layer_id] = len(features)
        groups.append(svg)
    for name, features in (highlights or {}).items():
        groups.append(_highlight_svg(name, features, proj))
    w, h = _fmt(frame.width), _fmt(frame.height)
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}">'
           f'<title>{escape_html(title)}</title>'
           f'<defs><clipPath id="frame"><rect width="{w}" height="{h}"/></clipPath></defs>'
           f'<rect width="{w}" height="{h}" fill="{BACKGROUND}"/>'
           f'<g clip-path="url(#frame)">{"".join(groups)}</g>'
           f'{_scale_bar(frame, lang)}{_north_arrow(frame)}'
           f'<rect width="{w}" height="{h}" fill="none" stroke="#000000" stroke-width="1"/></svg>')
    return MapDrawing(svg, counts, in_frame)

"""Point symbols drawn on Leaflet's canvas renderer, and the same symbols as SVG for the legend.

One table of unit polygons (:data:`SHAPES`, radius 1, screen y axis pointing down) feeds both the
map's JavaScript (``L.ShapeMarker``, a ``L.CircleMarker`` whose canvas path is the polygon) and the
legend's inline SVG, so the legend always shows what the map draws. Shapes are scaled to about
the area of the circle of the same radius (within 25 %), so no layer looks bigger than another
by its shape alone.

Why a ``L.CircleMarker`` subclass: it keeps everything the canvas renderer does for circle
markers (one shared canvas, hit testing in ``_containsPoint``, bounds culling, styles from
``L.geoJSON``'s ``style``), only the path differs. Leaflet 1.9's canvas renderer calls
``layer._updatePath()`` for each layer in a redraw; ``L.CircleMarker._updatePath`` delegates to
``renderer._updateCircle(layer)`` (``ctx.arc`` then ``renderer._fillStroke(ctx, layer)``); the
subclass draws ``moveTo``/``lineTo`` instead and calls the same ``_fillStroke``. Under the SVG
renderer (not used: the map is ``prefer_canvas=True``) it falls back to a circle.
"""

from __future__ import annotations

import json
import math
from html import escape

from branca.element import MacroElement
from jinja2 import Template

Point = tuple[float, float]


def _regular(n: int, radius: float, start_deg: float = -90.0) -> tuple[Point, ...]:
    return tuple((round(radius * math.cos(math.radians(start_deg + 360 * i / n)), 4),
                  round(radius * math.sin(math.radians(start_deg + 360 * i / n)), 4))
                 for i in range(n))


def _star(points: int, outer: float, inner: float) -> tuple[Point, ...]:
    out = []
    for i in range(points * 2):
        radius = outer if i % 2 == 0 else inner
        angle = math.radians(-90 + 180 * i / points)
        out.append((round(radius * math.cos(angle), 4), round(radius * math.sin(angle), 4)))
    return tuple(out)


def _plus(arm: float, half: float, rotate_deg: float = 0.0) -> tuple[Point, ...]:
    base = ((-half, -arm), (half, -arm), (half, -half), (arm, -half), (arm, half), (half, half),
            (half, arm), (-half, arm), (-half, half), (-arm, half), (-arm, -half), (-half, -half))
    c, s = math.cos(math.radians(rotate_deg)), math.sin(math.radians(rotate_deg))
    return tuple((round(x * c - y * s, 4), round(x * s + y * c, 4)) for x, y in base)


def _triangle(radius: float, down: bool = False) -> tuple[Point, ...]:
    return _regular(3, radius, 90.0 if down else -90.0)


#: Unit polygons (marker radius 1). ``circle`` has none: it is Leaflet's own arc.
SHAPES: dict[str, tuple[Point, ...]] = {
    "square": ((-0.89, -0.89), (0.89, -0.89), (0.89, 0.89), (-0.89, 0.89)),
    "diamond": ((0.0, -1.25), (1.25, 0.0), (0.0, 1.25), (-1.25, 0.0)),
    "triangle": _triangle(1.45),
    "triangle_down": _triangle(1.45, down=True),
    "pentagon": _regular(5, 1.15),
    "hexagon": _regular(6, 1.1, 0.0),
    "star": _star(5, 1.55, 0.68),
    "plus": _plus(1.25, 0.45),
    "cross": _plus(1.25, 0.45, 45.0),
}
#: Every symbol a layer can use.
SHAPE_NAMES: tuple[str, ...] = ("circle", *SHAPES)


def vertices(shape: str) -> tuple[Point, ...]:
    """The unit polygon of ``shape`` (empty for ``circle``).

    Raises
    ------
    KeyError
        Unknown shape.
    """
    if shape == "circle":
        return ()
    return SHAPES[shape]


def area(shape: str) -> float:
    """Area of the unit symbol (π for the circle), by the shoelace formula."""
    points = vertices(shape)
    if not points:
        return math.pi
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1)
                   in zip(points, points[1:] + points[:1], strict=True))) / 2


def extent(shape: str) -> float:
    """How far the unit symbol reaches from its centre (1 for the circle): the canvas
    renderer's bounds must cover it, or a redraw leaves pieces of the symbol behind."""
    points = vertices(shape)
    return max((math.hypot(x, y) for x, y in points), default=1.0)


def shape_marker_js() -> str:
    """JavaScript that defines ``L.ShapeMarker``/``L.shapeMarker`` once per document.

    Use in ``pointToLayer``: ``L.shapeMarker(latlng, {radius: 6, shape: "square"})``.
    Hit testing: a click within ``0.9 × extent × radius`` (+ Leaflet's tolerance) of the centre
    hits, so the tips of a star or triangle are clickable too.
    """
    table = json.dumps({name: [list(p) for p in points] for name, points in SHAPES.items()},
                       separators=(",", ":"))
    extents = json.dumps({name: round(extent(name), 4) for name in SHAPES}, separators=(",", ":"))
    return """(function () {
if (!window.L || L.ShapeMarker) { return; }
var SHAPES = @SHAPES@, EXTENT = @EXTENT@;
L.ShapeMarker = L.CircleMarker.extend({
    options: {shape: "circle"},
    _extent: function () { return EXTENT[this.options.shape] || 1; },
    _updateBounds: function () {
        var r = this._radius * this._extent(), w = this._clickTolerance(), p = [r + w, r + w];
        this._pxBounds = new L.Bounds(this._point.subtract(p), this._point.add(p));
    },
    _containsPoint: function (p) {
        return p.distanceTo(this._point) <= this._radius * Math.max(1, 0.9 * this._extent())
            + this._clickTolerance();
    },
    _updatePath: function () {
        var v = SHAPES[this.options.shape], renderer = this._renderer;
        if (!v || !(renderer instanceof L.Canvas)) {
            return L.CircleMarker.prototype._updatePath.call(this);
        }
        if (!renderer._drawing || this._empty()) { return; }
        var ctx = renderer._ctx, x = this._point.x, y = this._point.y, r = this._radius;
        ctx.beginPath();
        ctx.moveTo(x + v[0][0] * r, y + v[0][1] * r);
        for (var i = 1; i < v.length; i++) { ctx.lineTo(x + v[i][0] * r, y + v[i][1] * r); }
        ctx.closePath();
        renderer._fillStroke(ctx, this);
    }
});
L.shapeMarker = function (latlng, options) { return new L.ShapeMarker(latlng, options); };
})();""".replace("@SHAPES@", table).replace("@EXTENT@", extents)


def symbol_svg(shape: str, fill: str, stroke: str, radius: float = 6.0, weight: float = 1.0,
               fill_opacity: float = 1.0) -> str:
    """The symbol as a small inline SVG for the legend (decorative: ``aria-hidden``; the legend's
    text names the layer). Colours must be ``#rrggbb`` (checked by the caller's style table)."""
    pad = radius * extent(shape) + weight
    size = round(2 * pad, 2)
    fill, stroke = escape(fill, quote=True), escape(stroke, quote=True)
    paint = (f'fill="{fill}" fill-opacity="{fill_opacity:g}" stroke="{stroke}" '
             f'stroke-width="{weight:g}"')
    if shape == "circle":
        body = f'<circle cx="{pad:g}" cy="{pad:g}" r="{radius:g}" {paint}/>'
    else:
        points = " ".join(f"{round(pad + x * radius, 2):g},{round(pad + y * radius, 2):g}"
                          for x, y in vertices(shape))
        body = f'<polygon points="{points}" {paint}/>'
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size:g}" height="{size:g}" '
            f'viewBox="0 0 {size:g} {size:g}" aria-hidden="true" focusable="false" '
            f'style="vertical-align:middle;margin-right:6px">{body}</svg>')


class ShapeMarkers(MacroElement):
    """Adds ``L.ShapeMarker`` to a folium map (once; add it to the base map, before layers)."""

    _template = Template("""
{% macro script(this, kwargs) %}
{{ this.js }}
{% endmacro %}
""")

    def __init__(self) -> None:
        super().__init__()
        self._name = "ShapeMarkers"
        self.js = shape_marker_js()

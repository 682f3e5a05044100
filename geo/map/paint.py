"""How each map layer is painted, read from its style (``geo.map.layers.LayerDef``) in one place:
the live map's Leaflet styles and the printed sheets' SVG map (``geo.map.printmap``) both follow
these rules, so a printed map looks like the live one.

:func:`paint` gives a layer's fixed paint (fill, outline, dash, point symbol and radius);
:func:`feature_fill` and :func:`feature_radius` the per-feature overrides the live map's light
GeoJSON carries as ``c`` and ``r`` (``geo.map.geojson.layer_geojson``): a colour per kind (PPRI
zones), per value of a stepped scale, the missing value of a size scale, and a radius per value
of a size scale. A unit test checks they agree with ``layer_geojson`` feature by feature.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from geo.map.layers import LayerDef
from geo.map.styles import POINT_OUTLINE, POINT_OUTLINE_WEIGHT

#: Leaflet's path opacity of the layers' outlines (``LayerDef.style``).


@dataclass(frozen=True)
class Paint:
    """A layer's paint: ``fill``/``fill_opacity`` of areas and point symbols, ``stroke``,
    ``stroke_width``, ``stroke_opacity`` and ``dash`` (SVG dash array) of outlines and lines,
    ``shape`` and ``radius`` (CSS px, 0: not a point layer) of point symbols and their own
    ``point_stroke``/``point_stroke_width``/``point_fill_opacity``."""

    fill: str
    fill_opacity: float
    stroke: str
    stroke_width: float
    stroke_opacity: float
    dash: str
    shape: str
    radius: float
    point_stroke: str
    point_stroke_width: float
    point_fill_opacity: float
    #: a per-feature colour (``c``) also colours the outline (Leaflet style function)
    feature_stroke: bool = True


def paint(layer: LayerDef) -> Paint:
    """The paint of ``layer`` as the live map draws it: areas and lines outlined in the layer's
    line colour, point symbols (``geo.map.symbols``) opaque and outlined in ``POINT_OUTLINE``;
    a feature's own colour outlines it too only for layers coloured by kind (as the live map's
    script does)."""
    return Paint(fill=layer.colour, fill_opacity=layer.fill, stroke=layer.line_colour,
                 stroke_width=layer.weight, stroke_opacity=1.0, dash=layer.dash,
                 shape=layer.shape, radius=layer.radius, point_stroke=POINT_OUTLINE,
                 point_stroke_width=POINT_OUTLINE_WEIGHT, point_fill_opacity=1.0,
                 feature_stroke=bool(layer.kind_colours))


def _number(value: object) -> float:
    """A value as a float, NaN when it is missing or not a number (as ``pd.to_numeric`` with
    ``errors="coerce"``, which the live map's GeoJSON uses, but per value and fast)."""
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


def feature_fill(layer: LayerDef, row: Mapping[str, object]) -> str | None:
    """The colour one feature overrides its layer's with (``None``: the layer's own): by kind,
    by the value of a stepped scale, or the grey of a missing size value."""
    colour = dict(layer.kind_colours).get(str(row.get("kind", "")))
    if layer.scale is not None:
        colour = layer.scale.colour(_number(row.get(layer.scale.field)))
    if layer.size is not None and math.isnan(_number(row.get(layer.size.field))):
        colour = layer.size.missing_colour
    return colour or None


def feature_radius(layer: LayerDef, row: Mapping[str, object]) -> float:
    """The radius (CSS px) of one point feature: by a size scale, else the layer's."""
    if layer.size is not None:
        return layer.size.radius(_number(row.get(layer.size.field)))
    return layer.radius

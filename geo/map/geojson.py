"""Light GeoJSON for the browser: geometry simplified in Lambert-93 to what a screen shows,
coordinates rounded to ~1 m, and per feature only the fid and the tooltip's texts (escaped here).

The details of a feature come from the server on click (``geo.map.details``).
"""

from __future__ import annotations

import json
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.core.settings import METRIC_CRS, STORE_CRS
from geo.core.text import escape_html
from geo.map.layers import LayerDef

#: Douglas-Peucker tolerance in metres: below a pixel up to zoom 16 at Paris' latitude.
SIMPLIFY_M = 1.5
COORD_DECIMALS = 5


def _check_crs(frame: gpd.GeoDataFrame) -> None:
    if frame.crs is None or not frame.crs.equals(STORE_CRS):
        raise ValueError(f"expected a frame in {STORE_CRS}, got {frame.crs}")


def _round_coords(coords: np.ndarray) -> np.ndarray:
    return np.round(coords, COORD_DECIMALS)


def light_geometry(frame: gpd.GeoDataFrame, simplify_m: float = SIMPLIFY_M) -> gpd.GeoSeries:
    """Geometries simplified in Lambert-93 (topology kept) and rounded to ~1 m, back in lon/lat."""
    _check_crs(frame)
    metric = frame.geometry.to_crs(METRIC_CRS)
    if simplify_m > 0:
        metric = metric.simplify(simplify_m, preserve_topology=True)
    back = metric.to_crs(STORE_CRS)
    return gpd.GeoSeries(shapely.transform(back.values, _round_coords), index=frame.index,
                         crs=STORE_CRS)


def feature_properties(name: object, kind: object, fid: object) -> dict[str, str]:
    """What the tooltip of one feature needs, every text HTML-escaped: ``n`` name (absent:
    the layer title is shown), ``k`` type or value, ``f`` fid."""
    properties = {"f": escape_html(fid)}
    if name not in (None, ""):
        properties["n"] = escape_html(name)
    if kind not in (None, ""):
        properties["k"] = escape_html(kind)
    return properties


def _number(value: object) -> float:
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    return float(number) if pd.notna(number) else math.nan


def layer_geojson(frame: gpd.GeoDataFrame, layer: LayerDef, lang: str = "fr",
                  simplify_m: float = SIMPLIFY_M) -> str:
    """The layer as a compact GeoJSON string: per feature only the tooltip's escaped texts
    (``feature_properties``), ``c`` (fill colour of scaled layers), ``r`` (radius of sized
    points) and the geometry.
    Safe to embed in a ``<script>``."""
    geometry = light_geometry(frame, 0 if layer.is_point else simplify_m)
    features = []
    for (_, row), geom in zip(frame.iterrows(), geometry.values, strict=True):
        if geom is None or geom.is_empty:
            continue
        properties: dict[str, object] = {}
        if layer.interactive:
            kind = row.get("kind", "")
            if layer.scale is not None:
                value = _number(row.get(layer.scale.field))
                kind = "" if math.isnan(value) else f"{layer.scale.label(lang)} : {value:.1f}"
            if layer.size is not None:
                value = _number(row.get(layer.size.field))
                kind = (layer.size.missing(lang) if math.isnan(value)
                        else f"{layer.size.label(lang)} : {value:g}")
            properties.update(feature_properties(row.get("name"), kind, row["fid"]))
        colour = dict(layer.kind_colours).get(str(row.get("kind", "")))
        if layer.scale is not None:
            colour = layer.scale.colour(_number(row.get(layer.scale.field)))
        if layer.size is not None:
            value = _number(row.get(layer.size.field))
            properties["r"] = layer.size.radius(value)
            if math.isnan(value):
                colour = layer.size.missing_colour
        if colour:
            properties["c"] = colour
        features.append({"type": "Feature", "properties": properties,
                         "geometry": shapely.geometry.mapping(geom)})
    text = json.dumps({"type": "FeatureCollection", "features": features},
                      ensure_ascii=False, separators=(",", ":"))
    return text.replace("</", "<\\/")


def highlight_geojson(frame: gpd.GeoDataFrame) -> str:
    """Geometries only (no properties) of what is highlighted."""
    geometry = light_geometry(frame, SIMPLIFY_M)
    features = [{"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(g)}
                for g in geometry.values if g is not None and not g.is_empty]
    return json.dumps({"type": "FeatureCollection", "features": features},
                      separators=(",", ":"))

"""A small static map of the study area to drop a pin on, drawn by the server as SVG.

The light join page (``geo.web.join``) shows it as an ``<input type="image">``: without
JavaScript a tap submits the form with the tap's coordinates (``map.x``/``map.y``, CSS pixels of
the image drawn at its own size) and the page comes back with the pin drawn; with JavaScript a
tap only moves the pin. Either way the server turns pixels into lon/lat with ``PinFrame``: the
drawing is an affine image of Lambert-93 (EPSG:2154, metres), so the inverse is exact up to the
pixel (~15 m at 320 px for the 20e).

Drawn from the build (no invented geometry): the study area's outline, its quartiers (names),
its green spaces (the larger ones) and its métro/RER stations (dots). About 20 KB of SVG,
~7 KB brotli.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from html import escape

import geopandas as gpd
from pyproj import Transformer
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from geo.core.settings import METRIC_CRS, STORE_CRS

WIDTH_PX = 320
MARGIN_PX = 6
#: Simplification tolerance of the drawn outlines (metres): below one pixel.
TOLERANCE_M = 6.0
#: Green spaces smaller than this are not drawn (jardinières, small squares: noise at 15 m/px).
MIN_GREEN_M2 = 3000.0


@lru_cache(maxsize=2)
def _transformer(source: str, target: str) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)


@dataclass(frozen=True)
class PinFrame:
    """Pixels of the drawing <-> Lambert-93 metres <-> lon/lat.

    ``x_px = (X - west) * scale + margin``, ``y_px = (north - Y) * scale + margin``.
    """

    west: float
    north: float
    scale: float
    width: int
    height: int
    margin: float = MARGIN_PX

    def to_metric(self, x_px: float, y_px: float) -> tuple[float, float]:
        return (self.west + (x_px - self.margin) / self.scale,
                self.north - (y_px - self.margin) / self.scale)

    def from_metric(self, x: float, y: float) -> tuple[float, float]:
        return ((x - self.west) * self.scale + self.margin,
                (self.north - y) * self.scale + self.margin)

    def to_lonlat(self, x_px: float, y_px: float) -> tuple[float, float]:
        """Lon/lat (rounded to 6 decimals, ~0.1 m) of a point of the drawing. Pixels outside
        the drawing raise ValueError (a forged request: a tap cannot land there)."""
        if not (math.isfinite(x_px) and math.isfinite(y_px)
                and 0 <= x_px <= self.width and 0 <= y_px <= self.height):
            raise ValueError("outside the drawing")
        lon, lat = _transformer(METRIC_CRS, STORE_CRS).transform(*self.to_metric(x_px, y_px))
        return round(lon, 6), round(lat, 6)

    def from_lonlat(self, lon: float, lat: float) -> tuple[float, float]:
        x, y = _transformer(STORE_CRS, METRIC_CRS).transform(lon, lat)
        return self.from_metric(x, y)


def frame_for(area_metric: BaseGeometry, width: int = WIDTH_PX, margin: float = MARGIN_PX) -> PinFrame:
    """The frame fitting ``area_metric`` (EPSG:2154) into ``width`` pixels, height to scale."""
    west, south, east, north = area_metric.bounds
    scale = (width - 2 * margin) / (east - west)
    height = math.ceil((north - south) * scale + 2 * margin)
    return PinFrame(west, north, scale, width, height, margin)


def _path(geometry: BaseGeometry, frame: PinFrame) -> str:
    """SVG path data of a (multi)polygon in the frame, 1-decimal pixels."""
    polygons: Iterable[Polygon]
    if isinstance(geometry, Polygon):
        polygons = [geometry]
    elif isinstance(geometry, MultiPolygon):
        polygons = geometry.geoms
    else:
        return ""
    out = []
    for polygon in polygons:
        for ring in (polygon.exterior, *polygon.interiors):
            points = [frame.from_metric(x, y) for x, y in ring.coords[:-1]]
            if len(points) < 3:
                continue
            first, *rest = points
            out.append(f"M{first[0]:.1f} {first[1]:.1f}"
                       + "".join(f"L{x:.1f} {y:.1f}" for x, y in rest) + "Z")
    return "".join(out)


def pin_map_svg(area: BaseGeometry, quartiers: gpd.GeoDataFrame | None = None,
                green_spaces: gpd.GeoDataFrame | None = None,
                stations: gpd.GeoDataFrame | None = None, width: int = WIDTH_PX,
                title: str = "", station_labels: bool = True) -> tuple[str, PinFrame]:
    """The SVG drawing and its frame.

    Parameters
    ----------
    area
        The study area, lon/lat (EPSG:4326), as in ``geo.participation.proposals.Rules``.
    quartiers, green_spaces, stations
        Built layers in EPSG:4326 (``name`` column); only what lies in the area is drawn.
    width
        Drawing width in CSS pixels (the page shows it at exactly this size).
    title
        Accessible name of the drawing (escaped here).
    station_labels
        Write the stations' names (small, beside their dots): what participants find their
        way by.
    """
    area_m = gpd.GeoSeries([area], crs=STORE_CRS).to_crs(METRIC_CRS).iloc[0]
    frame = frame_for(area_m, width)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{frame.width}" '
             f'height="{frame.height}" viewBox="0 0 {frame.width} {frame.height}" '
             f'font-family="sans-serif">',
             f"<title>{escape(title)}</title>" if title else "",
             f'<rect width="{frame.width}" height="{frame.height}" fill="#f4f3ef"/>']
    inner = area_m.buffer(0)
    if green_spaces is not None and len(green_spaces):
        green = green_spaces.to_crs(METRIC_CRS)
        green = green[green.geometry.intersects(inner)]
        green = green[green.geometry.area >= MIN_GREEN_M2]
        clipped = green.geometry.intersection(inner).simplify(TOLERANCE_M)
        data = "".join(_path(g, frame) for g in clipped if not g.is_empty)
        if data:
            parts.append(f'<path d="{data}" fill="#b8ddb0"/>')
    labels = []
    if quartiers is not None and len(quartiers):
        q = quartiers.to_crs(METRIC_CRS)
        q = q[q.geometry.representative_point().within(inner)]
        data = "".join(_path(g.simplify(TOLERANCE_M), frame) for g in q.geometry)
        parts.append(f'<path d="{data}" fill="none" stroke="#9a9a9a" stroke-width="1" '
                     f'stroke-dasharray="4 3"/>')
        for name, point in zip(q["name"], q.geometry.representative_point(), strict=True):
            x, y = frame.from_metric(point.x, point.y)
            labels.append(f'<text x="{x:.0f}" y="{y:.0f}" font-size="11" text-anchor="middle" '
                          f'fill="#555">{escape(str(name))}</text>')
    parts.append(f'<path d="{_path(area_m.simplify(TOLERANCE_M), frame)}" fill="none" '
                 f'stroke="#333" stroke-width="2"/>')
    if stations is not None and len(stations):
        s = stations.to_crs(METRIC_CRS)
        s = s[s.geometry.within(inner)].drop_duplicates("name")
        dots = []
        for name, point in zip(s["name"], s.geometry, strict=True):
            x, y = frame.from_metric(point.x, point.y)
            dots.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5"/>')
            if station_labels:
                anchor = "end" if x > frame.width * 0.7 else "start"
                dx = -4 if anchor == "end" else 4
                labels.append(f'<text x="{x + dx:.0f}" y="{y + 3:.0f}" font-size="8" '
                              f'text-anchor="{anchor}" fill="#1f4e9c">{escape(str(name))}</text>')
        parts.append(f'<g fill="#1f4e9c">{"".join(dots)}</g>')
    parts.extend(labels)
    parts.append("</svg>")
    return "".join(parts), frame

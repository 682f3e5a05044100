"""The map as a list: the features of the visible layers that lie in the current view (or the
quartier), nearest to the view's centre first, with what a table needs (name, type, address,
distance). It is the map's text alternative and what a keyboard reaches instead of the canvas.

Pure (no Streamlit). Each layer's anchor points (a point inside each feature, in lon/lat and
Lambert-93) are computed once per build by :func:`anchors`; a view then only filters arrays.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer

from geo.core.settings import METRIC_CRS, STORE_CRS
from geo.core.text import plain_text

_TO_METRIC = Transformer.from_crs(STORE_CRS, METRIC_CRS, always_xy=True)


@dataclass(frozen=True)
class Anchors:
    """One layer's features as points: fid, texts, lon/lat and Lambert-93 coordinates."""

    fid: np.ndarray
    name: np.ndarray
    kind: np.ndarray
    address: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    x: np.ndarray
    y: np.ndarray


@dataclass(frozen=True)
class ListRow:
    """One line of the list: the feature, its layer's title, its distance to the view's centre
    (metres, straight line in Lambert-93) and where it is (to move the map there)."""

    fid: str
    layer_id: str
    name: str
    layer_title: str
    kind: str
    address: str
    distance_m: float
    lat: float
    lon: float


def anchors(frame: gpd.GeoDataFrame) -> Anchors:
    """A point inside each feature (its representative point) with its texts.

    Raises
    ------
    ValueError
        The frame is not in lon/lat (EPSG:4326).
    """
    if frame.crs is None or not frame.crs.equals(STORE_CRS):
        raise ValueError(f"expected a frame in {STORE_CRS}, got {frame.crs}")
    kept = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    points = kept.geometry.representative_point()
    lon, lat = points.x.to_numpy(), points.y.to_numpy()
    x, y = _TO_METRIC.transform(lon, lat)

    def texts(column: str) -> np.ndarray:
        values = kept[column] if column in kept else pd.Series([""] * len(kept), index=kept.index)
        return np.array([plain_text(value) for value in values], dtype=object)

    return Anchors(kept["fid"].astype(str).to_numpy(), texts("name"), texts("kind"),
                   texts("address"), lon, lat, np.asarray(x), np.asarray(y))


def visible_rows(layers: Mapping[str, Anchors], titles: Mapping[str, str],
                 bounds: Sequence[float], centre: tuple[float, float],
                 keep: Mapping[str, set[str] | None] | None = None,
                 limit: int = 200) -> tuple[list[ListRow], int]:
    """The features inside ``bounds`` (west, south, east, north in lon/lat), nearest to
    ``centre`` (lat, lon) first, at most ``limit``; and how many there are in all.

    ``keep``: per layer, the fids the view shows (type and quartier filters), ``None`` for all.
    Ties in distance are ordered by name, so the list is stable.
    """
    west, south, east, north = bounds
    cx, cy = _TO_METRIC.transform(centre[1], centre[0])
    found: list[tuple[float, str, ListRow]] = []
    for layer_id, points in layers.items():
        inside = ((points.lon >= west) & (points.lon <= east)
                  & (points.lat >= south) & (points.lat <= north))
        wanted = (keep or {}).get(layer_id)
        distances = np.hypot(points.x - cx, points.y - cy)
        for index in np.flatnonzero(inside):
            fid = str(points.fid[index])
            if wanted is not None and fid not in wanted:
                continue
            title = titles.get(layer_id, layer_id)
            name = str(points.name[index]) or title
            found.append((float(distances[index]), name.casefold(), ListRow(
                fid, layer_id, name, title, str(points.kind[index]), str(points.address[index]),
                float(distances[index]), float(points.lat[index]), float(points.lon[index]))))
    found.sort(key=lambda item: (round(item[0]), item[1], item[2].fid))
    return [row for _, _, row in found[:limit]], len(found)

"""Dry but cut off: the rail lines serving the study area that have a station at (or very near) a
PPRI sector anywhere in Paris.

Pure functions in Lambert-93; ``geo.analysis.hosting`` runs them on a build.

The IDFM station list (``emplacement-des-gares-idf``) has one record per station *and line*
(« res_com »: « METRO 3 », « TRAM 3b »…). The PPRI sectors of the PLU are drawn block by block
with the streets left out, and a station point sits on the street, so « in a sector » means
within ``near_m`` metres of one (setting, default 50 m). This is a derived indicator (station
position against the sectors), not the operator's flood plan, which is not in the data. The PPRI
layer covers Paris only: stations outside Paris are never « at risk » here, whatever the river
does there.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.core.settings import METRIC_CRS

#: Official field of the line of a station record (kept as an extra field of ``stations``).
LINE = "res_com"
#: Rail modes of the dataset (its ``mode`` field, the layer's ``kind``). « TRAM » (5 records, the
#: T14 outside Paris) and « TRAMWAY » (278) are both trams as published.
DEFAULT_MODES = ("METRO", "TRAMWAY", "TRAM", "RER", "TRAIN")


@dataclass(frozen=True)
class TransportSettings:
    """Settings of the stations-at-risk indicator (``[transport]`` of ``data/analysis.toml``).

    Attributes
    ----------
    near_m
        A station within this distance (m) of a PPRI sector counts as « in a sector ».
    modes
        Modes (``kind``) of the lines considered.
    """

    near_m: float = 50.0
    modes: tuple[str, ...] = DEFAULT_MODES

    def __post_init__(self) -> None:
        if not (isinstance(self.near_m, (int, float)) and math.isfinite(self.near_m)
                and self.near_m >= 0):
            raise ValueError(f"near_m must be a distance ≥ 0 in metres, not {self.near_m!r}")


def _metric(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if gdf.crs is None:
        raise ValueError("a GeoDataFrame without CRS cannot be measured")
    return gdf if gdf.crs == METRIC_CRS else gdf.to_crs(METRIC_CRS)


_NUMBER = re.compile(r"(\d+)(.*)")


def line_order(line: str) -> tuple:
    """Sort key of a line label: by mode word, then number (« METRO 3 » < « METRO 3bis » <
    « METRO 11 »)."""
    head, _, tail = line.partition(" ")
    match = _NUMBER.match(tail)
    return (head, int(match.group(1)), match.group(2)) if match else (head, math.inf, tail)


def station_distances(stations: gpd.GeoDataFrame, zones: shapely.Geometry) -> gpd.GeoDataFrame:
    """The station records in Lambert-93 with ``line`` and ``zone_m``: distance to the nearest
    PPRI sector (0 inside; NaN when there is no sector at all).

    ``zones`` is the sectors as one geometry: dissolved (``geo.analysis.flood.dissolve_zones``)
    or a collection of the sectors as they are (the distance to the nearest part is the same,
    and a collection spares the union of the 1 596 Paris sectors).
    """
    metric = _metric(stations)
    out = metric.assign(line=metric[LINE].astype(str).str.strip())
    parts = shapely.get_parts(zones) if zones is not None else np.array([])
    parts = parts[~shapely.is_empty(parts)] if len(parts) else parts
    if len(out) == 0 or len(parts) == 0:
        return out.assign(zone_m=np.nan)
    (src, _), dist = shapely.STRtree(parts).query_nearest(
        metric.geometry.values, return_distance=True, all_matches=False)
    zone_m = np.full(len(out), np.nan)
    zone_m[src] = dist
    return out.assign(zone_m=zone_m)


def lines_serving(stations: pd.DataFrame, c_ar: int, modes: tuple[str, ...]) -> list[str]:
    """Lines with at least one station record in arrondissement ``c_ar``, in line order."""
    rows = stations[(stations["c_ar"] == c_ar) & stations["kind"].isin(modes)]
    return sorted(set(rows[LINE].astype(str).str.strip()), key=line_order)


LINE_COLUMNS = ["line", "mode", "stations", "at_risk", "inside", "min_zone_m", "at_risk_names"]


def lines_at_risk(stations: gpd.GeoDataFrame, zones: shapely.Geometry, c_ar: int,
                  settings: TransportSettings) -> pd.DataFrame:
    """For each line serving ``c_ar``: its stations within ``near_m`` of a sector, anywhere.

    Parameters
    ----------
    stations
        Station records of the whole of Paris (``kind`` = mode, :data:`LINE`, ``c_ar``, ``name``).
        A layer clipped to the study area would miss the stations at risk: see the notes.
    zones
        Dissolved PPRI sectors (Lambert-93).

    Returns
    -------
    pandas.DataFrame
        :data:`LINE_COLUMNS`, one row per serving line, lines at risk first then line order:
        ``stations`` = records of the line in the layer, ``at_risk`` = those within ``near_m``,
        ``inside`` = those inside a sector (distance 0), ``min_zone_m`` the nearest station's
        distance, ``at_risk_names`` the at-risk station names, nearest first.
    """
    measured = station_distances(stations, zones)
    serving = lines_serving(measured, c_ar, settings.modes)
    rows = []
    for line in serving:
        of_line = measured[measured["line"] == line].sort_values(["zone_m", "name"])
        near = of_line[of_line["zone_m"] <= settings.near_m]
        rows.append({"line": line, "mode": str(of_line["kind"].iloc[0]), "stations": len(of_line),
                     "at_risk": len(near), "inside": int((of_line["zone_m"] <= 0).sum()),
                     "min_zone_m": float(of_line["zone_m"].min()),
                     "at_risk_names": list(near["name"].astype(str))})
    table = pd.DataFrame(rows, columns=LINE_COLUMNS)
    if table.empty:
        return table
    order = sorted(range(len(table)),
                   key=lambda i: (table["at_risk"].iloc[i] == 0, line_order(table["line"].iloc[i])))
    return table.iloc[order].reset_index(drop=True)


def stations_at_risk(stations: gpd.GeoDataFrame, zones: shapely.Geometry, lines: list[str],
                     near_m: float) -> gpd.GeoDataFrame:
    """Station records of ``lines`` within ``near_m`` of a sector (the map and download layer):
    ``fid``, ``name``, ``line``, ``kind``, ``c_ar``, ``zone_m``, ``inside``, geometry (L93),
    nearest first."""
    measured = station_distances(stations, zones)
    near = measured[measured["line"].isin(lines) & (measured["zone_m"] <= near_m)]
    near = near.assign(inside=near["zone_m"] <= 0)
    columns = ["fid", "name", "line", "kind", "c_ar", "zone_m", "inside", "geometry"]
    return gpd.GeoDataFrame(near[columns], geometry="geometry", crs=METRIC_CRS).sort_values(
        ["zone_m", "name", "line"], ignore_index=True)


def study_stations(stations: pd.DataFrame, lines: pd.DataFrame, c_ar: int,
                   modes: tuple[str, ...]) -> pd.DataFrame:
    """Per station of ``c_ar`` (records grouped by name): ``name``, ``lines`` (all its lines),
    ``lines_at_risk`` (those of ``lines`` with ``at_risk`` > 0), ``cut`` (any line at risk),
    sorted by name."""
    risky = set(lines.loc[lines["at_risk"] > 0, "line"])
    rows = stations[(stations["c_ar"] == c_ar) & stations["kind"].isin(modes)]
    out = []
    for name, group in rows.groupby("name", sort=True):
        own = sorted(set(group[LINE].astype(str).str.strip()), key=line_order)
        at = [x for x in own if x in risky]
        out.append({"name": name, "lines": own, "lines_at_risk": at, "cut": bool(at)})
    return pd.DataFrame(out, columns=["name", "lines", "lines_at_risk", "cut"])

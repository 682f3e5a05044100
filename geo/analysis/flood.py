"""The study area as a host territory in a Seine flood: distances to the PPRI sectors, exposure
of the neighbouring arrondissements, candidate host sites for evacuees.

All measurements in Lambert-93 (EPSG:2154). The PPRI sectors are dissolved before any area is
measured, because sectors of the PLU transcription may overlap. The reference flood of the PPRI
is the 1910 flood (PHEC); the 1910 extent itself is not in the data.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import STRtree

from geo.core.settings import METRIC_CRS


@dataclass(frozen=True)
class NearestZone:
    """The PPRI sector nearest to a geometry."""

    distance_m: float
    fid: str | None
    source_id: str | None
    zone: str | None
    c_ar: int | None


def _metric(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if gdf.crs is None:
        raise ValueError("a GeoDataFrame without CRS cannot be measured")
    return gdf if gdf.crs == METRIC_CRS else gdf.to_crs(METRIC_CRS)


def dissolve_zones(ppri: gpd.GeoDataFrame) -> shapely.Geometry:
    """Union of the PPRI sectors (Lambert-93): overlapping sectors are counted once."""
    metric = _metric(ppri)
    if len(metric) == 0:
        return shapely.Polygon()
    return shapely.union_all(shapely.make_valid(metric.geometry.values))


def nearest_zone(geometry: shapely.Geometry, ppri: gpd.GeoDataFrame) -> NearestZone:
    """Distance (m, 0 when touching or inside) from a Lambert-93 geometry to the nearest sector."""
    metric = _metric(ppri)
    if len(metric) == 0:
        return NearestZone(float("nan"), None, None, None, None)
    tree = STRtree(metric.geometry.values)
    (_, dst), dist = tree.query_nearest([geometry], return_distance=True, all_matches=False)
    row = metric.iloc[int(dst[0])]
    return NearestZone(float(dist[0]), row["fid"], str(row["source_id"]), str(row["kind"]),
                       int(row["c_ar"]) if pd.notna(row["c_ar"]) else None)


@dataclass(frozen=True)
class FloodFigures:
    """The study area against the PPRI sectors, as shown beside the map: ``overlap_m2`` of the
    area inside sectors and its share, the distance to the nearest sector (0 when they touch),
    that sector's zone and quartier, and the number of sectors measured."""

    area_m2: float
    overlap_m2: float
    overlap_share: float
    distance_m: float
    nearest_zone: str
    nearest_quartier: str
    sectors: int


def flood_figures(study_area: gpd.GeoDataFrame, ppri: gpd.GeoDataFrame) -> FloodFigures:
    """Overlap and distance of the study area (one or more polygons, union taken) and the sectors.

    Raises
    ------
    ValueError
        When either frame has no CRS, or ``ppri`` is empty (no distance can be measured).
    """
    if ppri.empty:
        raise ValueError("no PPRI sector in the build: no distance can be measured")
    area = shapely.union_all(_metric(study_area).geometry.values)
    sectors = _metric(ppri)
    overlap = area.intersection(dissolve_zones(sectors)).area
    distances = sectors.geometry.distance(area)
    nearest = distances.idxmin()
    return FloodFigures(
        area_m2=float(area.area), overlap_m2=float(overlap),
        overlap_share=float(overlap / area.area) if area.area else 0.0,
        distance_m=float(distances.min()), nearest_zone=str(sectors.loc[nearest, "kind"]),
        nearest_quartier=str(sectors.loc[nearest].get("quartier_name", "")),
        sectors=len(sectors))


def zone_distances(points: gpd.GeoSeries, ppri: gpd.GeoDataFrame) -> pd.DataFrame:
    """For each Lambert-93 geometry: distance to the nearest PPRI sector, its fid and zone."""
    if points.crs != METRIC_CRS:
        raise ValueError(f"zone_distances() measures in {METRIC_CRS}: reproject first")
    out = pd.DataFrame({"zone_m": np.nan, "zone_fid": None, "zone": None}, index=points.index)
    metric = _metric(ppri)
    if len(points) == 0 or len(metric) == 0:
        return out
    (src, dst), dist = STRtree(metric.geometry.values).query_nearest(
        points.values, return_distance=True, all_matches=False)
    out.iloc[src, 0] = dist
    out.iloc[src, 1] = metric["fid"].to_numpy()[dst]
    out.iloc[src, 2] = metric["kind"].to_numpy()[dst]
    return out


def neighbour_exposure(arrondissements: gpd.GeoDataFrame, zones: shapely.Geometry,
                       c_ar: int) -> pd.DataFrame:
    """Share of the study area and of each arrondissement touching it inside the PPRI sectors.

    ``zones`` is :func:`dissolve_zones` (Lambert-93). One row per arrondissement, the study area
    first: ``c_ar``, ``name``, ``area_km2``, ``zone_km2``, ``share`` (0-1), ``study`` (bool).
    Only sectors present in the build count: the build keeps the sectors of the arrondissements
    touching the study area (plus a margin), so the figures are complete for those.

    Raises
    ------
    ValueError
        When ``c_ar`` is not in ``arrondissements``.
    """
    metric = _metric(arrondissements)
    study = metric[metric["c_ar"] == c_ar]
    if study.empty:
        raise ValueError(f"arrondissement {c_ar} is not in the layer")
    study_geom = study.geometry.iloc[0]
    touching = metric[metric.geometry.intersects(study_geom.buffer(1.0))]
    rows = []
    for _, row in touching.iterrows():
        area = row.geometry.area
        inside = shapely.intersection(row.geometry, zones).area if not zones.is_empty else 0.0
        rows.append({"c_ar": int(row["c_ar"]), "name": row["name"], "area_km2": area / 1e6,
                     "zone_km2": inside / 1e6, "share": inside / area if area else float("nan"),
                     "study": int(row["c_ar"]) == c_ar})
    table = pd.DataFrame(rows)
    return table.sort_values(["study", "c_ar"], ascending=[False, True], ignore_index=True)


def hosts_with_distance(hosts: gpd.GeoDataFrame, ppri: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Candidate host sites with their distance to the nearest PPRI sector, nearest first."""
    metric = _metric(hosts)
    table = zone_distances(metric.geometry, ppri)
    out = pd.concat([metric.drop(columns="geometry"), table], axis=1)
    return gpd.GeoDataFrame(out, geometry=metric.geometry, crs=METRIC_CRS).sort_values(
        "zone_m", ignore_index=True)

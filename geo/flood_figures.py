"""The flood figures shown beside the map: overlap of the study area with the PPRI sectors and
the distance to the nearest sector, measured in Lambert-93 from the built layers."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd

from geo.settings import METRIC_CRS


@dataclass(frozen=True)
class FloodFigures:
    """``overlap_m2`` of the study area inside PPRI sectors, its share of the area, the distance
    from the study area to the nearest sector (0 when they touch) and that sector's zone."""

    area_m2: float
    overlap_m2: float
    overlap_share: float
    distance_m: float
    nearest_zone: str
    nearest_quartier: str
    sectors: int


def flood_figures(study_area: gpd.GeoDataFrame, ppri: gpd.GeoDataFrame) -> FloodFigures:
    """Figures for the study area (one or more polygons, union taken) against the PPRI sectors.

    Raises
    ------
    ValueError
        When either frame has no CRS, or ``ppri`` is empty (no distance can be measured).
    """
    if study_area.crs is None or ppri.crs is None:
        raise ValueError("flood figures need frames with an explicit CRS")
    if ppri.empty:
        raise ValueError("no PPRI sector in the build: no distance can be measured")
    area = study_area.to_crs(METRIC_CRS).geometry.union_all()
    sectors = ppri.to_crs(METRIC_CRS)
    overlap = area.intersection(sectors.geometry.union_all()).area
    distances = sectors.geometry.distance(area)
    nearest = distances.idxmin()
    return FloodFigures(
        area_m2=float(area.area), overlap_m2=float(overlap),
        overlap_share=float(overlap / area.area) if area.area else 0.0,
        distance_m=float(distances.min()), nearest_zone=str(sectors.loc[nearest, "kind"]),
        nearest_quartier=str(sectors.loc[nearest].get("quartier_name", "")),
        sectors=len(sectors))

"""Heat and vulnerability indicators per IRIS and per conseil de quartier, with population.

These are derived (third-party) indicators, never temperatures: the CEREMA local-climate-zone
class per IRIS and the Institut Paris Region vulnerability scores per conseil de quartier. The
population comes from INSEE's 2022 census per IRIS.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import STRtree

from geo.core.settings import METRIC_CRS

HIGH_CLASS = "High"


def numeric(values: pd.Series) -> pd.Series:
    """The built layers keep official fields as text: read them as numbers (blank -> NaN)."""
    return pd.to_numeric(values.astype("object").replace("", np.nan), errors="coerce").astype(float)


def iris_indicators(iris_heat: gpd.GeoDataFrame, iris_population: gpd.GeoDataFrame | None,
                    c_ar: int) -> gpd.GeoDataFrame:
    """One row per IRIS of arrondissement ``c_ar``: LCZ heat class and score, population, 75+.

    Joined on the IRIS code (``source_id``). Geometry stays in the layer's CRS (display).
    Population is NaN where the census has no row for the IRIS.
    """
    heat = iris_heat[iris_heat["c_ar"] == c_ar]
    out = heat[["fid", "source_id", "name", "kind", "avg_heat_score", "quartier", "quartier_name",
                "geometry"]].rename(columns={"kind": "heat_class"})
    out["avg_heat_score"] = numeric(out["avg_heat_score"])
    if iris_population is not None:
        pop = iris_population[["source_id", "population", "population_75_plus"]].copy()
        for column in ("population", "population_75_plus"):
            pop[column] = numeric(pop[column])
        out = out.merge(pop, on="source_id", how="left")
    else:
        out = out.assign(population=np.nan, population_75_plus=np.nan)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=iris_heat.crs).sort_values(
        "source_id", ignore_index=True)


def quartier_heat(iris: pd.DataFrame) -> pd.DataFrame:
    """Per quartier: population, people 75+, population-weighted mean heat score, share of the
    population living in an IRIS of the « High » class."""
    frame = iris.assign(_w=iris["population"].fillna(0))
    frame["_ws"] = frame["_w"] * frame["avg_heat_score"]
    frame["_high"] = frame["_w"] * (frame["heat_class"] == HIGH_CLASS).to_numpy(dtype=float)
    grouped = frame.groupby("quartier").agg(
        quartier_name=("quartier_name", "first"), iris=("source_id", "count"),
        population=("_w", "sum"), population_75_plus=("population_75_plus", "sum"),
        _ws=("_ws", "sum"), _high=("_high", "sum"))
    grouped["heat_score"] = grouped["_ws"] / grouped["population"].replace(0, np.nan)
    grouped["high_share"] = grouped["_high"] / grouped["population"].replace(0, np.nan)
    return grouped.drop(columns=["_ws", "_high"]).reset_index()


def council_indicators(cq_climate: gpd.GeoDataFrame, iris_population: gpd.GeoDataFrame | None,
                       c_ar: int) -> gpd.GeoDataFrame:
    """One row per conseil de quartier of ``c_ar``: day / night heat vulnerability scores, flood
    share, and the population estimated by areal interpolation of the IRIS counts (even density
    inside each IRIS; the 2014 council outlines do not follow IRIS boundaries)."""
    councils = cq_climate[cq_climate["c_ar"] == c_ar]
    out = councils[["fid", "source_id", "name", "quartier", "quartier_name", "vulnj_note", "vulnn_note",
                    "prop_at_flood_risk", "geometry"]].copy()
    for column in ("vulnj_note", "vulnn_note", "prop_at_flood_risk"):
        out[column] = numeric(out[column])
    out["population_est"] = np.nan
    out["population_75_plus_est"] = np.nan
    if iris_population is not None and len(out):
        iris = iris_population.to_crs(METRIC_CRS)
        cq = out.to_crs(METRIC_CRS)
        iris_area = shapely.area(iris.geometry.values)
        cq_idx, iris_idx = STRtree(iris.geometry.values).query(cq.geometry.values,
                                                               predicate="intersects")
        share = shapely.area(shapely.intersection(cq.geometry.values[cq_idx],
                                                  iris.geometry.values[iris_idx])) / iris_area[iris_idx]
        for column, target in (("population", "population_est"),
                               ("population_75_plus", "population_75_plus_est")):
            values = numeric(iris[column]).to_numpy()[iris_idx] * share
            out[target] = pd.Series(values).groupby(cq_idx).sum().reindex(range(len(out))).to_numpy()
    return out.sort_values("name", ignore_index=True)


def hottest_share(hot_tiles: gpd.GeoDataFrame, area: gpd.GeoDataFrame) -> float:
    """Share (0-1) of ``area`` (one or more polygons, e.g. the study arrondissement) covered by
    ``hot_tiles`` (the DRIAS 2075 layer: the hottest 2.5 km tiles of Île-de-France), measured in
    Lambert-93; NaN for an empty area."""
    zone = shapely.union_all(area.to_crs(METRIC_CRS).geometry.values)
    total = float(shapely.area(zone))
    if not total:
        return float("nan")
    tiles = shapely.union_all(hot_tiles.to_crs(METRIC_CRS).geometry.values) if len(hot_tiles) else None
    return float(shapely.area(shapely.intersection(zone, tiles)) / total) if tiles is not None else 0.0

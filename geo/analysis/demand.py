"""Who needs a refuge, as demand units: grid pieces carrying their people aged 75+, and the
facilities whose users are sensitive to heat (crèches, schools, collèges, EHPAD).

The grid is the access analysis' grid (square cells aligned on multiples of the cell size, cut
along the quartiers) cut again along the IRIS, so every piece lies in one quartier and one IRIS:
its people aged 75+ are the IRIS' INSEE 2022 count spread evenly over the IRIS' area (areal
interpolation), and the totals per IRIS are INSEE's. A piece belongs to the conseil de quartier
(2014 outlines, which do not follow IRIS boundaries) holding a point inside it.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import STRtree

from geo.analysis import facilities
from geo.analysis.access import make_grid
from geo.analysis.heat import numeric
from geo.core.settings import METRIC_CRS

PIECE_COLUMNS = ["cell", "quartier", "quartier_name", "iris", "iris_name", "council", "council_name",
                 "area_m2", "population", "p75", "geometry"]


def _polygonal(geoms: np.ndarray) -> np.ndarray:
    """Keep the polygon parts of intersections (touching outlines leave lines and points)."""
    parts = shapely.get_parts(geoms, return_index=True)
    keep = np.isin(shapely.get_type_id(parts[0]), (3, 6))
    out = np.array([shapely.Polygon()] * len(geoms), dtype=object)
    for index in np.unique(parts[1][keep]):
        out[index] = shapely.union_all(parts[0][keep & (parts[1] == index)])
    return out


def grid_pieces(quartiers: gpd.GeoDataFrame, iris: gpd.GeoDataFrame | None,
                councils: gpd.GeoDataFrame | None, cell_m: float) -> gpd.GeoDataFrame:
    """The study area's grid pieces (Lambert-93) with their quartier, IRIS, conseil de quartier,
    area, population and people aged 75+ (NaN without the IRIS population layer).

    ``quartiers`` is indexed by quartier code with a ``name`` column (as in
    ``geo.analysis.exposure``); ``iris`` is the ``iris_population`` layer; ``councils`` the
    ``conseils_quartier`` layer (both any CRS, both optional).
    """
    grid = make_grid(quartiers, cell_m)
    pieces = pd.DataFrame({"cell": grid["cell"].to_numpy(), "quartier": grid["area_idx"].astype(str),
                           "iris": "", "iris_name": ""})
    geoms = grid.geometry.values
    population = np.full(len(pieces), np.nan)
    p75 = np.full(len(pieces), np.nan)
    if iris is not None and len(iris):
        metric = iris.to_crs(METRIC_CRS)
        area = shapely.area(metric.geometry.values)
        total = numeric(metric["population"]).to_numpy()
        old = numeric(metric["population_75_plus"]).to_numpy()
        piece_idx, iris_idx = STRtree(metric.geometry.values).query(geoms, predicate="intersects")
        cut = _polygonal(shapely.intersection(geoms[piece_idx], metric.geometry.values[iris_idx]))
        keep = shapely.area(cut) > 1e-6
        piece_idx, iris_idx, cut = piece_idx[keep], iris_idx[keep], cut[keep]
        # parts of the grid outside every IRIS (the Paris outline vs the IRIS outlines differ by
        # a few metres) keep no people: their area stays, with an empty IRIS code
        covered = np.bincount(piece_idx, weights=shapely.area(cut), minlength=len(pieces))
        rest = shapely.difference(geoms, shapely.union_all(cut)) if len(cut) else geoms
        rest_area = shapely.area(rest)
        left = np.flatnonzero((shapely.area(geoms) - covered > 1.0) & (rest_area > 1.0))
        pieces = pd.concat([
            pieces.iloc[piece_idx].assign(iris=metric["source_id"].to_numpy()[iris_idx],
                                          iris_name=metric["name"].to_numpy()[iris_idx]),
            pieces.iloc[left]], ignore_index=True)
        geoms = np.concatenate([cut, _polygonal(shapely.intersection(geoms[left], rest[left]))])
        share = shapely.area(cut) / area[iris_idx]
        population = np.concatenate([total[iris_idx] * share, np.zeros(len(left))])
        p75 = np.concatenate([old[iris_idx] * share, np.zeros(len(left))])
    pieces["quartier_name"] = pieces["quartier"].map(quartiers["name"].to_dict())
    pieces["area_m2"] = shapely.area(geoms)
    pieces["population"] = population
    pieces["p75"] = p75
    pieces["council"], pieces["council_name"] = _councils(geoms, councils)
    out = gpd.GeoDataFrame(pieces, geometry=gpd.GeoSeries(geoms, crs=METRIC_CRS), crs=METRIC_CRS)
    out = out[out["area_m2"] > 1e-6].reset_index(drop=True)
    return out[PIECE_COLUMNS]


def _councils(geoms: np.ndarray, councils: gpd.GeoDataFrame | None) -> tuple[np.ndarray, np.ndarray]:
    code = np.full(len(geoms), "", dtype=object)
    name = np.full(len(geoms), "", dtype=object)
    if councils is None or not len(councils) or not len(geoms):
        return code, name
    metric = councils.to_crs(METRIC_CRS)
    points = shapely.point_on_surface(geoms)
    point_idx, council_idx = STRtree(metric.geometry.values).query(points, predicate="within")
    code[point_idx] = metric["source_id"].to_numpy()[council_idx]
    name[point_idx] = metric["name"].to_numpy()[council_idx]
    return code, name


def demand_facilities(layers: Mapping[str, gpd.GeoDataFrame], c_ar: int,
                      who: tuple[str, ...]) -> gpd.GeoDataFrame:
    """The study area's facilities of the access analysis (Lambert-93) with ``who`` = the
    category counts among the people a refuge is for (crèches, schools, collèges, EHPAD)."""
    fac = facilities.access_facilities(layers, c_ar)
    return fac.assign(who=fac["category"].isin(who).to_numpy(bool)).reset_index(drop=True)


def locate(facilities: gpd.GeoDataFrame, pieces: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The facilities with the IRIS and conseil de quartier of the grid piece they stand in (the
    nearest piece for a point just outside the grid)."""
    out = facilities.copy()
    for column in ("iris", "iris_name", "council", "council_name"):
        out[column] = ""
    if len(out) and len(pieces):
        _, nearest = STRtree(pieces.geometry.values).query_nearest(out.geometry.values,
                                                                   all_matches=False)
        for column in ("iris", "iris_name", "council", "council_name"):
            out[column] = pieces[column].to_numpy()[nearest]
    return out

"""Access to cool places: nearest cool place of each kind and estimated walking time.

Method (stated wherever a figure is shown): there is no street network in the data, so the
walking distance is the straight-line distance, measured in Lambert-93 (EPSG:2154) to the
nearest edge of the place (0 inside a green space), times a detour factor; the walking time is
that distance divided by a walking speed. Both values are settings (``data/analysis.toml``).
A place is "within target" when its walking time to the nearest cool place of a counted kind is at
most the Plan Climat target (7 minutes). Grid cells are measured from their centroid.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import STRtree

from geo.core.settings import METRIC_CRS
from geo.sources.quirks import NOT_COOL_GREEN_TYPES

#: The kinds of cool place, in display order.
COOL_KINDS = ("green", "facility", "fountain")

#: Layers each kind of cool place is drawn from.
COOL_LAYERS = {"green": ("green_spaces", "cool_green_points"), "facility": ("cool_facilities",),
               "fountain": ("fountains",)}

PLACE_COLUMNS = ["fid", "name", "kind", "layer", "geometry"]


@dataclass(frozen=True)
class AccessSettings:
    """Walking-time assumptions (defaults match ``data/analysis.toml``)."""

    walking_speed_kmh: float = 4.5
    detour_factor: float = 1.3
    target_minutes: float = 7.0
    grid_cell_m: float = 100.0
    target_kinds: tuple[str, ...] = ("green", "facility")
    green_excluded_types: tuple[str, ...] = ("Jardins privatifs", "Ephémères, partagés, pédagogiques",
                                             "Jardinets décoratifs")

    def __post_init__(self) -> None:
        if self.walking_speed_kmh <= 0 or self.detour_factor < 1 or self.grid_cell_m <= 0:
            raise ValueError("walking speed and grid cell must be positive, detour factor >= 1")
        unknown = set(self.target_kinds) - set(COOL_KINDS)
        if unknown or not self.target_kinds:
            raise ValueError(f"target kinds must be among {COOL_KINDS}, got {self.target_kinds}")

    @property
    def metres_per_minute(self) -> float:
        return self.walking_speed_kmh * 1000.0 / 60.0

    @property
    def target_distance_m(self) -> float:
        """Largest straight-line distance that is still within the target walking time."""
        return self.target_minutes * self.metres_per_minute / self.detour_factor

    def minutes(self, distance_m: np.ndarray | pd.Series | float) -> np.ndarray | pd.Series | float:
        """Estimated walking time (minutes) for a straight-line distance (metres)."""
        return distance_m * self.detour_factor / self.metres_per_minute


def _metric(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if gdf.crs is None:
        raise ValueError("a GeoDataFrame without CRS cannot be measured")
    return gdf if gdf.crs == METRIC_CRS else gdf.to_crs(METRIC_CRS)


def _places(gdf: gpd.GeoDataFrame, layer: str) -> gpd.GeoDataFrame:
    out = _metric(gdf)[["fid", "name", "kind", "geometry"]].copy()
    out["layer"] = layer
    return out[PLACE_COLUMNS]


def cool_places(layers: Mapping[str, gpd.GeoDataFrame],
                excluded_types: tuple[str, ...] = ()) -> dict[str, gpd.GeoDataFrame]:
    """The cool places of each kind, in Lambert-93, from the built layers.

    - ``green``: official green spaces except the types that are not places to cool off
      (``geo.sources.quirks.NOT_COOL_GREEN_TYPES``: street planters, green walls, ring-road verges) and
      the ``excluded_types`` (setting: gardens not open to anyone who wants to stay), plus the
      points of the (third-party copy of the) « espaces verts frais » selection, filtered on
      their category the same way;
    - ``facility``: the « îlots de fraîcheur – équipements et activités » (pools, shaded areas,
      misters, libraries, places of worship…);
    - ``fountain``: drinking fountains in service (``dispo`` = OUI).

    A missing layer gives no place of that source (the kind may then be empty).
    """
    out: dict[str, gpd.GeoDataFrame] = {}
    parts: dict[str, list[gpd.GeoDataFrame]] = {kind: [] for kind in COOL_KINDS}
    excluded = (*NOT_COOL_GREEN_TYPES, *excluded_types)
    for layer, column in (("green_spaces", "type_ev"), ("cool_green_points", "location")):
        if layer in layers:
            green = layers[layer]
            types = green[column] if column in green.columns else pd.Series("", index=green.index)
            parts["green"].append(_places(green[~types.isin(excluded).to_numpy(bool)], layer))
    if "cool_facilities" in layers:
        parts["facility"].append(_places(layers["cool_facilities"], "cool_facilities"))
    if "fountains" in layers:
        fountains = layers["fountains"]
        if "dispo" in fountains.columns:
            fountains = fountains[fountains["dispo"].fillna("").str.upper().str.strip() == "OUI"]
        parts["fountain"].append(_places(fountains, "fountains"))
    for kind, frames in parts.items():
        if frames:
            out[kind] = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry",
                                         crs=METRIC_CRS)
        else:
            out[kind] = gpd.GeoDataFrame({c: [] for c in PLACE_COLUMNS[:-1]},
                                         geometry=gpd.GeoSeries([], crs=METRIC_CRS))
    return out


def nearest(points: gpd.GeoSeries, places: gpd.GeoDataFrame) -> pd.DataFrame:
    """For each point, the nearest place (STRtree): distance in metres, its ``fid`` and ``name``.

    Both inputs must be in Lambert-93. Distances are to the place's nearest edge (0 inside a
    polygon). With no place at all the distance is NaN.
    """
    if points.crs != METRIC_CRS or places.crs != METRIC_CRS:
        raise ValueError(f"nearest() measures in {METRIC_CRS}: reproject both inputs first")
    result = pd.DataFrame({"dist_m": np.nan, "fid": None, "name": None}, index=points.index)
    if len(points) == 0 or len(places) == 0:
        return result
    tree = STRtree(places.geometry.values)
    (src, dst), dist = tree.query_nearest(points.values, return_distance=True, all_matches=False)
    result.iloc[src, 0] = dist
    result.iloc[src, 1] = places["fid"].to_numpy()[dst]
    result.iloc[src, 2] = places["name"].to_numpy()[dst]
    return result


def access_table(points: gpd.GeoSeries, places: Mapping[str, gpd.GeoDataFrame],
                 settings: AccessSettings) -> pd.DataFrame:
    """Nearest cool place of each kind for each point, walking times and the target verdict.

    Columns per kind ``k``: ``k_m`` (straight-line metres), ``k_min`` (estimated minutes),
    ``k_fid``, ``k_name``, ``k_within`` (that kind alone within the target); then ``best_min``
    and ``best_kind`` over the kinds that count for the target and ``within_target``
    (``best_min`` <= target). A point with no counted place at all is outside the target.
    """
    table = pd.DataFrame(index=points.index)
    for kind in COOL_KINDS:
        near = nearest(points, places[kind]) if kind in places else nearest(points, _empty())
        table[f"{kind}_m"] = near["dist_m"].astype(float)
        table[f"{kind}_min"] = settings.minutes(table[f"{kind}_m"])
        table[f"{kind}_fid"] = near["fid"]
        table[f"{kind}_name"] = near["name"]
        table[f"{kind}_within"] = (table[f"{kind}_min"] <= settings.target_minutes).fillna(False)
    counted = table[[f"{k}_min" for k in settings.target_kinds]]
    table["best_min"] = counted.min(axis=1, skipna=True)
    best = counted.fillna(np.inf).to_numpy().argmin(axis=1) if len(table) else np.array([], int)
    table["best_kind"] = np.array(settings.target_kinds, dtype=object)[best] if len(table) else []
    table.loc[table["best_min"].isna(), "best_kind"] = None
    table["within_target"] = (table["best_min"] <= settings.target_minutes).fillna(False).astype(bool)
    return table


def _empty() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({c: [] for c in PLACE_COLUMNS[:-1]},
                            geometry=gpd.GeoSeries([], crs=METRIC_CRS))


def measure_points(gdf: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """The point each feature is measured from, in Lambert-93: the point itself, or a point
    guaranteed inside a polygon (``representative_point``)."""
    metric = _metric(gdf)
    geoms = metric.geometry
    is_point = geoms.geom_type == "Point"
    if bool(is_point.all()):
        return geoms
    return gpd.GeoSeries(np.where(is_point, geoms.values, geoms.representative_point().values),
                         index=geoms.index, crs=METRIC_CRS)


def within_target(gdf: gpd.GeoDataFrame, places: Mapping[str, gpd.GeoDataFrame],
                  settings: AccessSettings | None = None) -> pd.Series:
    """Whether each feature is within the cool-place walking target (boolean Series on its index).

    Pure: ``places`` is :func:`cool_places` of the build the features come from. Points are
    measured from themselves, polygons from a point inside them.
    """
    settings = settings or AccessSettings()
    return access_table(measure_points(gdf), places, settings)["within_target"]


def make_grid(areas: gpd.GeoDataFrame, cell_m: float) -> gpd.GeoDataFrame:
    """A regular square grid over ``areas`` (Lambert-93), cut along the areas' outlines.

    The grid is aligned on multiples of ``cell_m`` so that it does not move between builds. Each
    row is the part of one cell inside one area: ``cell`` (cell id ``"x_y"`` of its lower-left
    corner in metres), ``area_idx`` (index label of the area), ``area_m2`` and the piece geometry.
    A cell split by an outline gives one row per area.
    """
    metric = _metric(areas)
    minx, miny, maxx, maxy = metric.total_bounds
    xs = np.arange(np.floor(minx / cell_m) * cell_m, maxx, cell_m)
    ys = np.arange(np.floor(miny / cell_m) * cell_m, maxy, cell_m)
    gx, gy = (a.ravel() for a in np.meshgrid(xs, ys))
    squares = shapely.box(gx, gy, gx + cell_m, gy + cell_m)
    area_idx, square_idx = STRtree(squares).query(metric.geometry.values, predicate="intersects")
    pieces = shapely.intersection(squares[square_idx], metric.geometry.values[area_idx])
    pieces = _polygonal(pieces)
    area = shapely.area(pieces)
    keep = area > 1e-6
    cells = np.char.add(np.char.add(gx[square_idx].astype(int).astype(str), "_"),
                        gy[square_idx].astype(int).astype(str))
    return gpd.GeoDataFrame({"cell": cells[keep], "area_idx": metric.index.to_numpy()[area_idx][keep],
                             "area_m2": area[keep]},
                            geometry=gpd.GeoSeries(pieces[keep], crs=METRIC_CRS))


def _polygonal(geoms: np.ndarray) -> np.ndarray:
    """Drop the line and point bits an intersection of touching polygons can leave."""
    mixed = shapely.get_type_id(geoms) == 7  # GeometryCollection
    for i in np.flatnonzero(mixed):
        parts = [p for p in shapely.get_parts(geoms[i]) if shapely.get_type_id(p) in (3, 6)]
        geoms[i] = shapely.union_all(parts) if parts else shapely.Polygon()
    return geoms


def grid_access(areas: gpd.GeoDataFrame, places: Mapping[str, gpd.GeoDataFrame],
                settings: AccessSettings) -> gpd.GeoDataFrame:
    """The grid over ``areas`` with the access table of each piece (measured from its centroid)."""
    grid = make_grid(areas, settings.grid_cell_m)
    table = access_table(grid.geometry.centroid, places, settings)
    return gpd.GeoDataFrame(pd.concat([grid.drop(columns="geometry"), table], axis=1),
                            geometry=grid.geometry, crs=METRIC_CRS)


def area_share(grid: pd.DataFrame, by: str | None = None,
               column: str = "within_target") -> pd.Series | float:
    """Area-weighted share (0-1) of the grid where ``column`` is true (default: within target),
    overall or per value of ``by``."""
    weighted = grid["area_m2"] * grid[column].astype(float)
    if by is None:
        total = grid["area_m2"].sum()
        return float(weighted.sum() / total) if total else float("nan")
    return weighted.groupby(grid[by]).sum() / grid["area_m2"].groupby(grid[by]).sum()


def population_share(grid: gpd.GeoDataFrame, iris: gpd.GeoDataFrame) -> tuple[float, float]:
    """Estimated population within target and its share, assuming an even population density
    inside each IRIS (areal interpolation of ``iris['population']`` over the grid pieces).

    Returns (people within target, share of the people of the grid's IRIS parts).
    """
    iris_m = _metric(iris)
    population = pd.to_numeric(iris_m["population"].astype("object"), errors="coerce")
    iris_m = iris_m[population.notna()]
    density = population[population.notna()].to_numpy(float) / shapely.area(iris_m.geometry.values)
    grid_idx, iris_idx = STRtree(iris_m.geometry.values).query(grid.geometry.values,
                                                               predicate="intersects")
    overlap = shapely.area(shapely.intersection(grid.geometry.values[grid_idx],
                                                iris_m.geometry.values[iris_idx]))
    people = overlap * density[iris_idx]
    inside = grid["within_target"].to_numpy()[grid_idx]
    total = float(people.sum())
    return float(people[inside].sum()), (float(people[inside].sum()) / total if total else float("nan"))

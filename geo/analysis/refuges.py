"""Who lacks a real heat refuge, when, and where one more would help most: the analysis run.

``run`` classifies every cool place by tier and time of day (``geo.analysis.tiers``), builds the
demand (grid pieces with their people aged 75+, sensitive facilities: ``geo.analysis.demand``),
and measures, for each tier × time of day, the walking distance from every demand unit to the
nearest open place of the tier:

- on the street graph of the build (``street_graph`` layer): one multi-source shortest path per
  tier × time (SciPy, ``geo.analysis.walkgraph``), places and people joining the graph by a
  straight line (settings: ``[refuges.walk]``);
- without a graph (e.g. an online build: the graph is a mirror-only source), straight line ×
  ``fallback_detour_factor``; with a graph, how far that estimate strays from the graph is
  measured (median and 90th percentile of graph / straight line).

Walking times are distance / speed, for each setting speed; the target is the Plan Climat's
(``[access] target_minutes``). For the planning panel, the distance from every candidate site
alone to every unit is precomputed once (bounded at the longest target distance), so a what-if
is a boolean OR over a few rows (``coverage``), never a new run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import shapely

from geo.analysis import candidates as candidates_mod
from geo.analysis import demand, planning, tiers
from geo.analysis import walkgraph as wg
from geo.analysis.refuge_settings import TIERS, TIMES, RefugeSettings
from geo.core.errors import AnalysisError

#: Layers the refuge analysis reads (besides those of the access analysis' facilities).
REFUGE_LAYERS = ("street_graph", "green_spaces", "cool_green_points", "cool_facilities", "fountains",
                 "iris_population", "conseils_quartier", "sports", "libraries", "schools_maternelle",
                 "schools_elementaire", "colleges", "ehpad", "equipements_2014", "quartiers")
GRAPH_LAYER = "street_graph"
#: Demand-unit weights the planning panel sums (per unit).
WEIGHTS = ("p75", "facilities", "area_m2")


@dataclass
class RefugeAnalysis:
    """Every result of the refuge analysis of one build and settings (Lambert-93).

    ``dist[(tier, time)]`` holds the walking distance in metres of each demand unit (the grid
    pieces, then the facilities) to the nearest place of the tier open at that time (``inf``
    when there is none); ``straight`` the straight-line distance to the same places.
    """

    settings: RefugeSettings
    target_minutes: float
    method: str
    places: gpd.GeoDataFrame
    pieces: gpd.GeoDataFrame
    facilities: gpd.GeoDataFrame
    dist: dict[tuple[str, str], np.ndarray]
    straight: dict[tuple[str, str], np.ndarray]
    candidates: gpd.GeoDataFrame
    site_dist: np.ndarray
    graph_size: tuple[int, int] = (0, 0)
    ratio: dict[str, dict[str, float]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def n_pieces(self) -> int:
        return len(self.pieces)

    def target_m(self, speed_kmh: float) -> float:
        """Walking distance within the target at ``speed_kmh`` (metres)."""
        return self.target_minutes * speed_kmh * 1000.0 / 60.0

    def minutes(self, tier: str, time: str, speed_kmh: float) -> np.ndarray:
        """Walking minutes of every unit to the nearest open place (``inf`` when none)."""
        return self.distance(tier, time) / (speed_kmh * 1000.0 / 60.0)

    def distance(self, tier: str, time: str) -> np.ndarray:
        """Walking metres of every unit to the nearest place of ``tier`` open at ``time``.

        Raises
        ------
        AnalysisError
            For an unknown tier or time of day.
        """
        try:
            return self.dist[(tier, time)]
        except KeyError:
            raise AnalysisError(f"unknown tier or time of day: {tier!r}, {time!r} "
                                f"(tiers {TIERS}, times {TIMES})") from None

    def within(self, tier: str, time: str, speed_kmh: float) -> np.ndarray:
        """Whether every unit is within the target (bool, pieces then facilities)."""
        return self.distance(tier, time) <= self.target_m(speed_kmh) + 1e-9

    def weights(self) -> dict[str, np.ndarray]:
        """Per unit: people aged 75+, counted facilities (1 each), area (m²)."""
        n_fac = len(self.facilities)
        return {"p75": np.nan_to_num(np.concatenate([self.pieces["p75"].to_numpy(float),
                                                     np.zeros(n_fac)])),
                "facilities": np.concatenate([np.zeros(self.n_pieces),
                                              self.facilities["who"].to_numpy(float)]),
                "area_m2": np.concatenate([self.pieces["area_m2"].to_numpy(float), np.zeros(n_fac)])}

    def offered(self, time: str) -> gpd.GeoDataFrame:
        """The candidate sites offered at ``time`` ("all": every candidate)."""
        if time == "all":
            return self.candidates
        return self.candidates[self.candidates[f"offered_{time}"].to_numpy(bool)]

    def coverage(self, tier: str, time: str, speed_kmh: float) -> planning.Coverage:
        """What each candidate offered at ``time`` would bring inside the target of ``tier``:
        thresholds on precomputed distances, no graph work."""
        offered = self.offered(time)
        rows = offered.index.to_numpy()
        return planning.coverage(self.site_dist[rows], self.distance(tier, time),
                                 self.target_m(speed_kmh), list(offered["fid"]), self.weights())


def _distances(graph: wg.StreetGraph | None, places: gpd.GeoDataFrame, points: np.ndarray,
               snap: wg.Snap | None, settings: RefugeSettings) -> tuple[np.ndarray, np.ndarray]:
    """(walking, straight) metres from each point to the nearest of ``places``."""
    geoms = places.geometry.values
    straight = wg.straight_distances(geoms, points)
    if graph is None:
        return straight * settings.walk.fallback_detour_factor, straight
    walk = wg.tier_distances(graph, geoms, points, snap=snap, access_m=settings.walk.park_access_m,
                             mode=settings.walk.snap, straight_m=straight)
    return walk, straight


def _ratios(dist: np.ndarray, straight: np.ndarray, n_pieces: int, min_m: float) -> dict[str, dict]:
    return {"cells": wg.detour_ratio(dist[:n_pieces], straight[:n_pieces], min_m),
            "facilities": wg.detour_ratio(dist[n_pieces:], straight[n_pieces:], min_m)}


def _site_distances(graph: wg.StreetGraph | None, sites: gpd.GeoDataFrame, points: np.ndarray,
                    snap: wg.Snap | None, limit_m: float, settings: RefugeSettings) -> np.ndarray:
    """(n_sites, n_units) walking metres from each candidate alone (``inf`` beyond ``limit_m``)."""
    geoms = sites.geometry.values
    if not len(geoms):
        return np.zeros((0, len(points)))
    if graph is None:
        out = np.vstack([wg.straight_distances(np.array([g], dtype=object), points) for g in geoms])
        out = out * settings.walk.fallback_detour_factor
        return np.where(out <= limit_m, out, np.inf)
    return planning.site_distances(graph, geoms, points, snap, limit_m,
                                   settings.walk.park_access_m, settings.walk.snap)


def run(layers: Mapping[str, gpd.GeoDataFrame], c_ar: int, quartiers: gpd.GeoDataFrame,
        settings: RefugeSettings, target_minutes: float, cell_m: float) -> RefugeAnalysis:
    """Run the refuge analysis on one build's layers.

    Parameters
    ----------
    layers
        The build's layers (any CRS); ``street_graph`` is optional (fallback: straight line ×
        detour factor).
    c_ar
        The study area's arrondissement number.
    quartiers
        The study area's quartiers in Lambert-93, indexed by code, with ``name``.
    settings, target_minutes, cell_m
        ``[refuges]`` settings, the Plan Climat target and the grid cell of ``[access]``.
    """
    places = tiers.classify(layers, settings.tiers)
    councils = layers.get("conseils_quartier")
    if councils is not None:
        councils = councils[councils["c_ar"] == c_ar]
    pieces = demand.grid_pieces(quartiers, layers.get("iris_population"), councils, cell_m)
    fac = demand.locate(demand.demand_facilities(layers, c_ar, settings.who), pieces)
    points = np.concatenate([shapely.centroid(pieces.geometry.values), fac.geometry.values])
    graph = None
    notes = []
    if GRAPH_LAYER in layers and len(layers[GRAPH_LAYER]):
        graph = wg.graph_from_segments(layers[GRAPH_LAYER])
    else:
        notes.append("no_graph")
    snap = wg.snap_points(graph, points, settings.walk.snap) if graph is not None else None
    dist, straight = {}, {}
    for tier in TIERS:
        for time in TIMES:
            dist[(tier, time)], straight[(tier, time)] = _distances(
                graph, tiers.select(places, tier, time), points, snap, settings)
    ratio = (_ratios(dist[("refuge", "all")], straight[("refuge", "all")], len(pieces),
                     settings.walk.ratio_min_straight_m) if graph is not None else {})
    study = shapely.union_all(quartiers.geometry.values)
    sites, site_notes = candidates_mod.candidate_sites(layers, places, c_ar, study, settings.planning)
    limit = target_minutes * max(settings.walk.speeds_kmh) * 1000.0 / 60.0
    site_dist = _site_distances(graph, sites, points, snap, limit, settings)
    return RefugeAnalysis(
        settings=settings, target_minutes=target_minutes, method="graph" if graph else "straight",
        places=places, pieces=pieces, facilities=fac, dist=dist, straight=straight,
        candidates=sites, site_dist=site_dist,
        graph_size=(graph.n, len(graph.edges)) if graph is not None else (0, 0), ratio=ratio,
        notes=notes + site_notes)

"""Walking distances on the street graph: multi-source shortest paths from the places of a tier.

Pure functions; the graph library is SciPy (``scipy.sparse.csgraph.dijkstra``, compiled, well
kept) and the snapping index its ``cKDTree``.

Method (shown beside every figure):

- the graph is the build's ``street_graph`` layer (the 2014 street graph of the mirror, read by
  ``geo.sources.streetgraph``): its junctions are rebuilt in Lambert-93 and every segment's length
  is recomputed from its two ends (the published ``length_m`` runs ~1.30x too long); one-way
  flags are ignored (walkers use both directions);
- a place joins the graph by a straight line: a point to its nearest junction; a polygon (green
  space) from every junction within ``access_m`` of its outline (0 inside), and at least from its
  nearest junction, since parks have several gates and the graph has no paths inside them;
- the distance from a point (grid-cell centre, facility) is the straight line to its nearest
  junction plus the graph distance from that junction to the nearest place; a place that is
  nearer in a straight line than any junction is reached directly (same block, inside a park);
- a walking time is distance / speed (4.5 km/h adult, 3.5 km/h older person: settings).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import geopandas as gpd
import numpy as np
import scipy.sparse as sp
import shapely
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from geo.core.errors import AnalysisError
from geo.core.settings import METRIC_CRS

_EPS = 1e-6  # super-source edges must not weigh 0 (a sparse 0 can be dropped as "no edge")


@dataclass(frozen=True)
class StreetGraph:
    """An undirected street graph in Lambert-93.

    Attributes
    ----------
    xy
        (n, 2) junction coordinates in metres.
    edges
        (m, 2) junction indices of each segment (u < v, no duplicates, no loops).
    length_m
        (m,) straight length of each segment in metres.
    """

    xy: np.ndarray
    edges: np.ndarray
    length_m: np.ndarray

    @property
    def n(self) -> int:
        return len(self.xy)

    @cached_property
    def node_tree(self) -> cKDTree:
        return cKDTree(self.xy)

    @cached_property
    def lines(self) -> np.ndarray:
        """The segments as shapely LineStrings (index = edge index)."""
        return shapely.linestrings(np.stack([self.xy[self.edges[:, 0]], self.xy[self.edges[:, 1]]], axis=1))

    @cached_property
    def line_tree(self) -> shapely.STRtree:
        return shapely.STRtree(self.lines)

    def matrix(self) -> sp.csr_matrix:
        """Symmetric adjacency matrix (lengths in metres)."""
        u, v = self.edges[:, 0], self.edges[:, 1]
        return sp.csr_matrix((np.concatenate([self.length_m, self.length_m]),
                              (np.concatenate([u, v]), np.concatenate([v, u]))), shape=(self.n, self.n))


@dataclass(frozen=True)
class Snap:
    """Where points join the graph: each point reaches junction ``u`` after ``off_u`` metres and
    ``v`` after ``off_v`` (a junction snap has u == v). ``reach_m`` = the shorter of the two."""

    u: np.ndarray
    v: np.ndarray
    off_u: np.ndarray
    off_v: np.ndarray

    @property
    def reach_m(self) -> np.ndarray:
        return np.minimum(self.off_u, self.off_v)


def graph_from_segments(segments: gpd.GeoDataFrame, crs: str = METRIC_CRS) -> StreetGraph:
    """The graph of a ``street_graph`` layer (one line per segment, any CRS): junctions rebuilt
    from the segments' ends (same point to the centimetre = same junction), lengths recomputed
    in Lambert-93, loops and duplicate segments dropped, one-way flags ignored (walkers use both
    directions).

    Raises
    ------
    AnalysisError
        When the layer has no CRS or no segment.
    """
    if segments.crs is None or segments.empty:
        raise AnalysisError("the street graph layer has no CRS or no segment")
    lines = segments.geometry.to_crs(crs).values
    lines = lines[~shapely.is_empty(lines)]
    ends = np.vstack([shapely.get_coordinates(shapely.get_point(lines, 0)),
                      shapely.get_coordinates(shapely.get_point(lines, -1))])
    xy, junction = np.unique(np.round(ends, 2), axis=0, return_inverse=True)
    pairs = np.sort(junction.reshape(2, -1).T, axis=1)
    pairs = np.unique(pairs[pairs[:, 0] != pairs[:, 1]], axis=0)
    return StreetGraph(xy, pairs, np.hypot(*(xy[pairs[:, 0]] - xy[pairs[:, 1]]).T))


def components(graph: StreetGraph) -> int:
    """Number of connected components (the mirror's graph has 1)."""
    return int(connected_components(graph.matrix(), directed=False)[0])


def snap_points(graph: StreetGraph, points: np.ndarray, mode: str = "edge") -> Snap:
    """Join points (shapely, Lambert-93) to the graph by a straight line.

    ``mode`` "junction": to the nearest junction. "edge": to the nearest point of the nearest
    segment, then along it to either end (the walker picks the better end).
    """
    points = np.asarray(points, dtype=object)
    if mode == "junction":
        dist, idx = graph.node_tree.query(shapely.get_coordinates(points))
        return Snap(idx, idx, dist, dist)
    if mode != "edge":
        raise AnalysisError(f"snap mode must be 'junction' or 'edge', got {mode!r}")
    (src, edge), perp = graph.line_tree.query_nearest(points, return_distance=True, all_matches=False)
    order = np.argsort(src, kind="stable")
    _, first = np.unique(src[order], return_index=True)  # equidistant segments: keep one
    edge, perp = edge[order][first], perp[order][first]
    along = shapely.line_locate_point(graph.lines[edge], points)
    return Snap(graph.edges[edge, 0], graph.edges[edge, 1], perp + along,
                perp + graph.length_m[edge] - along)


def place_sources(graph: StreetGraph, geoms: np.ndarray, access_m: float = 30.0,
                  mode: str = "edge") -> tuple[np.ndarray, np.ndarray]:
    """Where places join the graph: (junction index, straight offset in metres) pairs.

    A point joins like a person (:func:`snap_points`). A polygon joins at every junction within
    ``access_m`` of it (offset = distance to the polygon, 0 inside) and at its nearest junction.
    """
    geoms = np.asarray(geoms, dtype=object)
    nodes, offsets = [], []
    is_point = shapely.get_type_id(geoms) == 0
    if is_point.any():
        snap = snap_points(graph, geoms[is_point], mode)
        nodes += [snap.u, snap.v]
        offsets += [snap.off_u, snap.off_v]
    polygons = geoms[~is_point]
    if len(polygons):
        junctions = shapely.points(graph.xy)
        tree = shapely.STRtree(junctions)
        poly_near, near = tree.query(polygons, predicate="dwithin", distance=access_m)
        poly_nearest, nearest = tree.query_nearest(polygons, all_matches=False)
        poly_idx = np.concatenate([poly_near, poly_nearest])
        node_idx = np.concatenate([near, nearest])
        nodes.append(node_idx)
        offsets.append(shapely.distance(polygons[poly_idx], junctions[node_idx]))
    return np.concatenate(nodes).astype(np.int64), np.concatenate(offsets)


def node_distances(graph: StreetGraph, nodes: np.ndarray, offsets: np.ndarray,
                   limit_m: float = np.inf) -> np.ndarray:
    """Graph distance (m) from every junction to the nearest source, a source junction starting at
    its offset: one Dijkstra from a super-source linked to each source junction (SciPy).
    Junctions farther than ``limit_m`` get ``inf``."""
    if len(nodes) == 0:
        return np.full(graph.n, np.inf)
    order = np.argsort(np.asarray(offsets, float), kind="stable")
    first_node, first = np.unique(np.asarray(nodes)[order], return_index=True)
    best = np.asarray(offsets, float)[order][first]
    u, v = graph.edges[:, 0], graph.edges[:, 1]
    rows = np.concatenate([u, v, np.full(len(first_node), graph.n)])
    cols = np.concatenate([v, u, first_node])
    data = np.concatenate([graph.length_m, graph.length_m, best + _EPS])
    matrix = sp.csr_matrix((data, (rows, cols)), shape=(graph.n + 1, graph.n + 1))
    dist = dijkstra(matrix, directed=True, indices=graph.n, limit=limit_m + _EPS)
    return np.maximum(dist[:graph.n] - _EPS, 0.0)


def point_distances(node_dist: np.ndarray, snap: Snap, direct_m: np.ndarray | None = None) -> np.ndarray:
    """Walking distance (m) of snapped points: the better end of their snap + that junction's graph
    distance. ``direct_m`` (straight distance to the nearest place) replaces it where the place is
    nearer than the graph (same block, inside a park)."""
    dist = np.minimum(snap.off_u + node_dist[snap.u], snap.off_v + node_dist[snap.v])
    if direct_m is not None:
        dist = np.where(direct_m <= snap.reach_m, np.minimum(dist, direct_m), dist)
    return dist


def straight_distances(places: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Straight distance (m) from each point to the nearest place (0 inside); inf with no place."""
    out = np.full(len(points), np.inf)
    if len(places):
        (src, _), dist = shapely.STRtree(np.asarray(places, dtype=object)).query_nearest(
            np.asarray(points, dtype=object), return_distance=True, all_matches=False)
        out[src] = dist
    return out


def tier_distances(graph: StreetGraph, places: np.ndarray, points: np.ndarray, snap: Snap | None = None,
                   access_m: float = 30.0, limit_m: float = np.inf, mode: str = "edge",
                   straight_m: np.ndarray | None = None) -> np.ndarray:
    """Walking distance from each point to the nearest of ``places`` (shapely, Lambert-93); pass
    the points' ``snap`` when it is reused across calls, and ``straight_m``
    (:func:`straight_distances`) when the caller has it already (it is the costly part).
    ``inf`` with no place / beyond ``limit_m``."""
    places = np.asarray(places, dtype=object)
    if len(places) == 0:
        return np.full(len(points), np.inf)
    snap = snap if snap is not None else snap_points(graph, points, mode)
    nodes, offsets = place_sources(graph, places, access_m, mode)
    direct = straight_m if straight_m is not None else straight_distances(places, points)
    return point_distances(node_distances(graph, nodes, offsets, limit_m), snap, direct)


def minutes(distance_m: np.ndarray | float, speed_kmh: float) -> np.ndarray | float:
    """Walking minutes for a distance at ``speed_kmh``."""
    if speed_kmh <= 0:
        raise AnalysisError("walking speed must be positive")
    return np.asarray(distance_m, dtype=float) / (speed_kmh * 1000.0 / 60.0)


def detour_ratio(graph_m: np.ndarray, straight_m: np.ndarray, min_straight_m: float = 50.0
                 ) -> dict[str, float]:
    """Median and 90th percentile of graph / straight-line distance, over the points whose
    straight distance is at least ``min_straight_m`` (ratios of tiny distances mean nothing)."""
    ok = np.isfinite(graph_m) & np.isfinite(straight_m) & (straight_m >= min_straight_m)
    ratio = graph_m[ok] / straight_m[ok]
    if not len(ratio):
        return {"n": 0, "median": float("nan"), "p90": float("nan")}
    return {"n": int(ok.sum()), "median": float(np.median(ratio)), "p90": float(np.percentile(ratio, 90))}

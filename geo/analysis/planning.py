"""Where one more refuge would help most: precomputed coverage, what-if and greedy maximal coverage.

Pure (numpy); only :func:`site_distances` touches the street graph (``geo.analysis.walkgraph``).

Demand units are the grid pieces (weighted by their people aged 75+, or area) and the sensitive
facilities (weight 1 each). For one tier, time of day and speed:

- ``base``: units already within the target of an open place of the tier;
- ``covers[s]``: units within the target of candidate site ``s`` alone (one bounded Dijkstra per
  site, computed once per build and settings);
- a what-if is then a boolean OR over the chosen rows: no graph work, microseconds;
- « suggest k sites » is the classic greedy for maximal coverage (pick the site with the largest
  weight of still-uncovered units, repeat), which is within (1 - 1/e) of the best k-set.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from geo.analysis import walkgraph as wg
from geo.core.errors import AnalysisError


@dataclass(frozen=True)
class Coverage:
    """Coverage of the demand units by the current places and by each candidate site.

    Attributes
    ----------
    sites
        Candidate site ids (row order of ``covers``).
    covers
        (n_sites, n_units) bool: unit within the target of that site alone.
    base
        (n_units,) bool: unit already within the target.
    weights
        Named (n_units,) weight vectors, e.g. ``{"p75": ..., "area_m2": ..., "facilities": ...}``.
    """

    sites: tuple[str, ...]
    covers: np.ndarray
    base: np.ndarray
    weights: Mapping[str, np.ndarray]

    def __post_init__(self) -> None:
        n_units = len(self.base)
        if self.covers.shape != (len(self.sites), n_units):
            raise AnalysisError(f"covers is {self.covers.shape}, expected {(len(self.sites), n_units)}")
        for name, w in self.weights.items():
            if w.shape != (n_units,):
                raise AnalysisError(f"weight {name!r} has shape {w.shape}, expected {(n_units,)}")

    @property
    def new(self) -> np.ndarray:
        """(n_sites, n_units) units each site would bring inside the target on its own."""
        return self.covers & ~self.base

    def index(self, site_ids: Sequence[str]) -> list[int]:
        """Row indices of ``site_ids``.

        Raises
        ------
        AnalysisError
            For an id that is not a candidate site of this coverage.
        """
        where = {s: i for i, s in enumerate(self.sites)}
        unknown = [s for s in site_ids if s not in where]
        if unknown:
            raise AnalysisError(f"not candidate sites here: {unknown}")
        return [where[s] for s in site_ids]


def coverage(site_dist: np.ndarray, base_dist: np.ndarray, target_m: float, sites: Sequence[str],
             weights: Mapping[str, np.ndarray]) -> Coverage:
    """Build a :class:`Coverage` from walking distances (metres): ``site_dist`` (n_sites, n_units)
    from each candidate alone, ``base_dist`` (n_units,) from the current places."""
    site_dist = np.asarray(site_dist, float).reshape(len(sites), -1)
    return Coverage(tuple(sites), site_dist <= target_m, np.asarray(base_dist, float) <= target_m,
                    {k: np.asarray(v, float) for k, v in weights.items()})


@dataclass(frozen=True)
class WhatIf:
    """Gain of a chosen set of sites, in the order given."""

    sites: tuple[str, ...]
    alone: dict[str, dict[str, float]]      # site -> weight -> gain if it were the only new site
    marginal: dict[str, dict[str, float]]   # site -> weight -> gain on top of the sites before it
    total: dict[str, float]                 # weight -> gain of the whole set
    newly_covered: np.ndarray               # (n_units,) bool


def what_if(cov: Coverage, site_ids: Sequence[str]) -> WhatIf:
    """Gain of adding ``site_ids`` (each site once, order kept for the marginal gains)."""
    ids = list(dict.fromkeys(site_ids))
    rows = cov.index(ids)
    new = cov.new
    covered = np.zeros(len(cov.base), bool)
    alone, marginal = {}, {}
    for site, row in zip(ids, rows, strict=True):
        gained = new[row] & ~covered
        alone[site] = {k: float(w[new[row]].sum()) for k, w in cov.weights.items()}
        marginal[site] = {k: float(w[gained].sum()) for k, w in cov.weights.items()}
        covered |= new[row]
    total = {k: float(w[covered].sum()) for k, w in cov.weights.items()}
    return WhatIf(tuple(ids), alone, marginal, total, covered)


def greedy(cov: Coverage, k: int, weight: str, tie_break: str | None = None,
           fixed: Sequence[str] = ()) -> list[tuple[str, float]]:
    """« Suggest k sites »: greedy maximal coverage on ``weight`` (ties: ``tie_break``, then the
    site order). ``fixed`` sites are taken as already added. Stops early when no site adds anything.

    Returns
    -------
    list of (site id, marginal gain in ``weight``), best first.
    """
    if weight not in cov.weights:
        raise AnalysisError(f"unknown weight {weight!r}: {sorted(cov.weights)}")
    w = cov.weights[weight]
    tb = cov.weights[tie_break] if tie_break else np.zeros_like(w)
    new = cov.new.astype(float)
    covered = np.zeros(len(cov.base), bool)
    for row in cov.index(fixed):
        covered |= cov.new[row]
    chosen: list[tuple[str, float]] = []
    available = np.ones(len(cov.sites), bool)
    available[cov.index(fixed)] = False
    for _ in range(min(k, int(available.sum()))):
        open_units = (~covered).astype(float)
        gains = new @ (w * open_units)
        ties = new @ (tb * open_units)
        score = np.where(available, gains, -np.inf)
        best = np.flatnonzero(score == score.max())
        best = best[np.argmax(np.where(available[best], ties[best], -np.inf))]
        if not gains[best] > 0 and not ties[best] > 0:
            break
        chosen.append((cov.sites[best], float(gains[best])))
        covered |= cov.new[best]
        available[best] = False
    return chosen


def site_distances(graph: wg.StreetGraph, site_geoms: np.ndarray, points: np.ndarray, snap: wg.Snap,
                   target_m: float, access_m: float = 30.0, mode: str = "edge") -> np.ndarray:
    """(n_sites, n_points) walking distances from each candidate site alone (metres; ``inf``
    beyond the target). One Dijkstra bounded at ``target_m`` per site."""
    out = np.full((len(site_geoms), len(points)), np.inf)
    for i, geom in enumerate(np.asarray(site_geoms, dtype=object)):
        nodes, offsets = wg.place_sources(graph, np.array([geom], dtype=object), access_m, mode)
        node_dist = wg.node_distances(graph, nodes, offsets, limit_m=target_m)
        straight = wg.straight_distances(np.array([geom], dtype=object), points)
        out[i] = wg.point_distances(node_dist, snap, straight)
    return out

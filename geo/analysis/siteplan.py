"""A planning scenario on the refuge analysis: chosen candidate sites → what they bring inside
the target (people aged 75+, sensitive facilities, area), per site and in all, and « suggest the
k best sites » (greedy maximal coverage, ``geo.analysis.planning``).

Nothing here walks the graph: the coverage of every candidate was precomputed by
``geo.analysis.refuges.run``; a scenario is a boolean OR over a few rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.analysis import planning
from geo.analysis.refuges import RefugeAnalysis

#: What the greedy maximises, and how it breaks ties.
SUGGEST_WEIGHT = "p75"
SUGGEST_TIE_BREAK = "facilities"


@dataclass(frozen=True)
class Plan:
    """A scenario: tier, time of day, speed, the chosen sites with their gains, the figures
    before and after, and the counted facilities the sites bring inside the target."""

    tier: str
    time: str
    speed_kmh: float
    target_m: float
    sites: gpd.GeoDataFrame
    before: dict[str, float]
    after: dict[str, float]
    moved: pd.DataFrame


def _figures(result: RefugeAnalysis, inside: np.ndarray) -> dict[str, float]:
    weights = result.weights()
    area_total = float(weights["area_m2"].sum())
    p75_total = float(weights["p75"].sum())
    p75_inside = float(weights["p75"][inside].sum())
    area_inside = float(weights["area_m2"][inside].sum())
    return {"p75_inside": p75_inside, "p75_total": p75_total,
            "p75_share": p75_inside / p75_total if p75_total else float("nan"),
            "area_share": area_inside / area_total if area_total else float("nan"),
            "facilities_outside": float(weights["facilities"][~inside].sum()),
            "facilities_total": float(weights["facilities"].sum())}


def make_plan(result: RefugeAnalysis, tier: str, time: str, speed_kmh: float,
              site_ids: Sequence[str]) -> Plan:
    """The gains of ``site_ids`` (candidates offered at ``time``), in the order given.

    Raises
    ------
    AnalysisError
        For a site that is not a candidate offered at that time, an unknown tier or time.
    """
    cov = result.coverage(tier, time, speed_kmh)
    chosen = planning.what_if(cov, site_ids)
    candidates = result.candidates.set_index("fid")
    n = result.n_pieces
    first_site = np.full(len(cov.base), "", dtype=object)
    for site in chosen.sites:  # the first site of the list that brings each unit inside
        row = cov.new[cov.index([site])[0]]
        first_site[row & (first_site == "")] = site
    fac = result.facilities
    moved_mask = chosen.newly_covered[n:] & fac["who"].to_numpy(bool)
    moved = pd.DataFrame(fac[moved_mask].drop(columns="geometry")).assign(
        site=first_site[n:][moved_mask])
    rows = []
    for rank, site in enumerate(chosen.sites, start=1):
        info = candidates.loc[site]
        brought = moved[moved["site"] == site]
        rows.append({"rank": rank, "fid": site, "kind": info["kind"], "name": info["name"],
                     "quartier_name": info["quartier_name"],
                     "gain_p75": chosen.marginal[site]["p75"], "alone_p75": chosen.alone[site]["p75"],
                     "gain_facilities": int(chosen.marginal[site]["facilities"]),
                     "gain_area_m2": chosen.marginal[site]["area_m2"],
                     "facilities": " | ".join(brought["name"]), "geometry": info["geometry"]})
    sites = gpd.GeoDataFrame(rows, geometry="geometry", crs=result.candidates.crs) if rows else \
        gpd.GeoDataFrame(columns=["rank", "fid", "geometry"], geometry="geometry", crs=result.candidates.crs)
    base = cov.base
    return Plan(tier, time, speed_kmh, result.target_m(speed_kmh), sites, _figures(result, base),
                _figures(result, base | chosen.newly_covered), moved.reset_index(drop=True))


def suggest(result: RefugeAnalysis, tier: str, time: str, speed_kmh: float, k: int,
            fixed: Sequence[str] = ()) -> list[tuple[str, float]]:
    """« Suggest the k best sites »: greedy maximal coverage of the people aged 75+ (ties: the
    sensitive facilities) over the candidates offered at ``time``, on top of ``fixed`` sites.
    Returns (site fid, marginal people aged 75+), best first; fewer when nothing more helps."""
    cov = result.coverage(tier, time, speed_kmh)
    return planning.greedy(cov, k, SUGGEST_WEIGHT, SUGGEST_TIE_BREAK, fixed)

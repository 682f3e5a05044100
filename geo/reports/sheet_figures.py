"""The figures behind the sheets' charts, computed from the analyses (never typed): for a
quartier, the walking time of its people aged 75+ to the nearest open place of each tier at each
time of day and how many are outside the target; its flood host capacity against the need; for a
facility, its walking time against the other facilities of its quartier.

Pure functions over :class:`geo.analysis.exposure.Analysis` and
:class:`geo.analysis.refuges.RefugeAnalysis` (cheap thresholds over distances computed once).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.analysis.exposure import Analysis
from geo.analysis.refuge_settings import TIERS, TIMES
from geo.analysis.refuges import RefugeAnalysis


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """The value below which half of the total weight lies (``inf`` values count; NaN when
    there is no weight)."""
    values, weights = np.asarray(values, float), np.nan_to_num(np.asarray(weights, float))
    keep = weights > 0
    if not keep.any():
        return float("nan")
    values, weights = values[keep], weights[keep]
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cumulative, cumulative[-1] / 2)])


def quartier_walk(refuges: RefugeAnalysis, code: str, speed_kmh: float) -> pd.DataFrame:
    """One row per tier × time of day for the quartier ``code``: the median walking minutes of
    its people aged 75+ to the nearest open place of the tier (``inf``: none open), the people
    aged 75+ in all, within the target and outside it, and the share within."""
    n = refuges.n_pieces
    mask = (refuges.pieces["quartier"] == str(code)).to_numpy()
    p75 = np.nan_to_num(refuges.pieces["p75"].to_numpy(float))[mask]
    total = float(p75.sum())
    rows = []
    for tier in TIERS:
        for time in TIMES:
            minutes = refuges.minutes(tier, time, speed_kmh)[:n][mask]
            inside = refuges.within(tier, time, speed_kmh)[:n][mask]
            within = float(p75[inside].sum())
            rows.append({"tier": tier, "time": time, "median_min": weighted_median(minutes, p75),
                         "p75": total, "p75_within": within, "p75_outside": total - within,
                         "share_within": within / total if total > 0 else float("nan")})
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class CapacityNeed:
    """The study area's flood host capacity against its neighbours' need, and one quartier's
    share of that capacity. ``cover``: ``geo.analysis.hosting.ShelterResult.cover`` (per
    neighbour, then the total with ``c_ar`` 0) with the neighbour's ``name``."""

    capacity: float
    sites: int
    quartier_capacity: float
    quartier_sites: int
    quartier_unknown: int
    m2_per_person: float
    cover: pd.DataFrame


def capacity_need(result: Analysis, code: str) -> CapacityNeed | None:
    """Capacity against need for the quartier's sheet; ``None`` when the build has no host
    analysis."""
    shelter = result.shelter
    if shelter is None:
        return None
    mine = shelter.quartier_capacity(code)
    names = dict(zip(shelter.need["c_ar"], shelter.need["name"], strict=True))
    cover = shelter.cover.assign(name=shelter.cover["c_ar"].map(names))
    return CapacityNeed(capacity=float(shelter.summary.capacity), sites=int(shelter.summary.sites),
                        quartier_capacity=float(mine["capacity"]), quartier_sites=int(mine["sites"]),
                        quartier_unknown=int(mine["sites_unknown"]),
                        m2_per_person=float(shelter.settings.m2_per_person), cover=cover)


def facility_position(refuges: RefugeAnalysis, fid: str, tier: str, speed_kmh: float
                      ) -> pd.DataFrame | None:
    """Per time of day: the walking minutes of the facility ``fid`` to the nearest open place of
    ``tier`` (``minutes``), those of every facility of its quartier (``others``, itself
    included), their median, how many are within the target (``within`` of ``count``) and its
    rank from the farthest (1 = the farthest). ``None`` when the facility is not one of the
    refuge analysis' facilities."""
    facilities = refuges.facilities
    where = np.flatnonzero(facilities["fid"].to_numpy() == fid)
    if not len(where):
        return None
    n = refuges.n_pieces
    index = int(where[0])
    same = (facilities["quartier"] == facilities["quartier"].iloc[index]).to_numpy()
    rows = []
    for time in TIMES:
        minutes = refuges.minutes(tier, time, speed_kmh)[n:]
        inside = refuges.within(tier, time, speed_kmh)[n:]
        group = minutes[same]
        mine = float(minutes[index])
        rows.append({"time": time, "minutes": mine, "others": group, "median": float(np.median(group)),
                     "within": int(inside[same].sum()), "count": int(same.sum()),
                     "rank": int((group > mine).sum()) + 1})
    return pd.DataFrame(rows)

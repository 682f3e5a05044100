"""Figures of the refuge analysis (``geo.analysis.refuges``) for a walking speed: the headline per
tier and time of day, who is outside the target per quartier / IRIS / conseil de quartier, the
people aged 75+ by walking time, the facilities outside, and the map's refuge-gap layer.

Each is a cheap threshold over the distances computed once per build and settings, so pages call
them on every rerun.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.analysis import tiers
from geo.analysis.refuge_settings import PERIOD_NAMES, TIERS, TIMES
from geo.analysis.refuges import RefugeAnalysis
from geo.core.errors import AnalysisError
from geo.core.settings import METRIC_CRS, STORE_CRS

#: Groupings of the « who » tables: the column of the pieces and facilities, and its name column.
GROUPS = {"quartier": ("quartier", "quartier_name"), "iris": ("iris", "iris_name"),
          "council": ("council", "council_name")}
#: Upper bounds (minutes) of the walking-time bands of the 75+ chart; the last band is open.
MINUTE_BANDS = (3.0, 5.0, 7.0, 10.0, 15.0)
#: Facility categories of the « who » tables, in display order.
WHO_ORDER = ("creche", "maternelle", "elementaire", "college", "ehpad")


def _share(values: np.ndarray, inside: np.ndarray) -> float:
    total = float(np.nansum(values))
    return float(np.nansum(values[inside]) / total) if total > 0 else float("nan")


def headline(result: RefugeAnalysis, speed_kmh: float) -> pd.DataFrame:
    """One row per tier × time of day: places counted (open), places whose opening is unknown
    then, share of the area and of the people aged 75+ within the target, people aged 75+ and
    counted facilities outside."""
    n = result.n_pieces
    area = result.pieces["area_m2"].to_numpy(float)
    p75 = result.pieces["p75"].to_numpy(float)
    who = result.facilities["who"].to_numpy(bool)
    rows = []
    for tier in TIERS:
        chosen = tiers.select(result.places, tier)
        for time in TIMES:
            inside = result.within(tier, time, speed_kmh)
            unknown = 0 if time == "all" else int(chosen[f"open_{time}"].isna().sum())
            rows.append({"tier": tier, "time": time, "places": len(tiers.select(result.places, tier, time)),
                         "unknown": unknown, "area_share": _share(area, inside[:n]),
                         "p75_share": _share(p75, inside[:n]),
                         "p75_outside": float(np.nansum(p75[~inside[:n]])),
                         "facilities_outside": int((who & ~inside[n:]).sum()),
                         "facilities": int(who.sum())})
    return pd.DataFrame(rows)


def by_area(result: RefugeAnalysis, tier: str, time: str, speed_kmh: float, by: str) -> pd.DataFrame:
    """Who is outside the target per quartier, IRIS or conseil de quartier (``by``), ranked by
    people aged 75+ outside: share of the area and of the 75+ within, 75+ outside, and the
    counted facilities outside per category.

    Raises
    ------
    AnalysisError
        For an unknown grouping.
    """
    if by not in GROUPS:
        raise AnalysisError(f"unknown grouping {by!r}: one of {tuple(GROUPS)}")
    code, name = GROUPS[by]
    n = result.n_pieces
    inside = result.within(tier, time, speed_kmh)
    pieces = pd.DataFrame({"code": result.pieces[code].to_numpy(), "name": result.pieces[name].to_numpy(),
                           "area": result.pieces["area_m2"].to_numpy(float),
                           "p75": np.nan_to_num(result.pieces["p75"].to_numpy(float)), "inside": inside[:n]})
    pieces = pieces[pieces["code"] != ""]
    pieces["area_in"] = pieces["area"] * pieces["inside"]
    pieces["p75_in"] = pieces["p75"] * pieces["inside"]
    out = pieces.groupby(["code", "name"], as_index=False)[["area", "area_in", "p75", "p75_in"]].sum()
    out["area_share"] = out["area_in"] / out["area"]
    out["p75_share"] = (out["p75_in"] / out["p75"].where(out["p75"] > 0)).astype(float)
    out["p75_outside"] = out["p75"] - out["p75_in"]
    fac = result.facilities
    outside = fac[fac["who"].to_numpy(bool) & ~inside[n:]]
    counts = pd.crosstab(outside[code], outside["category"]) if len(outside) else pd.DataFrame()
    for category in WHO_ORDER:
        column = counts[category] if category in counts.columns else pd.Series(dtype=float)
        out[f"out_{category}"] = out["code"].map(column).fillna(0).astype(int)
    out = out.rename(columns={"p75": "p75_total"}).drop(columns=["area", "area_in", "p75_in"])
    return out.sort_values(["p75_outside", "name"], ascending=[False, True], ignore_index=True)


def quartier_shares(result: RefugeAnalysis, speed_kmh: float) -> pd.DataFrame:
    """Long table for the chart: per quartier, tier and time of day, the share (0-1) of the area
    and of the people aged 75+ within the target."""
    frames = []
    for tier in TIERS:
        for time in TIMES:
            table = by_area(result, tier, time, speed_kmh, "quartier")
            frames.append(table[["code", "name", "area_share", "p75_share"]].assign(tier=tier, time=time))
    return pd.concat(frames, ignore_index=True).sort_values(["code", "tier", "time"], ignore_index=True)


def band_labels(bands: tuple[float, ...] = MINUTE_BANDS) -> list[str]:
    """« 0–3 », « 3–5 », …, « > 15 » (minutes)."""
    edges = [0.0, *bands]
    labels = [f"{low:g}–{high:g}" for low, high in zip(edges[:-1], edges[1:], strict=True)]
    return [*labels, f"> {bands[-1]:g}"]


def p75_by_minutes(result: RefugeAnalysis, tier: str, speed_kmh: float,
                   bands: tuple[float, ...] = MINUTE_BANDS) -> pd.DataFrame:
    """People aged 75+ by walking time to the nearest open place of ``tier``: one row per band
    (``band``, ``upper`` minutes, inf for the last) and time of day (``time``, ``people``)."""
    n = result.n_pieces
    p75 = np.nan_to_num(result.pieces["p75"].to_numpy(float))
    labels = band_labels(bands)
    rows = []
    for time in TIMES:
        minutes = result.minutes(tier, time, speed_kmh)[:n]
        index = np.searchsorted(np.asarray(bands), minutes, side="left")
        people = np.bincount(index, weights=p75, minlength=len(labels))
        rows += [{"time": time, "band": label, "upper": upper, "people": float(count)}
                 for label, upper, count in zip(labels, [*bands, np.inf], people, strict=True)]
    return pd.DataFrame(rows)


def facilities_outside(result: RefugeAnalysis, tier: str, time: str, speed_kmh: float) -> pd.DataFrame:
    """The counted facilities outside the target, farthest first, with their walking minutes."""
    n = result.n_pieces
    fac = pd.DataFrame(result.facilities.drop(columns="geometry"))
    fac["minutes"] = result.minutes(tier, time, speed_kmh)[n:]
    fac = fac[fac["who"].to_numpy(bool) & ~result.within(tier, time, speed_kmh)[n:]]
    return fac.sort_values(["minutes", "name"], ascending=[False, True], ignore_index=True)


def facility_minutes(result: RefugeAnalysis, fid: str, speed_kmh: float) -> pd.DataFrame | None:
    """Walking minutes from one facility to the nearest open place of each tier at each time of
    day (rows: tiers, columns: times); None when the facility is not a demand unit."""
    where = np.flatnonzero(result.facilities["fid"].to_numpy() == fid)
    if not len(where):
        return None
    unit = result.n_pieces + int(where[0])
    return pd.DataFrame({time: [float(result.minutes(tier, time, speed_kmh)[unit]) for tier in TIERS]
                         for time in TIMES}, index=list(TIERS))


def gap_frame(result: RefugeAnalysis, speed_kmh: float, tier: str = "refuge") -> gpd.GeoDataFrame:
    """The map's refuge-gap layer (EPSG:4326): for each time of day, the grid pieces and counted
    facilities outside the target of ``tier``, with ``period``, ``minutes`` (NaN where no place
    of the tier is open at all) and the map's columns (fid, name, kind, quartier)."""
    n = result.n_pieces
    frames = []
    for period in PERIOD_NAMES:
        minutes = result.minutes(tier, period, speed_kmh)
        inside = result.within(tier, period, speed_kmh)
        cells = result.pieces[~inside[:n]]
        frames.append(gpd.GeoDataFrame({
            "fid": f"refuge_gap:{period}:" + cells["cell"] + ":" + cells["quartier"] + ":"
                   + cells["iris"].where(cells["iris"] != "", "-"),
            "name": cells["quartier_name"], "quartier": cells["quartier"], "period": period,
            "minutes": minutes[:n][~inside[:n]]}, geometry=cells.geometry.values, crs=METRIC_CRS))
        fac_out = ~inside[n:] & result.facilities["who"].to_numpy(bool)
        fac = result.facilities[fac_out]
        frames.append(gpd.GeoDataFrame({
            "fid": f"refuge_gap:{period}:" + fac["fid"], "name": fac["name"], "quartier": fac["quartier"],
            "period": period, "minutes": minutes[n:][fac_out]}, geometry=fac.geometry.values, crs=METRIC_CRS))
    out = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=METRIC_CRS)
    # no open place at all: no walking time to show (the layer's darkest colour)
    out["minutes"] = out["minutes"].replace(np.inf, np.nan)
    out["kind"] = ""
    return out.to_crs(STORE_CRS)

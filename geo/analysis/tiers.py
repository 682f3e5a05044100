"""Cool places by tier (refuge / relief / any) and whether each is open by day, evening and night.

Pure: takes the built layers (any CRS), returns one row per place in Lambert-93.

Tiers (settings, ``[refuges.tiers]`` of ``data/analysis.toml``):

- **refuge**: a frail person can stay for hours: the official cool facilities of the refuge types
  (pools, bathing, bains-douches, libraries, museums, mairie, places of worship) and public parks
  and gardens (``type_ev`` « Promenades ouvertes » / « Bois ») of at least 1 ha
  (``surface_totale_reelle``, the drawn area where it is blank);
- **relief**: refuges plus relief on the way: misting posts, shade, boules pitches, every cool green
  space whatever its size, drinking fountains in service;
- **any**: the straight-line analysis' « any cool place » (cool green spaces and points, cool
  facilities, no fountains), kept as one tier among the others.

Opening: facilities from their published hours (``geo.analysis.hours``) on the reference day; a
mister or shade structure that "follows the park's hours", a fountain or a cool-green point inside
a green space take the status of that green space; green spaces are open by day, open in the
evening unless the setting says fenced ones close, and open at night when unfenced
(``presence_cloture`` « Non »), published as open 24 h (``ouvert_ferme`` « Oui »), or opened at
night by a heatwave measure (a setting listing ``nsq_espace_vert`` ids, each with its source).
Anything else unknown stays unknown (``<NA>``): never counted open, listed instead.

``why`` holds a code per place (``refuges.why.<code>`` in the UI), ``problems`` the hours that
could not be read (``geo.analysis.hours.Problem``).
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.analysis.hours import WeekKind, field_text, open_in_period, parse_week
from geo.analysis.refuge_settings import PERIOD_NAMES, TIERS, TierSettings
from geo.core.errors import AnalysisError
from geo.core.settings import METRIC_CRS

COLUMNS = ["fid", "source_id", "name", "layer", "place_type", "tier", "in_any",
           *[f"open_{p}" for p in PERIOD_NAMES], "why", "hours", "period_text", "problems",
           "heatwave_source", "geometry"]
_WEEK_WHY = {WeekKind.SCHEDULE: "schedule", WeekKind.ALWAYS_OPEN: "always_open",
             WeekKind.OUT_OF_SERVICE: "out_of_service", WeekKind.UNKNOWN: "unknown_hours"}


def yes_no(value: object) -> bool | None:
    """« Oui » / « O » → True, « Non » / « N » → False (any case); anything else → None."""
    text = field_text(value).strip().upper()
    return True if text in ("OUI", "O") else False if text in ("NON", "N") else None


def _num(series: pd.Series) -> np.ndarray:
    return pd.to_numeric(series.astype("object").replace("", np.nan), errors="coerce").to_numpy(float)


def _frame(rows: list[dict]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows or {c: [] for c in COLUMNS}, columns=COLUMNS, geometry="geometry",
                            crs=METRIC_CRS)


def green_open(fenced: bool | None, open_24h: bool | None, heatwave_night: bool,
               settings: TierSettings) -> tuple[dict[str, bool | None], str]:
    """Open status of a green space for each period, and why (a code)."""
    if open_24h or fenced is False:
        return dict.fromkeys(PERIOD_NAMES, True), "open_24h" if open_24h else "unfenced"
    evening = True if settings.fenced_open_evening else None
    if heatwave_night:
        return {"day": True, "evening": evening, "night": True}, "heatwave"
    if fenced is True:
        return {"day": True, "evening": evening, "night": False}, "fenced"
    return {"day": True, "evening": evening, "night": None}, "fencing_unknown"


def green_places(green: gpd.GeoDataFrame, settings: TierSettings) -> gpd.GeoDataFrame:
    """Cool green spaces with their tier and opening per period."""
    g = green.to_crs(METRIC_CRS)
    types = g["type_ev"] if "type_ev" in g.columns else pd.Series("", index=g.index)
    g = g[~types.isin(settings.excluded_green_types).to_numpy(bool)].copy()
    g["geometry"] = shapely.make_valid(g.geometry.values)
    area = _num(g["surface_totale_reelle"]) if "surface_totale_reelle" in g else np.full(len(g), np.nan)
    area = np.where(np.isnan(area), shapely.area(g.geometry.values), area)
    big = (area >= settings.refuge_green_min_m2) & g["type_ev"].isin(
        settings.refuge_green_types).to_numpy(bool) if len(g) else np.zeros(0, bool)
    sources = {item.id: item for item in settings.heatwave_night_green}
    rows = []
    for row, is_big in zip(g.to_dict("records"), big, strict=True):
        measure = sources.get(str(row.get("source_id", "")))
        status, why = green_open(yes_no(row.get("presence_cloture")), yes_no(row.get("ouvert_ferme")),
                                 measure is not None, settings)
        rows.append({"fid": row["fid"], "source_id": row.get("source_id", ""), "name": row["name"],
                     "layer": "green_spaces", "place_type": row["type_ev"],
                     "tier": "refuge" if is_big else "relief", "in_any": True,
                     **{f"open_{p}": status[p] for p in PERIOD_NAMES}, "why": why, "hours": "",
                     "period_text": "", "problems": (),
                     "heatwave_source": measure.source if measure else "", "geometry": row["geometry"]})
    return _frame(rows)


def _host_status(points: np.ndarray, green: gpd.GeoDataFrame, max_m: float
                 ) -> list[dict[str, bool | None] | None]:
    """Open status of the green space each point stands in (nearest within ``max_m``), or None."""
    out: list[dict[str, bool | None] | None] = [None] * len(points)
    if not len(green) or not len(points):
        return out
    tree = shapely.STRtree(green.geometry.values)
    src, dst = tree.query_nearest(points, max_distance=max_m, all_matches=False)
    status = green[[f"open_{p}" for p in PERIOD_NAMES]].to_numpy(object)
    for s, d in zip(src, dst, strict=True):
        out[s] = dict(zip(PERIOD_NAMES, status[d], strict=True))
    return out


def _reference_hours(row: Mapping[str, object], day: str) -> str:
    return field_text(row.get(f"horaires_{day}")).strip()


def facility_places(facilities: gpd.GeoDataFrame, green: gpd.GeoDataFrame,
                    settings: TierSettings) -> gpd.GeoDataFrame:
    """Official cool facilities with their tier and opening per period on the reference day."""
    f = facilities.to_crs(METRIC_CRS)
    records = f.to_dict("records")
    hosts = _host_status(f.geometry.values, green, settings.host_green_m)
    bounds = settings.period_bounds
    rows = []
    for row, host in zip(records, hosts, strict=True):
        week = parse_week(row)
        if week.kind is WeekKind.FOLLOWS_GREEN:
            status = host or dict.fromkeys(PERIOD_NAMES)
            why = "follows_green" if host else "follows_green_missing"
        else:
            status = {p: open_in_period(week, settings.reference_day, p, settings.min_open_minutes,
                                        bounds) for p in PERIOD_NAMES}
            why = _WEEK_WHY[week.kind]
        rows.append({"fid": row["fid"], "source_id": row.get("source_id", ""), "name": row["name"],
                     "layer": "cool_facilities", "place_type": row["kind"],
                     "tier": "refuge" if row["kind"] in settings.refuge_facility_types else "relief",
                     "in_any": True, **{f"open_{p}": status[p] for p in PERIOD_NAMES}, "why": why,
                     "hours": _reference_hours(row, settings.reference_day),
                     "period_text": week.period_text, "problems": week.problems,
                     "heatwave_source": "", "geometry": row["geometry"]})
    return _frame(rows)


def _point_places(points: gpd.GeoDataFrame, green: gpd.GeoDataFrame, max_m: float, layer: str,
                  place_type: pd.Series, in_any: bool, settings: TierSettings) -> gpd.GeoDataFrame:
    """Relief points that take the status of the green space they stand in; elsewhere a fountain
    is on the street (always open) and a cool-green point follows the unknown-fencing rule."""
    p = points.to_crs(METRIC_CRS)
    hosts = _host_status(p.geometry.values, green, max_m)
    alone, alone_why = ((dict.fromkeys(PERIOD_NAMES, True), "street") if layer == "fountains"
                        else green_open(None, None, False, settings))
    rows = [{"fid": row["fid"], "source_id": row.get("source_id", ""), "name": row["name"], "layer": layer,
             "place_type": kind, "tier": "relief", "in_any": in_any,
             **{f"open_{k}": (host or alone)[k] for k in PERIOD_NAMES},
             "why": "in_green" if host else alone_why, "hours": "", "period_text": "", "problems": (),
             "heatwave_source": "", "geometry": row["geometry"]}
            for row, host, kind in zip(p.to_dict("records"), hosts, place_type, strict=True)]
    return _frame(rows)


def classify(layers: Mapping[str, gpd.GeoDataFrame], settings: TierSettings) -> gpd.GeoDataFrame:
    """Every cool place of the build with its tier and opening per period (Lambert-93).

    Layers used when present: ``green_spaces``, ``cool_green_points`` (category filtered like the
    green spaces), ``cool_facilities``, ``fountains`` (in service: ``dispo`` « OUI »).
    """
    green = (green_places(layers["green_spaces"], settings) if "green_spaces" in layers
             else _frame([]))
    parts = [green]
    if "cool_facilities" in layers:
        parts.append(facility_places(layers["cool_facilities"], green, settings))
    if "cool_green_points" in layers:
        points = layers["cool_green_points"]
        category = points["location"] if "location" in points.columns else pd.Series("", index=points.index)
        points = points[~category.isin(settings.excluded_green_types).to_numpy(bool)]
        parts.append(_point_places(points, green, settings.host_green_m, "cool_green_points",
                                   points["kind"], True, settings))
    if "fountains" in layers:
        fountains = layers["fountains"]
        fountains = fountains[fountains["dispo"].fillna("").str.upper().str.strip() == "OUI"]
        parts.append(_point_places(fountains, green, 1.0, "fountains",
                                   pd.Series("Fontaine", index=fountains.index), False, settings))
    parts = [part for part in parts if len(part)]
    out = (gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=METRIC_CRS)
           if parts else _frame([]))
    for period in PERIOD_NAMES:  # nullable: True / False / <NA> (unknown)
        out[f"open_{period}"] = out[f"open_{period}"].astype("boolean")
    out["in_any"] = out["in_any"].astype(bool)
    return out


def select(places: gpd.GeoDataFrame, tier: str, period: str = "all",
           unknown_open: bool = False) -> gpd.GeoDataFrame:
    """The places of a tier (refuge ⊂ relief; any = the straight-line analysis' set), open at
    ``period`` ("all": whatever the hours).

    ``unknown_open`` counts places whose opening is unknown as open (a sensitivity figure only).

    Raises
    ------
    AnalysisError
        For an unknown tier or time of day.
    """
    if tier not in TIERS:
        raise AnalysisError(f"unknown tier {tier!r}: one of {TIERS}")
    if tier == "refuge":
        chosen = places[(places["tier"] == "refuge").to_numpy(bool)]
    elif tier == "relief":
        chosen = places
    else:
        chosen = places[places["in_any"].to_numpy(bool)]
    if period == "all":
        return chosen
    if period not in PERIOD_NAMES:
        raise AnalysisError(f"unknown time of day {period!r}: one of {('all', *PERIOD_NAMES)}")
    keep = chosen[f"open_{period}"].fillna(unknown_open).astype(bool)
    return chosen[keep.to_numpy(bool)]


def unknown_hours(places: gpd.GeoDataFrame) -> pd.DataFrame:
    """Places whose opening is unknown at some time of day, or whose published hours could not be
    read: one row per place, with why and the hours as published (listed, never guessed)."""
    unknown = places[[f"open_{p}" for p in PERIOD_NAMES]].isna().any(axis=1).to_numpy(bool)
    unread = places["problems"].map(len).to_numpy() > 0
    out = places[unknown | unread].drop(columns="geometry")
    return pd.DataFrame(out).reset_index(drop=True)

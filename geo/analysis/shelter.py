"""The study area as a host territory: shelter capacity of its sports halls, residents living in
the PPRI sectors of the neighbouring arrondissements, and the one against the other.

Pure functions, measurements in Lambert-93 (EPSG:2154); ``geo.analysis.hosting`` runs them on a
build.

Capacity
    The sports survey (Data ES) has one row per *equipment*; a site (« installation sportive »)
    can hold several. A site is a host site when it holds at least one equipment whose type is in
    ``ShelterSettings.host_kinds``. Its floor area is the sum of the « Surface de l'aire
    d'évolution » of those equipments (the playing floor, not the whole building), and its
    capacity ``floor(area / m2_per_person)``. A site none of whose host equipments has an area
    has an unknown capacity (``NaN``), never a guessed one.

Need
    INSEE 2022 population per IRIS × share of the IRIS's area inside the dissolved PPRI sectors
    (even density inside each IRIS: an areal interpolation). Streets, parks and offices hold no
    residents, so the figure is an estimate whose limits the page states.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import STRtree

from geo.analysis.facilities import GYMNASIUM_KIND, HALL_KIND, MANAGER, SITE_NUMBER
from geo.core.settings import METRIC_CRS

# --------------------------------------------------------------------------- Data ES fields
#: Official Data ES column names (kept verbatim by the build; see data/sources.toml ``sports``).
AREA = "Surface de l'aire d'évolution"
SHOWERS = "Présence de douches"
TOILETS = "Présence de sanitaires"
PMR = "Accessibilité aux personnes à mobilité réduite"
HEATING = "Types de chauffage - source d'énergie"
OUT_OF_SERVICE = "Installation hors-service"

_PMR_SPLIT = re.compile(r"[,;]")


@dataclass(frozen=True)
class ShelterSettings:
    """Settings of the capacity estimate (``[shelter]`` of ``data/analysis.toml``).

    Attributes
    ----------
    m2_per_person
        Floor area per sheltered person (m²). Default 3.5: the Sphere handbook's minimum covered
        floor area per person (shelter and settlement standard 3, « covered living space »).
    host_kinds
        Equipment types whose floor counts as shelter space.
    gymnasium_kinds
        Among ``host_kinds``, the types that make a site a « gymnasium » (the others make it a
        « sports hall »), as in ``geo.analysis.facilities``.
    step_free_items
        Items of the PMR accessibility list that must all be present for « step-free access ».
    """

    m2_per_person: float = 3.5
    host_kinds: tuple[str, ...] = (GYMNASIUM_KIND, HALL_KIND)
    gymnasium_kinds: tuple[str, ...] = (GYMNASIUM_KIND,)
    step_free_items: tuple[str, ...] = ("Accueil", "Cheminements")

    def __post_init__(self) -> None:
        if not (isinstance(self.m2_per_person, (int, float)) and math.isfinite(self.m2_per_person)
                and self.m2_per_person > 0):
            raise ValueError(f"m2_per_person must be a positive number, not {self.m2_per_person!r}")
        if not self.host_kinds:
            raise ValueError("host_kinds is empty: no site could be a host site")


# --------------------------------------------------------------------------- helpers
def _metric(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if gdf.crs is None:
        raise ValueError("a GeoDataFrame without CRS cannot be measured")
    return gdf if gdf.crs == METRIC_CRS else gdf.to_crs(METRIC_CRS)


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    """The column as text, blank when absent (older builds lack some Data ES fields)."""
    if name not in frame.columns:
        return pd.Series("", index=frame.index, dtype="string")
    return frame[name].astype("string").fillna("").str.strip()


def parse_flag(values: pd.Series) -> pd.Series:
    """Data ES booleans (« true » / « false », also « Oui » / « Non ») as a nullable boolean.

    Anything else (blank, unknown) is ``<NA>``: a missing answer is not a « no ».
    """
    text = values.astype("string").str.strip().str.lower()
    out = pd.Series(pd.NA, index=values.index, dtype="boolean")
    out[text.isin(["true", "oui", "1"]).fillna(False).to_numpy(bool)] = True
    out[text.isin(["false", "non", "0"]).fillna(False).to_numpy(bool)] = False
    return out


def pmr_items(value: object) -> frozenset[str]:
    """Items of the PMR accessibility list (« Accueil,Aire de jeu,Cheminements… »).

    The export separates items with commas, once with semicolons: both are accepted.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return frozenset()
    return frozenset(p.strip() for p in _PMR_SPLIT.split(str(value)) if p.strip())


def _any_known(flags: pd.Series) -> object:
    """True if any equipment says yes, False if all known answers say no, NA if none is known."""
    known = flags.dropna()
    if known.empty:
        return pd.NA
    return bool(known.any())


# --------------------------------------------------------------------------- capacity
SITE_COLUMNS = ["fid", "site", "name", "address", "quartier", "quartier_name", "category",
                "equipments", "area_m2", "area_missing", "capacity", "showers", "toilets",
                "step_free", "no_showers", "no_step_free", "heating", "manager", "rank", "geometry"]


def host_sites(sports: gpd.GeoDataFrame, settings: ShelterSettings,
               c_ar: int | None = None) -> gpd.GeoDataFrame:
    """One row per host site with its floor area, capacity and flags, in Lambert-93.

    Parameters
    ----------
    sports
        The built ``sports`` layer (one row per equipment): ``fid``, ``name``, ``kind``,
        ``address``, ``c_ar``, ``quartier``, ``quartier_name`` and the Data ES fields
        :data:`SITE_NUMBER`, :data:`AREA`, :data:`SHOWERS`, :data:`TOILETS`, :data:`PMR`,
        :data:`HEATING` (and optionally :data:`OUT_OF_SERVICE` and the manager).
    settings
        Host equipment types, m² per person, step-free items.
    c_ar
        Keep only the equipments of this arrondissement (``None``: all rows).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns :data:`SITE_COLUMNS`. ``fid`` is the first equipment (by ``fid``) of the site's
        category types, the same as ``geo.analysis.facilities.sports_sites`` picks, so the rows
        join the host candidates on ``fid``. ``capacity`` is ``floor(area_m2 / m2_per_person)``
        (float, ``NaN`` when no host equipment of the site has an area). ``area_missing`` counts
        host equipments without an area (their floor is not counted). ``showers``, ``toilets``,
        ``step_free`` are nullable booleans (any host equipment); ``no_showers`` /
        ``no_step_free`` are True only when the data says so. ``rank`` is the site's rank by
        capacity (1 = largest, ties share a rank, ``<NA>`` when unknown). Equipments marked out of service
        (« Installation hors-service » = oui) are left out. Sorted by capacity, largest first,
        unknown last.
    """
    rows = sports if c_ar is None else sports[sports["c_ar"] == c_ar]
    rows = _metric(rows)
    rows = rows[rows["kind"].isin(settings.host_kinds)]
    rows = rows[~parse_flag(_column(rows, OUT_OF_SERVICE)).fillna(False).to_numpy(bool)]
    if rows.empty:
        return gpd.GeoDataFrame({c: [] for c in SITE_COLUMNS[:-1]},
                                geometry=gpd.GeoSeries([], crs=METRIC_CRS))
    site_key = _column(rows, SITE_NUMBER)
    work = pd.DataFrame({
        "fid": rows["fid"].to_numpy(), "site": site_key.where(site_key != "", rows["fid"]).to_numpy(),
        "gym": rows["kind"].isin(settings.gymnasium_kinds).to_numpy(),
        "area": pd.to_numeric(_column(rows, AREA).str.replace(",", ".", regex=False),
                              errors="coerce").to_numpy(float),
        "showers": parse_flag(_column(rows, SHOWERS)).to_numpy(),
        "toilets": parse_flag(_column(rows, TOILETS)).to_numpy(),
        "pmr": [pmr_items(v) for v in _column(rows, PMR)],
        "pmr_known": (_column(rows, PMR) != "").to_numpy(),
        "heating": _column(rows, HEATING).to_numpy(),
        "manager": _column(rows, MANAGER).to_numpy(),
    }, index=rows.index)
    # a non-positive area is no area
    work.loc[~(work["area"] > 0), "area"] = np.nan
    needed = frozenset(settings.step_free_items)
    work["step_free"] = [needed <= items for items in work["pmr"]]

    out = []
    for site, group in work.groupby("site", sort=False):
        gym = bool(group["gym"].any())
        lead = group[group["gym"]] if gym else group
        lead_idx = lead.sort_values("fid").index[0]
        area = float(group["area"].sum(min_count=1)) if group["area"].notna().any() else float("nan")
        showers = _any_known(group["showers"].astype("boolean"))
        toilets = _any_known(group["toilets"].astype("boolean"))
        # the PMR list is blank when no item is accessible: blank = no step-free access
        step_free = bool(group["step_free"].any())
        heating = ";".join(sorted({h for v in group["heating"] for h in v.split(";") if h}))
        managers = ";".join(sorted({m for m in group["manager"] if m}))
        out.append({
            "fid": group.loc[lead_idx, "fid"], "site": site,
            "name": rows.loc[lead_idx, "name"], "address": rows.loc[lead_idx, "address"],
            "quartier": rows.loc[lead_idx, "quartier"],
            "quartier_name": rows.loc[lead_idx, "quartier_name"],
            "category": "gymnasium" if gym else "sports_hall", "equipments": len(group),
            "area_m2": area, "area_missing": int(group["area"].isna().sum()),
            "capacity": capacity(area, settings.m2_per_person),
            "showers": showers, "toilets": toilets, "step_free": step_free,
            "no_showers": showers is False, "no_step_free": not step_free,
            "heating": heating, "manager": managers,
            "geometry": rows.loc[lead_idx, "geometry"],
        })
    table = gpd.GeoDataFrame(out, geometry="geometry", crs=METRIC_CRS)
    for column in ("showers", "toilets"):
        table[column] = table[column].astype("boolean")
    table = table.sort_values(["capacity", "fid"], ascending=[False, True], na_position="last",
                              ignore_index=True)
    # 1 = largest capacity; ties share a rank; unknown capacity has no rank
    table["rank"] = table["capacity"].rank(method="min", ascending=False).astype("Int64")
    return table[SITE_COLUMNS]


def capacity(area_m2: float, m2_per_person: float) -> float:
    """People a floor of ``area_m2`` can shelter: ``floor(area / m2_per_person)``; NaN stays NaN."""
    if area_m2 is None or not math.isfinite(area_m2):
        return float("nan")
    return float(math.floor(area_m2 / m2_per_person + 1e-9))


def capacity_by_quartier(sites: pd.DataFrame) -> pd.DataFrame:
    """Capacity per quartier: ``quartier``, ``quartier_name``, ``sites``, ``sites_unknown``
    (sites of unknown capacity), ``area_m2``, ``capacity`` (known sites only)."""
    if len(sites) == 0:
        return pd.DataFrame(columns=["quartier", "quartier_name", "sites", "sites_unknown",
                                     "area_m2", "capacity"])
    grouped = sites.assign(_unknown=sites["capacity"].isna()).groupby(
        ["quartier", "quartier_name"], as_index=False, sort=True)
    return grouped.agg(sites=("fid", "size"), sites_unknown=("_unknown", "sum"),
                       area_m2=("area_m2", lambda s: float(s.sum())),
                       capacity=("capacity", lambda s: float(s.sum())))


@dataclass(frozen=True)
class CapacitySummary:
    """Capacity of all host sites: known capacity, floor area, site counts and flags."""

    sites: int
    sites_unknown: int
    area_m2: float
    capacity: float
    no_showers: int
    no_step_free: int


def capacity_summary(sites: pd.DataFrame) -> CapacitySummary:
    """Totals over :func:`host_sites` (unknown capacities are counted as sites, not as people)."""
    return CapacitySummary(
        sites=len(sites), sites_unknown=int(sites["capacity"].isna().sum()),
        area_m2=float(sites["area_m2"].sum()), capacity=float(sites["capacity"].sum()),
        no_showers=int(sites["no_showers"].sum()), no_step_free=int(sites["no_step_free"].sum()))


# --------------------------------------------------------------------------- need
IRIS_NEED_COLUMNS = ["source_id", "name", "c_ar", "population", "population_75_plus", "area_m2",
                     "zone_m2", "share", "residents", "residents_75_plus"]


def residents_in_zones(iris: gpd.GeoDataFrame, zones: shapely.Geometry,
                       arrondissements: Iterable[int]) -> pd.DataFrame:
    """Residents of each IRIS estimated to live inside the PPRI sectors (areal interpolation).

    Parameters
    ----------
    iris
        The built ``iris_population`` layer: ``source_id``, ``name``, ``c_ar``, ``population``,
        ``population_75_plus``, polygon geometry.
    zones
        Dissolved PPRI sectors in Lambert-93 (``geo.analysis.flood.dissolve_zones``).
    arrondissements
        Arrondissement numbers (``c_ar``) to keep. The build clips the IRIS to the study area's
        neighbours (plus a margin): only those arrondissements are complete.

    Returns
    -------
    pandas.DataFrame
        One row per IRIS of those arrondissements (:data:`IRIS_NEED_COLUMNS`): ``share`` = area
        inside the sectors / IRIS area, ``residents`` = population × share (not rounded).
    """
    keep = list(arrondissements)
    metric = _metric(iris)
    metric = metric[metric["c_ar"].isin(keep)]
    geoms = shapely.make_valid(metric.geometry.values)
    area = shapely.area(geoms)
    inside = np.zeros(len(metric))
    if len(metric) and zones is not None and not zones.is_empty:
        parts = shapely.get_parts(zones)
        iris_idx, part_idx = STRtree(parts).query(geoms, predicate="intersects")
        if len(iris_idx):
            # intersect each IRIS once with the union of the parts it touches
            for i in np.unique(iris_idx):
                touching = shapely.union_all(parts[part_idx[iris_idx == i]])
                inside[i] = shapely.area(shapely.intersection(geoms[i], touching))
    share = np.divide(inside, area, out=np.zeros_like(inside), where=area > 0)
    population = pd.to_numeric(metric["population"].astype("object"), errors="coerce").fillna(0.0)
    old = pd.to_numeric(metric["population_75_plus"].astype("object"), errors="coerce").fillna(0.0)
    out = pd.DataFrame({
        "source_id": metric["source_id"].astype(str).to_numpy(),
        "name": metric["name"].to_numpy(), "c_ar": metric["c_ar"].astype(int).to_numpy(),
        "population": population.to_numpy(float), "population_75_plus": old.to_numpy(float),
        "area_m2": area, "zone_m2": inside, "share": np.clip(share, 0.0, 1.0)})
    out["residents"] = out["population"] * out["share"]
    out["residents_75_plus"] = out["population_75_plus"] * out["share"]
    return out[IRIS_NEED_COLUMNS].sort_values("source_id", ignore_index=True)


def need_by_arrondissement(iris_need: pd.DataFrame, arrondissements: Iterable[int]) -> pd.DataFrame:
    """Per arrondissement: ``c_ar``, ``iris``, ``iris_in_zone`` (IRIS touching a sector),
    ``population``, ``residents``, ``residents_75_plus``, ``share_75_plus`` (75+ among the
    residents; NaN when there are none) and ``residents_share`` (of the arrondissement's
    population). Every requested arrondissement has a row, zeros when it has no sector."""
    keep = list(arrondissements)
    grouped = iris_need.assign(_in=iris_need["zone_m2"] > 0).groupby("c_ar").agg(
        iris=("source_id", "size"), iris_in_zone=("_in", "sum"), population=("population", "sum"),
        residents=("residents", "sum"), residents_75_plus=("residents_75_plus", "sum"))
    table = grouped.reindex(keep).fillna(0.0).rename_axis("c_ar").reset_index()
    table[["iris", "iris_in_zone"]] = table[["iris", "iris_in_zone"]].astype(int)
    table["share_75_plus"] = np.where(table["residents"] > 0,
                                      table["residents_75_plus"] / table["residents"].where(
                                          table["residents"] > 0, 1.0), np.nan)
    table["residents_share"] = np.where(table["population"] > 0,
                                        table["residents"] / table["population"].where(
                                            table["population"] > 0, 1.0), np.nan)
    return table


# --------------------------------------------------------------------------- capacity vs need
def capacity_vs_need(total_capacity: float, need: pd.DataFrame) -> pd.DataFrame:
    """The study area's capacity against the residents of each arrondissement's sectors.

    Returns ``need``'s ``c_ar``, ``residents``, ``residents_75_plus`` plus ``capacity`` and
    ``cover`` = capacity / residents (NaN when nobody lives in a sector: nothing to cover), and a
    last row ``c_ar`` = 0 for the total over those arrondissements.
    """
    rows = need[["c_ar", "residents", "residents_75_plus"]].copy()
    total = pd.DataFrame({"c_ar": [0], "residents": [rows["residents"].sum()],
                          "residents_75_plus": [rows["residents_75_plus"].sum()]})
    rows = pd.concat([rows, total], ignore_index=True)
    rows["capacity"] = float(total_capacity)
    rows["cover"] = np.where(rows["residents"] > 0,
                             rows["capacity"] / rows["residents"].where(rows["residents"] > 0, 1.0),
                             np.nan)
    return rows

"""The sheets (fiche équipement, fiche quartier): every figure about one facility or one quartier,
gathered from an :class:`geo.analysis.exposure.Analysis`, with the layers each comes from."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import shapely

from geo.analysis.access import COOL_KINDS, COOL_LAYERS
from geo.analysis.exposure import Analysis
from geo.core.errors import AnalysisError
from geo.core.settings import METRIC_CRS


@dataclass(frozen=True)
class NearestPlace:
    kind: str
    fid: str | None
    name: str | None
    distance_m: float
    minutes: float
    within: bool
    counted: bool


@dataclass(frozen=True)
class IrisInfo:
    code: str
    name: str
    heat_class: str
    heat_score: float
    population: float
    population_75_plus: float


@dataclass(frozen=True)
class FacilitySheet:
    fid: str
    layer: str
    category: str
    name: str
    address: str
    quartier: str
    quartier_name: str
    old: bool
    host_category: str | None
    nearest: tuple[NearestPlace, ...]
    within_target: bool
    best_min: float
    zone_m: float
    zone_fid: str | None
    zone: str | None
    iris: IrisInfo | None
    row: dict
    layers: tuple[str, ...]
    #: the candidate host site's row (capacity, flags, rank: geo.analysis.hosting), if it is one
    host: dict | None = None


@dataclass(frozen=True)
class QuartierSheet:
    code: str
    name: str
    figures: dict
    facilities: pd.DataFrame
    hosts: pd.DataFrame
    iris: pd.DataFrame
    councils: pd.DataFrame
    gap_cells: int
    layers: tuple[str, ...]


def _nearest(row: pd.Series, result: Analysis) -> tuple[NearestPlace, ...]:
    counted = result.settings.access.target_kinds
    return tuple(NearestPlace(kind, row[f"{kind}_fid"], row[f"{kind}_name"], float(row[f"{kind}_m"]),
                              float(row[f"{kind}_min"]), bool(row[f"{kind}_within"]), kind in counted)
                 for kind in COOL_KINDS)


def _iris_at(result: Analysis, point: shapely.Geometry) -> IrisInfo | None:
    if not len(result.iris):
        return None
    iris = result.iris.to_crs(METRIC_CRS)
    hits = iris[iris.geometry.covers(point)]
    if hits.empty:
        return None
    hit = hits.iloc[0]
    return IrisInfo(hit["source_id"], hit["name"], hit["heat_class"], float(hit["avg_heat_score"]),
                    float(hit["population"]), float(hit["population_75_plus"]))


def facility_ids(result: Analysis) -> list[str]:
    """The fids that have a sheet: the analysed facilities and the candidate host sites."""
    return list(dict.fromkeys([*result.facilities["fid"], *result.hosts["fid"]]))


def facility_sheet(result: Analysis, fid: str) -> FacilitySheet:
    """The sheet of one facility (from the access analysis or the host candidates).

    Raises
    ------
    AnalysisError
        When ``fid`` is not a facility of the study area (e.g. a stale or mistyped URL).
    """
    fac = result.facilities[result.facilities["fid"] == fid]
    hosts = result.hosts[result.hosts["fid"] == fid]
    if fac.empty and hosts.empty:
        raise AnalysisError(f"no sheet for '{fid}': not a facility of the study area in build "
                            f"{result.build_id}")
    row = (fac if len(fac) else hosts).iloc[0]
    host = hosts.iloc[0]["category"] if len(hosts) else None
    layers = (row["layer"], "ppri", *(layer for kind in COOL_KINDS for layer in COOL_LAYERS[kind]),
              "iris_heat", "iris_population")
    return FacilitySheet(
        fid=fid, layer=row["layer"], category=row["category"] if len(fac) else host,
        name=row["name"], address=row["address"] or "", quartier=row["quartier"],
        quartier_name=row["quartier_name"], old=bool(row["old"]), host_category=host,
        nearest=_nearest(row, result), within_target=bool(row["within_target"]),
        best_min=float(row["best_min"]), zone_m=float(row["zone_m"]), zone_fid=row["zone_fid"],
        zone=row["zone"], iris=_iris_at(result, row.geometry),
        row={k: v for k, v in row.items() if k != "geometry"},
        layers=tuple(dict.fromkeys(layers)),
        host={k: v for k, v in hosts.iloc[0].items() if k != "geometry"} if len(hosts) else None)


def quartier_sheet(result: Analysis, code: str) -> QuartierSheet:
    """The sheet of one quartier of the study area.

    Raises
    ------
    AnalysisError
        When ``code`` is not a quartier of the study area.
    """
    match = result.quartiers[result.quartiers["quartier"] == str(code)]
    if match.empty:
        raise AnalysisError(f"no sheet for quartier '{code}': not a quartier of the study area")
    figures = match.iloc[0].to_dict()
    fac = result.facilities[result.facilities["quartier"] == str(code)]
    fac = pd.DataFrame(fac.drop(columns="geometry")).sort_values("best_min", ascending=False)
    hosts = pd.DataFrame(result.hosts[result.hosts["quartier"] == str(code)].drop(columns="geometry"))
    iris = (pd.DataFrame(result.iris[result.iris["quartier"] == str(code)].drop(columns="geometry"))
            if len(result.iris) else pd.DataFrame())
    councils = (pd.DataFrame(result.councils[result.councils["quartier"] == str(code)]
                             .drop(columns="geometry")) if len(result.councils) else pd.DataFrame())
    gaps = result.gap_cells()
    return QuartierSheet(code=str(code), name=figures["name"], figures=figures, facilities=fac,
                         hosts=hosts, iris=iris, councils=councils,
                         gap_cells=int((gaps["quartier"] == str(code)).sum()),
                         layers=result.layers)


def sheet_options(result: Analysis) -> tuple[dict[str, str], dict[str, str]]:
    """Labels of every sheet for pickers: facilities (fid → label) and quartiers (code → name)."""
    frames = [result.facilities[["fid", "name", "category"]], result.hosts[["fid", "name", "category"]]]
    both = pd.concat(frames).drop_duplicates("fid").sort_values("name")
    facilities = dict(zip(both["fid"], both["name"], strict=True))
    quartiers = dict(zip(result.quartiers["quartier"], result.quartiers["name"], strict=True))
    return facilities, quartiers

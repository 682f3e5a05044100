"""The sheets (fiche équipement, fiche quartier): every figure about one facility or one quartier,
gathered from an :class:`geo.analysis.exposure.Analysis`, with the layers each comes from."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import shapely

from geo.actions.catalogue import Catalogue
from geo.actions.model import FeatureLink
from geo.analysis.access import COOL_KINDS, COOL_LAYERS
from geo.analysis.exposure import Analysis
from geo.core.errors import AnalysisError
from geo.core.i18n import number, t
from geo.core.settings import METRIC_CRS
from geo.core.text import escape_md, markdown_table


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


def action_lines(catalogue: Catalogue, links: list[FeatureLink], lang: str) -> list[str]:
    """The actions linked to a facility, one markdown line each for its printable sheet:
    title, framework, why it is linked, its status for this site, its first source (plain
    text: a printed sheet has no links). Every value is escaped."""
    lines = []
    for link in links:
        action = link.action
        framework = catalogue.frameworks[action.framework].title.get(lang)
        status = "".join(f" **{escape_md(s.get(lang))}**" for s in link.statuses)
        cite = f" — {escape_md(action.sources[0].label)}" if action.sources else ""
        lines.append(f"- **{escape_md(action.display_title(lang))}** (*{escape_md(framework)}*) — "
                     f"{escape_md(link.notes[0].get(lang))}{status}{cite}")
    return lines


def _yes(value: bool, lang: str) -> str:
    return t("expo.yes" if value else "expo.no", lang)


def _head(keys: tuple[str, ...], lang: str) -> list[str]:
    return [t(f"expo.col.{key}", lang) for key in keys]


def facility_tables(sheet: FacilitySheet, target_minutes: float, lang: str) -> tuple[str, str]:
    """The facility sheet's two tables as markdown (real text when printed): its headline
    figures (walk to the nearest counted cool place, within the target, distance to the PPRI)
    and the nearest cool place of each kind."""
    figures = markdown_table(
        [t("expo.sheet.best_min", lang), t("expo.sheet.within", lang, minutes=f"{target_minutes:g}"),
         t("expo.sheet.zone_m", lang)],
        [[f"**{number(sheet.best_min, lang, 1)} min**", f"**{_yes(sheet.within_target, lang)}**",
          f"**{number(sheet.zone_m, lang)} m**"]])
    nearest = markdown_table(
        _head(("kind", "name", "distance_m", "walk_min", "within", "counted"), lang),
        [[t(f"expo.kind.{p.kind}", lang), escape_md(p.name or "—"), number(p.distance_m, lang),
          number(p.minutes, lang, 1), _yes(p.within, lang), _yes(p.counted, lang)]
         for p in sheet.nearest])
    return figures, nearest


def quartier_figures_table(sheet: QuartierSheet, target_minutes: float, lang: str) -> str:
    """The quartier sheet's headline figures as a markdown table."""
    f = sheet.figures
    return markdown_table(
        [t("expo.sheet.area_within", lang, minutes=f"{target_minutes:g}"),
         *_head(("facilities_outside", "population"), lang), t("expo.sheet.zone_m", lang)],
        [[f"**{f['share_within']:.1%}**", f"**{f['facilities_outside']} / {f['facilities']}**",
          f"**{number(f.get('population', float('nan')), lang)}**",
          f"**{number(f['zone_m'], lang)} m**"]])


def quartier_tables(sheet: QuartierSheet, lang: str,
                    sheet_link: Callable[[str], str]) -> list[tuple[str, str]]:
    """The quartier sheet's lists as (heading, markdown table): its facilities (each linked to
    its own sheet by ``sheet_link(fid)``), the flood host sites and the conseils de quartier's
    heat vulnerability, the last two only when there are some."""
    tables = [(t("expo.sheet.facilities", lang), markdown_table(
        _head(("name", "category", "best_min", "within"), lang),
        [[f"[{escape_md(r.name)}]({sheet_link(r.fid)})", t(f"expo.category.{r.category}", lang),
          number(r.best_min, lang, 1), _yes(r.within_target, lang)]
         for r in sheet.facilities.itertuples()]))]
    if len(sheet.hosts):
        tables.append((t("expo.flood.hosts", lang), markdown_table(
            [*_head(("name", "category", "zone_m"), lang), t("host.col.capacity", lang)],
            [[escape_md(r.name), t(f"expo.category.{r.category}", lang), number(r.zone_m, lang),
              number(r.capacity, lang) if r.capacity == r.capacity else t("host.unknown", lang)]
             for r in sheet.hosts.itertuples()])))
    if len(sheet.councils):
        tables.append((t("expo.heat.councils", lang), markdown_table(
            _head(("council", "vuln_day", "vuln_night"), lang),
            [[escape_md(r.name), number(r.vulnj_note, lang, 2), number(r.vulnn_note, lang, 2)]
             for r in sheet.councils.itertuples()])))
    return tables

"""The printable « fiche équipement »: one static A4 page built from the analyses.

In order: the title with the QR code back to the live view (the facility selected, its
surroundings); the headline figures; the map; heat (its walking time to the nearest open refuge
against the other facilities of its quartier, a chart with its numbers beside it, then its nearest
cool places); flood (distance to the PPRI, and for a host site its capacity and flags); the
resilience actions linked to it; the sources.
"""

from __future__ import annotations

import math

import geopandas as gpd
import shapely

from geo.analysis import refuges as refuges_mod
from geo.analysis.access import COOL_KINDS
from geo.analysis.exposure import Analysis
from geo.core.errors import AnalysisError
from geo.core.i18n import number, t
from geo.core.settings import METRIC_CRS, STORE_CRS
from geo.map import printmap
from geo.map.state import MapState
from geo.reports import hosting as host_text
from geo.reports import sheet_figures, sheet_parts, sheet_view
from geo.reports.charts import Reference, StripRow, dot_strip, nice_max
from geo.reports.document import Document, Html, key_figures, tag
from geo.reports.sheet_common import (
    HEADLINE_TIER,
    SheetInputs,
    chart_block,
    method_note,
    minutes_text,
    time_label,
)
from geo.reports.sheets import FacilitySheet, facility_sheet


def _position_chart(inputs: SheetInputs, sheet: FacilitySheet) -> Html:
    """Its walking minutes to the nearest open refuge per time of day, among the facilities of
    its quartier (grey dots), with the target."""
    lang, refuges = inputs.lang, inputs.refuges
    position = sheet_figures.facility_position(refuges, sheet.fid, HEADLINE_TIER, inputs.speed)
    if position is None:
        return tag("p", t("sheet.f.no_position", lang), class_="muted")
    target = refuges.target_minutes
    finite = [v for row in position["others"] for v in row if math.isfinite(v)]
    axis = nice_max(min(max(finite, default=target), 6 * target), 2 * target)
    # by time of day (the opening hours ignored is the quartier sheet's: one page here)
    position = position[position["time"] != "all"]
    rows = [StripRow(time_label(refuges, r.time, lang, short=True), list(r.others), r.minutes,
                     minutes_text(r.minutes, lang)) for r in position.itertuples()]
    title = t("sheet.f.position_title", lang, quartier=sheet.quartier_name)
    svg = dot_strip(rows, axis, title, t("sheet.q.walk_axis", lang),
                    Reference(target, t("sheet.target", lang, minutes=f"{target:g}")))
    table_rows = [[time_label(refuges, r.time, lang, short=True), minutes_text(r.minutes, lang),
                   minutes_text(r.median, lang), f"{r.within} / {r.count}",
                   f"{r.rank} / {r.count}"] for r in position.itertuples()]
    headers = [t("refuges.col.time", lang), t("sheet.f.col.this", lang), t("sheet.f.col.median", lang),
               t("sheet.f.col.within", lang, minutes=f"{target:g}"), t("sheet.f.col.rank", lang)]
    count = int(position["count"].iloc[0])
    note = " ".join([t("sheet.f.position_note", lang, count=count), method_note(inputs, short=True)])
    return chart_block(title, svg, t("sheet.chart.alt", lang, title=title), headers, table_rows,
                       (1, 2, 3), note)


def _nearest(inputs: SheetInputs, sheet: FacilitySheet) -> Html:
    """The nearest cool place of each kind in one sentence (straight line × detour: the access
    analysis, whose estimate the headline « lieu frais le plus proche » is)."""
    lang = inputs.lang
    acc = inputs.result.settings.access
    sep = " ; " if lang == "fr" else "; "
    places = sep.join(t("sheet.f.nearest_item", lang, kind=t(f"expo.kind.{p.kind}", lang), name=p.name or "—",
                        metres=number(p.distance_m, lang), minutes=number(p.minutes, lang, 1))
                      for p in sheet.nearest if p.kind in COOL_KINDS)
    return tag("p", t("sheet.f.nearest", lang, places=places, detour=number(acc.detour_factor, lang, 1),
                      speed=number(acc.walking_speed_kmh, lang, 1)), class_="note")


def facility_document(inputs: SheetInputs, fid: str, period: str) -> Document:
    """The sheet of facility ``fid`` with its map at ``period`` (day, evening, night).

    Raises
    ------
    AnalysisError
        When ``fid`` is not a facility of the study area.
    """
    lang, result = inputs.lang, inputs.result
    period = sheet_view.check_period(period)
    sheet = facility_sheet(result, fid)
    refuges = inputs.refuges
    point = facility_point(result, fid)
    state = live_state(result, fid, period)
    title = t("sheet.f.title", lang, name=sheet.name)
    doc = Document(lang, f"{title} — {t('sheet.app', lang)}")
    category = t(f"expo.category.{sheet.category}", lang)
    lead = [" · ".join(part for part in (category, sheet.address,
                                         t("sheet.f.in_quartier", lang, name=sheet.quartier_name),
                                         t("sheet.f.lead", lang, area=result.area_name,
                                           date=str(inputs.manifest.get("built_at", ""))[:10])) if part)]
    doc.add(sheet_parts.header(title, lead, sheet_view.live_url(inputs.root, state, lang),
                               sheet_view.short_url(inputs.root, fid, period, lang), lang))

    position = sheet_figures.facility_position(refuges, fid, HEADLINE_TIER, inputs.speed)
    figures = []
    if position is not None:
        by_time = position.set_index("time")["minutes"]
        figures += [(minutes_text(by_time["day"], lang), t("sheet.f.fig.day", lang)),
                    (minutes_text(by_time["night"], lang), t("sheet.f.fig.night", lang))]
    figures.append((f"{number(sheet.best_min, lang, 1)} min", t("sheet.f.fig.cool", lang)))
    figures.append((f"{number(sheet.zone_m, lang)} m", t("sheet.q.fig.flood", lang)))
    capacity = float(sheet.host.get("capacity", math.nan)) if sheet.host else math.nan
    if math.isfinite(capacity):  # an unknown capacity is said in the flood section, never guessed
        figures.append((number(capacity, lang), t("sheet.f.fig.capacity", lang)))
    doc.add(key_figures(figures))
    if sheet.old:
        doc.paragraph(t("expo.heat.creche_note", lang), class_="note")

    frame = printmap.frame_around(point.x, point.y, sheet_view.FACILITY_SPAN_M, *sheet_view.FACILITY_MAP_PX)
    own = inputs.frame_of(sheet.layer) if sheet.layer in inputs.info else None
    highlight = own[own["fid"] == fid] if own is not None else None
    drawn = sheet_view.sheet_map(state, inputs.frame_of, inputs.info, inputs.kinds, frame,
                                 t("sheet.f.where", lang, name=sheet.name), lang,
                                 {"highlight": highlight} if highlight is not None and len(highlight) else {})
    doc.section(t("sheet.map.title", lang), sheet_view.map_figure(
        drawn, t("sheet.map.time_note", lang, time=time_label(refuges, period, lang),
                 speed=number(inputs.speed, lang, 1)), lang))

    doc.section(t("sheet.heat.title", lang), _position_chart(inputs, sheet), _nearest(inputs, sheet))

    hosting = host_text.host_lines(sheet, result, lang)
    if hosting:  # the distance to the PPRI is a headline figure; a host site says more
        flood = [t("expo.sheet.flood_text", lang, metres=number(sheet.zone_m, lang), zone=sheet.zone),
                 *hosting]
        doc.section(t("sheet.flood.title", lang), tag("p", " ".join(flood)))

    # the built layer's row, as the map's details panel matches it (all official fields)
    hit = own[own["fid"] == fid] if own is not None and sheet.layer in inputs.manifest["layers"] else None
    row = hit.drop(columns=hit.geometry.name).iloc[0].to_dict() if hit is not None and len(hit) else sheet.row
    doc.section(t("sheet.actions.title", lang), sheet_parts.actions_block(
        inputs.catalogue, inputs.catalogue_error, lang,
        lambda catalogue: sheet_parts.feature_actions(catalogue, catalogue.feature_links(sheet.layer, row),
                                                      lang)),
        keep=False)
    used = (*state.layers, "ppri", refuges_mod.GRAPH_LAYER)
    doc.section(t("sheet.sources.title", lang),
                sheet_parts.provenance(inputs.manifest, used, inputs.info, lang), keep=False)
    return doc


def facility_point(result: Analysis, fid: str) -> shapely.Point:
    """The facility's point (Lambert-93), as the analyses place it (access facilities first, then
    the host sites).

    Raises
    ------
    AnalysisError
        When ``fid`` is not a facility of the study area.
    """
    for frame in (result.facilities, result.hosts):
        hit = frame[frame["fid"] == fid]
        if len(hit):
            return hit.geometry.iloc[0]
    raise AnalysisError(f"no sheet for '{fid}': not a facility of the study area")


def live_state(result: Analysis, fid: str, period: str) -> MapState:
    """The live map view of the facility's sheet (its QR code and short link).

    Raises
    ------
    AnalysisError
        When ``fid`` is not a facility of the study area.
    """
    point = gpd.GeoSeries([facility_point(result, fid)], crs=METRIC_CRS).to_crs(STORE_CRS).iloc[0]
    return sheet_view.facility_state(fid, fid.split(":", 1)[0], point.y, point.x,
                                     sheet_view.check_period(period))

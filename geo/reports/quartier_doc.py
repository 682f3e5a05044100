"""The printable « fiche quartier »: one static A4 document (1–2 pages) built from the analyses.

In order: the title with the QR code back to the live view; the headline figures; the map of the
quartier (the live map's view, its legend and attribution); heat refuges (the walking time of the
people aged 75+ by tier and time of day, those outside the target) and flood hosting (capacity
against need), each chart with its numbers beside it; the resilience actions concerning what the
map shows; the sources. The long lists (facilities, host sites, conseils de quartier) are an
annex, printed only when asked.
"""

from __future__ import annotations

import numpy as np

from geo.analysis import hosting, hosting_text, refuge_figures
from geo.analysis import refuges as refuges_mod
from geo.analysis.refuge_settings import TIERS, TIMES
from geo.core.errors import AnalysisError
from geo.core.i18n import number, t
from geo.map import printmap
from geo.reports import sheet_figures, sheet_parts, sheet_view
from geo.reports.charts import Bar, Reference, bar_chart, nice_max
from geo.reports.document import Document, Html, esc, join, key_figures, table, tag
from geo.reports.sheet_common import (
    HEADLINE_TIER,
    SheetInputs,
    chart_block,
    method_note,
    minutes_text,
    time_label,
)
from geo.reports.sheets import quartier_sheet


def _pct(share: float, lang: str) -> str:
    return "—" if share != share else hosting_text.percent(share, lang)


def _walk_chart(inputs: SheetInputs, code: str) -> Html:
    """Median walking minutes of the quartier's people aged 75+ per tier and time of day; the
    table beside gives, per tier (rows) and time (columns), the median and the share within the
    target."""
    lang, refuges = inputs.lang, inputs.refuges
    walk = sheet_figures.quartier_walk(refuges, code, inputs.speed)
    target = refuges.target_minutes
    finite = walk["median_min"].replace(np.inf, np.nan)
    axis = nice_max(float(np.nanmax([finite.max(), 2 * target])), 10)
    groups = [(t(f"refuges.tier_short.{tier}", lang),
               [Bar(time_label(refuges, r.time, lang, short=True), r.median_min,
                    minutes_text(r.median_min, lang))
                for r in walk[walk["tier"] == tier].itertuples()]) for tier in TIERS]
    title = t("sheet.q.walk_title", lang, speed=number(inputs.speed, lang, 1))
    svg = bar_chart(groups, axis, title, t("sheet.q.walk_axis", lang),
                    [Reference(target, t("sheet.target", lang, minutes=f"{target:g}"))], width=390)
    cells = walk.set_index(["tier", "time"])
    rows = [[t(f"refuges.tier_short.{tier}", lang),
             *(Html(f"{esc(minutes_text(cells.loc[(tier, time), 'median_min'], lang))}<br>"
                    f"{esc(_pct(cells.loc[(tier, time), 'share_within'], lang))}") for time in TIMES)]
            for tier in TIERS]
    headers = [t("refuges.col.tier", lang), *(time_label(refuges, time, lang, short=True) for time in TIMES)]
    note = t("sheet.q.walk_note", lang, minutes=f"{target:g}")
    return chart_block(title, svg, t("sheet.chart.alt", lang, title=title), headers, rows, (1, 2, 3, 4),
                       note)


def _outside_chart(inputs: SheetInputs, code: str) -> Html:
    """People aged 75+ of the quartier outside the refuge target, per time of day, with the
    counted facilities outside beside."""
    lang, refuges = inputs.lang, inputs.refuges
    walk = sheet_figures.quartier_walk(refuges, code, inputs.speed)
    walk = walk[walk["tier"] == HEADLINE_TIER]
    total = float(walk["p75"].iloc[0]) if len(walk) else 0.0
    bars = [Bar(time_label(refuges, r.time, lang, short=True), r.p75_outside,
                f"{number(r.p75_outside, lang)} ({_pct(1 - r.share_within, lang)})")
            for r in walk.itertuples()]
    title = t("sheet.q.outside_title", lang, minutes=f"{refuges.target_minutes:g}")
    svg = bar_chart([("", bars)], nice_max(total, 10), title, t("sheet.q.outside_axis", lang),
                    [Reference(total, t("sheet.q.outside_total", lang, people=number(total, lang)))],
                    tick_text=lambda value: number(value, lang))
    rows = []
    for time in TIMES:
        who = refuges_by_quartier(inputs, time).get(code, {})
        row = walk[walk["time"] == time].iloc[0]
        rows.append([time_label(refuges, time, lang, short=True), number(row["p75_outside"], lang),
                     str(sum(who.values()))])
    headers = [t("refuges.col.time", lang), t("sheet.col.p75_outside", lang),
               t("sheet.col.facilities_outside", lang)]
    note = t("sheet.q.outside_note", lang, tier=t(f"refuges.tier.{HEADLINE_TIER}", lang))
    return chart_block(title, svg, t("sheet.chart.alt", lang, title=title), headers, rows, (1, 2), note)


def refuges_by_quartier(inputs: SheetInputs, time: str) -> dict[str, dict[str, int]]:
    """Per quartier, the counted facilities outside the refuge target at ``time``, by category."""
    table_ = refuge_figures.by_area(inputs.refuges, HEADLINE_TIER, time, inputs.speed, "quartier")
    return {row["code"]: {c: int(row[f"out_{c}"]) for c in refuge_figures.WHO_ORDER}
            for _, row in table_.iterrows()}


def _capacity_chart(inputs: SheetInputs, code: str, name: str) -> Html:
    """Residents of the neighbours' flood sectors against the study area's and the quartier's
    shelter capacity."""
    lang, result = inputs.lang, inputs.result
    need = sheet_figures.capacity_need(result, code)
    if need is None:
        return tag("p", t("sheet.q.no_hosting", lang), class_="muted")
    cover = need.cover
    labels = [t("host.cover.total", lang) if c == 0 else t("host.arr", lang, c_ar=int(c))
              for c in cover["c_ar"]]
    bars = [Bar(label, r.residents, number(r.residents, lang))
            for label, r in zip(labels, cover.itertuples(), strict=True)]
    axis = nice_max(max(float(cover["residents"].max()), need.capacity), 10)
    title = t("sheet.q.capacity_title", lang)
    refs = [Reference(need.capacity, t("sheet.q.capacity_area", lang, people=number(need.capacity, lang),
                                       area=t("host.arr", lang, c_ar=result.c_ar))),
            Reference(need.quartier_capacity, t("sheet.q.capacity_quartier", lang, name=name,
                                                people=number(need.quartier_capacity, lang)))]
    svg = bar_chart([("", bars)], axis, title, t("sheet.q.capacity_axis", lang), refs,
                    tick_text=lambda value: number(value, lang))
    rows = [[label, number(r.residents, lang), number(r.residents_75_plus, lang),
             t("host.cover.no_sector", lang) if r.cover != r.cover else _pct(r.cover, lang)]
            for label, r in zip(labels, cover.itertuples(), strict=True)]
    headers = [t("expo.col.arrondissement", lang), t("host.col.residents_short", lang),
               t("host.col.residents_75_short", lang),
               t("sheet.col.cover", lang, area=t("host.arr", lang, c_ar=result.c_ar))]
    note = t("sheet.q.capacity_note", lang, m2=number(need.m2_per_person, lang, 1))
    return chart_block(title, svg, t("sheet.chart.alt", lang, title=title), headers, rows, (1, 2, 3), note)


def _annex(inputs: SheetInputs, code: str) -> Html:
    """The long lists: facilities (farthest from a cool place first), host sites, councils."""
    lang = inputs.lang
    sheet = quartier_sheet(inputs.result, code)
    parts = [tag("h2", t("sheet.annex.title", lang))]
    yes_no = {True: t("expo.yes", lang), False: t("expo.no", lang)}
    parts.append(table([t("expo.col.name", lang), t("expo.col.category", lang), t("expo.col.best_min", lang),
                        t("expo.col.within", lang)],
                       [[r.name, t(f"expo.category.{r.category}", lang), number(r.best_min, lang, 1),
                         yes_no[bool(r.within_target)]] for r in sheet.facilities.itertuples()],
                       caption=t("expo.sheet.facilities", lang), numeric=(2,)))
    if len(sheet.hosts):
        parts.append(table([t("expo.col.name", lang), t("expo.col.category", lang),
                            t("expo.col.zone_m", lang), t("host.col.capacity", lang)],
                           [[r.name, t(f"expo.category.{r.category}", lang), number(r.zone_m, lang),
                             number(r.capacity, lang) if r.capacity == r.capacity
                             else t("host.unknown", lang)]
                            for r in sheet.hosts.itertuples()],
                           caption=t("expo.flood.hosts", lang), numeric=(2, 3)))
    if len(sheet.councils):
        parts.append(table([t("expo.col.council", lang), t("expo.col.vuln_day", lang),
                            t("expo.col.vuln_night", lang)],
                           [[r.name, number(r.vulnj_note, lang, 2), number(r.vulnn_note, lang, 2)]
                            for r in sheet.councils.itertuples()],
                           caption=t("expo.heat.councils", lang), numeric=(1, 2)))
        parts.append(tag("p", t("expo.heat.derived_note", lang), class_="note"))
    return tag("section", join(parts), class_="annex")


def quartier_document(inputs: SheetInputs, code: str, period: str, annex: bool = False) -> Document:
    """The sheet of quartier ``code`` with its map at ``period`` (day, evening, night); with
    ``annex``, the long lists after a page break.

    Raises
    ------
    AnalysisError
        When ``code`` is not a quartier of the study area.
    """
    lang, result = inputs.lang, inputs.result
    period = sheet_view.check_period(period)
    sheet = quartier_sheet(result, code)
    refuges = inputs.refuges
    title = t("sheet.q.title", lang, name=sheet.name)
    doc = Document(lang, f"{title} — {t('sheet.app', lang)}")
    state = sheet_view.quartier_state(sheet.code, period)
    lead = [t("sheet.q.lead", lang, area=result.area_name, code=sheet.code,
              date=str(inputs.manifest.get("built_at", ""))[:10])]
    doc.add(sheet_parts.header(title, lead, sheet_view.live_url(inputs.root, state, lang),
                               sheet_view.short_url(inputs.root, sheet.code, period, lang), lang))

    walk = sheet_figures.quartier_walk(refuges, sheet.code, inputs.speed).set_index(["tier", "time"])
    day, night = walk.loc[(HEADLINE_TIER, "day")], walk.loc[(HEADLINE_TIER, "night")]
    need = sheet_figures.capacity_need(result, sheet.code)
    minutes = f"{refuges.target_minutes:g}"
    doc.add(key_figures([
        (number(day["p75"], lang), t("sheet.q.fig.p75", lang)),
        (_pct(day["share_within"], lang), t("sheet.q.fig.day", lang, minutes=minutes)),
        (_pct(night["share_within"], lang), t("sheet.q.fig.night", lang, minutes=minutes)),
        *([(number(need.quartier_capacity, lang), t("sheet.q.fig.capacity", lang, sites=need.quartier_sites))]
          if need is not None else []),
        (f"{number(sheet.figures['zone_m'], lang)} m", t("sheet.q.fig.flood", lang)),
    ]))

    quartiers = inputs.frame_of("quartiers")
    outline = quartiers[quartiers["source_id"].astype(str) == sheet.code]
    if outline.empty:
        raise AnalysisError(f"quartier {sheet.code} has no outline in the build")
    frame = printmap.frame_for(sheet_view.metric_bounds(outline), *sheet_view.QUARTIER_MAP_PX)
    drawn = sheet_view.sheet_map(state, inputs.frame_of, inputs.info, inputs.kinds, frame,
                                 t("sheet.q.where", lang, name=sheet.name), lang, {"quartier": outline})
    doc.section(t("sheet.map.title", lang), sheet_view.map_figure(
        drawn, t("sheet.map.time_note", lang, time=time_label(refuges, period, lang),
                 speed=number(inputs.speed, lang, 1)), lang))

    doc.section(t("sheet.heat.title", lang), tag("p", method_note(inputs), class_="note"),
                _walk_chart(inputs, sheet.code))
    doc.add(_outside_chart(inputs, sheet.code))

    lines = [hosting_text.distance_sentence(result, lang)]
    if need is not None:
        lines.append(t("sheet.q.capacity_text", lang, name=sheet.name,
                       people=number(need.quartier_capacity, lang), sites=need.quartier_sites,
                       share=_pct(need.quartier_capacity / need.capacity if need.capacity
                                  else float("nan"), lang),
                       total=number(need.capacity, lang), area=t("host.arr", lang, c_ar=result.c_ar)))
    doc.section(t("sheet.flood.title", lang), tag("p", " ".join(lines)),
                _capacity_chart(inputs, sheet.code, sheet.name))

    doc.section(t("sheet.actions.title", lang), sheet_parts.actions_block(
        inputs.catalogue, inputs.catalogue_error, lang,
        lambda catalogue: sheet_parts.layer_actions(catalogue, state.layers, lang)))

    used = (*state.layers, *refuges_mod.REFUGE_LAYERS, *hosting.SHELTER_LAYERS,
            *(("cq_climate",) if annex else ()))
    doc.section(t("sheet.sources.title", lang),
                sheet_parts.provenance(inputs.manifest, used, inputs.info, lang))
    if annex:
        doc.add(_annex(inputs, sheet.code))
    return doc

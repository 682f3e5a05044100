"""The straight-line access tables of « Chaleur » (the analysis before the street graph): every
kind of cool place, the quartiers, the facilities with their nearest place of each kind, the
grid cells outside the target, and the heat indicators per IRIS and conseil de quartier
(tables as text: ``geo.ui.tables``).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.analysis.access import COOL_KINDS
from geo.analysis.exposure import ACCESS_LAYERS, HEAT_LAYERS, Analysis, method_text
from geo.analysis.facilities import ACCESS_CATEGORIES
from geo.ui import analysis as analysis_ui
from geo.ui import base as ui
from geo.ui import tables


def straight_line_sections(result: Analysis) -> None:
    """« Tout lieu frais à vol d'oiseau »: the figures, per kind, per quartier, per facility."""
    acc = result.settings.access
    fac = result.facilities
    st.write(ui.t("expo.heat.intro", minutes=f"{acc.target_minutes:g}"))
    c1, c2, c3 = st.columns(3)
    c1.metric(ui.t("expo.heat.area_share"), f"{result.study_share:.1%}")
    c2.metric(ui.t("expo.heat.population_share"), f"{result.population_share:.1%}")
    c3.metric(ui.t("expo.heat.facilities_share"), f"{int(fac['within_target'].sum())} / {len(fac)}")
    outside_m2 = float(result.gap_cells()["area_m2"].sum())
    st.caption(ui.t("expo.heat.shares_note", outside=ui.num(outside_m2),
                    facilities=int((~fac["within_target"]).sum())))
    st.caption(method_text(acc, ui.lang()))

    st.markdown(f"**{ui.t('expo.heat.by_kind')}**")
    summary = result.kind_summary()
    tables.table(pd.DataFrame({
        ui.t("expo.col.kind"): summary["kind"].map(lambda k: ui.t(f"expo.kind.{k}")),
        ui.t("expo.col.counted"): summary["counted"].map(lambda c: ui.t("expo.yes" if c else "expo.no")),
        ui.t("expo.col.places"): summary["places"],
        ui.t("expo.col.area_within"): (summary["area_within"] * 100).round(1),
        ui.t("expo.col.median_min"): summary["median_min"].round(1),
        ui.t("expo.col.max_min"): summary["max_min"].round(1),
    }))

    st.markdown(f"**{ui.t('expo.heat.by_quartier')}**")
    q = result.quartiers
    tables.table(pd.DataFrame({
        ui.t("expo.col.quartier"): q["name"],
        ui.t("expo.col.area_within"): (q["share_within"] * 100).round(1),
        **{ui.t(f"expo.col.share_{kind}"): (q[f"share_{kind}"] * 100).round(1) for kind in COOL_KINDS},
        ui.t("expo.col.facilities"): q["facilities"],
        ui.t("expo.col.facilities_outside"): q["facilities_outside"],
        ui.t("expo.col.population"): q.get("population"),
        ui.t("expo.col.population_75"): q.get("population_75_plus"),
        ui.t("expo.col.heat_score"): q.get("heat_score", pd.Series(dtype=float)).round(2),
        ui.t("expo.col.high_share"): (q.get("high_share", pd.Series(dtype=float)) * 100).round(0),
        ui.t("expo.col.sheet"): "fiche?quartier=" + q["quartier"],
    }), links={ui.t("expo.col.sheet"): ui.t("expo.open_sheet")})
    facilities_table(result)
    gaps_table(result)
    analysis_ui.sources_caption(ACCESS_LAYERS)


def facilities_table(result: Analysis) -> None:
    fac = result.facilities
    st.markdown(f"**{ui.t('expo.heat.facilities')}**")
    left, right = st.columns([3, 1])
    categories = left.multiselect(ui.t("expo.heat.categories"), ACCESS_CATEGORIES,
                                  default=list(ACCESS_CATEGORIES), key="heat.categories",
                                  format_func=lambda c: ui.t(f"expo.category.{c}"))
    outside_only = right.checkbox(ui.t("expo.heat.outside_only"), key="heat.outside_only")
    shown = fac[fac["category"].isin(categories)]
    if outside_only:
        shown = shown[~shown["within_target"]]
    table = {ui.t("expo.col.category"): shown["category"].map(lambda c: ui.t(f"expo.category.{c}")),
             ui.t("expo.col.name"): shown["name"], ui.t("expo.col.quartier"): shown["quartier_name"]}
    for kind in COOL_KINDS:
        table[ui.t(f"expo.col.min_{kind}")] = shown[f"{kind}_min"].round(1)
    table[ui.t("expo.col.within")] = shown["within_target"].map(
        lambda w: ui.t("expo.yes" if w else "expo.no"))
    table[ui.t("expo.col.sheet")] = "fiche?fid=" + shown["fid"]
    tables.table(pd.DataFrame(table), links={ui.t("expo.col.sheet"): ui.t("expo.open_sheet")},
                 what=ui.t("refuges.facilities_rows"))
    st.caption(ui.t("expo.heat.facilities_shown", shown=len(shown), total=len(fac)))
    per_category = fac.groupby("category")["within_target"].agg(["sum", "size"])
    st.caption(ui.t("expo.heat.by_category") + " " + " · ".join(
        f"{ui.t(f'expo.category.{c}')} {int(per_category.loc[c, 'sum'])}/{int(per_category.loc[c, 'size'])}"
        for c in ACCESS_CATEGORIES if c in per_category.index))
    if fac["old"].any():
        st.caption(ui.t("expo.heat.creche_note"))


def gaps_table(result: Analysis) -> None:
    gaps = result.gap_cells()
    st.markdown(f"**{ui.t('expo.heat.gaps')}**")
    map_params = "layers=arrondissements,quartiers,access_gap,cool_facilities,cool_green_points" + (
        f"&lang={ui.lang()}" if ui.lang() != "fr" else "")
    st.markdown(f"[{ui.t('expo.sheet.on_map')}](carte?{map_params})")
    if gaps.empty:
        st.write(ui.t("expo.heat.no_gap", minutes=f"{result.settings.access.target_minutes:g}"))
        return
    tables.table(pd.DataFrame({
        ui.t("expo.col.cell"): gaps["cell"], ui.t("expo.col.quartier"): gaps["quartier_name"],
        ui.t("expo.col.best_min"): gaps["best_min"].round(1),
        ui.t("expo.col.area_m2"): gaps["area_m2"].round(0)}), what=ui.t("expo.heat.gap_rows"))


def heat_indicators(result: Analysis) -> None:
    """LCZ class per IRIS and IPR vulnerability per conseil de quartier (derived indicators)."""
    st.info(ui.t("expo.heat.derived_note"))
    if len(result.iris):
        iris = result.iris
        st.markdown(f"**{ui.t('expo.heat.iris')}**")
        tables.table(pd.DataFrame({
            ui.t("expo.col.iris"): iris["source_id"] + " " + iris["name"],
            ui.t("expo.col.quartier"): iris["quartier_name"],
            ui.t("expo.col.heat_class"): iris["heat_class"].map(lambda c: ui.t(f"expo.heat_class.{c}")),
            ui.t("expo.col.heat_score"): iris["avg_heat_score"].round(2),
            ui.t("expo.col.population"): iris["population"],
            ui.t("expo.col.population_75"): iris["population_75_plus"],
        }), what=ui.t("refuges.by.iris_rows"))
    if len(result.councils):
        cq = result.councils
        st.markdown(f"**{ui.t('expo.heat.councils')}**")
        tables.table(pd.DataFrame({
            ui.t("expo.col.council"): cq["name"],
            ui.t("expo.col.vuln_day"): cq["vulnj_note"].round(2),
            ui.t("expo.col.vuln_night"): cq["vulnn_note"].round(2),
            ui.t("expo.col.population_est"): cq["population_est"].round(-1),
            ui.t("expo.col.population_75_est"): cq["population_75_plus_est"].round(-1),
        }), what=ui.t("refuges.by.council_rows"))
        st.caption(ui.t("expo.heat.councils_method"))
    analysis_ui.sources_caption(HEAT_LAYERS)

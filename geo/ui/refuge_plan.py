"""The planning panel's pieces: candidate labels, « suggest the k best sites », the gain tables
and the scenario's downloads (``geo.analysis.siteplan``, ``geo.export.siteplan``).

Every figure is read from the coverage precomputed by the refuge analysis: changing the sites
never walks the graph again.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.analysis import siteplan
from geo.analysis.refuges import RefugeAnalysis
from geo.export.siteplan import file_name, write_plan
from geo.ui import base as ui
from geo.ui.refuges import refuge_result

SITES_KEY = "plan.sites"


def site_label(result: RefugeAnalysis, fid: str) -> str:
    """« GYMNASE DES VIGNOLES — gymnase ouvert en salle rafraîchie »."""
    row = result.candidates[result.candidates["fid"] == fid]
    if row.empty:
        return fid
    return f"{row['name'].iloc[0]} — {ui.t('refuges.plan.kind.' + row['kind'].iloc[0])}"


def suggest() -> None:
    """Button callback: replace the chosen sites by the greedy's k best for the current view."""
    result = refuge_result()
    state = st.session_state
    picks = siteplan.suggest(result, state["plan.tier"], state["plan.time"], state["plan.speed"],
                             int(state.get("plan.k", result.settings.planning.suggest_k)))
    state[SITES_KEY] = [fid for fid, _ in picks]
    state["plan.suggested"] = len(picks)


def clear() -> None:
    st.session_state[SITES_KEY] = []


def gain_metrics(plan: siteplan.Plan, minutes: str) -> None:
    before, after = plan.before, plan.after
    c1, c2, c3 = st.columns(3)
    c1.metric(ui.t("refuges.plan.p75_inside", minutes=minutes),
              f"{ui.num(after['p75_inside'])} ({ui.num(100 * after['p75_share'], 1)} %)",
              delta=f"+{ui.num(after['p75_inside'] - before['p75_inside'])}", delta_color="normal")
    c2.metric(ui.t("refuges.plan.facilities_outside"),
              f"{int(after['facilities_outside'])} / {int(after['facilities_total'])}",
              delta=f"-{int(before['facilities_outside'] - after['facilities_outside'])}",
              delta_color="inverse")
    c3.metric(ui.t("refuges.plan.area_share", minutes=minutes), f"{ui.num(100 * after['area_share'], 1)} %",
              delta=f"+{ui.num(100 * (after['area_share'] - before['area_share']), 1)}")
    st.caption(ui.t("refuges.plan.before", p75=ui.num(before["p75_inside"]),
                    share=ui.num(100 * before["p75_share"], 1), total=ui.num(before["p75_total"]),
                    facilities=int(before["facilities_outside"])))


def sites_table(plan: siteplan.Plan) -> None:
    sites = plan.sites
    st.dataframe(pd.DataFrame({
        ui.t("refuges.plan.col.rank"): sites["rank"],
        ui.t("refuges.plan.col.site"): sites["name"],
        ui.t("refuges.plan.col.kind"): sites["kind"].map(lambda k: ui.t(f"refuges.plan.kind.{k}")),
        ui.t("refuges.plan.col.gain_p75"): sites["gain_p75"].round(0),
        ui.t("refuges.plan.col.alone_p75"): sites["alone_p75"].round(0),
        ui.t("refuges.plan.col.gain_facilities"): sites["gain_facilities"],
        ui.t("refuges.plan.col.gain_area"): (sites["gain_area_m2"] / 1e4).round(2),
        ui.t("refuges.plan.col.facilities"): sites["facilities"],
    }), hide_index=True, key="plan.table")
    if len(plan.moved):
        st.markdown(f"**{ui.t('refuges.plan.moved', n=len(plan.moved))}**")
        st.dataframe(pd.DataFrame({
            ui.t("expo.col.category"): plan.moved["category"].map(lambda c: ui.t(f"expo.category.{c}")),
            ui.t("expo.col.name"): plan.moved["name"],
            ui.t("expo.col.quartier"): plan.moved["quartier_name"],
            ui.t("refuges.plan.col.site"): plan.moved["site"].map(
                dict(zip(plan.sites["fid"], plan.sites["name"], strict=True))),
        }), hide_index=True, key="plan.moved")


def downloads(plan: siteplan.Plan, result: RefugeAnalysis) -> None:
    """GeoPackage and CSV downloads of the scenario, written only when asked (deferred data)."""
    manifest, lang = ui.manifest(), ui.lang()
    left, right = st.columns(2)
    for column, fmt, mime in ((left, "gpkg", "application/geopackage+sqlite3"),
                              (right, "csv", "application/zip")):
        name = f"{plan.tier}-{plan.time}-{len(plan.sites)}"
        column.download_button(
            ui.t(f"refuges.plan.download_{fmt}"),
            data=lambda fmt=fmt: write_plan(plan, result, manifest, fmt, lang).data,
            file_name=file_name(plan, manifest, fmt), mime=mime,
            key=f"plan.download.{fmt}.{name}", on_click="ignore")

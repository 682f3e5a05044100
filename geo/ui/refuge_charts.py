"""The refuge analysis' pictures and tables for « Chaleur »: the headline table, the chart of the
share within the target per quartier, tier and time of day, the chart of the people aged 75+ by
walking time, who is outside per quartier / IRIS / conseil de quartier, and the hours that could
not be read.

Charts are Vega-Lite (Altair) drawn by Streamlit itself (no CDN); bars use one colour and put
every category on an axis or a facet, so nothing is told by colour alone; each chart has its
numbers as a table beside it (``geo.ui.tables``: text, not a data grid).
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from geo.analysis import refuge_figures, tiers
from geo.analysis.refuge_settings import TIERS, TIMES
from geo.analysis.refuges import RefugeAnalysis
from geo.ui import base as ui
from geo.ui import tables
from geo.ui.refuges import analysis_key, figure, open_text, refuge_result, speed_label, tier_label, time_label

BAR_COLOUR = "#1f4e79"  # 8.6:1 on white


def _pct(value: float) -> float:
    return round(100 * value, 1) if pd.notna(value) else float("nan")


def headline_table(result: RefugeAnalysis, speed: float) -> None:
    """Every tier × time of day at ``speed``: places, unknown hours, shares, people outside."""
    head = figure("headline", speed)
    tables.table(pd.DataFrame({
        ui.t("refuges.col.tier"): head["tier"].map(tier_label),
        ui.t("refuges.col.time"): head["time"].map(lambda value: time_label(value, result)),
        ui.t("refuges.col.places"): head["places"],
        ui.t("refuges.col.unknown"): head["unknown"],
        ui.t("refuges.col.area_share"): head["area_share"].map(_pct),
        ui.t("refuges.col.p75_share"): head["p75_share"].map(_pct),
        ui.t("refuges.col.p75_outside"): head["p75_outside"].round(0),
        ui.t("refuges.col.facilities_outside"): head["facilities_outside"].astype(str) + " / "
        + head["facilities"].astype(str),
    }))


@st.cache_resource(show_spinner=False, max_entries=32)
def _quartier_chart(analysis_key: str, speed: float, lang: str) -> tuple[alt.FacetChart, pd.DataFrame]:
    """The chart and its table, built once per analysis, speed and language (read-only)."""
    long = figure("quartier_shares", speed).copy()
    long["tier_label"] = long["tier"].map(lambda value: ui.t(f"refuges.tier_short.{value}"))
    long["time_label"] = long["time"].map(lambda value: ui.t(f"refuges.time_short.{value}"))
    long["share"] = long["area_share"].map(_pct)
    times = [ui.t(f"refuges.time_short.{value}") for value in TIMES]
    share_title = ui.t("refuges.col.area_share")
    chart = alt.Chart(long).mark_bar(color=BAR_COLOUR).encode(
        y=alt.Y("time_label:N", sort=times, title=None, axis=alt.Axis(labelOverlap=False)),
        x=alt.X("share:Q", title="%", scale=alt.Scale(domain=[0, 100]), axis=alt.Axis(tickCount=2)),
        tooltip=[alt.Tooltip("name:N", title=ui.t("refuges.col.quartier")),
                 alt.Tooltip("tier_label:N", title=ui.t("refuges.col.tier")),
                 alt.Tooltip("time_label:N", title=ui.t("refuges.col.time")),
                 alt.Tooltip("share:Q", title=share_title, format=".1f")],
    ).properties(width=95, height=80).facet(
        row=alt.Row("name:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left",
                                                            labelFontWeight="bold")),
        column=alt.Column("tier_label:N", title=None,
                          sort=[ui.t(f"refuges.tier_short.{tier}") for tier in TIERS],
                          header=alt.Header(labelFontWeight="bold")),
    ).configure_facet(spacing=8)
    table = long.pivot_table(index=["name", "tier_label"], columns="time_label", values="share",
                             sort=False)[times].reset_index()
    table.columns = [ui.t("refuges.col.quartier"), ui.t("refuges.col.tier"), *times]
    return chart, table


def quartier_chart(result: RefugeAnalysis, speed: float) -> None:
    """Share of the area within the target per quartier (rows), tier (columns) and time of day
    (bars), with its table beside."""
    chart, table = _quartier_chart(analysis_key(), speed, ui.lang())
    left, right = st.columns([1, 1])
    with left:
        st.altair_chart(chart, key="heat.chart.quartiers")
    with right:
        tables.table(table, fold_after=None)
    st.caption(ui.t("refuges.chart.quartiers_caption", speed=speed_label(speed),
                    minutes=f"{result.target_minutes:g}"))


@st.cache_resource(show_spinner=False, max_entries=64)
def _minutes_chart(analysis_key: str, tier: str, speed: float, lang: str
                   ) -> tuple[alt.FacetChart, pd.DataFrame]:
    """The chart and its table, built once per analysis, tier, speed and language (read-only)."""
    bands = figure("p75_by_minutes", tier, speed).copy()
    bands["time_label"] = bands["time"].map(lambda value: ui.t(f"refuges.time_short.{value}"))
    bands["people"] = bands["people"].round(0)
    order = refuge_figures.band_labels()
    times = [ui.t(f"refuges.time_short.{value}") for value in TIMES]
    people = ui.t("refuges.col.people")
    chart = alt.Chart(bands).mark_bar(color=BAR_COLOUR).encode(
        x=alt.X("band:N", sort=order, title=ui.t("refuges.col.band"),
                axis=alt.Axis(labelAngle=0, labelOverlap=False)),
        y=alt.Y("people:Q", title=ui.t("refuges.col.people_short")),
        tooltip=[alt.Tooltip("time_label:N", title=ui.t("refuges.col.time")),
                 alt.Tooltip("band:N", title=ui.t("refuges.col.band")),
                 alt.Tooltip("people:Q", title=people, format=",.0f")],
    ).properties(width=195, height=110).facet(
        facet=alt.Facet("time_label:N", sort=times, title=None, header=alt.Header(labelFontWeight="bold")),
        columns=2).configure_facet(spacing=12)
    table = bands.pivot_table(index="band", columns="time_label", values="people", sort=False)
    table = table.reindex(order)[times].reset_index().rename(columns={"band": ui.t("refuges.col.band")})
    return chart, table


def minutes_chart(result: RefugeAnalysis, tier: str, speed: float) -> None:
    """People aged 75+ by walking time to the nearest open place of ``tier``, one panel per time
    of day, with its table beside."""
    chart, table = _minutes_chart(analysis_key(), tier, speed, ui.lang())
    left, right = st.columns([1, 1])
    with left:
        st.altair_chart(chart, key="heat.chart.minutes")
    with right:
        tables.table(table, fold_after=None)
    st.caption(ui.t("refuges.chart.minutes_caption", tier=tier_label(tier), speed=speed_label(speed),
                    minutes=f"{result.target_minutes:g}"))


def who_tables(result: RefugeAnalysis, tier: str, time: str, speed: float) -> None:
    """Who is outside the target, ranked, per quartier / IRIS / conseil de quartier (tabs), then
    the counted facilities outside, farthest first, each with a link to its sheet."""
    tabs = st.tabs([ui.t(f"refuges.by.{by}") for by in refuge_figures.GROUPS])
    for tab, by in zip(tabs, refuge_figures.GROUPS, strict=True):
        table = figure("by_area", tier, time, speed, by)
        with tab:
            tables.table(pd.DataFrame({
                ui.t(f"refuges.by.{by}_col"): table["name"],
                ui.t("refuges.col.p75_outside"): table["p75_outside"].round(0),
                ui.t("refuges.col.p75_total"): table["p75_total"].round(0),
                ui.t("refuges.col.p75_share"): table["p75_share"].map(_pct),
                ui.t("refuges.col.area_share"): table["area_share"].map(_pct),
                **{ui.t(f"expo.category.{c}"): table[f"out_{c}"] for c in refuge_figures.WHO_ORDER},
            }), what=ui.t(f"refuges.by.{by}_rows"))
    outside = figure("facilities_outside", tier, time, speed)
    st.markdown(f"**{ui.t('refuges.facilities_outside', n=len(outside))}**")
    tables.table(pd.DataFrame({
        ui.t("expo.col.category"): outside["category"].map(lambda c: ui.t(f"expo.category.{c}")),
        ui.t("expo.col.name"): outside["name"], ui.t("expo.col.quartier"): outside["quartier_name"],
        ui.t("refuges.col.minutes"): outside["minutes"].map(
            lambda m: ui.t("refuges.none_open") if m == float("inf") else ui.num(m, 1)),
        ui.t("expo.col.sheet"): "fiche?fid=" + outside["fid"],
    }), links={ui.t("expo.col.sheet"): ui.t("expo.open_sheet")}, what=ui.t("refuges.facilities_rows"))
    if (outside["category"] == "ehpad").any():
        st.caption(ui.t("refuges.ehpad_note"))


def unknown_hours_table(result: RefugeAnalysis) -> None:
    """The places whose hours are not published or could not be read: listed, never guessed."""
    table = _unknown_hours(analysis_key(), ui.lang())
    st.write(ui.t("refuges.unknown.intro", n=len(table)))
    tables.table(table, what=ui.t("refuges.places_rows"))


@st.cache_resource(show_spinner=False, max_entries=4)
def _unknown_hours(analysis_key: str, lang: str) -> pd.DataFrame:
    result = refuge_result()
    listed = tiers.unknown_hours(result.places)
    day = result.settings.tiers.reference_day
    rows = []
    for row in listed.itertuples():
        problems = row.problems or ()
        reasons = " ; ".join(
            f"{p.day + ' : ' if p.day else ''}{ui.t(f'refuges.problem.{p.code}')} « {p.raw} »"
            for p in problems)
        if not reasons and row.why == "schedule":  # other days published, not the reference day
            reasons = f"{day} : {ui.t('refuges.problem.not_published')}"
        reasons = reasons or ui.t(f"refuges.why.{row.why}")
        rows.append({ui.t("refuges.col.place"): row.name, ui.t("refuges.col.type"): row.place_type,
                     ui.t("refuges.col.tier"): tier_label(row.tier),
                     **{time_label(p, result): open_text(getattr(row, f"open_{p}")) for p in TIMES[1:]},
                     ui.t("refuges.col.reason"): reasons})
    return pd.DataFrame(rows)

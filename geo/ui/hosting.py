"""« Inondation »'s flood host sections: the capacity of the host sites, the residents of the
neighbours' flood sectors, the one against the other (a chart with its numbers beside it), and
the lines serving the study area that pass near a sector. Figures from the cached analysis
(``geo.analysis.hosting``), sentences from ``geo.analysis.hosting_text``.
"""

from __future__ import annotations

from urllib.parse import urlencode

import altair as alt
import pandas as pd
import streamlit as st

from geo.analysis import hosting_text
from geo.analysis.exposure import Analysis
from geo.analysis.hosting import HOST_LAYER, STATIONS_LAYER
from geo.core.text import escape_md
from geo.ui import tables
from geo.ui.base import lang, num, t

CHART_COLOUR = "#2166ac"


def map_link(layers: tuple[str, ...]) -> str:
    """Markdown link to the map showing ``layers``, in the current language."""
    params = {"layers": ",".join(layers), **({"lang": lang()} if lang() != "fr" else {})}
    return f"[{t('host.on_map')}](carte?{urlencode(params)})"


def capacity_text(capacity: float) -> str:
    """A capacity for a table cell: the number, or « capacité inconnue » (never a guess)."""
    return num(capacity) if pd.notna(capacity) else t("host.unknown")


def flag_text(value: object) -> str:
    """A nullable flag for a table cell: « oui », « non » or « — » (not in the data)."""
    return "—" if pd.isna(value) else t("expo.yes" if value else "expo.no")


def capacity_section(result: Analysis) -> None:
    """Total capacity, its settings and what the Sphere indicator is, the flags, per quartier."""
    shelter = result.shelter
    summary = shelter.summary
    st.subheader(t("host.capacity.title"))
    c1, c2, c3 = st.columns(3)
    c1.metric(t("host.capacity.people"), num(summary.capacity))
    c2.metric(t("host.capacity.sites"), summary.sites)
    c3.metric(t("host.capacity.area"), f"{num(summary.area_m2)} m²")
    st.caption(t("host.capacity.sphere", m2=num(shelter.settings.m2_per_person, 1)))
    st.write(t("host.capacity.flags", no_showers=summary.no_showers, no_step_free=summary.no_step_free,
               sites=summary.sites, unknown=summary.sites_unknown))
    st.markdown(map_link(("arrondissements", "quartiers", HOST_LAYER)))
    by_q = shelter.by_quartier
    tables.table(pd.DataFrame({
        t("expo.col.quartier"): by_q["quartier_name"],
        t("host.col.sites"): by_q["sites"],
        t("host.col.area_m2"): by_q["area_m2"].round(0),
        t("host.col.capacity"): by_q["capacity"].round(0),
    }))


def need_section(result: Analysis) -> None:
    """Residents estimated in each neighbour's flood sectors, with the method and its limits."""
    need = result.shelter.need
    st.subheader(t("host.need.title"))
    st.write(escape_md(hosting_text.need_sentence(result, lang())))
    tables.table(pd.DataFrame({
        t("expo.col.arrondissement"): need["c_ar"].astype(str) + " – " + need["name"].fillna(""),
        t("host.col.population"): need["population"].round(0).astype(int),
        t("host.col.iris"): need["iris_in_zone"].astype(str) + " / " + need["iris"].astype(str),
        t("host.col.residents"): need["residents"].round(0),
        t("host.col.residents_75"): need["residents_75_plus"].round(0),
        t("host.col.share_75"): (need["share_75_plus"] * 100).round(1),
        t("host.col.residents_share"): (need["residents_share"] * 100).round(1),
    }))
    st.caption(t("host.need.method"))


def category_choice(categories: tuple[str, ...]) -> list[str]:
    """The site types to list, one checkbox each (all ticked at first) under a label: one click
    per type, every choice in sight, and no combo box (its JavaScript would weigh on a cold
    load, issue 13)."""
    st.markdown(f"**{t('expo.flood.categories')}**")
    columns = st.columns(len(categories))
    return [category for column, category in zip(columns, categories, strict=True)
            if column.checkbox(t(f"expo.category.{category}"), value=True, key=f"flood.category.{category}")]


def cover_chart(cover: pd.DataFrame, capacity: float, labels: list[str]) -> alt.Chart:
    """Bars: residents in the sectors per neighbour and in all; a dashed rule: the capacity."""
    data = pd.DataFrame({"label": labels, "residents": cover["residents"].round(0).to_numpy(),
                         "text": [num(v) for v in cover["residents"].round(0)]})
    y = alt.Y("label:N", sort=labels, title=None, axis=alt.Axis(labelLimit=240))
    bars = alt.Chart(data).mark_bar(color=CHART_COLOUR).encode(
        y=y, x=alt.X("residents:Q", title=t("host.col.residents")),
        tooltip=[alt.Tooltip("label:N", title=t("expo.col.arrondissement")),
                 alt.Tooltip("residents:Q", title=t("host.col.residents"), format=",.0f")])
    values = bars.mark_text(align="left", dx=4, color="#000").encode(text="text:N")
    rule_data = pd.DataFrame({"capacity": [capacity],
                              "text": [t("host.cover.rule", people=num(capacity))]})
    rule = alt.Chart(rule_data).mark_rule(color="#000", strokeDash=[6, 4], size=2).encode(
        x="capacity:Q")
    rule_text = alt.Chart(rule_data).mark_text(align="left", dx=4, dy=-6, color="#000",
                                               baseline="bottom").encode(
        x="capacity:Q", y=alt.value(0), text="text:N")
    return (bars + values + rule + rule_text).properties(
        title=t("host.cover.chart_title"), height=40 * len(labels) + 40)


def cover_section(result: Analysis) -> None:
    """Capacity against need per neighbour and in total: chart, and its numbers beside it."""
    shelter = result.shelter
    cover = shelter.cover
    names = dict(zip(shelter.need["c_ar"], shelter.need["name"], strict=True))
    labels = [t("host.cover.total") if c == 0 else f"{c} – {names.get(c, '')}" for c in cover["c_ar"]]
    st.subheader(t("host.cover.title"))
    st.write(escape_md(hosting_text.capacity_sentence(result, lang())))
    chart, numbers = st.columns([1, 1])
    chart.altair_chart(cover_chart(cover, shelter.summary.capacity, labels), width="stretch",
                       key="flood.cover_chart")
    with numbers:
        tables.table(pd.DataFrame({
            t("expo.col.arrondissement"): labels,
            t("host.col.residents_short"): cover["residents"].round(0),
            t("host.col.residents_75_short"): cover["residents_75_plus"].round(0),
            # text: a number or « pas de secteur » (nobody to cover), never 0 % or infinity
            t("host.col.cover"): [t("host.cover.no_sector") if pd.isna(v) else num(100 * v, 1)
                                  for v in cover["cover"]],
        }), fold_after=None)
    st.caption(t("host.cover.note", m2=num(shelter.settings.m2_per_person, 1)))


def transport_section(result: Analysis) -> None:
    """The lines serving the study area with stations near a sector, per line and per station."""
    st.subheader(t("host.transport.title", c_ar=result.c_ar))
    transport = result.transport
    if transport is None:
        st.warning(t("host.text.no_transport"))
        return
    st.info(t("host.transport.derived"))
    st.write(escape_md(hosting_text.lines_sentence(result, lang())))
    near = num(transport.settings.near_m)
    st.caption(t("host.transport.distance_note", near=near, records=transport.paris_records,
                 inside=transport.paris_inside, near_count=transport.paris_near))
    st.markdown(map_link(("arrondissements", "ppri", STATIONS_LAYER)))
    lines = transport.lines
    tables.table(pd.DataFrame({
        t("host.col.line"): lines["line"],
        t("host.col.stations"): lines["stations"],
        t("host.col.at_risk", near=near): lines["at_risk"],
        t("host.col.inside"): lines["inside"],
        t("host.col.min_m"): lines["min_zone_m"].round(1),
        t("host.col.names"): [", ".join(names) for names in lines["at_risk_names"]],
    }))
    stations = transport.stations
    st.markdown(f"**{t('host.transport.per_station', c_ar=result.c_ar)}**")
    tables.table(pd.DataFrame({
        t("host.col.station"): stations["name"],
        t("host.col.lines"): [", ".join(v) for v in stations["lines"]],
        t("host.col.lines_at_risk"): [", ".join(v) or "—" for v in stations["lines_at_risk"]],
    }), what=t("host.stations_rows"))
    st.caption(t("host.transport.paris_only"))


def method_text(result: Analysis) -> str:
    """The method of the capacity, need and lines, with the settings used."""
    s = result.settings
    return t("host.method", m2=num(s.shelter.m2_per_person, 1),
             kinds=escape_md(" ; ".join(s.shelter.host_kinds)),
             items=escape_md(", ".join(s.shelter.step_free_items)),
             near=num(s.transport.near_m), modes=escape_md(", ".join(s.transport.modes)))

"""« Inondation »: the study area as a host territory in a 1910-type Seine flood."""

import pandas as pd
import streamlit as st

from geo.analysis.exposure import FLOOD_LAYERS
from geo.analysis.facilities import HOST_CATEGORIES
from geo.core.errors import ResilienceError
from geo.ui import analysis as analysis_ui
from geo.ui import base as ui
from geo.ui import hosting as hosting_ui
from geo.ui import tables

manifest = ui.require_build()
st.title(ui.t("expo.flood.title", c_ar=int(manifest["study_area"]["insee"]) - 75100))
try:
    result = analysis_ui.analysis()
except ResilienceError as exc:
    ui.show_error(exc)
    st.stop()

zone = result.study_zone
study_row = result.neighbours[result.neighbours["study"]].iloc[0]
intro = "expo.flood.intro" if study_row["zone_km2"] == 0 else "expo.flood.intro_exposed"
st.write(ui.t(intro, area=ui.escape_md(result.area_name), c_ar=result.c_ar,
              share=f"{study_row['share']:.1%}"))
c1, c2, c3 = st.columns(3)
c1.metric(ui.t("expo.flood.distance"), f"{zone.distance_m:,.0f} m".replace(",", " "))
c2.metric(ui.t("expo.flood.study_share"), f"{study_row['share']:.1%}")
c3.metric(ui.t("expo.flood.hosts_count"), len(result.hosts))
st.caption(ui.t("expo.flood.distance_note", zone=ui.escape_md(zone.zone), sector=ui.escape_md(zone.source_id),
                c_ar=zone.c_ar or "?"))

st.header(ui.t("expo.flood.neighbours"))
others = result.neighbours[~result.neighbours["study"]]
tables.table(pd.DataFrame({
    ui.t("expo.col.arrondissement"): others["c_ar"].astype(str) + " – " + others["name"],
    ui.t("expo.col.area_km2"): others["area_km2"].round(2),
    ui.t("expo.col.zone_km2"): others["zone_km2"].round(3),
    ui.t("expo.col.share"): (others["share"] * 100).round(1),
}))
st.caption(ui.t("expo.flood.neighbours_method"))

hosting_ui.capacity_section(result)

st.header(ui.t("expo.flood.hosts"))
st.write(ui.t("expo.flood.hosts_intro"))
categories = hosting_ui.category_choice(HOST_CATEGORIES)
hosts = result.hosts[result.hosts["category"].isin(categories)]
tables.table(pd.DataFrame({
    ui.t("expo.col.category"): hosts["category"].map(lambda c: ui.t(f"expo.category.{c}")),
    ui.t("expo.col.name"): hosts["name"],
    ui.t("expo.col.address"): hosts["address"],
    ui.t("expo.col.quartier"): hosts["quartier_name"],
    ui.t("expo.col.zone_m"): hosts["zone_m"].round(0),
    ui.t("host.col.capacity"): hosts["capacity"].map(hosting_ui.capacity_text),
    ui.t("host.col.rank"): hosts["rank"],
    ui.t("host.col.no_showers"): hosts["no_showers"].map(hosting_ui.flag_text),
    ui.t("host.col.no_step_free"): hosts["no_step_free"].map(hosting_ui.flag_text),
    ui.t("expo.col.sheet"): "fiche?fid=" + hosts["fid"],
}), links={ui.t("expo.col.sheet"): ui.t("expo.open_sheet")}, what=ui.t("host.sites_rows"))
st.caption(ui.t("expo.flood.hosts_shown", shown=len(hosts), total=len(result.hosts)))

hosting_ui.need_section(result)
hosting_ui.cover_section(result)
hosting_ui.transport_section(result)

with st.expander(ui.t("expo.method"), expanded=False):
    st.markdown(ui.t("expo.flood.method", same_site=result.settings.flood.same_site_m))
    st.markdown(hosting_ui.method_text(result))
analysis_ui.sources_caption(FLOOD_LAYERS + ("cq_climate",))

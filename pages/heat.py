"""« Chaleur »: who lacks a real refuge, when, and where; then, on demand, the straight-line access
figures and the heat indicators per IRIS and conseil de quartier (the page's second half: behind
a switch, so a cold load stays under 1 MB, issue 13)."""

import streamlit as st

from geo.analysis import refuges
from geo.core.errors import ResilienceError
from geo.ui import analysis as analysis_ui
from geo.ui import base as ui
from geo.ui import heat_tables, refuge_charts, tables
from geo.ui import refuges as refuges_ui

st.title(ui.t("refuges.heat.title"))
ui.require_build()
try:
    result = analysis_ui.analysis()
    found = refuges_ui.refuge_result()
except ResilienceError as exc:
    ui.show_error(exc)
    st.stop()

st.write(ui.t("refuges.heat.intro", minutes=f"{found.target_minutes:g}"))
view = refuges_ui.view_controls("heat", found)
refuges_ui.save_view("heat", view)
tier, time, speed = view.tier, view.time, view.speed
row = refuges_ui.figure("headline", speed).set_index(["tier", "time"]).loc[(tier, time)]
c1, c2, c3, c4 = st.columns(4)
minutes = f"{found.target_minutes:g}"
c1.metric(ui.t("refuges.metric.area", minutes=minutes), f"{ui.num(100 * row['area_share'], 1)} %")
c2.metric(ui.t("refuges.metric.p75", minutes=minutes), f"{ui.num(100 * row['p75_share'], 1)} %")
c3.metric(ui.t("refuges.metric.p75_out"), ui.num(row["p75_outside"]))
outside = f"{int(row['facilities_outside'])} / {int(row['facilities'])}"
c4.metric(ui.t("refuges.metric.facilities_out"), outside, help=ui.t("refuges.metric.facilities_help"))
st.caption(ui.t("refuges.heat.figure_note", tier=refuges_ui.tier_label(tier), places=int(row["places"]),
                time=refuges_ui.time_label(time, found), unknown=int(row["unknown"]),
                speed=refuges_ui.speed_label(speed)))
st.caption(refuges_ui.method_text(found, speed))
if found.method != "graph":
    st.warning(ui.t("refuges.heat.no_graph"))

st.header(ui.t("refuges.heat.tiers_title"))
st.markdown(ui.t("refuges.tiers_legend", min_ha=ui.num(found.settings.tiers.refuge_green_min_m2 / 1e4, 1)))
for line in refuges_ui.heatwave_lines(found):
    st.markdown(f"- {line}")
refuge_charts.headline_table(found, speed)

st.header(ui.t("refuges.heat.quartiers_title", minutes=minutes))
refuge_charts.quartier_chart(found, speed)

st.header(ui.t("refuges.heat.minutes_title", tier=refuges_ui.tier_label(tier)))
refuge_charts.minutes_chart(found, tier, speed)

st.header(ui.t("refuges.heat.who_title", tier=refuges_ui.tier_label(tier),
                  time=refuges_ui.time_label(time, found), speed=ui.num(speed, 1)))
refuge_charts.who_tables(found, tier, time, speed)
lang = f"&lang={ui.lang()}" if ui.lang() != "fr" else ""
map_time = time if time != "all" else "day"
st.markdown(f"[{ui.t('refuges.heat.on_map')}](./?layers=arrondissements,quartiers,refuge_gap,"
            f"cool_facilities&time={map_time}{lang}) · [{ui.t('refuges.heat.to_planning')}]"
            f"(refuges-planification?tier={tier}&time={time}&speed={speed:g}{lang})")

st.header(ui.t("refuges.heat.places_title", tier=refuges_ui.tier_label(tier)))
tables.table(refuges_ui.places_of(found, tier), what=ui.t("refuges.places_rows"))

st.header(ui.t("refuges.heat.unknown_title"))
refuge_charts.unknown_hours_table(found)
analysis_ui.sources_caption(refuges.REFUGE_LAYERS)

st.header(ui.t("refuges.heat.straight_title"))
st.write(ui.t("refuges.heat.more_intro"))
if st.toggle(ui.t("refuges.heat.more"), key="heat.more"):
    heat_tables.straight_line_sections(result)
    st.header(ui.t("expo.heat.indicators"))
    heat_tables.heat_indicators(result)

"""« Refuges : planifier »: pick candidate sites (a gymnasium, a library with longer hours, an Oasis
schoolyard, a park opened at night) and see at once who moves inside the target; « suggest the k
best sites »; the scenario is in the URL and can be downloaded."""

from dataclasses import replace

import streamlit as st

from geo.analysis import siteplan
from geo.core.errors import ResilienceError
from geo.ui import base as ui
from geo.ui import refuge_plan
from geo.ui import refuges as refuges_ui

st.title(ui.t("refuges.plan.title"))
ui.require_build()
try:
    found = refuges_ui.refuge_result()
except ResilienceError as exc:
    ui.show_error(exc)
    st.stop()

st.write(ui.t("refuges.plan.intro", minutes=f"{found.target_minutes:g}"))
view = refuges_ui.view_controls("plan", found, sites=set(found.candidates["fid"]))
offered = found.offered(view.time)
options = list(offered["fid"])
chosen = list(st.session_state.get(refuge_plan.SITES_KEY, []))
dropped = [fid for fid in chosen if fid not in options]
if dropped:
    st.info(ui.t("refuges.plan.not_offered", time=refuges_ui.time_label(view.time, found),
                 sites=ui.escape_md(", ".join(refuge_plan.site_label(found, fid) for fid in dropped))))
st.session_state[refuge_plan.SITES_KEY] = [fid for fid in chosen if fid in options]

pick, act = st.columns([3, 1])
pick.multiselect(ui.t("refuges.plan.sites", n=len(options)), options, key=refuge_plan.SITES_KEY,
                 format_func=lambda fid: refuge_plan.site_label(found, fid),
                 placeholder=ui.t("refuges.plan.sites_placeholder"))
k = act.number_input(ui.t("refuges.plan.k"), min_value=1, max_value=max(1, len(options)),
                     value=min(found.settings.planning.suggest_k, max(1, len(options))), key="plan.k")
act.button(ui.t("refuges.plan.suggest", k=int(k)), key="plan.suggest", on_click=refuge_plan.suggest,
           disabled=not options, width="stretch")
act.button(ui.t("refuges.plan.clear"), key="plan.clear", on_click=refuge_plan.clear, width="stretch")
if not options:
    st.info(ui.t("refuges.plan.no_candidates", time=refuges_ui.time_label(view.time, found)))
suggested = st.session_state.pop("plan.suggested", None)
if suggested is not None:
    st.caption(ui.t("refuges.plan.suggested", n=suggested, k=int(k)))

view = replace(view, sites=tuple(st.session_state[refuge_plan.SITES_KEY]))
refuges_ui.save_view("plan", view, with_sites=True)
plan = siteplan.make_plan(found, view.tier, view.time, view.speed, view.sites)
minutes = f"{found.target_minutes:g}"
st.subheader(ui.t("refuges.plan.gain_title", tier=refuges_ui.tier_label(view.tier),
                  time=refuges_ui.time_label(view.time, found), speed=ui.num(view.speed, 1)))
refuge_plan.gain_metrics(plan, minutes)
if len(plan.sites):
    refuge_plan.sites_table(plan)
    st.subheader(ui.t("refuges.plan.export_title"))
    refuge_plan.downloads(plan, found)
else:
    st.write(ui.t("refuges.plan.empty"))
st.caption(ui.t("refuges.plan.method", minutes=minutes, metres=ui.num(plan.target_m)))
st.caption(refuges_ui.method_text(found, view.speed))
st.caption(ui.t("refuges.plan.assumption"))

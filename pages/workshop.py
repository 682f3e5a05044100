"""« Atelier »: the room's screen. Large type, high contrast, the map full width, a scenario
played step by step from the facilitation panel (sidebar), the QR code of the participants'
form, and their proposals appearing live: a fragment refreshes the list every few seconds and
publishes the proposals as a small static GeoJSON file that the map fetches by itself, so the
map is re-sent only when the facilitator changes step.

The state a facilitator sets (workshop, scenario, step) is in the URL, so the screen can be
reloaded or opened elsewhere as it is.
"""

import datetime as dt
import os

import streamlit as st
from streamlit_folium import st_folium

from geo.core.errors import ProposalError, ResilienceError
from geo.core.text import escape_html
from geo.map.basemap import base_map, zoom_for_bounds
from geo.map.elements import feature_group
from geo.participation.proposals import CATEGORIES, slugify, validate_workshop
from geo.participation.workshop import (
    PUBLIC_URL_ENV,
    LiveProposalsLayer,
    participants_url,
    proposals_geojson,
    publish_live,
)
from geo.ui import base as ui
from geo.ui import map as map_ui
from geo.ui import workshop as workshop_ui

LIVE_SECONDS = 4
MAP_HEIGHT = 560
lang = ui.lang()
manifest = ui.require_build()
st.html("""<style>
.stMainBlockContainer {padding-top: 1.2rem; max-width: 100%;}
.stMainBlockContainer p, .stMainBlockContainer li {font-size: 1.45rem; line-height: 1.45; color: #000;}
.stMainBlockContainer h1 {font-size: 2.6rem; color: #000;}
.stMainBlockContainer h2 {font-size: 2rem; color: #000;}
.workshop-step {background: #000; color: #fff; padding: .2em .6em; border-radius: .2em;}
</style>""")

try:
    store = workshop_ui.proposal_store()
    scenarios, actions = workshop_ui.scenarios()
    workshops = {w.slug: w for w in store.workshops()}
except ResilienceError as exc:
    ui.show_error(exc)
    st.stop()
params = st.query_params


def create_workshop() -> None:
    name = st.session_state["workshop.new_name"]
    date = st.session_state["workshop.new_date"].isoformat()
    try:
        created = store.create_workshop(validate_workshop(slugify(name, date), name, date))
    except ProposalError as exc:
        st.session_state["workshop.error"] = workshop_ui.proposal_message(exc)
    else:
        params["workshop"] = created.slug


top = st.container()  # the page's heading when no workshop is open yet (written from the panel)
with st.sidebar:
    st.header(ui.t("workshop.panel"))
    with st.expander(ui.t("workshop.new"), expanded=not workshops):
        st.text_input(ui.t("workshop.new_name"), key="workshop.new_name", max_chars=120)
        st.date_input(ui.t("workshop.new_date"), key="workshop.new_date", value=dt.date.today())
        st.button(ui.t("workshop.create"), key="workshop.create", on_click=create_workshop)
    if "workshop.error" in st.session_state:
        st.error(st.session_state.pop("workshop.error"))
    workshops = {w.slug: w for w in store.workshops()}
    if not workshops:
        top.title(ui.t("workshop.title"))
        top.info(ui.t("workshop.none"))
        st.stop()
    slug = params.get("workshop") if params.get("workshop") in workshops else next(iter(workshops))
    slug = st.selectbox(ui.t("workshop.choose"), list(workshops), index=list(workshops).index(slug),
                        format_func=lambda s: f"{workshops[s].name} ({workshops[s].date})",
                        placeholder=ui.t("app.choose_one"))
    scenario_id = params.get("scenario") if params.get("scenario") in scenarios \
        else next(iter(scenarios))
    scenario_id = st.radio(ui.t("workshop.scenario"), list(scenarios),
                           index=list(scenarios).index(scenario_id),
                           format_func=lambda s: scenarios[s].title[lang])
    scenario = scenarios[scenario_id]
    try:
        index = min(max(int(params.get("step", 1)) - 1, 0), len(scenario.steps) - 1)
    except ValueError:
        index = 0
    back, forward = st.columns(2)
    if back.button(ui.t("workshop.previous"), key="workshop.previous", disabled=index == 0,
                   width="stretch"):
        index -= 1
    if forward.button(ui.t("workshop.next"), key="workshop.next", width="stretch",
                      disabled=index == len(scenario.steps) - 1):
        index += 1
    public = st.text_input(ui.t("workshop.public_url"), key="workshop.public_url",
                           value=os.environ.get(PUBLIC_URL_ENV) or st.context.url or "",
                           help=ui.t("workshop.public_url_help"))

params.update({"workshop": slug, "scenario": scenario_id, "step": str(index + 1)})
workshop, step = workshops[slug], scenario.steps[index]

head, code = st.columns([4, 1])
with head:
    st.title(f"{scenario.title[lang]}")
    counter = ui.t("workshop.step_of", n=index + 1, total=len(scenario.steps))
    st.html(f'<h2><span class="workshop-step">{escape_html(counter)}</span> '
            f"{escape_html(step.title[lang])}</h2>")
    st.markdown(ui.escape_md(step.text[lang]))
    if step.actions:
        st.markdown(f"**{ui.t('workshop.actions')}** : " + " · ".join(
            ui.escape_md(actions.get(a, {}).get(lang, a)) for a in step.actions))
with code:
    try:
        url = participants_url(public, slug, lang)
    except ValueError as exc:
        st.error(str(exc))
    else:
        st.html(workshop_ui.qr_figure(url, ui.t("workshop.scan"), ui.t("workshop.qr_alt", url=url)))

labels = {c: ui.t(f"proposals.category.{c}") for c in CATEGORIES}


def title(layer_id: str) -> str:
    entry = manifest["layers"].get(layer_id, {})
    return entry.get("title_en" if lang == "en" else "title_fr", layer_id)


def publish() -> tuple[list, str]:
    """The room's proposals, and the URL where they are published for the map to fetch."""
    proposals = store.visible(slug)
    return proposals, publish_live(slug, proposals_geojson(proposals, labels))


try:
    _, live_url = publish()
except ResilienceError as exc:
    ui.show_error(exc)
    st.stop()
west, south, east, north = workshop_ui.proposal_rules().study_area.bounds
fmap = base_map(((south + north) / 2, (west + east) / 2),
                zoom_for_bounds((west, south, east, north)))
# part of the base map: stays mounted across steps and fetches new proposals by itself
LiveProposalsLayer(live_url, ui.t("workshop.proposals_layer"), LIVE_SECONDS).add_to(fmap)
groups = [feature_group(layer_id, map_ui.map_layer_url(layer_id), title(layer_id))
          for layer_id in step.layers if layer_id in manifest["layers"]]
map_column, list_column = st.columns([4, 1])
with map_column:
    st_folium(fmap, key="workshop.map", height=MAP_HEIGHT, use_container_width=True,
              returned_objects=[], center=[step.view.lat, step.view.lon], zoom=step.view.zoom,
              feature_group_to_add=groups)


@st.fragment(run_every=LIVE_SECONDS)
def live() -> None:
    """The list of proposals, refreshed every few seconds; each refresh also republishes the
    proposals the map fetches (only written when they changed)."""
    try:
        current, _ = publish()
    except ResilienceError as exc:
        ui.show_error(exc)
        return
    st.markdown(f"**{ui.t('workshop.proposals', count=len(current))}**")
    if not current:
        st.write(ui.t("workshop.no_proposals"))
    for proposal in reversed(current[-6:]):
        author = f" — {ui.escape_md(proposal.first_name)}" if proposal.first_name else ""
        st.markdown(f"- **{ui.escape_md(labels.get(proposal.category, proposal.category))}** : "
                    f"{ui.escape_md(proposal.text)}{author}")


with list_column:
    live()

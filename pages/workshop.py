"""« Atelier »: the room's screen. Large type, high contrast, the map full width, the scenario step
the facilitator chose, the QR code of the participants' form, and their proposals appearing
live. The stage (step, QR code, map, list) is a fragment re-run every few seconds: it follows
the room's state without redrawing the page, the map updates in place (same element, new view
and layers) and fetches the proposals by itself from the app's live route.

The room's state (workshop, scenario, step) is in the database and only a signed-in
facilitator changes it (panel « Animation »); every screen on this page follows it.
``?workshop=<slug>`` shows another workshop read-only (a closed one stays readable).
"""

import streamlit as st
from streamlit_folium import st_folium

from geo.core.errors import ResilienceError
from geo.map.basemap import base_map, zoom_for_bounds
from geo.map.elements import feature_group
from geo.map.publish import publish_geojson
from geo.participation.proposals import CATEGORIES, Workshop
from geo.participation.workshop import LiveProposalsLayer, live_url, proposals_geojson, screen_token
from geo.ui import base as ui
from geo.ui import map as map_ui
from geo.ui import room as room_ui
from geo.ui import staff as staff_ui
from geo.ui import workshop as workshop_ui

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
    room = store.room()
    workshops = {w.slug: w for w in store.workshops()}
except ResilienceError as exc:
    ui.show_error(exc)
    st.stop()
facilitator = staff_ui.member("facilitator")

with st.sidebar:
    st.header(ui.t("workshop.panel"))
    if facilitator is not None:
        room_ui.facilitator_panel(facilitator, room, workshops, scenarios, lang)
        staff_ui.sign_out_button()
    else:
        with st.expander(ui.t("room.staff_login")):
            staff_ui.sign_in("facilitator", "room.login")


def title(layer_id: str) -> str:
    entry = manifest["layers"].get(layer_id, {})
    return entry.get("title_en" if lang == "en" else "title_fr", layer_id)


def proposals_url(workshop: Workshop) -> str:
    """Where the map fetches the proposals: the live route while the workshop is open (with
    this screen's token), else its approved proposals as a published file."""
    if workshop.is_open:
        return live_url(workshop.slug, screen_token(workshop.slug))
    labels = {c: ui.t(f"proposals.category.{c}") for c in CATEGORIES}
    return publish_geojson(proposals_geojson(store.on_screen(workshop.slug, pending=False),
                                             labels))


@st.fragment(run_every=room_ui.LIVE_SECONDS)
def stage() -> None:
    """The room's current step, QR code, map and proposals (re-run every few seconds)."""
    try:
        current = store.room()
        asked = st.query_params.get("workshop")
        workshop = (store.workshop(asked) if asked else None) or (
            store.workshop(current.workshop) if current.workshop else None)
    except ResilienceError as exc:
        ui.show_error(exc)
        return
    if workshop is None:
        st.title(ui.t("workshop.title"))
        st.info(ui.t("room.none"))
        return
    following = workshop.slug == current.workshop
    scenario, index = room_ui.step_of(current, scenarios) if following else (None, None)
    step = scenario.steps[index] if scenario is not None else None
    head, code = st.columns([4, 1])
    with head:
        room_ui.header(workshop, scenario, index, actions, lang)
        if not following:
            st.caption(ui.t("room.other_workshop"))
    with code:
        room_ui.join_code(workshop, lang)
    try:
        west, south, east, north = workshop_ui.proposal_rules().study_area.bounds
        fmap = base_map(((south + north) / 2, (west + east) / 2),
                        zoom_for_bounds((west, south, east, north)))
        # part of the base map: stays mounted across steps and fetches new proposals by itself
        LiveProposalsLayer(proposals_url(workshop), ui.t("workshop.proposals_layer"),
                           room_ui.LIVE_SECONDS).add_to(fmap)
    except ResilienceError as exc:
        ui.show_error(exc)
        return
    layers = step.layers if step is not None else ()
    groups = [feature_group(layer_id, map_ui.map_layer_url(layer_id), title(layer_id))
              for layer_id in layers if layer_id in manifest["layers"]]
    view = step.view if step is not None else None
    map_column, list_column = st.columns([4, 1])
    with map_column:
        st_folium(fmap, key="workshop.map", height=MAP_HEIGHT, use_container_width=True,
                  returned_objects=[], center=[view.lat, view.lon] if view else None,
                  zoom=view.zoom if view else None, feature_group_to_add=groups)
    with list_column:
        room_ui.live_list(workshop, facilitator)


stage()

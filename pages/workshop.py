"""« Atelier »: the room's screen. Large type, high contrast, the scenario step the facilitator
chose, the QR code of the participants' form, their proposals appearing live, and the map.

The room's state (workshop, scenario, step) is in the database and only a signed-in
facilitator changes it (panel « Animation »); every screen on this page follows it without
redrawing the page: the stage (step, QR code, proposals) is a fragment re-run every few
seconds, and the map moves to the step's view and layers by itself, from the same live data it
fetches its proposals from (``/live/<slug>.json``). ``?workshop=<slug>`` shows another workshop
read-only (a closed one stays readable).
"""

import streamlit as st
from streamlit_folium import st_folium

from geo.core.errors import ResilienceError
from geo.map.basemap import base_map, zoom_for_bounds
from geo.map.publish import publish_geojson
from geo.participation.proposals import CATEGORIES, Workshop
from geo.participation.workshop import LiveProposalsLayer, live_url, proposals_geojson, screen_token
from geo.ui import base as ui
from geo.ui import report as report_ui
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

top = st.container()  # the page's heading when no workshop is open yet (written from the panel)
with st.sidebar:
    st.header(ui.t("workshop.panel"))
    if facilitator is not None:
        room_ui.facilitator_panel(facilitator, room, workshops, scenarios, lang)
        staff_ui.sign_out_button()
    else:
        with st.expander(ui.t("room.staff_login")):
            staff_ui.sign_in("facilitator", "room.login")


def shown_workshop() -> tuple[Workshop | None, bool]:
    """(the workshop this screen shows, whether it is the room's)."""
    current = store.room()
    asked = st.query_params.get("workshop")
    workshop = (store.workshop(asked) if asked else None) or (
        store.workshop(current.workshop) if current.workshop else None)
    return workshop, workshop is not None and workshop.slug == current.workshop


def proposals_url(workshop: Workshop) -> str:
    """Where the map fetches the proposals (and the room's step): the live route while the
    workshop is open (with this screen's token), else its approved proposals as a file."""
    if workshop.is_open:
        return live_url(workshop.slug, screen_token(workshop.slug))
    labels = {c: ui.t(f"proposals.category.{c}") for c in CATEGORIES}
    return publish_geojson(proposals_geojson(store.on_screen(workshop.slug, pending=False),
                                             labels))


@st.fragment(run_every=room_ui.LIVE_SECONDS)
def stage(drawn: tuple) -> None:
    """The room's current step, the QR code and the proposals, re-run every few seconds. The
    page is redrawn only when the map must fetch elsewhere (``drawn`` changed: another
    workshop, or it opened or closed)."""
    try:
        workshop, following = shown_workshop()
    except ResilienceError as exc:
        ui.show_error(exc)
        return
    if workshop is None:
        st.title(ui.t("workshop.title"))
        st.info(ui.t("room.none"))
        return
    if (workshop.slug, workshop.is_open) != drawn:
        st.rerun()
    scenario, index = room_ui.step_of(store.room(), scenarios) if following else (None, None)
    head, side = st.columns([3, 1])
    with head:
        room_ui.header(workshop, scenario, index, actions, lang)
        if not following:
            st.caption(ui.t("room.other_workshop"))
    with side:
        room_ui.join_code(workshop, lang)
        room_ui.live_list(workshop, facilitator)


try:
    workshop, _ = shown_workshop()
    stage((workshop.slug, workshop.is_open) if workshop else None)
    if workshop is not None:
        west, south, east, north = workshop_ui.proposal_rules().study_area.bounds
        # the same map on every run (the step's view and layers come with the live data), so
        # Streamlit never re-sends or remounts it
        fmap = base_map(((south + north) / 2, (west + east) / 2),
                        zoom_for_bounds((west, south, east, north)))
        LiveProposalsLayer(proposals_url(workshop), ui.t("workshop.proposals_layer"),
                           room_ui.LIVE_SECONDS).add_to(fmap)
        st_folium(fmap, key="workshop.map", height=MAP_HEIGHT, use_container_width=True,
                  returned_objects=[])
except ResilienceError as exc:
    ui.show_error(exc)
if facilitator is not None:  # the team's view: the workshops compared (not on the room's screen)
    try:
        report_ui.comparison_panel(facilitator, lang)
    except ResilienceError as exc:
        ui.show_error(exc)

"""« Proposer »: the participants' form, made for a phone (opened from the room's QR code).

Widgets → ``geo.participation.proposals.validate`` → ``ProposalStore.submit`` (with the key of
the phone's address: the rate limit survives a reload). The form keeps one submission id until
the proposal is acknowledged, so a send retried after a network hiccup is stored once. A refused
proposal keeps everything typed and says why. Without ``?workshop=`` the form is for the
workshop the facilitator chose for the room, and only while it is open; a short notice says
what is done with the participant's data. While the facilitator offers the workshop's
evaluation, it is at the bottom of the page (``geo.ui.evaluation``).
"""

import json
import time

import streamlit as st
from streamlit_folium import st_folium

from geo.core.errors import ProposalError, ResilienceError
from geo.map.basemap import base_map, zoom_for_bounds
from geo.map.elements import feature_group, highlight_group
from geo.participation.privacy import notice
from geo.participation.proposals import (
    CATEGORIES,
    FIRST_NAME_MAX,
    HAZARDS,
    ROLES,
    TEXT_MAX,
    Submission,
    new_submission_id,
    parse_click,
    validate,
)
from geo.ui import base as ui
from geo.ui import evaluation as evaluation_ui
from geo.ui import map as map_ui
from geo.ui import workshop as workshop_ui

#: Seconds after an acknowledgement during which an empty send is a repeated click, not a new
#: proposal (a triple-click on « Envoyer » replaced the acknowledgement with an error).
REPEAT_CLICK_S = 5
lang = ui.lang()
manifest = ui.require_build()
st.html("<style>.stButton button, .stFormSubmitButton button {min-height: 3em; font-size: 1.1em}"
        "</style>")
try:
    store = workshop_ui.proposal_store()
    asked = st.query_params.get("workshop")
    workshop = (store.workshop(asked) if asked else None) or store.room_workshop()
    rules = workshop_ui.proposal_rules()
    _, actions = workshop_ui.scenarios()
except ResilienceError as exc:
    ui.show_error(exc)
    st.stop()

st.title(ui.t("propose.title"))
if workshop is None or not workshop.is_open:
    # never "the newest workshop": a closed, future or unknown one takes nothing
    key = "propose.no_workshop" if workshop is None else f"room.join_{workshop.status}"
    st.info(ui.t(key))
    st.stop()
slug = workshop.slug
st.write(ui.t("propose.intro", name=ui.escape_md(workshop.name), date=workshop.date))
if workshop.takes_evaluations:  # the end of the workshop: the evaluation is at the bottom
    st.info(ui.t("evaluation.below"))

state = st.session_state
state.setdefault("propose.client", new_submission_id())
state.setdefault("propose.submission", new_submission_id())
state.setdefault("propose.form", 0)
state.setdefault("propose.mine", [])
form = state["propose.form"]

# A place from the list comes first: it needs no pointer (WCAG 2.1.1); the pin is the other way.
where = st.radio(ui.t("propose.where"), ["place", "pin"], horizontal=True, key="propose.where",
                 format_func=lambda w: ui.t(f"propose.where_{w}"))
pin, place = state.get("propose.pin"), None
if where == "pin":
    west, south, east, north = rules.study_area.bounds
    fmap = base_map(((south + north) / 2, (west + east) / 2),
                    zoom_for_bounds((west, south, east, north), 380, 320))
    outline = feature_group("arrondissements", map_ui.map_layer_url("arrondissements"), "")
    groups = [outline]
    if pin:
        point = {"type": "Feature", "properties": {},
                 "geometry": {"type": "Point", "coordinates": [pin[1], pin[0]]}}
        groups.append(highlight_group(
            json.dumps({"type": "FeatureCollection", "features": [point]})))
    st.caption(ui.t("propose.pin_help"))
    clicked = st_folium(fmap, key="propose.map", height=340, use_container_width=True,
                        returned_objects=["last_clicked"], feature_group_to_add=groups)
    # a forged or partial value (``{"lat": "abc"}``) is ignored, never a traceback
    click = parse_click((clicked or {}).get("last_clicked"))
    # the map keeps returning its last click: only a new one moves the pin (not after a send)
    if click and click != state.get("propose.click"):
        state["propose.click"] = state["propose.pin"] = pin = click
        st.rerun()
    st.caption(ui.t("propose.pin_set", lat=pin[0], lon=pin[1]) if pin else ui.t("propose.pin_none"))
else:
    place = st.selectbox(ui.t("propose.place"), list(rules.places), key="propose.place",
                         format_func=lambda fid: rules.places[fid].label, index=None,
                         placeholder=ui.t("propose.place_placeholder"), help=ui.t("propose.place_help"))

action_ids = ["", *actions]
with st.form(f"propose.form.{form}"):
    category = st.selectbox(ui.t("propose.category"), CATEGORIES, key=f"propose.category.{form}",
                            format_func=lambda c: ui.t(f"proposals.category.{c}"),
                            placeholder=ui.t("app.choose_one"))
    text = st.text_area(ui.t("propose.text"), key=f"propose.text.{form}", max_chars=TEXT_MAX)
    action = st.selectbox(ui.t("propose.action"), action_ids, key=f"propose.action.{form}",
                          format_func=lambda a: actions[a][lang] if a else ui.t("propose.action_none"),
                          placeholder=ui.t("app.choose_one"))
    hazard = st.selectbox(ui.t("propose.hazard"), ["", *HAZARDS], key=f"propose.hazard.{form}",
                          format_func=lambda h: ui.t(f"proposals.hazard.{h or 'none'}"),
                          placeholder=ui.t("app.choose_one"))
    first_name = st.text_input(ui.t("propose.first_name"), key=f"propose.first_name.{form}",
                               max_chars=FIRST_NAME_MAX)
    # the role given with the last proposal is the next form's default (same person, same phone)
    roles = ["", *ROLES]
    role = st.selectbox(ui.t("propose.role.label"), roles, key=f"propose.role.{form}",
                        index=roles.index(state.get("propose.role", "")),
                        format_func=lambda r: ui.t(f"proposals.role.{r or 'none'}"),
                        help=ui.t("propose.role.help"))
    sent = st.form_submit_button(ui.t("propose.send"), type="primary", width="stretch")
ack = st.empty()  # the acknowledgement, under the button the participant just pressed

# The clicks that follow a send land on the next, empty form: keep the acknowledgement.
repeated = sent and not text.strip() and time.monotonic() - state.get("propose.ack_at", 0) \
    < REPEAT_CLICK_S
if sent and not repeated:
    state.pop("propose.ack", None)
    submission = Submission(
        submission_id=state["propose.submission"], workshop=workshop.slug,
        client_token=state["propose.client"], category=category, text=text,
        lon=pin[1] if pin and where == "pin" else None,
        lat=pin[0] if pin and where == "pin" else None,
        place=place if where == "place" else None, action_id=action or None,
        hazard=hazard or None, first_name=first_name or None, role=role or None)
    try:
        receipt = store.submit(validate(submission, rules), client_key=workshop_ui.client_key())
    except ProposalError as exc:
        st.error(workshop_ui.proposal_message(exc))
    except ResilienceError as exc:
        ui.show_error(exc)
    else:
        key = "propose.already" if receipt.duplicate else "propose.sent"
        state["propose.ack"] = ui.t(key, id=receipt.proposal.id)
        state["propose.ack_at"] = time.monotonic()
        state["propose.toast"] = True
        state["propose.mine"].append(receipt.proposal)
        state["propose.role"] = role or ""
        state["propose.submission"] = new_submission_id()
        state["propose.form"] = form + 1
        state.pop("propose.pin", None)
        st.rerun()

if "propose.ack" in state:
    ack.success(state["propose.ack"])
    if state.pop("propose.toast", False):  # seen wherever the phone is scrolled
        st.toast(state["propose.ack"], icon=":material/check_circle:")
if state["propose.mine"]:
    st.header(ui.t("propose.yours"))
    for proposal in reversed(state["propose.mine"]):
        st.markdown(f"- **{ui.escape_md(ui.t(f'proposals.category.{proposal.category}'))}** — "
                    f"{ui.escape_md(proposal.text)}")
if workshop.takes_evaluations:
    evaluation_ui.evaluation_form(workshop)
st.caption(f"**{ui.t('privacy.title')}**  \n" + "  \n".join(ui.escape_md(line)
                                                           for line in notice(lang)))

"""The room's screen (« Atelier »): what everybody sees, and the facilitation panel that only a
signed-in facilitator gets.

The room's state (its workshop, scenario and step) is in the database (``ProposalStore.room``),
set by a facilitator: every screen showing « Atelier » follows it (the page's stage is a fragment
re-run every few seconds, which draws the room's current step), and nobody else can change it. A facilitator
prepares, opens, closes and deletes workshops, chooses what the screen shows (every proposal
live, or approved ones only), offers the workshop's evaluation at its end and takes a proposal
off the screen in one click.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import streamlit as st

from geo.core.errors import ProposalError, ResilienceError
from geo.core.text import escape_html, escape_md
from geo.participation.auth import Staff
from geo.participation.hosts import public_base_url, public_urls
from geo.participation.proposals import (
    CATEGORIES,
    SCREEN_MODES,
    Proposal,
    Room,
    Workshop,
    role_counts,
    slugify,
    validate_workshop,
)
from geo.participation.workshop import participants_url, remove_legacy_live_files, room_layer_spec
from geo.ui import evaluation as evaluation_ui
from geo.ui.analysis import analysis_map_layers
from geo.ui.base import build_id, build_manifest, show_error, t
from geo.ui.map import layer_url_for
from geo.ui.refuges import step_figures
from geo.ui.workshop import figures as workshop_figures
from geo.ui.workshop import proposal_store, qr_figure, scenarios

LIVE_SECONDS = 4
LISTED = 6
MESSAGE_KEY = "room.message"


def step_of(room: Room, scenarios: dict) -> tuple[object, int]:
    """(the room's scenario, the index of its step), within range whatever the database says."""
    scenario = scenarios.get(room.scenario) or next(iter(scenarios.values()))
    return scenario, min(max(room.step - 1, 0), len(scenario.steps) - 1)


def room_stage(room: Room, lang: str) -> dict:
    """The room's step as its map draws it by itself (``LiveProposalsLayer``): the view and
    the layers of the step that the build holds. Callable outside a page's run."""
    scenario, index = step_of(room, scenarios()[0])
    step = scenario.steps[index]
    # the build's layers and those the analyses compute (host sites, stations, refuge gap)
    drawable = {**build_manifest(build_id())["layers"], **analysis_map_layers()}
    key = "title_en" if lang == "en" else "title_fr"
    return {"view": [step.view.lat, step.view.lon, step.view.zoom],
            "layers": [room_layer_spec(layer_id, layer_url_for(layer_id, lang, step.period or None),
                                       drawable[layer_id].get(key, layer_id))
                       for layer_id in step.layers if layer_id in drawable]}


def status_label(workshop: Workshop) -> str:
    return f"{workshop.name} ({workshop.date}) — {t(f'room.status.{workshop.status}')}"


def _act(action: Callable[[], object]) -> None:
    """Run a facilitator's action; a refusal is shown on the next run, never a traceback."""
    try:
        action()
    except ProposalError as exc:
        st.session_state[MESSAGE_KEY] = t(f"proposals.error.{exc.code}", field=exc.field,
                                          **exc.values)
    except ResilienceError as exc:
        st.session_state[MESSAGE_KEY] = str(exc)


def facilitator_panel(staff: Staff, room: Room, workshops: dict[str, Workshop],
                      scenarios: dict, lang: str) -> None:
    """The facilitation panel (in the sidebar): the room's workshop and its lifecycle, what the
    screen shows, the scenario and its steps, a new workshop, taking proposals off screen."""
    store = proposal_store()
    scenario, index = step_of(room, scenarios)

    def choose() -> None:
        _act(lambda: store.set_room(staff, st.session_state["room.workshop"], scenario.id, 1))

    def create() -> None:
        name = st.session_state.get("room.new_name", "")
        date = st.session_state["room.new_date"].isoformat()

        def make() -> None:
            created = store.create_workshop(staff, validate_workshop(slugify(name, date), name,
                                                                     date))
            store.set_room(staff, created.slug, scenario.id, 1)
        _act(make)

    if MESSAGE_KEY in st.session_state:
        st.error(escape_md(st.session_state.pop(MESSAGE_KEY)))
    with st.expander(t("room.new"), expanded=not workshops):
        st.text_input(t("workshop.new_name"), key="room.new_name", max_chars=120)
        st.date_input(t("workshop.new_date"), key="room.new_date", value=dt.date.today())
        st.button(t("room.create"), key="room.create", on_click=create)
    if not workshops:
        return
    # the widgets show the database's state (another facilitator may have changed it)
    st.session_state["room.workshop"] = room.workshop if room.workshop in workshops else None
    st.selectbox(t("room.workshop"), list(workshops), key="room.workshop", on_change=choose,
                 format_func=lambda s: status_label(workshops[s]),
                 placeholder=t("room.choose"))
    current = workshops.get(room.workshop)
    if current is None:
        return
    left, right = st.columns(2)
    left.button(t("room.open"), key="room.open", disabled=current.is_open, width="stretch",
                on_click=_act, args=(lambda: store.set_workshop_status(staff, current.slug,
                                                                        "open"),))
    def end(delete: bool) -> None:
        """Close or delete; a public file an earlier version left for it goes too."""
        if delete:
            store.delete_workshop(staff, current.slug)
        else:
            store.set_workshop_status(staff, current.slug, "closed")
        remove_legacy_live_files(current.slug)

    right.button(t("room.close"), key="room.close", disabled=current.status == "closed",
                 width="stretch", on_click=_act, args=(lambda: end(False),))
    st.session_state["room.screen"] = current.screen
    st.radio(t("room.screen"), SCREEN_MODES, key="room.screen",
             format_func=lambda mode: t(f"room.screen_{mode}"),
             on_change=lambda: _act(lambda: store.set_screen(
                 staff, current.slug, st.session_state["room.screen"])))
    evaluation_ui.facilitator_switch(staff, current, _act)
    st.session_state["room.scenario"] = scenario.id
    st.radio(t("workshop.scenario"), list(scenarios), key="room.scenario",
             format_func=lambda s: scenarios[s].title[lang],
             on_change=lambda: _act(lambda: store.set_room(
                 staff, current.slug, st.session_state["room.scenario"], 1)))
    back, forward = st.columns(2)
    back.button(t("workshop.previous"), key="workshop.previous", disabled=index == 0,
                width="stretch", on_click=_act,
                args=(lambda: store.set_room(staff, current.slug, scenario.id, index),))
    forward.button(t("workshop.next"), key="workshop.next", width="stretch",
                   disabled=index == len(scenario.steps) - 1, on_click=_act,
                   args=(lambda: store.set_room(staff, current.slug, scenario.id, index + 2),))
    off = store.off_screen(staff, current.slug)
    if off:
        with st.expander(t("room.off_screen", count=len(off))):
            for proposal in off:
                st.button(t("room.put_back", id=proposal.id), key=f"room.back.{proposal.id}",
                          on_click=_act, args=(lambda p=proposal.id: store.take_off_screen(
                              staff, p, back=True),))
    with st.expander(t("room.delete")):
        st.checkbox(t("room.delete_confirm", name=escape_md(current.name)),
                    key="room.delete_confirm")
        st.button(t("room.delete_button"), key="room.delete_button", type="primary",
                  disabled=not st.session_state.get("room.delete_confirm"), on_click=_act,
                  args=(lambda: end(True),))


def header(workshop: Workshop, scenario, index: int | None, actions: dict, lang: str) -> None:
    """The screen's title: the scenario's step when the screen follows the room, else the
    workshop's name and status."""
    if scenario is None or index is None:
        st.title(escape_md(workshop.name))
        st.markdown(escape_md(t(f"room.status.{workshop.status}")))
        return
    step = scenario.steps[index]
    st.title(scenario.title[lang])
    counter = t("workshop.step_of", n=index + 1, total=len(scenario.steps))
    st.html(f'<h2><span class="workshop-step">{escape_html(counter)}</span> '
            f"{escape_html(step.title[lang])}</h2>")
    st.markdown(escape_md(step.text[lang]))
    lines = workshop_figures(step)  # from the analysis of this build, never typed in the text
    if lines:
        st.markdown("\n".join(f"- {escape_md(line)}" for line in lines))
        st.caption(t("host.figures", build=escape_md(build_id())))
    if step.period:  # the figures of the step's time of day, from the analyses (never typed)
        try:
            step_figures(step.period)
        except ResilienceError as exc:
            show_error(exc)
    if step.actions:
        st.markdown(f"**{t('workshop.actions')}** : " + " · ".join(
            escape_md(actions.get(a, {}).get(lang, a)) for a in step.actions))


def join_code(workshop: Workshop, lang: str) -> None:
    """The QR code of the form for an open workshop: built on the browser's address only if it
    is one of the public addresses (a forged ``Host`` is never encoded), else the first public
    address; nothing safe to encode → how to configure it."""
    if not workshop.is_open:
        st.info(t(f"room.join_{workshop.status}"))
        return
    if workshop.takes_evaluations:  # the same QR code: the join page offers the evaluation
        st.success(t("evaluation.room.screen"))
    try:
        base = public_base_url(public_urls(), st.context.url)
    except ValueError as exc:
        st.error(escape_md(exc))
        return
    if base is None:
        st.warning(t("room.no_public_url"))
        return
    url = participants_url(base, workshop.slug, lang)
    # a figure: the image's text alternative is the URL it encodes, the caption shows it as text
    st.html(qr_figure(url, t("workshop.scan"), t("workshop.qr_alt", url=url)))


def proposal_line(proposal: Proposal, labels: dict[str, str], with_name: bool) -> str:
    author = f" — {escape_md(proposal.first_name)}" if with_name and proposal.first_name else ""
    return (f"**{escape_md(labels.get(proposal.category, proposal.category))}** : "
            f"{escape_md(proposal.text)}{author}")


def roles_line(proposals: list[Proposal]) -> str:
    """« Propositions par rôle : Habitant·e 3 · Association 1 · Non précisé 2 » (Markdown):
    counts only, so that no role is ever read next to a first name."""
    counts = role_counts(proposals)
    parts = [f"{t('proposals.role.' + (role or 'unknown'))} {count}"
             for role, count in counts.items()]
    return f"**{t('roles.counts')}** : " + " · ".join(parts)


def live_list(workshop: Workshop, facilitator: Staff | None) -> None:
    """The proposals on the screen (the newest first), each with « take off the screen » for a
    facilitator; first names only while the workshop is open and only once a moderator approved
    the proposal (the screen is a public page: nothing personal before moderation); under them,
    how many of them came from each role (never a role next to a proposal)."""
    store = proposal_store()
    labels = {c: t(f"proposals.category.{c}") for c in CATEGORIES}
    current = store.on_screen(workshop.slug,
                              pending=workshop.is_open and workshop.screen == "live")
    st.markdown(f"**{t('workshop.proposals', count=len(current))}**")
    if not current:
        st.write(t("workshop.no_proposals"))
    for proposal in reversed(current[-LISTED:]):
        named = workshop.is_open and proposal.status == "approved"
        if facilitator is None:
            st.markdown("- " + proposal_line(proposal, labels, named))
            continue
        text, button = st.columns([5, 1])
        text.markdown(proposal_line(proposal, labels, named))
        button.button(":material/visibility_off:", key=f"room.off.{proposal.id}",
                      help=t("room.take_off"),
                      on_click=_act, args=(lambda p=proposal.id: store.take_off_screen(
                          facilitator, p),))
    if current:
        st.markdown(roles_line(current))

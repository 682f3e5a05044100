"""« Modération »: staff approve, hide, merge and erase proposals, and export the approved ones
(closed workshops included); they see how many proposals came from each role and approve or
hide the evaluation's free comments.

Staff sign in with their own account (``geo.ui.staff``: Argon2id hashes from the secrets or
``RESILIENCE_STAFF``, failed sign-ins throttled per device); without an account the page says
how to make one and stays closed. Every action is logged with who did it.
"""

import streamlit as st

from geo.core.errors import ResilienceError
from geo.participation.export import export_filename, to_csv, to_geojson
from geo.participation.proposals import STATUSES
from geo.ui import base as ui
from geo.ui import evaluation as evaluation_ui
from geo.ui import moderation as moderation_ui
from geo.ui import staff as staff_ui
from geo.ui import workshop as workshop_ui

lang = ui.lang()
st.title(ui.t("moderation.title"))
state = st.session_state
moderator = staff_ui.sign_in("moderator", "moderation.login")
if moderator is None:
    st.stop()
staff_ui.sign_out_button()


def run(action, *args) -> None:
    try:
        action(moderator, *args)
    except ResilienceError as exc:
        state["moderation.message"] = ("error", ui.escape_md(exc))
    else:
        state["moderation.message"] = ("success", ui.t("moderation.done"))


try:
    store = workshop_ui.proposal_store()
    workshops = {w.slug: w for w in store.workshops()}
    if not workshops:
        st.info(ui.t("workshop.none"))
        st.stop()
    slug = st.selectbox(ui.t("moderation.workshop"), list(workshops), key="moderation.workshop",
                        format_func=lambda s: f"{workshops[s].name} ({workshops[s].date}) — "
                        f"{ui.t(f'room.status.{workshops[s].status}')}",
                        placeholder=ui.t("app.choose_one"))
    workshop = workshops[slug]
    proposals = store.all_proposals(moderator, slug)
    approved = store.approved(moderator, slug)
    place_names = {fid: place.label for fid, place in workshop_ui.proposal_rules().places.items()}
except ResilienceError as exc:
    ui.show_error(exc)
    st.stop()

kind, message = state.pop("moderation.message", (None, None))
if kind:
    getattr(st, kind)(message)

st.header(ui.t("moderation.export"))
st.write(ui.t("moderation.export_count", count=len(approved)))
left, right = st.columns(2)
left.download_button(ui.t("moderation.download_geojson"), to_geojson(workshop, approved, place_names),
                     file_name=export_filename(workshop, "geojson"),
                     mime="application/geo+json", key="moderation.geojson")
right.download_button(ui.t("moderation.download_csv"), to_csv(workshop, approved, place_names),
                      file_name=export_filename(workshop, "csv"), mime="text/csv",
                      key="moderation.csv")

moderation_ui.role_table(proposals)

shown = st.multiselect(ui.t("moderation.filter"), STATUSES, default=["pending", "approved"],
                       key="moderation.filter", format_func=lambda s: ui.t(f"proposals.status.{s}"),
                       placeholder=ui.t("app.choose_many"))
mergeable = [p.id for p in proposals if p.status != "merged"]
listed = [p for p in proposals if p.status in shown]
if not listed:
    st.info(ui.t("moderation.none"))
for proposal in listed:
    with st.container(border=True):
        st.markdown(ui.escape_md(proposal.text))
        author = f" — {ui.escape_md(proposal.first_name)}" if proposal.first_name else ""
        where = place_names.get(proposal.place, proposal.place) if proposal.place else None
        links = " · ".join(ui.escape_md(v) for v in (where, proposal.action_id, proposal.hazard)
                           if v)
        st.caption(ui.t("moderation.meta", id=proposal.id,
                        category=ui.t(f"proposals.category.{proposal.category}"),
                        status=ui.t(f"proposals.status.{proposal.status}"),
                        created=proposal.created_at[:16].replace("T", " ")) + author
                   + (f" — {links}" if links else ""))
        cols = st.columns(4)
        cols[0].button(ui.t("moderation.approve"), key=f"moderation.approve.{proposal.id}",
                       on_click=run, args=(store.set_status, [proposal.id], "approved"),
                       disabled=proposal.status == "approved")
        cols[1].button(ui.t("moderation.hide"), key=f"moderation.hide.{proposal.id}",
                       on_click=run, args=(store.set_status, [proposal.id], "hidden"),
                       disabled=proposal.status == "hidden")
        cols[2].button(ui.t("moderation.pending"), key=f"moderation.pending.{proposal.id}",
                       on_click=run, args=(store.set_status, [proposal.id], "pending"),
                       disabled=proposal.status == "pending")
        targets = [i for i in mergeable if i != proposal.id]
        with cols[3]:
            into = st.selectbox(ui.t("moderation.merge_into"), targets,
                                key=f"moderation.into.{proposal.id}", index=None,
                                placeholder=ui.t("app.choose_one"))
            st.button(ui.t("moderation.merge"), key=f"moderation.merge.{proposal.id}",
                      on_click=run, args=(store.merge, proposal.id, into),
                      disabled=into is None)

evaluation_ui.comments_panel(moderator, slug)
moderation_ui.erase_panel(moderator, proposals)

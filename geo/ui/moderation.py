"""The moderators' tools beyond the list: erasing one participant's proposals on request (RGPD),
and the retention of first names stated where moderators see it; how many proposals came from
each role (a table of counts: the list never shows a role next to a proposal)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.core.errors import ResilienceError
from geo.core.text import escape_md
from geo.participation.auth import Staff
from geo.participation.privacy import first_names_months
from geo.participation.proposals import Proposal, role_counts
from geo.ui.base import t
from geo.ui.workshop import proposal_store


def erase_panel(staff: Staff, proposals: list[Proposal]) -> None:
    """« Erase a participant's proposals »: pick them (all of one first name at once, or one by
    one), confirm, erase for good. What was erased is logged by ids only."""
    st.subheader(t("erase.title"))
    st.caption(t("erase.help", months=first_names_months()))
    if not proposals:
        return
    names = sorted({p.first_name for p in proposals if p.first_name}, key=str.casefold)
    by_id = {p.id: p for p in proposals}
    name = st.selectbox(t("erase.first_name"), ["", *names], key="erase.name",
                        format_func=lambda n: n or t("erase.any"))
    default = [p.id for p in proposals if name and p.first_name == name]
    chosen = st.multiselect(t("erase.proposals"), list(by_id), default=default,
                            key=f"erase.ids.{name}",
                            format_func=lambda i: f"n° {i} — {by_id[i].text[:60]}")
    confirm = st.checkbox(t("erase.confirm", count=len(chosen)), key=f"erase.confirm.{name}")
    if st.button(t("erase.button"), key="erase.button", type="primary",
                 disabled=not (chosen and confirm)):
        try:
            erased = proposal_store().erase_proposals(staff, chosen)
        except ResilienceError as exc:
            st.session_state["moderation.message"] = ("error", escape_md(exc))
        else:
            st.session_state["moderation.message"] = ("success", t("erase.done", count=erased))
        st.rerun()


def role_table(proposals: list[Proposal]) -> None:
    """« Propositions par rôle » of the chosen workshop: received and approved, per role."""
    st.subheader(t("roles.counts"))
    received = role_counts(proposals)
    if not received:
        st.write(t("workshop.no_proposals"))
        return
    approved = role_counts(p for p in proposals if p.status == "approved")
    st.table(pd.DataFrame({
        t("roles.column_role"): [t(f"proposals.role.{role or 'unknown'}") for role in received],
        t("roles.column_count"): list(received.values()),
        t("roles.column_approved"): [approved.get(role, 0) for role in received]}
    ).set_index(t("roles.column_role")))

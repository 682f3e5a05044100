"""The workshop report's inputs out of the app's caches (« Compte rendu », « Atelier »): the
report's figures for a workshop (read from the database on every call: moderation changes
them), the build and the catalogue the document names, and the PDF."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from geo.core.i18n import number, t
from geo.participation.auth import Staff
from geo.participation.evaluation import questions
from geo.participation.report import WorkshopReport, compare, workshop_report
from geo.reports.pdf import pdf_bytes
from geo.reports.workshop_doc import ReportInputs
from geo.ui import tables
from geo.ui import workshop as workshop_ui
from geo.ui.base import require_build
from geo.ui.map import map_frame


def report(staff: Staff, slug: str) -> WorkshopReport:
    """A workshop's report figures, as the database holds them now."""
    return workshop_report(workshop_ui.proposal_store().report_rows(staff, slug), questions())


def inputs() -> ReportInputs:
    """The build, action titles, scenarios and place names the report names."""
    scenarios, actions = workshop_ui.scenarios()
    places = {fid: place.label for fid, place in workshop_ui.proposal_rules().places.items()}
    made_at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return ReportInputs(manifest=require_build(), layer=map_frame, actions=actions,
                        scenarios=scenarios, place_names=places, made_at=made_at)


@st.cache_data(show_spinner=False, max_entries=4)
def pdf(html: str) -> bytes:
    """The PDF of a report's HTML, made once per document."""
    return pdf_bytes(html)


def comparison_panel(staff: Staff, lang: str) -> None:
    """« Comparer les ateliers » (the « Atelier » staff view): the report's figures for every
    workshop that was opened, side by side, oldest first, to evaluate the method over time."""
    store = workshop_ui.proposal_store()
    shown = [w for w in store.workshops() if w.status != "scheduled"]
    with st.expander(t("report.compare", lang), icon=":material/compare_arrows:"):
        st.caption(t("report.compare_intro", lang))
        if not shown:
            st.info(t("report.compare_none", lang))
            return
        rows = compare([report(staff, w.slug) for w in shown])

        def mean(value: float | None) -> str:
            return "—" if value is None else number(value, lang, 1)

        table = pd.DataFrame([{
            t("report.compare_workshop", lang): f"{r.workshop.name} ({r.workshop.date})",
            t("report.participants", lang): r.participants,
            t("report.proposals", lang): r.received,
            t("report.compare_approved", lang): r.approved,
            t("report.compare_roles", lang): r.roles_named,
            t("report.evaluations", lang): r.evaluations,
            t("report.compare_before", lang): mean(r.understanding.before_mean if r.understanding else None),
            t("report.compare_after", lang): mean(r.understanding.after_mean if r.understanding else None),
            t("report.compare_useful", lang): mean(r.means.get("game_useful")),
            t("report.compare_again", lang): "—" if r.first_option_share.get("again") is None
            else f"{number(100 * r.first_option_share['again'], lang)} %",
        } for r in rows])
        tables.table(table, fold_after=None)

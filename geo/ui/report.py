"""The workshop report's inputs out of the app's caches (« Compte rendu », « Atelier »): the
report's figures for a workshop (read from the database on every call: moderation changes
them), the build and the catalogue the document names, and the PDF."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from geo.participation.auth import Staff
from geo.participation.evaluation import questions
from geo.participation.report import WorkshopReport, workshop_report
from geo.reports.pdf import pdf_bytes
from geo.reports.workshop_doc import ReportInputs
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

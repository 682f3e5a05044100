"""« Compte rendu »: the report of a closed workshop (``geo.reports.workshop_doc``), for the
team (facilitators and moderators: it counts proposals not yet moderated). Printed on A4 by the
browser or downloaded as PDF, its figures as CSV, the approved proposals and the figures as a
GeoPackage (Lambert-93), each with its provenance. ``?atelier=<slug>`` names the workshop.
"""

import streamlit as st

from geo.core.errors import ResilienceError
from geo.participation.evaluation import questions
from geo.reports import workshop_export
from geo.reports.pdf import pdf_available
from geo.reports.workshop_doc import report_document
from geo.ui import base as ui
from geo.ui import printing
from geo.ui import report as report_ui
from geo.ui import staff as staff_ui
from geo.ui import workshop as workshop_ui

lang = ui.lang()
st.html(printing.print_css("report-login", "report-controls", "report-buttons"))
manifest = ui.require_build()  # the report's map and sources need the build
staff = staff_ui.member()
if staff is None or not (staff.can("facilitator") or staff.can("moderator")):
    with st.container(key="report-login"):
        st.title(ui.t("report.title"))
        st.caption(ui.t("report.login"))
        staff = staff_ui.sign_in("moderator", "report.login_form")
    if staff is None:
        st.stop()
staff_ui.sign_out_button()

try:
    closed = {w.slug: w for w in workshop_ui.proposal_store().workshops() if w.status == "closed"}
except ResilienceError as exc:
    ui.show_error(exc)
    st.stop()
asked = st.query_params.get("atelier")
with st.container(key="report-controls"):
    if not closed:
        st.title(ui.t("report.title"))
        st.info(ui.t("report.none_closed"))
        st.stop()
    if asked and asked not in closed:
        st.title(ui.t("report.title"))
        st.error(ui.t("report.unknown", slug=ui.escape_md(asked)))
    st.session_state.setdefault("report.workshop", asked if asked in closed else next(iter(closed)))
    slug = st.selectbox(ui.t("report.pick"), list(closed), key="report.workshop",
                        format_func=lambda s: f"{closed[s].name} ({closed[s].date})",
                        on_change=lambda: st.query_params.update(
                            atelier=st.session_state["report.workshop"]))
try:
    report = report_ui.report(staff, slug)
    inputs = report_ui.inputs()
    doc = report_document(report, questions(), inputs, lang)
    with st.container(key="report-buttons", horizontal=True):
        printing.print_button(ui.t("report.print"), lang, width=240)
        if pdf_available():
            st.download_button(ui.t("report.pdf"), data=lambda: report_ui.pdf(doc.html()),
                               mime="application/pdf", key="report.pdf", on_click="ignore",
                               file_name=workshop_export.file_name(report, "pdf"),
                               icon=":material/picture_as_pdf:")
        st.download_button(ui.t("report.csv"), key="report.csv", on_click="ignore",
                           data=lambda: workshop_export.to_csv(report, inputs, lang),
                           mime="text/csv", file_name=workshop_export.file_name(report, "csv"))
        st.download_button(ui.t("report.gpkg"), key="report.gpkg", on_click="ignore",
                           data=lambda: workshop_export.to_geopackage(report, inputs, lang),
                           mime="application/geopackage+sqlite3",
                           file_name=workshop_export.file_name(report, "gpkg"))
    st.caption(ui.t("report.downloads_note"))
    st.html(doc.fragment())
except ResilienceError as exc:
    ui.show_error(exc)

"""« Accessibilité »: the accessibility statement in the form the RGAA 4.1 asks for (compliance
status, what is not accessible and why, how it was checked, contact, remedies)."""

import os

import streamlit as st

from geo.core.errors import BuildMissingError
from geo.core.text import escape_html
from geo.ui import base as ui
from geo.ui.page_meta import STREAMLIT_ENGLISH

lang = ui.lang()
st.title(ui.t("a11y.statement.title"))
st.markdown(ui.t("a11y.statement.intro"))

st.header(ui.t("a11y.statement.state"))
st.markdown(ui.t("a11y.statement.state_text"))

st.header(ui.t("a11y.statement.content"))
st.subheader(ui.t("a11y.statement.nonconform"))
st.markdown("1. " + ui.t("a11y.statement.streamlit_strings"))
# Streamlit's own words, quoted as they appear: marked as English (WCAG 3.1.2)
st.html('<ul style="margin-left:2.5rem">' + "".join(
    f'<li><span lang="en">{escape_html(text)}</span> — {escape_html(where[lang])}</li>'
    for text, where in STREAMLIT_ENGLISH) + "</ul>")
for number, key in enumerate(("grids", "names", "live", "map_alt", "no_sr"), start=2):
    st.markdown(f"{number}. " + ui.t(f"a11y.statement.{key}"))
st.subheader(ui.t("a11y.statement.derogations"))
st.markdown(ui.t("a11y.statement.derogations_text"))
st.subheader(ui.t("a11y.statement.exempt"))
st.markdown(ui.t("a11y.statement.exempt_text"))

st.header(ui.t("a11y.statement.made"))
st.markdown(ui.t("a11y.statement.made_text"))
st.subheader(ui.t("a11y.statement.tech"))
st.markdown(ui.t("a11y.statement.tech_text"))
st.subheader(ui.t("a11y.statement.tests"))
st.markdown(ui.t("a11y.statement.tests_text"))

st.header(ui.t("a11y.statement.contact"))
st.markdown(ui.t("a11y.statement.contact_text"))
contact = ui.secret("accessibility", "contact") or os.environ.get("RESILIENCE_ACCESSIBILITY_CONTACT")
if contact:
    st.markdown(ui.t("a11y.statement.contact_configured", contact=ui.escape_md(contact)))
try:
    manifest = ui.manifest()
except BuildMissingError:  # the statement stands without data: only the postal address is missing
    manifest = {"layers": {}}
if "mairies" in manifest["layers"]:
    # the study area's town hall, as the build's « mairies » layer gives it
    mairies = ui.layer("mairies")
    here = mairies[mairies["c_ar"] == int(manifest["study_area"]["insee"][-2:])]
    for name, address in zip(here["name"], here["address"], strict=True):
        st.markdown(ui.t("a11y.statement.contact_postal", name=ui.escape_md(name),
                         address=ui.escape_md(" ".join(str(address).split()))))
if not contact:
    st.caption(ui.t("a11y.statement.contact_missing"))

st.header(ui.t("a11y.statement.recourse"))
st.markdown(ui.t("a11y.statement.recourse_text"))

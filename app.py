"""Entry point: the picture frame shared by every page (config, sidebar, navigation)."""

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from geo import ui

# A `pages/` folder beside the entry point switches Streamlit to its older automatic multipage
# mode, in which a URL such as /sources runs pages/sources.py alone, without this frame. The pages
# here are st.Page scripts driven by st.navigation below, so that mode is turned off; the URL
# paths differ from the file names so that even the first request of a fresh server lands here.
PagesManager.uses_pages_directory = False

# Material icons: Streamlit serves their font itself (emoji need a system font and may render
# as empty boxes). Not for the favicon: a Material page_icon is fetched from fonts.gstatic.com,
# which breaks the offline rule; an emoji favicon is drawn by the browser from a data: URL.
st.set_page_config(page_title="Résilience Paris 20e", page_icon="🗺️", layout="wide")

pages = [
    st.Page("pages/map.py", title=ui.t("nav.map"), icon=":material/map:", url_path="carte", default=True),
    st.Page("pages/flood.py", title=ui.t("expo.nav.flood"), icon=":material/flood:", url_path="inondation"),
    st.Page("pages/heat.py", title=ui.t("expo.nav.heat"), icon=":material/thermostat:", url_path="chaleur"),
    st.Page("pages/sheet.py", title=ui.t("expo.nav.sheet"), icon=":material/description:", url_path="fiche"),
    st.Page("pages/actions.py", title=ui.t("actions.nav"), icon=":material/handyman:", url_path="actions-resilience"),
    st.Page("pages/sources.py", title=ui.t("nav.sources"), icon=":material/menu_book:", url_path="sources-et-methodes"),
    st.Page("pages/downloads.py", title=ui.t("nav.downloads"), icon=":material/download:", url_path="telechargements"),
    st.Page("pages/workshop.py", title=ui.t("nav.workshop"), icon=":material/co_present:", url_path="atelier"),
    st.Page("pages/propose.py", title=ui.t("nav.propose"), icon=":material/edit_location_alt:", url_path="proposer"),
    st.Page("pages/moderation.py", title=ui.t("nav.moderation"), icon=":material/shield_person:", url_path="moderer"),
]
page = st.navigation(pages)
# The map's first run draws the map alone (see pages/map.py); the language switch joins the
# page's other controls on the rerun the mounted map triggers.
if page is not pages[0] or not st.session_state.get("map.first_run", True):
    ui.language_switch()
page.run()

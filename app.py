"""Entry point: the picture frame shared by every page (config, sidebar, navigation)."""

import streamlit as st

from geo import ui

st.set_page_config(page_title="Résilience Paris 20e", page_icon="🗺️", layout="wide")

ui.language_switch()

pages = [
    st.Page("pages/sources.py", title=ui.t("nav.sources"), icon="📚", url_path="sources",
            default=True),
]
st.navigation(pages).run()

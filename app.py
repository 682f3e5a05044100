"""Entry point: the picture frame shared by every page (config, sidebar, navigation)."""

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from geo.ui import base as ui
from geo.ui import page_meta

# A `pages/` folder beside the entry point switches Streamlit to its older automatic multipage
# mode, in which a URL such as /sources runs pages/sources.py alone, without this frame. The pages
# here are st.Page scripts driven by st.navigation below, so that mode is turned off; the URL
# paths differ from the file names so that even the first request of a fresh server lands here.
PagesManager.uses_pages_directory = False

# Material icons: Streamlit serves their font itself (emoji need a system font and may render
# as empty boxes). Not for the favicon: a Material page_icon is fetched from fonts.gstatic.com,
# which breaks the offline rule; an emoji favicon is drawn by the browser from a data: URL.
# The title is set per page once the page is known (geo.ui.page_meta): « Carte — Résilience… ».
st.set_page_config(page_icon="🗺️", layout="wide")

#: (script, title key, Material icon, URL path), the first one is the home page.
PAGES = [
    ("pages/map.py", "nav.map", "map", "carte"),
    ("pages/flood.py", "expo.nav.flood", "flood", "inondation"),
    ("pages/heat.py", "expo.nav.heat", "thermostat", "chaleur"),
    ("pages/refuge_planning.py", "refuges.nav.planning", "add_location_alt", "refuges-planification"),
    ("pages/sheet.py", "expo.nav.sheet", "description", "fiche"),
    ("pages/actions.py", "actions.nav", "handyman", "actions-resilience"),
    ("pages/sources.py", "nav.sources", "menu_book", "sources-et-methodes"),
    ("pages/downloads.py", "nav.downloads", "download", "telechargements"),
    ("pages/workshop.py", "nav.workshop", "co_present", "atelier"),
    ("pages/propose.py", "nav.propose", "edit_location_alt", "proposer"),
    ("pages/moderation.py", "nav.moderation", "shield_person", "moderer"),
    ("pages/report.py", "nav.report", "summarize", "compte-rendu"),
    ("pages/accessibility.py", "nav.accessibility", "accessibility_new", "accessibilite"),
]
pages = [st.Page(script, title=ui.t(key), icon=f":material/{icon}:", url_path=path, default=index == 0)
         for index, (script, key, icon, path) in enumerate(PAGES)]
# every page listed, never folded under « Voir plus » (13 pages: the staff ones come last)
page = st.navigation(pages, expanded=True)
# The map's first run draws the map alone (see pages/map.py); the language switch and the page
# script (its <html lang> is already right: geo.ui.page_meta's middleware) join the page's other
# controls on the rerun the mounted map triggers.
map_alone = page is pages[0] and st.session_state.get("map.first_run", True)
page_meta.apply(page.title, ui.lang(), script=not map_alone)
if not map_alone:
    ui.language_switch()
page.run()

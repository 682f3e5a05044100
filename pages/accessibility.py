"""« Accessibilité »: the accessibility statement (RGAA 4.1)."""

import streamlit as st

from geo.ui import base as ui

st.title(ui.t("nav.accessibility"))

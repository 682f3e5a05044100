"""« Sources et méthodes »: the manifest of the current build as a readable table."""

import pandas as pd
import streamlit as st

from geo.sources.provenance import build_origin, missing_layers, sources_table
from geo.ui import base as ui

lang = ui.lang()
st.title(ui.t("sources.title"))
manifest = ui.require_build()
st.write(ui.t("sources.intro"))
area = manifest["study_area"]
st.caption(ui.t("sources.build", build=manifest["build_id"], date=manifest["built_at"][:10],
                area=area["name"], insee=area["insee"], km2=area["area_km2"],
                mode=build_origin(manifest, lang)))

table = sources_table(manifest, lang)
st.dataframe(
    pd.DataFrame(table),
    hide_index=True,
    width="stretch",
    height=35 * (len(table) + 1) + 3,
    column_order=[key for key in table[0] if key != "note"] if table else None,
    column_config={
        "url": st.column_config.LinkColumn(ui.t("sources.col_url"), display_text="↗"),
        **{key: ui.t(f"sources.col_{key}") for key in
           ("layer", "theme", "status", "publisher", "licence", "date", "source", "clip", "area",
            "sha", "warnings")},
    },
)

notes = [(row["layer"], row["note"]) for row in table if row["note"]]
if notes:
    st.header(ui.t("sources.notes"))
    for title, note in notes:
        st.markdown(f"- **{ui.escape_md(title)}** — {ui.escape_md(note)}")

st.header(ui.t("sources.participation"))
st.markdown(ui.t("sources.participation_text"))

st.header(ui.t("sources.missing"))
for title, reason in missing_layers(ui.registry(), lang):
    st.markdown(f"- **{ui.escape_md(title)}** — {ui.escape_md(reason)}")
if manifest["skipped"]:
    st.header(ui.t("sources.skipped"))
    for line in manifest["skipped"]:
        st.markdown(f"- {ui.escape_md(line)}")

st.header(ui.t("sources.methods"))
settings = ui.registry().settings
st.markdown(ui.t("sources.methods_text", buffer=int(settings.buffer_m),
                 nbuffer=int(settings.neighbours_buffer_m)))

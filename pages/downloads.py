"""« Téléchargements »: filtered layers as GIS files (``geo.export``), with a preview before downloading."""

import pandas as pd
import streamlit as st

from geo import export
from geo.core.errors import ResilienceError
from geo.core.text import neutralise_autolinks
from geo.ui import analysis as analysis_ui
from geo.ui import base as ui
from geo.ui import downloads as downloads_ui


@st.cache_data(show_spinner=False, max_entries=16, hash_funcs={export.ExportSpec: hash})
def _preview(build: str, spec: export.ExportSpec) -> export.Preview:
    return export.preview(export.prepare(spec, downloads_ui.export_manifest(), downloads_ui.export_layer))


@st.cache_data(show_spinner=False, max_entries=8, hash_funcs={export.ExportSpec: hash})
def _download(build: str, spec: export.ExportSpec) -> export.Download:
    return export.run(spec, downloads_ui.export_manifest(), downloads_ui.export_layer)


lang = ui.lang()
st.title(ui.t("export.title"))
manifest = ui.require_build()
st.write(ui.t("export.intro"))
# the build's layers, then the layers the flood host analyses compute (derived, with provenance)
infos = downloads_ui.export_manifest()["layers"]


def _title(layer_id: str) -> str:
    return infos[layer_id]["title_en" if lang == "en" else "title_fr"]


layers = st.multiselect(ui.t("export.layers"), list(infos), default=["cool_facilities"],
                        format_func=_title, key="export.layers", placeholder=ui.t("app.choose_many"))

with st.expander(ui.t("export.filters"), expanded=True):
    quartiers = ui.layer("quartiers").sort_values("source_id")
    names = dict(zip(quartiers["source_id"], quartiers["name"], strict=True))
    chosen_quartiers = st.multiselect(ui.t("export.quartiers"), list(names), key="export.quartiers",
                                      format_func=lambda code: f"{names[code]} ({code})",
                                      help=ui.t("export.quartiers_help"),
                                      placeholder=ui.t("export.all_quartiers"))
    area_number = int(manifest["study_area"]["insee"]) - 75100
    study_area_only = st.checkbox(ui.t("export.study_area_only", area=area_number),
                                  key="export.study_area_only")
    kinds: list[tuple[str, str]] = []
    for layer_id in layers:
        options = downloads_ui.export_kinds(layer_id)
        if len(options) > 1:
            label = ui.t("export.kinds_layer", layer=neutralise_autolinks(_title(layer_id)))
            picked = st.multiselect(label, options,
                                    key=f"export.kind.{layer_id}", help=ui.t("export.kinds_help"),
                                    placeholder=ui.t("export.all_kinds"))
            kinds += [(layer_id, kind) for kind in picked]
    flood_box, flood_distance = st.columns([2, 1], vertical_alignment="bottom")
    near_flood = flood_box.checkbox(ui.t("export.near_flood"), key="export.near_flood")
    distance = flood_distance.number_input(ui.t("export.distance"), min_value=0, max_value=5000, value=500,
                               step=100, key="export.distance", disabled=not near_flood)
    # Labels computed now: AppTest and Streamlit may call format_func outside this run.
    walk_labels = {value: ui.t(f"export.walk_{value}") for value in ("any", *export.WALK_TARGET_VALUES)}
    minutes = f"{analysis_ui.analysis_settings().access.target_minutes:g}"
    walk = st.radio(ui.t("export.walk_target", minutes=minutes), list(walk_labels), horizontal=True,
                    key="export.walk_target", format_func=walk_labels.__getitem__)

left, right = st.columns(2)
fmt = left.selectbox(ui.t("export.format"), list(export.FORMATS), key="export.format",
                     format_func=lambda key: export.FORMATS[key].label(lang),
                     placeholder=ui.t("app.choose_one"))
crs_labels = {code: ui.t(f"export.crs_label.{code}") for code in export.CRS_NAMES}
crs = right.radio(ui.t("export.crs"), list(crs_labels), key="export.crs", horizontal=True,
                  format_func=crs_labels.__getitem__)

if not layers:
    st.info(ui.t("export.pick_layers"))
    st.stop()

spec = export.ExportSpec(layers=tuple(layers), fmt=fmt, crs=crs, quartiers=tuple(chosen_quartiers),
                         kinds=tuple(kinds), near_flood_m=float(distance) if near_flood else None,
                         study_area_only=study_area_only, lang=lang,
                         extra=((export.WALK_TARGET, walk),) if walk != "any" else ())
try:
    shown = _preview(ui.build_id(), spec)
    download = _download(ui.build_id(), spec)
except ResilienceError as exc:
    ui.show_error(exc)
    st.stop()

st.header(ui.t("export.preview"))
st.markdown(ui.t("export.total", count=sum(shown.counts.values())))
st.dataframe(pd.DataFrame({ui.t("export.col_layer"): [_title(i) for i in shown.counts],
                           ui.t("export.col_count"): list(shown.counts.values())}),
             hide_index=True)
empty = [_title(i) for i, n in shown.counts.items() if not n]
if empty:
    st.warning(ui.t("export.empty_layers", layers=", ".join(empty)))
st.dataframe(shown.table.assign(layer=shown.table["layer"].map(_title)).rename(columns={
    "layer": ui.t("export.col_layer"), "name": ui.t("export.col_name"), "kind": ui.t("export.col_kind"),
    "address": ui.t("export.col_address"), "quartier_name": ui.t("export.col_quartier")}),
    hide_index=True)

st.download_button(ui.t("export.download", name=download.filename), download.data,
                   file_name=download.filename, mime=download.mime, type="primary",
                   key="export.download", icon=":material/download:")
st.caption(ui.t("export.command"))
ui.command(export.command_line(spec))

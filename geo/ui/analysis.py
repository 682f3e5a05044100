"""The exposure analyses of the current build, run once per build and settings and shared
read-only across sessions, and the caption that cites their sources.
"""

from __future__ import annotations

import geopandas as gpd
import streamlit as st

from geo.analysis import derived, exposure
from geo.analysis.exposure import MAP_LAYERS, map_layer
from geo.analysis.flood import flood_figures as compute_flood_figures
from geo.analysis.settings import load_settings
from geo.core.text import escape_md
from geo.sources import store
from geo.ui.base import build_id, build_layer, build_manifest, lang, manifest, t


@st.cache_resource(show_spinner=False, max_entries=1)
def analysis_settings():
    """The settings of ``data/analysis.toml`` (read once per process)."""
    return load_settings()


@st.cache_resource(show_spinner=False, max_entries=2)
def _analysis(build: str, settings_key: str, _settings):
    needed = {*exposure.FLOOD_LAYERS, *exposure.ACCESS_LAYERS, *exposure.HEAT_LAYERS,
              *exposure.refuges.REFUGE_LAYERS}
    layers = {layer_id: build_layer(build, layer_id) for layer_id in build_manifest(build)["layers"]
              if layer_id in needed}
    # the whole-Paris copies of the keep_paris layers (stations and PPRI for the lines at risk)
    return exposure.run(build_manifest(build), layers, _settings, store.load_paris())


def analysis():
    """The exposure analyses of the current build, run once per build and settings (shared,
    read-only: never mutate the result)."""
    settings = analysis_settings()
    return _analysis(build_id(), settings.key(), settings)


def analysis_map_layers() -> dict[str, dict]:
    """Map layers computed by the analyses (e.g. ``access_gap``): id → title and status, listed
    on the map like the build's layers."""
    return MAP_LAYERS


@st.cache_resource(show_spinner=False, max_entries=4)
def analysis_map_frame(build: str, layer_id: str) -> gpd.GeoDataFrame:
    return map_layer(analysis(), layer_id)


def sources_caption(layer_ids: tuple[str, ...] | list[str]) -> None:
    """A caption under a figure: the build it comes from and the layers it uses (with status)."""
    info = manifest()
    names = []
    for layer_id in layer_ids:
        entry = info["layers"].get(layer_id)
        if entry is None:
            continue
        title = entry["title_en"] if lang() == "en" else entry["title_fr"]
        status = "" if entry["status"] == "official" else f" — {t('status.' + entry['status'])}"
        names.append(f"{title} ({entry['publisher']}, {entry['licence']}{status})")
    st.caption(t("expo.sources_caption", build=escape_md(info["build_id"]),
                 layers=escape_md(" ; ".join(names))))


@st.cache_resource(show_spinner=False, max_entries=2)
def _flood_figures(build: str):
    insee = build_manifest(build)["study_area"]["insee"]
    arrondissements = build_layer(build, "arrondissements")
    return compute_flood_figures(arrondissements[arrondissements["source_id"] == insee],
                         build_layer(build, "ppri"))


def flood_figures():
    """The study area's PPRI overlap and distance (``geo.analysis.flood.flood_figures``), once per build."""
    return _flood_figures(build_id())


@st.cache_resource(show_spinner=False, max_entries=4)
def _derived_entry(build: str, settings_key: str, layer_id: str) -> dict:
    result = analysis()
    return derived.derived_entry(build_manifest(build), layer_id, result.settings,
                                 analysis_map_frame(build, layer_id), result.c_ar)


def derived_entry(layer_id: str) -> dict:
    """The provenance of a layer computed by the flood host analyses, as a manifest entry
    (``geo.analysis.derived.derived_entry``), once per build and settings."""
    return _derived_entry(build_id(), analysis_settings().key(), layer_id)

"""The downloads page's cached pieces: the build's layers plus the layers the flood host analyses
compute (host sites with capacity and flags, stations at risk), with their provenance, once per
build and settings (``geo.export.derived``).
"""

from __future__ import annotations

import geopandas as gpd
import streamlit as st

from geo.export import derived
from geo.ui.analysis import analysis, analysis_settings
from geo.ui.base import build_id, build_manifest, layer, layer_kinds


@st.cache_resource(show_spinner=False, max_entries=2)
def _export_layers(build: str, settings_key: str) -> tuple[dict, dict[str, gpd.GeoDataFrame]]:
    result = analysis()
    frames = derived.derived_frames(result)
    return derived.with_derived(build_manifest(build), result, frames), frames


def export_manifest() -> dict:
    """The build's manifest whose layers also describe the derived layers (shared: never mutate)."""
    return _export_layers(build_id(), analysis_settings().key())[0]


def export_layer(layer_id: str) -> gpd.GeoDataFrame:
    """A built layer or a derived one (EPSG:4326, shared read-only)."""
    frames = _export_layers(build_id(), analysis_settings().key())[1]
    return frames[layer_id] if layer_id in frames else layer(layer_id)


def export_kinds(layer_id: str) -> tuple[str, ...]:
    """The distinct non-empty types (``kind``) of a built or derived layer, sorted."""
    if layer_id in derived.DERIVED_LAYERS:
        kinds = export_layer(layer_id)["kind"].dropna().astype(str)
        return tuple(sorted(kind for kind in kinds.unique() if kind))
    return layer_kinds(layer_id)

"""The map page's cached pieces: the light GeoJSON of every layer and filter (published once per
build), the approved-proposals layer, the details of a clicked feature, the place search.
"""

from __future__ import annotations

import geopandas as gpd
import streamlit as st

from geo.analysis.derived import INPUTS as DERIVED_INPUTS
from geo.analysis.derived import derived_details
from geo.core.errors import ResilienceError
from geo.map.details import Details, feature_details, layer_of
from geo.map.geojson import layer_geojson
from geo.map.layers import LAYERS, select
from geo.map.publish import publish_geojson
from geo.map.search import search
from geo.participation.layer import LAYER_ID as PROPOSALS
from geo.participation.layer import LAYER_INFO as PROPOSALS_INFO
from geo.participation.layer import proposal_details, proposals_frame
from geo.ui.analysis import analysis_map_frame, analysis_map_layers, derived_entry
from geo.ui.base import build_id, build_layer, lang, layer, manifest, registry
from geo.ui.workshop import action_titles, proposal_rules, proposal_store


@st.cache_resource(show_spinner=False, max_entries=512)
def _map_layer_json(build: str, layer_id: str, lang: str, types: tuple[str, ...] | None,
                    quartier: str | None, period: str | None = None) -> str:
    spec = LAYERS[layer_id]
    frame = select(_built_map_frame(build, layer_id), spec, types, quartier, period)
    return layer_geojson(frame, spec, lang)


def _built_map_frame(build: str, layer_id: str) -> gpd.GeoDataFrame:
    """A map layer of the build: a built layer or one computed by the analyses."""
    if layer_id in analysis_map_layers():
        return analysis_map_frame(build, layer_id)
    return build_layer(build, layer_id)


def map_layer_url(layer_id: str, types: tuple[str, ...] | None = None,
                  quartier: str | None = None, period: str | None = None) -> str:
    """URL of the light GeoJSON of one map layer for a filter (built once per build id + layer +
    filter, published under ``static/``; re-published if the file went away). The proposals
    layer follows the database (``proposal_layer``); ``period`` picks the time of day of a layer
    drawn per time of day (``LayerDef.by_period``)."""
    if layer_id == PROPOSALS:
        frame = select(proposal_layer()[0], LAYERS[layer_id], types, quartier)
        return publish_geojson(layer_geojson(frame, LAYERS[layer_id]))
    period = period if LAYERS[layer_id].by_period else None
    return publish_geojson(_map_layer_json(build_id(), layer_id, lang(), types, quartier, period))


def map_layers_info() -> dict[str, dict]:
    """Every layer the map can draw: the build's, the analyses' and the approved proposals',
    id → manifest-like entry (titles, status)."""
    return {**manifest()["layers"], **analysis_map_layers(), PROPOSALS: PROPOSALS_INFO}


@st.cache_data(show_spinner=False, ttl=20, max_entries=8)
def _proposal_layer(build: str, lang: str) -> tuple[gpd.GeoDataFrame, str]:
    try:
        store = proposal_store()
        approved, workshops, error = store.public(), {w.slug: w for w in store.workshops()}, ""
    except ResilienceError as exc:
        approved, workshops, error = [], {}, str(exc)
    return proposals_frame(approved, build_layer(build, "quartiers"), workshops, lang), error


def proposal_layer() -> tuple[gpd.GeoDataFrame, str]:
    """(approved proposals as a map layer, "" or why the database could not be read); read at
    most every 20 s per language, so a newly approved proposal shows within that delay."""
    return _proposal_layer(build_id(), lang())


def map_frame(layer_id: str) -> gpd.GeoDataFrame:
    """The features of any map layer (built, computed by the analyses, or proposals)."""
    if layer_id == PROPOSALS:
        return proposal_layer()[0]
    return _built_map_frame(build_id(), layer_id)


def map_details(fid: str, quartier_names: dict[str, str]) -> Details | None:
    """What the map's details panel shows for ``fid`` (``geo.map.details.Details``): a built
    layer's feature, a feature of a layer the analyses compute (with its derived provenance) or
    an approved proposal; ``None`` for anything else or a stale fid."""

    layer_id = layer_of(fid)
    if layer_id in manifest()["layers"]:
        return feature_details(layer(layer_id), fid, registry().layer(layer_id), manifest(), lang())
    if layer_id in DERIVED_INPUTS:  # host sites and stations at risk, computed by the analyses
        return derived_details(map_frame(layer_id), fid, derived_entry(layer_id), lang())
    if layer_id != PROPOSALS:
        return None
    places = {key: place.label for key, place in proposal_rules().places.items()}
    return proposal_details(proposal_layer()[0], fid, action_titles(), places, quartier_names,
                            lang())


@st.cache_resource(show_spinner=False, max_entries=128)
def _map_search(build: str, layer_ids: tuple[str, ...], query: str) -> tuple:
    return tuple(search({layer_id: build_layer(build, layer_id) for layer_id in layer_ids}, query))


def map_search(layer_ids: tuple[str, ...], query: str) -> tuple:
    """The map's place search (``geo.map.details.search``) over built layers, cached per query so
    the reruns that follow (pans, clicks) do not pay for it again."""
    return _map_search(build_id(), layer_ids, query.strip())


def layer_url_for(layer_id: str, lang: str, period: str | None = None) -> str:
    """``map_layer_url`` of a built or analysis layer, unfiltered, in ``lang`` (``period``: the
    time of day of a layer drawn per time of day): callable outside a page's run (the room map's
    live route, ``geo.ui.live``)."""
    period = period if LAYERS[layer_id].by_period else None
    return publish_geojson(_map_layer_json(build_id(), layer_id, lang, None, None, period))

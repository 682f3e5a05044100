"""Downloads of the layers the flood host analyses compute: the host sites with their estimated
capacity and flags (``host_capacity``) and the stations at risk (``stations_at_risk``).

They are offered next to the build's layers: :func:`with_derived` adds their provenance entries
(``geo.analysis.derived.derived_entry``: derived status, the sources and SHA-256 of the layers
they come from, the settings used) to a copy of the manifest, and :func:`loader` serves their
features, so the engine filters, writes and documents them like any built layer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import geopandas as gpd

from geo.analysis import exposure
from geo.analysis.derived import INPUTS, derived_entry
from geo.core.errors import AnalysisError

#: Ids of the derived layers a download can hold.
DERIVED_LAYERS = tuple(INPUTS)


def derived_frames(result: exposure.Analysis) -> dict[str, gpd.GeoDataFrame]:
    """The derived layers of one analysis (EPSG:4326); the stations at risk are left out of a
    build without the whole-Paris copies they are measured on."""
    frames = {}
    for layer_id in DERIVED_LAYERS:
        try:
            frames[layer_id] = exposure.map_layer(result, layer_id)
        except AnalysisError:
            continue
    return frames


def with_derived(manifest: dict, result: exposure.Analysis,
                 frames: Mapping[str, gpd.GeoDataFrame]) -> dict:
    """A copy of ``manifest`` whose ``layers`` also describe the derived ``frames``."""
    layers = dict(manifest["layers"])
    for layer_id, frame in frames.items():
        layers[layer_id] = derived_entry(manifest, layer_id, result.settings, frame, result.c_ar)
    return {**manifest, "layers": layers}


def loader(frames: Mapping[str, gpd.GeoDataFrame],
           built: Callable[[str], gpd.GeoDataFrame]) -> Callable[[str], gpd.GeoDataFrame]:
    """A layer loader serving the derived ``frames`` and, for every other id, ``built``."""
    def load(layer_id: str) -> gpd.GeoDataFrame:
        return frames[layer_id] if layer_id in frames else built(layer_id)
    return load


def wants_derived(layer_ids: Iterable[str]) -> bool:
    """Whether a request names a derived layer (the command only runs the analyses then)."""
    return any(layer_id in DERIVED_LAYERS for layer_id in layer_ids)

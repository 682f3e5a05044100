"""What the light join page reads from the current build, once per build and shared by every
request: the rules a proposal is checked against (the same as « Proposer »'s) and the pin map
(SVG drawn from the build, precompressed once).

A new build (the ``current`` symlink swapped by the ingest) is picked up at the next request.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from geo.core.compress import variants
from geo.map.pinmap import PinFrame, pin_map_svg
from geo.participation.join import build_rules
from geo.participation.proposals import Rules
from geo.participation.scenarios import catalogue_actions
from geo.sources import store
from geo.web.join_page import PinMap

#: Layers drawn on the pin map (besides the study area): what participants find their way by.
PIN_MAP_LAYERS = ("quartiers", "green_spaces", "stations")


def make_pin_map(svg: str, frame: PinFrame) -> PinMap:
    """The drawing with its version (content hash, in its URL) and its compressed copies."""
    data = svg.encode("utf-8")
    return PinMap(data, frame, hashlib.sha256(data).hexdigest()[:16], variants(data, ".svg"))


@lru_cache(maxsize=2)
def _rules(build: str) -> Rules:
    path = Path(build)
    return build_rules(store.load_manifest(path), lambda layer_id: store.load_layer(layer_id, path),
                       catalogue_actions())


@lru_cache(maxsize=2)
def _pin_map(build: str) -> PinMap:
    path = Path(build)
    manifest = store.load_manifest(path)
    layers = {layer_id: store.load_layer(layer_id, path) if layer_id in manifest["layers"] else None
              for layer_id in PIN_MAP_LAYERS}
    svg, frame = pin_map_svg(_rules(build).study_area, layers["quartiers"], layers["green_spaces"],
                             layers["stations"])
    return make_pin_map(svg, frame)


def current_rules() -> Rules:
    """The rules of the current build (raises ``BuildMissingError`` when there is none)."""
    return _rules(str(store.build_dir()))


def current_pin_map() -> PinMap:
    """The pin map of the current build."""
    return _pin_map(str(store.build_dir()))

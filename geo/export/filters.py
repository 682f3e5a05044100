"""Feature filters of a download, applied per layer in Lambert-93: quartier, study area, type,
distance to a flood zone, walking target; anything with ``tag``, ``describe(lang)`` and
``mask(layer_id, frame)`` is a filter, and :func:`register_filter` makes a named one available
to the spec (the command's ``--filter NAME=VALUE`` and the page).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from geo.analysis import access
from geo.analysis.access import AccessSettings
from geo.core.errors import ExportError
from geo.core.i18n import t
from geo.core.settings import METRIC_CRS


class FeatureFilter(Protocol):
    """A filter of the features of one layer.

    ``mask`` receives the layer in Lambert-93 (EPSG:2154), so distances are in metres, and
    returns one boolean per row, aligned on the frame's index.
    """

    tag: str

    def describe(self, lang: str) -> str: ...

    def mask(self, layer_id: str, frame: gpd.GeoDataFrame) -> pd.Series: ...


@dataclass(frozen=True)
class QuartierFilter:
    """Features whose administrative quartier (column ``quartier``, INSEE code) is one of ``codes``."""

    codes: frozenset[str]
    tag: str = "quartier"

    def describe(self, lang: str) -> str:
        return t("export.filter.quartier", lang, codes=", ".join(sorted(self.codes)))

    def mask(self, layer_id: str, frame: gpd.GeoDataFrame) -> pd.Series:
        return frame["quartier"].isin(self.codes).fillna(False).astype(bool)


@dataclass(frozen=True)
class AreaFilter:
    """Features attached to the study-area arrondissement (column ``c_ar``)."""

    arrondissement: int
    tag: str = "area"

    def describe(self, lang: str) -> str:
        return t("export.filter.area", lang, number=self.arrondissement)

    def mask(self, layer_id: str, frame: gpd.GeoDataFrame) -> pd.Series:
        return frame["c_ar"] == self.arrondissement


@dataclass(frozen=True)
class KindFilter:
    """Per layer, features whose type (column ``kind``) is one of the chosen values.

    Layers without a choice are kept whole. A chosen value the layer does not have is an error
    (a typo must not silently give an empty file).
    """

    kinds: Mapping[str, frozenset[str]]
    tag: str = "kind"

    def describe(self, lang: str) -> str:
        parts = [f"{layer_id}: {', '.join(sorted(values))}" for layer_id, values in self.kinds.items()]
        return t("export.filter.kind", lang, kinds="; ".join(parts))

    def mask(self, layer_id: str, frame: gpd.GeoDataFrame) -> pd.Series:
        wanted = self.kinds.get(layer_id)
        if not wanted:
            return pd.Series(True, index=frame.index)
        known = set(frame["kind"].dropna().unique())
        unknown = sorted(wanted - known)
        if unknown:
            raise ExportError(
                f"layer '{layer_id}' has no type {', '.join(repr(u) for u in unknown)}; "
                f"its types: {', '.join(sorted(known)) or '(none)'}")
        return frame["kind"].isin(wanted).fillna(False).astype(bool)


@dataclass(frozen=True)
class NearHazardFilter:
    """Features within ``distance_m`` metres (Lambert-93) of a hazard zone (0 = touching it)."""

    hazard: gpd.GeoDataFrame = field(repr=False, compare=False)
    distance_m: float
    tag: str = "flood"

    def describe(self, lang: str) -> str:
        return t("export.filter.flood", lang, metres=f"{self.distance_m:g}")

    def mask(self, layer_id: str, frame: gpd.GeoDataFrame) -> pd.Series:
        if frame.crs is None or not CRS(frame.crs).equals(CRS(METRIC_CRS)):
            raise ExportError(f"layer '{layer_id}' must be in {METRIC_CRS} to measure distances")
        zones = self.hazard.to_crs(METRIC_CRS).geometry.to_numpy()
        tree = shapely.STRtree(zones)
        hits = tree.query(frame.geometry.to_numpy(), predicate="dwithin", distance=self.distance_m)
        keep = np.zeros(len(frame), dtype=bool)
        keep[np.unique(hits[0])] = True
        return pd.Series(keep, index=frame.index)


#: A named pluggable filter: ``factory(value, loader)`` builds it from the spec's text value.
FilterFactory = Callable[[str, Callable[[str], gpd.GeoDataFrame]], FeatureFilter]
_FILTER_FACTORIES: dict[str, FilterFactory] = {}


def register_filter(name: str, factory: FilterFactory) -> None:
    """Make a filter available by name (``ExportSpec.extra`` and the command's ``--filter``)."""
    _FILTER_FACTORIES[name] = factory


def registered_filters() -> tuple[str, ...]:
    return tuple(sorted(_FILTER_FACTORIES))


def make_registered(name: str, value: str, loader: Callable[[str], gpd.GeoDataFrame]) -> FeatureFilter:
    """The registered filter ``name`` built from its text value (``ExportSpec.validate`` has
    checked the name)."""
    return _FILTER_FACTORIES[name](value, loader)


@dataclass(frozen=True)
class WalkTargetFilter:
    """Features inside (or outside) the cool-place walking target of ``geo.analysis.access``.

    A feature is inside when its estimated walk to the nearest counted cool place is at most the
    target (Plan Climat: 7 minutes); points are measured from themselves, areas from a point inside.
    """

    places: Mapping[str, gpd.GeoDataFrame] = field(repr=False, compare=False)
    settings: AccessSettings
    inside: bool = True

    @property
    def tag(self) -> str:
        return "walk-inside" if self.inside else "walk-outside"

    def describe(self, lang: str) -> str:
        key = "export.filter.walk_inside" if self.inside else "export.filter.walk_outside"
        return t(key, lang, minutes=f"{self.settings.target_minutes:g}")

    def mask(self, layer_id: str, frame: gpd.GeoDataFrame) -> pd.Series:
        within = access.within_target(frame, self.places, self.settings)
        return within if self.inside else ~within


WALK_TARGET = "walk-target"
WALK_TARGET_VALUES = ("inside", "outside")


def walk_target_filter(value: str, loader: Callable[[str], gpd.GeoDataFrame]) -> WalkTargetFilter:
    """``walk-target=inside|outside`` with the analysis settings of ``data/analysis.toml``."""
    if value not in WALK_TARGET_VALUES:
        raise ExportError(f"walk-target must be one of {', '.join(WALK_TARGET_VALUES)}, not '{value}'")
    from geo.analysis.settings import load_settings  # the analysis module is heavier: only when asked

    settings = load_settings().access
    layers = {layer_id: loader(layer_id)
              for layer_ids in access.COOL_LAYERS.values() for layer_id in layer_ids}
    return WalkTargetFilter(access.cool_places(layers, settings.green_excluded_types), settings,
                            inside=value == "inside")


register_filter(WALK_TARGET, walk_target_filter)

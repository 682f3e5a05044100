"""A download request in plain, hashable values (:class:`ExportSpec`), the features it selects
(:class:`Selection`) and the bytes it gives (:class:`Download`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd

from geo.core.errors import ExportError, UnknownLayerError
from geo.core.i18n import DEFAULT_LANG, t
from geo.export.filters import FeatureFilter, registered_filters
from geo.export.formats import CRS_NAMES, DEFAULT_CRS, DEFAULT_FORMAT, FORMATS, FormatSpec


@dataclass(frozen=True)
class ExportSpec:
    """A download request in plain, hashable values (a page's cache key, a command's arguments).

    ``kinds`` holds (layer id, type) pairs; ``extra`` holds (registered filter name, value) pairs.
    """

    layers: tuple[str, ...]
    fmt: str = DEFAULT_FORMAT
    crs: int = DEFAULT_CRS
    quartiers: tuple[str, ...] = ()
    kinds: tuple[tuple[str, str], ...] = ()
    near_flood_m: float | None = None
    study_area_only: bool = False
    extra: tuple[tuple[str, str], ...] = ()
    lang: str = DEFAULT_LANG

    def format_spec(self) -> FormatSpec:
        if self.fmt not in FORMATS:
            raise ExportError(f"unknown format '{self.fmt}'; choose one of: {', '.join(FORMATS)}")
        return FORMATS[self.fmt]

    def validate(self, known_layers: Sequence[str]) -> None:
        """Raise the project's errors for a request that cannot be served."""
        self.format_spec()
        if self.crs not in CRS_NAMES:
            raise ExportError(f"unknown CRS 'EPSG:{self.crs}'; choose one of: "
                              + ", ".join(f"EPSG:{code}" for code in CRS_NAMES))
        if not self.layers:
            raise ExportError("no layer chosen: choose at least one layer")
        for layer_id in self.layers:
            if layer_id not in known_layers:
                raise UnknownLayerError(layer_id)
        for layer_id, _ in self.kinds:
            if layer_id not in self.layers:
                raise ExportError(f"a type filter names layer '{layer_id}', which is not selected")
        if self.near_flood_m is not None and self.near_flood_m < 0:
            raise ExportError("the distance to a flood zone must be zero or positive (metres)")
        for name, _ in self.extra:
            if name not in registered_filters():
                raise ExportError(f"unknown filter '{name}'; available: "
                                  f"{', '.join(registered_filters()) or '(none)'}")


@dataclass(frozen=True)
class Selection:
    """The selected features of each requested layer (store CRS), in the requested order."""

    frames: dict[str, gpd.GeoDataFrame]
    filters: tuple[FeatureFilter, ...]

    @property
    def counts(self) -> dict[str, int]:
        return {layer_id: len(frame) for layer_id, frame in self.frames.items()}

    @property
    def written(self) -> dict[str, gpd.GeoDataFrame]:
        """The layers that go in the file: those with at least one feature."""
        return {layer_id: frame for layer_id, frame in self.frames.items() if len(frame)}

    @property
    def empty_layers(self) -> tuple[str, ...]:
        return tuple(layer_id for layer_id, frame in self.frames.items() if not len(frame))

    def describe(self, lang: str) -> str:
        return " ; ".join(f.describe(lang) for f in self.filters) or t("export.filter.none", lang)


@dataclass(frozen=True)
class Download:
    """The bytes of one download and what a page or a command says about them."""

    filename: str
    mime: str
    data: bytes
    counts: dict[str, int]
    empty_layers: tuple[str, ...]

"""The map's layers: how each one is drawn (colour, symbol, scale), its family, and which
features a view selects.

Adding a layer to the map is one entry in ``LAYERS`` (and its id in the registry/build).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.core.i18n import t
from geo.map.styles import POINT_OUTLINE, POINT_OUTLINE_WEIGHT, SCALE_OPACITY

FAMILIES = ("boundaries", "flood", "heat", "facilities", "participation")
#: Times of day of the layers drawn per time of day (``LayerDef.by_period``), in display order.
PERIODS = ("day", "evening", "night")


@dataclass(frozen=True)
class ColourScale:
    """A stepped colour scale over a numeric field: ``colours[i]`` for ``breaks[i-1] <= v < breaks[i]``."""

    field: str
    breaks: tuple[float, ...]
    colours: tuple[str, ...]
    label_fr: str
    label_en: str

    def colour(self, value: float) -> str | None:
        if value is None or not math.isfinite(value):
            return None
        return self.colours[int(np.searchsorted(self.breaks, value, side="right"))]

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_fr

    def steps(self) -> list[tuple[str, str]]:
        """(colour, range text) per step, for a legend."""
        edges = ["", *(f"{b:g}" for b in self.breaks), ""]
        out = []
        for i, colour in enumerate(self.colours):
            low, high = edges[i], edges[i + 1]
            text = f"< {high}" if not low else (f"≥ {low}" if not high else f"{low} – {high}")
            out.append((colour, text))
        return out


@dataclass(frozen=True)
class SizeScale:
    """Point radius stepped over a numeric field: ``radii[i]`` for ``breaks[i-1] <= v < breaks[i]``;
    a missing value (NaN) is drawn with ``missing_radius`` in ``missing_colour`` and labelled
    ``missing_fr`` / ``missing_en`` (size, colour and tooltip text: never colour alone)."""

    field: str
    breaks: tuple[float, ...]
    radii: tuple[float, ...]
    missing_radius: float
    missing_colour: str
    label_fr: str
    label_en: str
    missing_fr: str
    missing_en: str

    def radius(self, value: float) -> float:
        if value is None or not math.isfinite(value):
            return self.missing_radius
        return self.radii[int(np.searchsorted(self.breaks, value, side="right"))]

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_fr

    def missing(self, lang: str) -> str:
        return self.missing_en if lang == "en" else self.missing_fr

    def steps(self) -> list[tuple[float, str]]:
        """(radius, range text) per step, for a legend."""
        edges = ["", *(f"{b:g}" for b in self.breaks), ""]
        out = []
        for i, radius in enumerate(self.radii):
            low, high = edges[i], edges[i + 1]
            text = f"< {high}" if not low else (f"≥ {low}" if not high else f"{low} – {high}")
            out.append((radius, text))
        return out


@dataclass(frozen=True)
class LayerDef:
    """How one built layer is drawn on the map.

    ``filter_types``: the layer's ``kind`` values can be filtered; ``filter_quartier``: the
    quartier filter applies to it; ``interactive``: hover tooltip and click details;
    ``by_period``: the map's time-of-day switch picks its features.
    """

    id: str
    family: str
    colour: str
    fill: float = 0.0
    weight: float = 1.5
    radius: float = 0.0
    dash: str = ""
    scale: ColourScale | None = None
    #: colour per ``kind`` value (e.g. PPRI zone B / V), others keep ``colour``
    kind_colours: tuple[tuple[str, str], ...] = ()
    filter_types: bool = False
    filter_quartier: bool = True
    interactive: bool = True
    #: point radius per value of a field (e.g. host sites by capacity)
    size: SizeScale | None = None
    #: the layer holds one set of features per time of day (column ``period``): the map shows one
    by_period: bool = False
    #: point symbol (``geo.map.symbols.SHAPE_NAMES``): with the black outline, what tells the
    #: point layers apart besides colour (``geo.map.styles`` checks every combination)
    shape: str = "circle"
    #: outline of areas and lines ("" = ``colour``); a point layer that also holds areas names
    #: their outline here; point symbols are always outlined in ``POINT_OUTLINE``
    outline: str = ""
    #: a light line drawn wider under this one (highlights: one of the two always contrasts)
    halo: str = ""

    @property
    def is_point(self) -> bool:
        return self.radius > 0

    @property
    def line_colour(self) -> str:
        """The colour of area outlines and lines."""
        return self.outline or self.colour

    @property
    def scale_colours(self) -> tuple[str, ...]:
        return self.scale.colours if self.scale else ()

    def style(self) -> dict[str, object]:
        """Leaflet path options of the layer's areas and lines."""
        style: dict[str, object] = {"color": self.line_colour, "weight": self.weight,
                                    "opacity": 1.0, "fillColor": self.colour,
                                    "fillOpacity": self.fill, "fill": self.fill > 0}
        if self.dash:
            style["dashArray"] = self.dash
        return style

    def point_style(self) -> dict[str, object]:
        """Leaflet path options of the layer's point symbols: opaque, outlined in black."""
        return {"color": POINT_OUTLINE, "weight": POINT_OUTLINE_WEIGHT, "opacity": 1.0,
                "fillColor": self.colour, "fillOpacity": 1.0, "fill": True}


HEAT_SCALE = ColourScale("avg_heat_score", (5.0, 6.5, 8.0, 9.0),
                         ("#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"),
                         "Score moyen de chaleur (0-10)", "Mean heat score (0-10)")
CQ_SCALE = ColourScale("vulnj_note", (4.0, 5.0, 5.5, 6.0, 6.5),
                       ("#fef0d9", "#fdd49e", "#fdbb84", "#fc8d59", "#e34a33", "#b30000"),
                       "Vulnérabilité à la chaleur de jour (note)",
                       "Daytime heat vulnerability (score)")
REFUGE_SCALE = ColourScale("minutes", (10.0, 15.0), ("#fb6a4a", "#cb181d", "#67000d"),
                           "Temps de marche au refuge ouvert le plus proche (min)",
                           "Walking time to the nearest open refuge (min)")
DRIAS_SCALE = ColourScale("temperature", (24.3, 24.45, 24.6),
                          ("#fdd0a2", "#fd8d3c", "#e6550d", "#a63603"),
                          "Température moyenne d'été 2075 (°C)", "Mean summer temperature 2075 (°C)")
CAPACITY_SIZE = SizeScale("capacity", (100.0, 200.0, 300.0), (5.0, 8.0, 11.0, 14.0), 3.0,
                          "#636363", "Capacité estimée (personnes)", "Estimated capacity (people)",
                          "capacité inconnue", "capacity unknown")

_LAYER_LIST = (
    LayerDef("arrondissements", "boundaries", "#222222", weight=2.5, filter_quartier=False),
    LayerDef("quartiers", "boundaries", "#555555", weight=1.5, dash="6 4", filter_quartier=False),
    LayerDef("conseils_quartier", "boundaries", "#7b3294", weight=1.2, dash="2 4",
             filter_quartier=False),
    LayerDef("ppri", "flood", "#2166ac", fill=0.35, weight=1.0, filter_quartier=False,
             kind_colours=(("B", "#2166ac"), ("V", "#00664a"))),
    LayerDef("iris_heat", "heat", "#de2d26", fill=SCALE_OPACITY, weight=0.4, scale=HEAT_SCALE,
             outline="#595959"),
    LayerDef("cq_climate", "heat", "#e34a33", fill=SCALE_OPACITY, weight=0.6, scale=CQ_SCALE,
             outline="#595959", dash="6 2"),
    LayerDef("drias_2075", "heat", "#e6550d", fill=SCALE_OPACITY, weight=0.6, scale=DRIAS_SCALE,
             outline="#595959", dash="2 2"),
    LayerDef("green_spaces", "heat", "#5aae61", fill=0.45, weight=0.8, filter_types=True,
             outline="#1b7837"),
    LayerDef("protected_green", "heat", "#a6dba0", fill=0.5, weight=1.0, outline="#1b7837",
             dash="3 3"),
    LayerDef("cool_facilities", "heat", "#0072b2", radius=6, filter_types=True),
    LayerDef("cool_green_points", "heat", "#009e73", radius=5, filter_types=True,
             shape="triangle"),
    LayerDef("fountains", "heat", "#56b4e9", radius=4.5, filter_types=True, shape="diamond"),
    # computed by geo.analysis.exposure (cells and facilities outside the cool-place walking target)
    LayerDef("access_gap", "heat", "#d55e00", fill=0.25, weight=1.0, radius=6, interactive=False,
             shape="cross", outline="#a23800", dash="1 3"),
    LayerDef("schools_maternelle", "facilities", "#f0e442", radius=5, shape="square"),
    LayerDef("schools_elementaire", "facilities", "#cc79a7", radius=5, shape="square"),
    LayerDef("colleges", "facilities", "#663333", radius=5, shape="square"),
    LayerDef("libraries", "facilities", "#666633", radius=6, filter_types=True, shape="pentagon"),
    LayerDef("mairies", "facilities", "#000000", radius=8, shape="star"),
    LayerDef("wifi_sites", "facilities", "#332288", radius=4.5, shape="hexagon"),
    LayerDef("sports", "facilities", "#e69f00", radius=4.5, filter_types=True,
             shape="triangle_down"),
    LayerDef("stations", "facilities", "#225555", radius=5, filter_types=True, shape="pentagon"),
    LayerDef("ehpad", "facilities", "#aa3377", radius=6, filter_types=True, shape="plus"),
    LayerDef("equipements_2014", "facilities", "#bbbbbb", radius=3.5, filter_types=True),
    # computed by geo.analysis.refuges: outside the target of an open refuge, per time of day
    # (coloured by walking time; a spare symbol of geo.map.styles for its facilities)
    LayerDef("refuge_gap", "heat", "#800000", fill=SCALE_OPACITY, weight=1.0, radius=6,
             scale=REFUGE_SCALE, by_period=True, shape="triangle", outline="#595959", dash="1 3"),
    # computed by geo.analysis.hosting: host sites sized by estimated capacity, and the stations
    # of the lines serving the study area that are near a PPRI sector anywhere in Paris
    LayerDef("host_capacity", "flood", "#bfdfff", radius=5, size=CAPACITY_SIZE, shape="hexagon"),
    LayerDef("stations_at_risk", "flood", "#400040", radius=6, filter_quartier=False,
             shape="cross"),
    # approved workshop proposals, read from the proposals database (geo.participation.layer)
    LayerDef("proposals", "participation", "#ffffff", radius=7, shape="star"),
)
#: The map's layers, by id, in drawing order (polygons below points).
LAYERS: dict[str, LayerDef] = {layer.id: layer for layer in _LAYER_LIST}
#: On when the URL says nothing: the study area, its quartiers, flood zones and cool places.
DEFAULT_LAYERS = ("arrondissements", "quartiers", "ppri", "cool_facilities")


def family_layers(family: str, available: Iterable[str] | None = None) -> list[LayerDef]:
    """The layers of one family, in drawing order, optionally only those the build holds."""
    keep = None if available is None else set(available)
    return [layer for layer in LAYERS.values()
            if layer.family == family and (keep is None or layer.id in keep)]


#: What is highlighted: a black line over a white halo (one of the two contrasts with
#: anything underneath), the selected feature with a ring around points.
HIGHLIGHTS = {
    "highlight": LayerDef("highlight", "boundaries", "#000000", weight=3, radius=11,
                          interactive=False, halo="#ffffff"),
    "quartier": LayerDef("quartier", "boundaries", "#000000", weight=3, dash="10 4",
                         interactive=False, halo="#ffffff"),
}
#: Width of a highlight's halo.
HALO_WEIGHT = 7


#: Stacking order on the map: the layers in drawing order (polygons below points), then the
#: highlights on top.
DRAW_ORDER = {layer_id: index for index, layer_id in enumerate([*LAYERS, *HIGHLIGHTS])}


def select(frame: gpd.GeoDataFrame, layer: LayerDef, types: Sequence[str] | None = None,
           quartier: str | None = None, period: str | None = None) -> gpd.GeoDataFrame:
    """The features a view shows: the type filter (``None``: all types), the quartier filter and,
    for a layer drawn per time of day, the time of day (``None``: every time)."""
    mask = pd.Series(True, index=frame.index)
    if period and layer.by_period:
        mask &= frame["period"] == period
    if types is not None and layer.filter_types:
        mask &= frame["kind"].isin(list(types))
    if quartier and layer.filter_quartier:
        mask &= frame["quartier"].astype(str) == quartier
    return frame[mask]


def status_tag(status: str, lang: str) -> str:
    """« données dérivées » / « édition ancienne » for a layer that is not official, else ""."""
    return "" if status == "official" else t(f"map.{status}_tag", lang)


def layer_title(entry: Mapping[str, str], lang: str, tagged: bool = True) -> str:
    """A layer's title from its manifest entry, with its status tag unless ``tagged`` is off."""
    plain = entry["title_en"] if lang == "en" else entry["title_fr"]
    tag = status_tag(entry["status"], lang) if tagged else ""
    return f"{plain} — {tag}" if tag else plain

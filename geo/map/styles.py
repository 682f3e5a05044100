"""The rules every map style meets: colour-blind-safe, never colour alone, at least 3:1 against
what surrounds it, scales that read in greyscale. The styles themselves are data, in
``geo.map.layers`` (each ``LayerDef`` names its colour, symbol and outline); :func:`problems`
checks any set of them, and the palette unit test asserts it finds nothing for the map's layers.

- **Contrast (WCAG 1.4.11).** Every point symbol has a dark outline (:data:`POINT_OUTLINE`) at
  ≥ 3:1 against the map background, the legend background and every area fill a point can sit
  on; every area outline and every line is ≥ 3:1 against the map and legend backgrounds; a
  highlight is a dark line over a light halo, one of which always contrasts.
- **Not colour alone (WCAG 1.4.1).** Point layers that share a symbol differ by at least
  :data:`MIN_DELTA_E_SAME_SHAPE` (CIEDE2000) in normal vision *and* under simulated protanopia,
  deuteranopia and tritanopia (Machado, Oliveira & Fernandes 2009, severity 1); any two point
  layers (all can be on at once) differ by :data:`MIN_DELTA_E_ANY` in all four visions. Outlines
  of areas and lines with the same dash pattern differ by :data:`MIN_DELTA_E_ANY` as well.
- **Greyscale.** A stepped scale, drawn at its opacity over the map background, gets darker at
  every step by at least :data:`MIN_GREY_STEP` L*.
- **Legend chips.** Step labels are black or white, whichever contrasts more, and reach 4.5:1.

Thresholds: the audit's collapsing pairs were at ΔE00 1.5-2.9; 9 is about three times that and
what a 15-colour set reaches under all four visions (chosen from the Okabe-Ito and Paul Tol
qualitative sets); 20 is a clear difference for same-shaped symbols of 8-12 px.

A new point layer takes a symbol and a colour in its ``LayerDef``; :data:`SPARE_POINT_STYLES`
are combinations that pass every rule together with today's layers (and with each other).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from typing import Protocol

from geo.core.palette import (
    GRAPHIC_CONTRAST,
    TEXT_CONTRAST,
    VISIONS,
    Finding,
    best_text_colour,
    blend,
    check_contrast,
    check_distinct,
    check_greyscale_steps,
    contrast_ratio,
)
from geo.map.symbols import SHAPE_NAMES

#: Leaflet's container background when no base map is drawn (the app's default).
MAP_BACKGROUND = "#dddddd"
#: The legend's background (Streamlit's light theme).
LEGEND_BACKGROUND = "#ffffff"
#: Outline of every point symbol.
POINT_OUTLINE = "#000000"
POINT_OUTLINE_WEIGHT = 1.0
#: Fill opacity of the stepped (choropleth) scales: the smallest L* step over the grey
#: background (#fdd49e → #fdbb84) is 3.5 at 0.5, 5.25 at 0.8.
SCALE_OPACITY = 0.8
MIN_DELTA_E_SAME_SHAPE = 20.0
MIN_DELTA_E_ANY = 9.0
MIN_GREY_STEP = 5.0
#: (symbol, colour) free for new point layers: checked by the palette unit test.
SPARE_POINT_STYLES = (("diamond", "#4020df"), ("plus", "#9fbf80"))


class Styled(Protocol):
    """What the checks read of a layer (``geo.map.layers.LayerDef`` has it)."""

    id: str
    colour: str
    fill: float
    dash: str
    shape: str
    kind_colours: tuple[tuple[str, str], ...]

    @property
    def is_point(self) -> bool: ...

    @property
    def line_colour(self) -> str: ...

    @property
    def scale_colours(self) -> tuple[str, ...]: ...

    @property
    def halo(self) -> str: ...


def under_points(layers: Iterable[Styled]) -> list[str]:
    """What a point symbol can sit on: the map background and every area fill at its opacity."""
    below = [MAP_BACKGROUND]
    for layer in layers:
        if layer.is_point or not layer.fill:
            continue
        colours = layer.scale_colours or tuple(c for _, c in layer.kind_colours) or (layer.colour,)
        below += [blend(colour, MAP_BACKGROUND, layer.fill) for colour in colours]
    return below


def problems(layers: Sequence[Styled], highlights: Sequence[Styled] = ()) -> list[Finding]:
    """Every rule of the module docstring that ``layers`` (all of which can be on together)
    and the ``highlights`` drawn over them break; empty when all is well."""
    found: list[Finding] = []
    points = [layer for layer in layers if layer.is_point]
    others = [layer for layer in layers if not layer.is_point]
    backgrounds = [MAP_BACKGROUND, LEGEND_BACKGROUND]
    for layer in points:
        if layer.shape not in SHAPE_NAMES:
            found.append(Finding("shape", (layer.id, layer.shape), 0, 0))
    found += check_contrast({"point outline": POINT_OUTLINE},
                            [*under_points(layers), LEGEND_BACKGROUND], GRAPHIC_CONTRAST)
    outlines = {layer.id: layer.line_colour for layer in others}
    for layer in others:
        outlines |= {f"{layer.id}:{kind}": colour for kind, colour in layer.kind_colours}
    # a point layer that also holds areas (the access gap: cells and facilities) names an outline
    outlines |= {f"{layer.id}:areas": layer.outline for layer in points if layer.outline}
    found += check_contrast(outlines, backgrounds, GRAPHIC_CONTRAST)
    for layer in highlights:  # told apart from every line by its halo
        if not layer.halo:
            found.append(Finding("halo", (layer.id,), 0, GRAPHIC_CONTRAST))
        found += check_contrast({f"highlight:{layer.id}": layer.line_colour}, [layer.halo or
                                MAP_BACKGROUND], GRAPHIC_CONTRAST)

    fills = {layer.id: layer.colour for layer in points}  # point symbols are opaque
    same_shape = [(a.id, b.id) for a, b in itertools.combinations(points, 2) if a.shape == b.shape]
    found += check_distinct(fills, same_shape, MIN_DELTA_E_SAME_SHAPE, VISIONS)
    found += check_distinct(fills, itertools.combinations(fills, 2), MIN_DELTA_E_ANY, VISIONS)
    lines = {layer.id: layer.line_colour for layer in others}
    dashes = {layer.id: layer.dash for layer in others}
    same_dash = [(a, b) for a, b in itertools.combinations(lines, 2) if dashes[a] == dashes[b]]
    found += check_distinct(lines, same_dash, MIN_DELTA_E_ANY, VISIONS)

    for layer in others:
        if not layer.scale_colours:
            continue
        seen = [blend(colour, MAP_BACKGROUND, layer.fill) for colour in layer.scale_colours]
        found += check_greyscale_steps(layer.id, seen[::-1], MIN_GREY_STEP)  # darker each step
        for colour in layer.scale_colours:
            text = best_text_colour(colour)
            if (ratio := contrast_ratio(text, colour)) < TEXT_CONTRAST:
                found.append(Finding("contrast", (f"chip:{layer.id}", colour), ratio, TEXT_CONTRAST))
    return found

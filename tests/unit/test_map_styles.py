"""The map's palette (issue 15, « Done when »): every layer's colours against the backgrounds
(WCAG contrast) and every pair of layers that can be shown together told apart in normal vision
and under simulated protanopia, deuteranopia and tritanopia (Machado, Oliveira & Fernandes 2009;
distance CIEDE2000), symbols per point layer, scales that read in greyscale, legend chips."""

from __future__ import annotations

import itertools

import pytest

from geo.core.palette import VISIONS, best_text_colour, blend, contrast_ratio, grey, min_delta_e
from geo.map.layers import HIGHLIGHTS, LAYERS, LayerDef
from geo.map.styles import (
    LEGEND_BACKGROUND,
    MAP_BACKGROUND,
    MIN_DELTA_E_ANY,
    MIN_DELTA_E_SAME_SHAPE,
    MIN_GREY_STEP,
    POINT_OUTLINE,
    SPARE_POINT_STYLES,
    problems,
    under_points,
)
from geo.map.symbols import SHAPE_NAMES

POINTS = [layer for layer in LAYERS.values() if layer.is_point]
OTHERS = [layer for layer in LAYERS.values() if not layer.is_point]


def test_every_layer_style_passes_every_rule():
    found = problems(list(LAYERS.values()), list(HIGHLIGHTS.values()))
    assert found == [], "\n".join(str(f) for f in found)


@pytest.mark.parametrize(("a", "b"), list(itertools.combinations(POINTS, 2)),
                         ids=lambda layer: layer.id)
def test_every_pair_of_point_layers_is_told_apart_in_four_visions(a, b):
    """Recomputed here pair by pair (any two point layers can be on together): a different
    symbol, or a clearly different colour, in normal vision and the three simulations."""
    value, vision = min_delta_e(a.colour, b.colour, VISIONS)
    assert value >= MIN_DELTA_E_ANY, f"{a.id} / {b.id}: ΔE00 {value:.1f} under {vision}"
    if a.shape == b.shape:
        assert value >= MIN_DELTA_E_SAME_SHAPE, f"{a.id} / {b.id} share {a.shape}: {value:.1f}"


def test_point_symbols_are_outlined_at_3_to_1_on_whatever_they_sit_on():
    below = under_points(LAYERS.values())
    assert len(below) > 10  # map background + area fills and scale steps at their opacity
    worst = min(contrast_ratio(POINT_OUTLINE, colour) for colour in [*below, LEGEND_BACKGROUND])
    assert worst >= 3.0


@pytest.mark.parametrize("layer", OTHERS, ids=lambda layer: layer.id)
def test_area_outlines_and_lines_contrast_with_the_map(layer):
    for background in (MAP_BACKGROUND, LEGEND_BACKGROUND):
        assert contrast_ratio(layer.line_colour, background) >= 3.0


@pytest.mark.parametrize("layer", [layer for layer in OTHERS if layer.scale],
                         ids=lambda layer: layer.id)
def test_scales_get_darker_at_every_step_in_greyscale(layer):
    lightness = [grey(blend(colour, MAP_BACKGROUND, layer.fill)) for colour in layer.scale.colours]
    steps = [a - b for a, b in zip(lightness, lightness[1:], strict=False)]
    assert min(steps) >= MIN_GREY_STEP, steps
    for colour in layer.scale.colours:  # the legend's chip labels
        assert contrast_ratio(best_text_colour(colour), colour) >= 4.5


def test_highlights_are_two_tone_and_differ_from_the_quartier_councils():
    for ring in HIGHLIGHTS.values():
        assert ring.halo and contrast_ratio(ring.line_colour, ring.halo) >= 3.0
    assert HIGHLIGHTS["quartier"].line_colour != LAYERS["conseils_quartier"].line_colour


def test_no_two_point_layers_share_symbol_and_colour_and_symbols_exist():
    assert len({(layer.shape, layer.colour) for layer in POINTS}) == len(POINTS)
    assert {layer.shape for layer in POINTS} <= set(SHAPE_NAMES)
    assert len({layer.shape for layer in POINTS}) >= 9


def test_the_audited_palette_fails_the_same_rules():
    """The colours of the audit (all circles) are caught: sports = proposals, cool facilities
    ~ Wi-Fi and élémentaires ~ 2014 under deuteranopia, a pale green below 3:1."""
    old = [LayerDef("sports", "facilities", "#ff7f00", radius=4),
           LayerDef("proposals", "participation", "#ff7f00", radius=7),
           LayerDef("cool_facilities", "heat", "#0571b0", radius=6),
           LayerDef("wifi_sites", "facilities", "#6a51a3", radius=4),
           LayerDef("schools_elementaire", "facilities", "#e7298a", radius=5),
           LayerDef("equipements_2014", "facilities", "#878787", radius=3.5),
           LayerDef("protected_green", "heat", "#a1d99b", fill=0.5)]
    found = {f.items for f in problems(old) if f.what == "distinct"}
    assert {("sports", "proposals"), ("cool_facilities", "wifi_sites"),
            ("schools_elementaire", "equipements_2014")} <= found
    assert any(f.what == "contrast" and f.items[0] == "protected_green" for f in problems(old))


def test_spare_styles_fit_with_every_layer_and_each_other():
    spare = [LayerDef(f"new_{n}", "facilities", colour, radius=5, shape=shape)
             for n, (shape, colour) in enumerate(SPARE_POINT_STYLES)]
    assert problems([*LAYERS.values(), *spare], list(HIGHLIGHTS.values())) == []


def test_a_new_layer_with_a_taken_colour_is_reported():
    twin = LayerDef("twin", "facilities", LAYERS["sports"].colour, radius=5, shape="circle")
    found = problems([*LAYERS.values(), twin], list(HIGHLIGHTS.values()))
    assert any(f.items == ("sports", "twin") for f in found)

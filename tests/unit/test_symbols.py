"""Point symbols: geometry of the unit shapes, the JavaScript the map runs, the legend's SVG."""

import math

import pytest

from geo.map.symbols import SHAPE_NAMES, SHAPES, area, extent, shape_marker_js, symbol_svg


@pytest.mark.parametrize("shape", SHAPE_NAMES)
def test_shapes_have_about_the_circle_area_and_reach(shape):
    assert 0.8 * math.pi <= area(shape) <= 1.25 * math.pi
    assert 1.0 <= extent(shape) <= 1.6


def test_polygons_are_centred_and_simple():
    for name, points in SHAPES.items():
        cx = sum(x for x, _ in points) / len(points)
        cy = sum(y for _, y in points) / len(points)
        assert abs(cx) < 0.05 and abs(cy) < 0.05, name
        assert len(set(points)) == len(points) >= 3, name


def test_triangles_point_opposite_ways():
    assert min(y for _, y in SHAPES["triangle"]) == pytest.approx(-1.45)
    assert max(y for _, y in SHAPES["triangle_down"]) == pytest.approx(1.45)


def test_js_defines_every_polygon_and_guards_redefinition():
    js = shape_marker_js()
    for name in SHAPES:
        assert f'"{name}":' in js
    assert "if (!window.L || L.ShapeMarker) { return; }" in js
    assert "renderer._fillStroke(ctx, this)" in js
    assert "</" not in js  # safe inside a <script>


def test_svg_matches_shape_and_escapes_colours():
    svg = symbol_svg("square", "#f0e442", "#000000", radius=5)
    assert svg.count("<polygon") == 1 and 'aria-hidden="true"' in svg
    assert "<circle" in symbol_svg("circle", "#0072b2", "#000000")
    assert "&quot;" in symbol_svg("star", '"><script>', "#000")
    with pytest.raises(KeyError):
        symbol_svg("blob", "#000", "#000")

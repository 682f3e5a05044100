"""The printed map on synthetic layers: its frame, the live map's selection, what is drawn where,
and the same per-feature paint as the live map's light GeoJSON."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import pytest
from shapely.geometry import Point, Polygon, box

from geo.core.settings import METRIC_CRS
from geo.map import printmap
from geo.map.geojson import layer_geojson
from geo.map.layers import LAYERS, select
from geo.map.paint import feature_fill, feature_radius, paint
from geo.map.state import MapState
from geo.map.symbols import extent

X0, Y0 = 652_000.0, 6_862_000.0


def frame(rows: list[dict], geoms: list) -> gpd.GeoDataFrame:
    base = {"name": "", "kind": "", "quartier": ""}
    return gpd.GeoDataFrame([{**base, **row} for row in rows], geometry=geoms, crs=METRIC_CRS).to_crs("EPSG:4326")


@pytest.fixture
def layers() -> dict[str, gpd.GeoDataFrame]:
    ring = Polygon(box(X0, Y0, X0 + 400, Y0 + 400).exterior, [box(X0 + 100, Y0 + 100, X0 + 300, Y0 + 300).exterior.coords])
    return {
        # the second quartier lies 5 km away: drawn (the live map draws it) but outside the frame
        "quartiers": frame([{"fid": "quartiers:1", "quartier": "7512001"}, {"fid": "quartiers:2", "quartier": "7512002"}],
                           [ring, box(X0 + 5000, Y0, X0 + 5400, Y0 + 400)]),
        "fountains": frame([{"fid": f"fountains:{i}", "quartier": q, "kind": k} for i, (q, k) in
                            enumerate([("7512001", "Wallace"), ("7512001", "Arceau"), ("7512002", "Wallace")])],
                           [Point(X0 + 200, Y0 + 200), Point(X0 + 50, Y0 + 350), Point(X0 + 5200, Y0 + 200)]),
        "refuge_gap": frame([{"fid": "refuge_gap:day:1", "quartier": "7512001", "period": "day", "minutes": 12.0},
                             {"fid": "refuge_gap:night:1", "quartier": "7512001", "period": "night", "minutes": 30.0},
                             {"fid": "refuge_gap:night:2", "quartier": "7512001", "period": "night", "minutes": 8.0}],
                            [box(X0, Y0, X0 + 100, Y0 + 100)] * 3),
    }


def test_the_frame_keeps_one_scale_and_shows_the_bounds_with_a_margin():
    f = printmap.frame_for((0, 0, 1000, 500), 400, 300)
    assert (f.x1 - f.x0) / f.width == pytest.approx((f.y1 - f.y0) / f.height)  # metres per pixel
    assert f.x0 < 0 and f.x1 > 1000 and f.y0 < 0 and f.y1 > 500
    assert f.scale == pytest.approx(1100 / 400)  # the width decides, with 5 % each side
    around = printmap.frame_around(100, 200, 1000, 500, 250)
    assert (around.x0, around.x1, around.y0, around.y1) == pytest.approx((-400, 600, -50, 450))


def test_the_selection_is_the_live_maps(layers):
    state = MapState(layers=("quartiers", "fountains", "refuge_gap"), quartier="7512001", period="night",
                     types={"fountains": ("Wallace",)})
    chosen = printmap.view_selection(state, layers.__getitem__)
    for layer_id, features in chosen.items():
        spec = LAYERS[layer_id]
        expected = select(layers[layer_id], spec, state.types.get(layer_id), state.quartier,
                          state.period if spec.by_period else None)
        assert list(features["fid"]) == list(expected["fid"])
    # quartiers are never filtered by quartier; fountains by quartier and type; the gap by time
    assert list(chosen["quartiers"]["fid"]) == ["quartiers:1", "quartiers:2"]
    assert list(chosen["fountains"]["fid"]) == ["fountains:0"]
    assert list(chosen["refuge_gap"]["fid"]) == ["refuge_gap:night:1", "refuge_gap:night:2"]


def test_the_features_in_the_frame_are_drawn_where_they_are(layers):
    f = printmap.frame_for((X0, Y0, X0 + 400, Y0 + 400), 400, 400, margin=0.0)
    drawing = printmap.draw_map({"quartiers": layers["quartiers"], "fountains": layers["fountains"]}, f, "fr",
                                "test", {"quartier": layers["quartiers"].iloc[:1]})
    assert drawing.counts == {"quartiers": 2, "fountains": 3}
    assert drawing.in_frame == {"quartiers": 1, "fountains": 2}
    svg = drawing.svg
    # the features out of the frame are counted (the live map selects them) but not drawn
    assert 'data-layer="quartiers" data-count="2" data-drawn="1"' in svg
    group = re.search(r'<g data-layer="fountains" data-count="3" data-drawn="2"[^>]*>(.*?)</g></g>', svg).group(1)
    # the fountains' symbol (a diamond, geo.map.symbols) around each fountain
    symbols = re.findall(r'<polygon points="([^"]+)"', group)
    assert len(symbols) == 2 and LAYERS["fountains"].shape == "diamond"
    corners = [[tuple(map(float, pair.split(","))) for pair in points.split()] for points in symbols]
    centres = [(sum(x for x, _ in c) / len(c), sum(y for _, y in c) / len(c)) for c in corners]
    # the fountain at the centre of the 400 m square is at the centre of the 400 px map
    assert centres[0] == pytest.approx((200, 200), abs=0.1)
    assert centres[1] == pytest.approx((50, 50), abs=0.1)  # y goes down
    reach = max(max(abs(x - 200), abs(y - 200)) for x, y in corners[0])
    assert reach == pytest.approx(LAYERS["fountains"].radius * extent("diamond"), abs=0.1)
    # the quartier with a hole: two rings, drawn even-odd; the quartier outline as a highlight
    paths = re.findall(r'<path d="([^"]+)"', svg.split('data-layer="quartiers"')[1].split("</g>")[0])
    assert paths[0].count("M") == 2 and 'fill-rule="evenodd"' in svg
    assert 'data-highlight="quartier"' in svg
    assert 'data-part="scale"' in svg and ">N</text>" in svg and "100 m" in svg
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"') and 'clip-path="url(#frame)"' in svg


def test_each_feature_is_painted_as_the_live_map_paints_it():
    """``c`` (colour) and ``r`` (radius) of the live map's light GeoJSON, feature by feature."""
    cases = {
        "ppri": frame([{"fid": "ppri:1", "kind": "B"}, {"fid": "ppri:2", "kind": "V"}, {"fid": "ppri:3", "kind": "X"}],
                      [box(X0, Y0, X0 + 10, Y0 + 10)] * 3),
        "iris_heat": frame([{"fid": f"iris_heat:{i}", "avg_heat_score": v} for i, v in enumerate([4.0, 7.0, 9.5, None])],
                           [box(X0, Y0, X0 + 10, Y0 + 10)] * 4),
        "host_capacity": frame([{"fid": f"host_capacity:{i}", "capacity": v} for i, v in enumerate([50, 250, 484, None])],
                               [Point(X0 + i, Y0) for i in range(4)]),
    }
    for layer_id, features in cases.items():
        spec = LAYERS[layer_id]
        live = json.loads(layer_geojson(features, spec))["features"]
        rows = features.drop(columns="geometry").to_dict("records")
        for row, feature in zip(rows, live, strict=True):
            assert feature_fill(spec, row) == feature["properties"].get("c"), (layer_id, row)
            if spec.is_point:
                assert feature_radius(spec, row) == feature["properties"].get("r", spec.radius), (layer_id, row)


def test_paint_follows_the_layer_styles():
    """The printed map paints every layer as the live map's Leaflet options say."""
    for spec in LAYERS.values():
        p, live, point = paint(spec), spec.style(), spec.point_style()
        assert (p.fill, p.fill_opacity, p.stroke, p.stroke_width, p.stroke_opacity) == (
            live["fillColor"], live["fillOpacity"], live["color"], live["weight"], live["opacity"])
        assert p.dash == live.get("dashArray", "")
        assert (p.point_stroke, p.point_stroke_width, p.point_fill_opacity) == (
            point["color"], point["weight"], point["fillOpacity"])
        assert p.radius == spec.radius and p.shape == spec.shape
        assert p.feature_stroke == bool(spec.kind_colours)

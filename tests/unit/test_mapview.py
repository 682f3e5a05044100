"""Map layer building with synthetic frames: filters, simplification, escaping, offline assets."""

from __future__ import annotations

import json
import math
import os
import re
import time

import geopandas as gpd
import pytest
from pyproj import Transformer
from shapely.geometry import Point, Polygon

from geo.map.assets import LEAFLET_CSS, LEAFLET_JS
from geo.map.basemap import base_map, view_for_bounds, zoom_for_bounds
from geo.map.elements import feature_group
from geo.map.geojson import layer_geojson, light_geometry
from geo.map.layers import DEFAULT_LAYERS, FAMILIES, HEAT_SCALE, LAYERS, layer_title, select
from geo.map.legend import legend, legend_html
from geo.map.publish import PUBLISHED_MAX_AGE_S, prune_published, publish_geojson
from geo.map.report import FID_MARK, MapReport, fid_from_tooltip, impose_view, read_report

XSS = "<img src=x onerror=alert(1)>"


def points() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"fid": ["sports:1", "sports:2", f"sports:{XSS}"],
         "name": ["Gymnase A", XSS, ""],
         "kind": ["Court de tennis", "Salle de danse", "Court de tennis"],
         "quartier": ["7512001", "7512002", "7512001"],
         "extra_field": ["big value " * 50, "x", "y"]},
        geometry=[Point(2.3912345678, 48.8612345678), Point(2.40, 48.86), Point(2.41, 48.87)],
        crs="EPSG:4326")


def wiggly_polygon() -> gpd.GeoDataFrame:
    """A 500 m square (Lambert-93) whose south edge has 200 vertices 10 cm off the line."""
    x0, y0 = 655_000.0, 6_862_000.0
    south = [(x0 + i * 2.5, y0 + (0.1 if i % 2 else 0.0)) for i in range(201)]
    ring = south + [(x0 + 500, y0 + 500), (x0, y0 + 500)]
    frame = gpd.GeoDataFrame({"fid": ["ppri:1"], "name": [""], "kind": ["B"], "quartier": ["7511101"],
                              "avg_heat_score": ["9.5"]},
                             geometry=[Polygon(ring)], crs="EPSG:2154")
    return frame.to_crs("EPSG:4326")


def test_select_filters_types_and_quartier():
    frame = points()
    layer = LAYERS["sports"]
    assert list(select(frame, layer, ("Court de tennis",))["fid"]) == ["sports:1", f"sports:{XSS}"]
    assert list(select(frame, layer, None, "7512002")["fid"]) == ["sports:2"]
    assert select(frame, layer, (), None).empty
    # layers the quartier filter does not apply to keep everything
    assert len(select(frame, LAYERS["quartiers"], None, "7512002")) == 3


def test_light_geometry_simplifies_and_rounds():
    frame = wiggly_polygon()
    light = light_geometry(frame)
    before = len(frame.geometry.iloc[0].exterior.coords)
    after = len(light.iloc[0].exterior.coords)
    assert before > 200 and after < 10
    for x, y in light.iloc[0].exterior.coords:
        assert round(x, 5) == x and round(y, 5) == y
    # the simplified outline stays within a couple of metres of the original
    moved = frame.to_crs("EPSG:2154").geometry.iloc[0].hausdorff_distance(
        light.to_crs("EPSG:2154").iloc[0])
    assert moved < 2.5


def test_light_geometry_refuses_other_crs():
    with pytest.raises(ValueError):
        light_geometry(wiggly_polygon().to_crs("EPSG:2154"))


def test_layer_geojson_keeps_only_tooltip_properties_escaped():
    text = layer_geojson(points(), LAYERS["sports"])
    assert "<img" not in text and "</" not in text
    data = json.loads(text)
    features = data["features"]
    assert len(features) == 3
    for feature in features:
        assert set(feature["properties"]) <= {"f", "n", "k", "c"}
    assert features[0]["properties"] == {"f": "sports:1", "n": "Gymnase A", "k": "Court de tennis"}
    assert features[1]["properties"]["n"] == "&lt;img src=x onerror=alert(1)&gt;"
    assert features[2]["properties"]["f"] == "sports:&lt;img src=x onerror=alert(1)&gt;"
    assert "n" not in features[2]["properties"]  # no name: the layer title is shown instead
    assert features[0]["geometry"]["coordinates"] == [2.39123, 48.86123]
    assert "big value" not in text


def test_scaled_layer_gets_colour_from_value():
    frame = wiggly_polygon()
    data = json.loads(layer_geojson(frame, LAYERS["iris_heat"], lang="en"))
    props = data["features"][0]["properties"]
    assert props["c"] == HEAT_SCALE.colours[-1]  # 9.5 is above the last break (9.0)
    assert props["k"] == "Mean heat score (0-10) : 9.5"
    assert HEAT_SCALE.colour(4.0) == HEAT_SCALE.colours[0]
    assert HEAT_SCALE.colour(6.5) == HEAT_SCALE.colours[2]
    assert HEAT_SCALE.colour(math.nan) is None
    assert len(HEAT_SCALE.steps()) == len(HEAT_SCALE.colours)


def test_flood_zones_get_their_own_colours():
    frame = wiggly_polygon()
    frame = gpd.GeoDataFrame(
        {"fid": ["ppri:1", "ppri:2"], "name": ["", ""], "kind": ["B", "V"], "quartier": ["", ""]},
        geometry=[frame.geometry.iloc[0], frame.geometry.iloc[0]], crs="EPSG:4326")
    colours = dict(LAYERS["ppri"].kind_colours)
    data = json.loads(layer_geojson(frame, LAYERS["ppri"]))
    assert [f["properties"]["c"] for f in data["features"]] == [colours["B"], colours["V"]]
    assert colours["B"] != colours["V"]
    entry, = legend(["ppri"], {}, {}, "fr")
    assert [text for _, text in entry.steps] == ["zone B", "zone V"]


def test_feature_group_script_escapes_title_and_carries_fid_mark():
    group = feature_group("sports", layer_geojson(points(), LAYERS["sports"]), f"Sports {XSS}",
                          "données dérivées")
    fmap = base_map((48.86, 2.39), 14)
    group.add_to(fmap)
    html = fmap.get_root().render()
    assert XSS not in html
    assert "Sports &lt;img src=x onerror=alert(1)&gt;" in html
    assert FID_MARK in html
    assert "L.circleMarker" in html


def test_published_files_unused_for_a_week_are_pruned_and_written_again(tmp_path):
    week = PUBLISHED_MAX_AGE_S
    used, unused = (tmp_path / name for name in ("used", "unused"))
    url_used = publish_geojson('{"a":1}', used, "/x")
    url_unused = publish_geojson('{"b":2}', unused, "/x")
    files = [next(used.iterdir()), next(unused.iterdir())]
    (unused / "left.123.tmp").write_text("partial")  # a write cut short
    old = time.time() - week - 60
    for path in [*files, unused / "left.123.tmp"]:
        os.utime(path, (old, old))
    assert publish_geojson('{"a":1}', used, "/x") == url_used  # reused: marked as used
    assert prune_published(used) == 0 and files[0].is_file()
    assert prune_published(unused) == 2 and not any(unused.iterdir())
    # the next run that needs a pruned file writes it again under the same URL
    assert publish_geojson('{"b":2}', unused, "/x") == url_unused
    assert files[1].read_text(encoding="utf-8") == '{"b":2}'
    assert prune_published(tmp_path / "absent") == 0


def test_published_layer_is_fetched_by_url_and_content_addressed(tmp_path):
    text = layer_geojson(points(), LAYERS["sports"])
    url = publish_geojson(text, tmp_path, "/app/static/test")
    assert url == publish_geojson(text, tmp_path, "/app/static/test")
    name = url.rsplit("/", 1)[1]
    assert (tmp_path / name).read_text(encoding="utf-8") == text
    assert publish_geojson(text + " ", tmp_path, "/app/static/test") != url
    fmap = base_map((48.86, 2.39), 14)
    feature_group("sports", url, "Sports").add_to(fmap)
    html = fmap.get_root().render()
    assert f'fetch("{url}")' in html and "L.geoJSON(null" in html


def test_fid_from_tooltip_text():
    # what streamlit-folium returns: the tooltip HTML's textContent
    assert fid_from_tooltip(f"Gymnase ACourt de tennis{FID_MARK}sports:1") == "sports:1"
    assert fid_from_tooltip(f"a{FID_MARK}b{FID_MARK}ppri:3") == "ppri:3"
    assert fid_from_tooltip("no mark") is None
    assert fid_from_tooltip(None) is None
    assert fid_from_tooltip(f"x{FID_MARK} ") is None


@pytest.mark.parametrize("basemap", ["none", "ign", "osm"])
def test_base_map_loads_only_the_apps_own_assets(basemap):
    fmap = base_map((48.86, 2.39), 14, basemap)
    html = fmap.get_root().render()
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', html)
    styles = re.findall(r'<link[^>]+href="([^"]+)"', html)
    assert scripts == [LEAFLET_JS] and styles == [LEAFLET_CSS]
    remote = set(re.findall(r"https?://[a-z0-9.-]+", html))
    expected = {"none": set(), "ign": {"https://data.geopf.fr", "https://www.ign.fr"},
                "osm": {"https://tile.openstreetmap.org", "https://www.openstreetmap.org"}}
    assert remote == expected[basemap]
    assert "preferCanvas" in html


def test_zoom_for_bounds_fits_and_is_the_largest_that_fits():
    bounds = (2.363356, 48.837625, 2.43005, 48.887414)
    to_merc = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
    (x0, x1), (y0, y1) = to_merc.transform([bounds[0], bounds[2]], [bounds[1], bounds[3]])
    zoom = zoom_for_bounds(bounds, 640, 600)
    metres_per_px = lambda z: 2 * math.pi * 6378137 / (256 * 2 ** z)  # noqa: E731
    assert (x1 - x0) / metres_per_px(zoom) <= 640 and (y1 - y0) / metres_per_px(zoom) <= 600
    assert (x1 - x0) / metres_per_px(zoom + 1) > 640 or (y1 - y0) / metres_per_px(zoom + 1) > 600


def test_legend_lists_visible_layers_with_status_and_scale():
    ids = ["iris_heat", "arrondissements", "sports"]
    entries = legend(ids, {"iris_heat": XSS}, {"iris_heat": "derived"}, "fr")
    assert [e.layer_id for e in entries] == ["arrondissements", "iris_heat", "sports"]
    html = legend_html(entries, "fr")
    assert XSS not in html and "&lt;img" in html
    assert "données dérivées" in html
    assert html.count("background:#") >= len(HEAT_SCALE.colours)


def test_legend_of_a_layer_coloured_by_kind_lists_the_kinds_it_holds():
    both = legend(["ppri"], {}, {}, "fr")[0].steps
    assert [label for _, label in both] == ["zone B", "zone V"]
    only_b = legend(["ppri"], {}, {}, "fr", {"ppri": ("B",)})[0].steps
    assert [label for _, label in only_b] == ["zone B"]


def test_every_layer_definition_is_consistent():
    assert set(DEFAULT_LAYERS) <= set(LAYERS)
    for layer in LAYERS.values():
        assert layer.family in FAMILIES
        assert re.fullmatch(r"#[0-9a-f]{6}", layer.colour)


def test_view_for_bounds_centres_and_zooms_points_closer():
    lat, lon, zoom = view_for_bounds((2.37, 48.84, 2.41, 48.88))
    assert (lat, lon) == (48.86, 2.39)
    assert zoom == zoom_for_bounds((2.37, 48.84, 2.41, 48.88))
    assert view_for_bounds((2.4, 48.86, 2.4, 48.86)) == (48.86, 2.4, 17)


def test_base_map_holds_its_first_report_until_layers_are_drawn():
    html = base_map((48.86, 2.39), 14).get_root().render()
    assert "window.__reportGate" in html and "setTimeout(release, 4000)" in html
    layer = feature_group("fountains", "/app/static/map/x.json", "Fontaines")
    script = layer._children[next(iter(layer._children))]._template.module.script(
        layer._children[next(iter(layer._children))], {})
    assert "__reportGate.start()" in script and "__reportGate.done()" in script


def test_map_report_tells_new_clicks_and_views_from_repeats():
    view = (48.86, 2.39, 15)
    tooltip = f"École{FID_MARK}schools_maternelle:42"
    out = {"last_object_clicked_tooltip": tooltip, "last_object_clicked_count": 1,
           "center": {"lat": 48.860001, "lng": 2.389999}, "zoom": 15}
    first = read_report(out, None, view)
    assert first.click == (tooltip, 1) and first.fid == "schools_maternelle:42"
    assert first.view is None  # the view asked, rounded like the URL: unchanged
    again = read_report(out, first.click, view)
    assert again == MapReport()  # the same report on a rerun changes nothing
    reclick = read_report({**out, "last_object_clicked_count": 2}, first.click, view)
    assert reclick.fid == "schools_maternelle:42"  # the same feature clicked again
    moved = read_report({"center": {"lat": 48.87, "lng": 2.4}, "zoom": 16.0}, None, view)
    assert moved == MapReport(view=(48.87, 2.4, 16))
    assert read_report(None, None, view) == MapReport()
    no_fid = read_report({"last_object_clicked_tooltip": "plain text"}, None, view)
    assert no_fid.click == ("plain text", None) and no_fid.fid is None


def test_layer_titles_carry_the_status_of_non_official_layers():
    entry = {"title_fr": "Chaleur par IRIS", "title_en": "Heat by IRIS", "status": "derived"}
    assert layer_title(entry, "fr") == "Chaleur par IRIS — données dérivées"
    assert layer_title(entry, "en", tagged=False) == "Heat by IRIS"
    assert layer_title({**entry, "status": "official"}, "en") == "Heat by IRIS"


def test_imposed_view_differs_from_the_last_one_only_when_asked_again():
    home = (48.86, 2.39, 15)
    assert impose_view(home, None) == home
    assert impose_view((48.87, 2.4, 16), home) == (48.87, 2.4, 16)
    nudged = impose_view(home, home)
    assert nudged != home and abs(nudged[0] - home[0]) < 1e-6 and round(nudged[2]) == 15
    assert impose_view(home, nudged) == home  # and back, so it never drifts

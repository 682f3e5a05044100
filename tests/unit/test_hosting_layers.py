"""The flood host analyses' layers, provenance and words on synthetic data: host sites sized by
capacity (radius, « capacité inconnue », legend), the derived layers' provenance entry and
details, figure keys of a scenario step, the rounding of head counts."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import pytest
from shapely.geometry import Point

from geo.analysis import derived
from geo.analysis.hosting import HOST_LAYER, STATIONS_LAYER
from geo.analysis.hosting_text import about, percent
from geo.analysis.settings import AnalysisSettings
from geo.core.errors import ScenarioError
from geo.map.geojson import layer_geojson
from geo.map.layers import LAYERS
from geo.map.legend import legend, legend_html
from geo.participation.scenarios import parse_scenarios


def hosts_frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({
        "fid": ["host_capacity:sports:1", "host_capacity:sports:2", "host_capacity:schools:3"],
        "name": ["Big <b>gym</b>", "Small hall", "School"], "kind": ["gymnasium", "sports_hall", "school"],
        "quartier": ["7512001"] * 3, "capacity": [484.0, 29.0, float("nan")],
        "rank": [1, 2, None], "area_m2": [1696.0, 105.0, float("nan")],
        "no_showers": [False, True, None], "zone_m": [2303.0, 1404.0, 986.0]},
        geometry=[Point(2.40, 48.86), Point(2.41, 48.86), Point(2.42, 48.86)], crs="EPSG:4326")


def test_host_sites_are_sized_by_capacity_and_unknown_is_said_not_guessed():
    size = LAYERS[HOST_LAYER].size
    assert [size.radius(v) for v in (29, 100, 250, 484)] == [5.0, 8.0, 11.0, 14.0]
    assert size.radius(float("nan")) == size.missing_radius < min(size.radii)
    features = json.loads(layer_geojson(hosts_frame(), LAYERS[HOST_LAYER]))["features"]
    props = [f["properties"] for f in features]
    assert [p["r"] for p in props] == [14.0, 5.0, size.missing_radius]
    assert props[0]["k"] == "Capacité estimée (personnes) : 484"
    assert props[2]["k"] == "capacité inconnue" and props[2]["c"] == size.missing_colour
    assert "<b>" not in props[0]["n"]  # escaped like every tooltip text
    english = json.loads(layer_geojson(hosts_frame(), LAYERS[HOST_LAYER], "en"))["features"]
    assert english[2]["properties"]["k"] == "capacity unknown"


def test_the_legend_shows_the_sizes_and_the_unknown_capacity():
    [entry] = legend([HOST_LAYER], {HOST_LAYER: "Sites"}, {HOST_LAYER: "derived"}, "fr")
    assert entry.sizes[-1] == (3.0, "capacité inconnue")
    assert [text for _, text in entry.sizes[:-1]] == ["< 100", "100 – 200", "200 – 300", "≥ 300"]
    html = legend_html([entry], "fr")
    assert "capacité inconnue" in html and "données dérivées" in html
    # the layer's own symbol at each size, growing, then the unknown one
    widths = [float(w) for w in re.findall(r'<img alt="" src="data:image/svg\+xml;base64,[^"]+" '
                                           r'width="([\d.]+)"', html)]
    assert len(widths) == 1 + len(entry.sizes) and widths[1:-1] == sorted(widths[1:-1])
    assert widths[-1] < widths[1]


def manifest() -> dict:
    def layer(layer_id: str, publisher: str, licence: str) -> dict:
        return {"id": layer_id, "title_fr": layer_id, "title_en": layer_id, "status": "official",
                "publisher": publisher, "url": f"https://example.org/{layer_id}", "licence": licence,
                "attribution": publisher,
                "sources": [{"location": f"{layer_id}.geojson", "sha256": f"sha-{layer_id}",
                             "retrieved_at": "2026-11-26T10:00:00+00:00"}]}
    return {"layers": {"stations": layer("stations", "IDFM", "ODbL"),
                       "ppri": layer("ppri", "Ville de Paris", "ODbL"),
                       "sports": layer("sports", "Data ES", "Licence Ouverte 2.0")}}


def test_a_derived_layer_carries_the_sources_of_its_inputs_and_its_settings():
    settings = AnalysisSettings()
    frame = hosts_frame().assign(c_ar=20)
    entry = derived.derived_entry(manifest(), STATIONS_LAYER, settings, frame, 20)
    assert entry["status"] == "derived" and entry["derived_from"] == ["stations", "ppri"]
    assert [s["sha256"] for s in entry["sources"]] == ["sha-stations", "sha-ppri"]
    assert entry["licence"] == "ODbL" and "IDFM ; Ville de Paris" in entry["publisher"]
    assert "50 m" in entry["note_fr"] and "not the operators' flood protection plan" in entry["note_en"]
    hosts = derived.derived_entry(manifest(), HOST_LAYER, settings, hosts_frame(), 20)
    # only the inputs the build holds; the m² per person of the settings in the note
    assert hosts["derived_from"] == ["sports", "ppri"] and "3,5 m²" in hosts["note_fr"]


def test_details_of_a_derived_feature_say_unknown_capacity_and_give_provenance():
    entry = derived.derived_entry(manifest(), HOST_LAYER, AnalysisSettings(), hosts_frame(), 20)
    big = dict(derived.derived_details(hosts_frame(), "host_capacity:sports:1", entry, "fr").attributes)
    assert big["Capacité estimée (personnes)"] == "484" and big["Type ou ligne"] == "Gymnase"
    assert big["Sans douches"] == "non" and big["Rang par capacité"] == "1"
    school = derived.derived_details(hosts_frame(), "host_capacity:schools:3", entry, "en")
    attributes = dict(school.attributes)
    assert attributes["Estimated capacity (people)"] == "capacity unknown"
    assert "No showers" not in attributes  # unknown flags are left out, not said « no »
    assert school.status == "derived" and any("sha-sports" in v for _, v in school.provenance)
    assert derived.derived_details(hosts_frame(), "host_capacity:nope", entry, "fr") is None


def step(**changes) -> dict:
    values = {"id": "s1", "title": {"fr": "T", "en": "T"}, "text": {"fr": "x", "en": "x"},
              "layers": ["host_capacity"], "view": {"lat": 48.86, "lon": 2.39, "zoom": 14}}
    return {"sc": {"title": {"fr": "S", "en": "S"}, "hazard": "flood", "steps": [{**values, **changes}]}}


def test_scenario_steps_name_figures_the_analysis_knows():
    parsed = parse_scenarios(step(figures=["shelter.capacity", "transport.lines_at_risk"]), LAYERS)
    assert parsed["sc"].steps[0].figures == ("shelter.capacity", "transport.lines_at_risk")
    assert parse_scenarios(step(), LAYERS)["sc"].steps[0].figures == ()
    with pytest.raises(ScenarioError, match=r"step 1: unknown figures \['shelter.guess'\]"):
        parse_scenarios(step(figures=["shelter.guess"]), LAYERS)


@pytest.mark.parametrize(("people", "rounded"), [(4938, 4900), (38317.8, 38300), (745.2, 750),
                                                 (63.6, 63.6), (0, 0)])
def test_head_counts_are_rounded_for_a_sentence(people, rounded):
    assert about(people) == pytest.approx(rounded)


def test_percent_is_written_for_the_language():
    assert percent(0.4623, "fr") == "46\u202f%" and percent(0.4623, "en") == "46%"
    assert percent(0.089, "fr", 1) == "8,9\u202f%"

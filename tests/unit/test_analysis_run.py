"""``geo.analysis.exposure.run`` end to end on a small synthetic build whose answers are known by construction:
a 1 km square study area split into two quartiers, a flood zone 300 m to the west, one park in the
south-west corner, one school next to it and one 700 m from every cool place."""

from __future__ import annotations

import math

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from geo.analysis import exposure as analysis
from geo.analysis import settings as analysis_settings
from geo.analysis.access import AccessSettings
from geo.core.errors import AnalysisError
from geo.core.settings import METRIC_CRS
from geo.reports import sheets

X0, Y0 = 650_000.0, 6_860_000.0


def layer(rows: list[dict], geoms: list) -> gpd.GeoDataFrame:
    base = {"address": "", "quartier": "", "quartier_name": "", "c_ar": 20, "kind": "", "source_id": ""}
    return gpd.GeoDataFrame([{**base, **row} for row in rows], geometry=geoms,
                            crs=METRIC_CRS).to_crs("EPSG:4326")


@pytest.fixture(scope="module")
def build():
    study = box(X0, Y0, X0 + 1000, Y0 + 1000)
    west = box(X0 - 1000, Y0, X0, Y0 + 1000)
    layers = {
        "arrondissements": layer([{"fid": "arr:20", "name": "Study", "c_ar": 20},
                                  {"fid": "arr:11", "name": "West", "c_ar": 11}], [study, west]),
        "quartiers": layer([{"fid": "q:S", "source_id": "7512001", "name": "South"},
                            {"fid": "q:N", "source_id": "7512002", "name": "North"}],
                           [box(X0, Y0, X0 + 1000, Y0 + 500), box(X0, Y0 + 500, X0 + 1000, Y0 + 1000)]),
        # a quarter of the west arrondissement, 300 m from the study area
        "ppri": layer([{"fid": "ppri:1", "source_id": "1", "kind": "B", "c_ar": 11}],
                      [box(X0 - 800, Y0, X0 - 300, Y0 + 500)]),
        "green_spaces": layer([{"fid": "g:1", "name": "Park", "type_ev": "Promenades ouvertes"}],
                              [box(X0, Y0, X0 + 100, Y0 + 100)]),
        "fountains": layer([{"fid": "f:1", "name": "Wallace", "dispo": "OUI"}], [Point(X0 + 50, Y0 + 50)]),
        "schools_maternelle": layer(
            [{"fid": "m:near", "name": "NEAR", "quartier": "7512001", "quartier_name": "South"},
             {"fid": "m:far", "name": "FAR", "quartier": "7512002", "quartier_name": "North"}],
            [Point(X0 + 150, Y0 + 50), Point(X0 + 100 + 700 / math.sqrt(2), Y0 + 100 + 700 / math.sqrt(2))]),
    }
    manifest = {"build_id": "build-test", "study_area": {"insee": "75120", "name": "Study"}}
    return manifest, layers


@pytest.fixture(scope="module")
def result(build):
    manifest, layers = build
    return analysis.run(manifest, layers, analysis_settings.AnalysisSettings())


def test_flood_figures(result):
    assert result.study_zone.distance_m == pytest.approx(300.0)
    shares = result.neighbours.set_index("c_ar")["share"]
    assert shares.to_dict() == pytest.approx({20: 0.0, 11: 0.25})
    assert set(result.hosts["fid"]) == {"m:near", "m:far"}
    near = result.hosts.set_index("fid").loc["m:near", "zone_m"]
    assert near == pytest.approx(450.0)  # from x = X0+150 to the zone's east edge at X0-300


def test_facility_access_by_construction(result):
    fac = result.facilities.set_index("fid")
    assert fac.loc["m:near", "green_m"] == pytest.approx(50.0)
    assert bool(fac.loc["m:near", "within_target"]) is True
    assert fac.loc["m:far", "green_m"] == pytest.approx(700.0)
    assert fac.loc["m:far", "best_min"] == pytest.approx(700 * 1.3 / 75)
    assert bool(fac.loc["m:far", "within_target"]) is False
    # no cool facility at all: that kind is empty, the target rests on the green space
    assert math.isnan(fac.loc["m:far", "facility_m"])


def test_grid_and_quartier_shares_by_construction(result):
    limit = result.settings.access.target_distance_m
    # distance from a cell centre to the park square [0,100]²: only the outside parts count
    inside = 0
    for i in range(10):
        for j in range(10):
            cx, cy = 50 + 100 * i, 50 + 100 * j
            dx, dy = max(cx - 100, 0), max(cy - 100, 0)
            inside += math.hypot(dx, dy) <= limit
    assert result.study_share == pytest.approx(inside / 100)
    south = sum(math.hypot(max(50 + 100 * i - 100, 0), max(50 + 100 * j - 100, 0)) <= limit
                for i in range(10) for j in range(5))
    shares = result.quartiers.set_index("quartier")["share_within"]
    assert shares["7512001"] == pytest.approx(south / 50)
    assert shares["7512002"] == pytest.approx((inside - south) / 50)
    assert result.quartiers.set_index("quartier").loc["7512002", "facilities_outside"] == 1
    assert math.isnan(result.population_share)  # no population layer in this build


def test_gap_layer_sheets_and_summary(result):
    gap = analysis.map_layer(result, "access_gap")
    assert len(gap) == (100 - round(result.study_share * 100)) + 1  # outside cells + the far school
    assert "access_gap:m:far" in set(gap["fid"])
    assert gap.crs == "EPSG:4326"
    with pytest.raises(AnalysisError):
        analysis.map_layer(result, "nope")
    sheet = sheets.facility_sheet(result, "m:far")
    assert sheet.within_target is False and sheet.host_category == "school"
    assert [p.kind for p in sheet.nearest] == ["green", "facility", "fountain"]
    assert sheet.iris is None
    with pytest.raises(AnalysisError):
        sheets.facility_sheet(result, "m:unknown")
    quartier = sheets.quartier_sheet(result, "7512002")
    assert quartier.facilities["fid"].tolist() == ["m:far"]
    assert quartier.gap_cells == int((result.gap_cells()["quartier"] == "7512002").sum())
    summary = result.kind_summary().set_index("kind")
    assert summary.loc["fountain", "counted"] == False  # noqa: E712 (numpy bool)
    assert summary.loc["green", "places"] == 1


def test_settings_change_the_key_and_the_answer(build):
    manifest, layers = build
    strict = analysis_settings.AnalysisSettings(access=AccessSettings(target_minutes=1.0))
    other = analysis.run(manifest, layers, strict)
    assert other.key != analysis.run(manifest, layers).key
    assert other.study_share < 0.2


def test_a_build_without_the_required_layers_is_an_analysis_error(build):
    manifest, layers = build
    with pytest.raises(AnalysisError, match="ppri"):
        analysis.run(manifest, {k: v for k, v in layers.items() if k != "ppri"})
    with pytest.raises(AnalysisError, match="75105"):
        analysis.run({**manifest, "study_area": {"insee": "75105", "name": "x"}}, layers)

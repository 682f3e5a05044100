"""Flood and heat analyses, settings and facility selection on synthetic data."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geo.analysis import facilities, flood, heat
from geo.analysis import settings as analysis_settings
from geo.core.errors import AnalysisError
from geo.core.settings import METRIC_CRS

X0, Y0 = 650_000.0, 6_860_000.0


def zones(geoms: list, kinds: list[str] | None = None) -> gpd.GeoDataFrame:
    n = len(geoms)
    return gpd.GeoDataFrame({"fid": [f"ppri:{i}" for i in range(n)], "source_id": [str(i) for i in range(n)],
                             "kind": kinds or ["B"] * n, "c_ar": [11] * n},
                            geometry=geoms, crs=METRIC_CRS)


def test_overlapping_sectors_are_counted_once():
    a = box(X0, Y0, X0 + 100, Y0 + 100)
    b = box(X0 + 50, Y0, X0 + 150, Y0 + 100)  # overlaps a by 50 x 100
    union = flood.dissolve_zones(zones([a, b]))
    assert union.area == pytest.approx(15_000.0)


def test_neighbour_exposure_shares_and_study_area_first():
    arrs = gpd.GeoDataFrame({"c_ar": [20, 11, 5], "name": ["study", "west", "far"]},
                            geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000),
                                      box(X0 - 1000, Y0, X0, Y0 + 1000),
                                      box(X0 + 5000, Y0, X0 + 6000, Y0 + 1000)], crs=METRIC_CRS)
    # a quarter of the west neighbour is in a zone, given as two overlapping halves
    z = flood.dissolve_zones(zones([box(X0 - 1000, Y0, X0 - 500, Y0 + 500),
                                    box(X0 - 800, Y0, X0 - 500, Y0 + 500)]))
    table = flood.neighbour_exposure(arrs, z, 20)
    assert table["c_ar"].tolist() == [20, 11]
    assert table["share"].tolist() == pytest.approx([0.0, 0.25])
    assert table["zone_km2"].tolist() == pytest.approx([0.0, 0.25])
    with pytest.raises(ValueError):
        flood.neighbour_exposure(arrs, z, 3)


def test_distance_of_a_polygon_to_the_nearest_zone_is_known_by_construction():
    study = box(X0, Y0, X0 + 1000, Y0 + 1000)
    z = zones([box(X0 + 1250, Y0, X0 + 1400, Y0 + 100), box(X0, Y0 - 900, X0 + 10, Y0 - 800)],
              ["V", "B"])
    near = flood.nearest_zone(study, z)
    assert near.distance_m == pytest.approx(250.0)
    assert (near.fid, near.zone, near.c_ar) == ("ppri:0", "V", 11)
    assert flood.nearest_zone(box(X0 + 1300, Y0, X0 + 1310, Y0 + 10), z).distance_m == 0.0


def test_hosts_are_sorted_by_distance_to_the_zones():
    z = zones([box(X0, Y0, X0 + 100, Y0 + 100)])
    hosts = gpd.GeoDataFrame({"fid": ["h:far", "h:near"], "category": ["school", "gymnasium"]},
                             geometry=[Point(X0 + 1100, Y0 + 50), Point(X0 + 400, Y0 + 50)],
                             crs=METRIC_CRS)
    table = flood.hosts_with_distance(hosts, z)
    assert table["fid"].tolist() == ["h:near", "h:far"]
    assert table["zone_m"].tolist() == pytest.approx([300.0, 1000.0])


def _layer(rows: list[dict], coords: list[tuple[float, float]]) -> gpd.GeoDataFrame:
    base = {"address": "", "quartier": "7512001", "quartier_name": "Belleville", "c_ar": 20}
    return gpd.GeoDataFrame([{**base, **row} for row in rows],
                            geometry=[Point(x, y) for x, y in coords], crs=METRIC_CRS).to_crs("EPSG:4326")


def test_host_candidates_merge_duplicate_gymnasiums_and_polyvalent_schools():
    site = "Numéro de l'installation sportive"
    layers = {
        "sports": _layer([{"fid": "s:1", "name": "GYMNASE A", "kind": facilities.GYMNASIUM_KIND, site: "I1"},
                          {"fid": "s:2", "name": "GYMNASE A", "kind": "Salle de danse", site: "I1"},
                          {"fid": "s:3", "name": "SALLE B", "kind": facilities.HALL_KIND, site: "I2"},
                          {"fid": "s:4", "name": "GYMNASE A", "kind": facilities.HALL_KIND, site: "I1"},
                          {"fid": "s:5", "name": "LOIN", "kind": facilities.GYMNASIUM_KIND, site: "I3",
                           "c_ar": 19}],
                         [(X0, Y0), (X0, Y0), (X0 + 500, Y0), (X0, Y0), (X0 + 900, Y0)]),
        "wifi_sites": _layer([{"fid": "w:1", "name": "GYMNASE A", "kind": "Gymnase"},
                              {"fid": "w:2", "name": "GYMNASE C", "kind": "Gymnase"},
                              {"fid": "w:3", "name": "BIBLIOTHEQUE", "kind": "Bibliothèque"}],
                             [(X0 + 30, Y0), (X0 + 300, Y0), (X0, Y0)]),
        "schools_maternelle": _layer([{"fid": "m:1", "name": "PIAT (36) POLY"}], [(X0, Y0 + 200)]),
        "schools_elementaire": _layer([{"fid": "e:1", "name": "PIAT (36) POLY"},
                                       {"fid": "e:2", "name": "AUTRE"}], [(X0, Y0 + 200), (X0, Y0 + 400)]),
    }
    hosts = facilities.host_candidates(layers, 20, same_site_m=60.0)
    assert hosts[hosts["category"] == "gymnasium"]["fid"].tolist() == ["s:1", "w:2"]
    assert hosts[hosts["category"] == "sports_hall"]["fid"].tolist() == ["s:3"]
    assert hosts[hosts["category"] == "school"]["fid"].tolist() == ["m:1", "e:2"]
    assert hosts.crs == METRIC_CRS


def test_access_facilities_groups_sports_sites_and_labels_old_creches():
    site = "Numéro de l'installation sportive"
    layers = {
        "equipements_2014": _layer([{"fid": "q:1", "name": "Crèche collective", "kind": "Crèches"},
                                    {"fid": "q:2", "name": "Jardin", "kind": "Jardins"}],
                                   [(X0, Y0), (X0, Y0)]),
        "sports": _layer([{"fid": "s:2", "name": "CS", "kind": "Dojo", site: "I1"},
                          {"fid": "s:1", "name": "CS", "kind": "Tennis", site: "I1"},
                          {"fid": "s:3", "name": "GYM CLUB", "kind": "Salle de musculation", site: "I9",
                           "Type de gestionnaire": "Etablissement privé commercial"}],
                         [(X0, Y0), (X0, Y0), (X0, Y0)]),
    }
    fac = facilities.access_facilities(layers, 20)
    assert fac[["fid", "category", "old"]].values.tolist() == [["q:1", "creche", True],
                                                               ["s:1", "sports", False]]


def test_iris_and_quartier_heat_indicators_weight_by_population():
    iris_heat = gpd.GeoDataFrame({"fid": ["ih:1", "ih:2", "ih:3"], "source_id": ["1", "2", "3"],
                                  "name": ["a", "b", "c"], "kind": ["High", "Low", "High"],
                                  "avg_heat_score": ["9", "3", "8"], "c_ar": [20, 20, 19],
                                  "quartier": ["Q", "Q", "R"], "quartier_name": ["q", "q", "r"]},
                                 geometry=[box(0, 0, 1, 1)] * 3, crs=METRIC_CRS)
    population = pd.DataFrame({"source_id": ["1", "2", "3"], "population": ["300", "100", "50"],
                               "population_75_plus": ["30", "", "5"]})
    iris = heat.iris_indicators(iris_heat, population, 20)
    assert iris["source_id"].tolist() == ["1", "2"]
    summary = heat.quartier_heat(iris).set_index("quartier")
    assert summary.loc["Q", "population"] == 400
    assert summary.loc["Q", "population_75_plus"] == 30
    assert summary.loc["Q", "heat_score"] == pytest.approx((300 * 9 + 100 * 3) / 400)
    assert summary.loc["Q", "high_share"] == pytest.approx(0.75)


def test_council_population_is_interpolated_by_area():
    councils = gpd.GeoDataFrame({"fid": ["cq:1"], "source_id": ["1"], "name": ["HALF"],
                                 "vulnj_note": ["5.5"], "vulnn_note": ["6"], "prop_at_flood_risk": ["0"],
                                 "c_ar": [20], "quartier": ["7512001"], "quartier_name": ["Belleville"]}, geometry=[box(X0, Y0, X0 + 50, Y0 + 100)], crs=METRIC_CRS)
    iris = gpd.GeoDataFrame({"population": ["800"], "population_75_plus": ["80"]},
                            geometry=[box(X0, Y0, X0 + 100, Y0 + 100)], crs=METRIC_CRS)
    table = heat.council_indicators(councils, iris, 20)
    assert table.loc[0, "population_est"] == pytest.approx(400.0)
    assert table.loc[0, "population_75_plus_est"] == pytest.approx(40.0)
    assert table.loc[0, "vulnj_note"] == pytest.approx(5.5)


def test_settings_file_is_read_and_bad_values_are_reported(tmp_path):
    good = tmp_path / "analysis.toml"
    good.write_text('[access]\nwalking_speed_kmh = 3.6\ntarget_kinds = ["green"]\n'
                    '[flood]\nsame_site_m = 10\n', encoding="utf-8")
    settings = analysis_settings.load_settings(good)
    assert settings.access.metres_per_minute == pytest.approx(60.0)
    assert settings.access.target_kinds == ("green",)
    assert settings.flood.same_site_m == 10
    assert settings.key() != analysis_settings.AnalysisSettings().key()
    bad = tmp_path / "bad.toml"
    bad.write_text("[access]\nwalking_speeed_kmh = 4\n", encoding="utf-8")
    with pytest.raises(AnalysisError, match="bad.toml"):
        analysis_settings.load_settings(bad)


def test_committed_settings_file_matches_the_documented_defaults():
    settings = analysis_settings.load_settings()
    assert settings.access.walking_speed_kmh == 4.5
    assert settings.access.detour_factor == 1.3
    assert settings.access.target_minutes == 7.0
    assert settings.access.grid_cell_m == 100.0

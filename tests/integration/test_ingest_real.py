"""The real mirror, ingested: figures checked against independent computations on the raw files."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo.sources.store import load_layer, load_manifest

L93 = 2154


@pytest.fixture(scope="module")
def manifest(real_build):
    return load_manifest(real_build)


@pytest.fixture(scope="module")
def arr20(mirror):
    """The 20e read straight from the mirror file, independently of the pipeline."""
    arrs = gpd.read_file(mirror / "arrondissements" / "arrondissements.geojson")
    return arrs[arrs["c_arinsee"].astype(str) == "75120"].to_crs(L93).geometry.iloc[0]


def test_study_area_is_the_20e_with_its_official_area(manifest, arr20):
    area = manifest["study_area"]
    assert area["insee"] == "75120" and area["name"] == "Ménilmontant"
    assert area["area_km2"] == pytest.approx(arr20.area / 1e6, abs=1e-4)
    assert 5.9 < area["area_km2"] < 6.1


def test_the_four_quartiers_of_the_20e(real_build, mirror):
    built = load_layer("quartiers", real_build)
    raw = gpd.read_file(mirror / "quartier_paris" / "quartier_paris.geojson")
    expected = set(raw[raw["c_ar"].astype(int) == 20]["l_qu"])
    assert set(built[built["c_ar"] == 20]["name"]) == expected
    assert expected == {"Belleville", "Saint-Fargeau", "Père-Lachaise", "Charonne"}


def test_ppri_does_not_reach_the_20e_and_the_nearest_zone_distance(real_build, mirror, arr20):
    raw = gpd.read_file(mirror / "ppri_plu_secteurs_risques"
                        / "plu-secteurs-de-risques-delimites-par-le-ppri.geojson").to_crs(L93)
    union = shapely.union_all(raw.geometry.values)
    independent = arr20.distance(union)
    built = load_layer("ppri", real_build).to_crs(L93)
    assert built.geometry.intersection(arr20).area.sum() == 0
    assert (built["c_ar"] == 20).sum() == 0
    assert shapely.union_all(built.geometry.values).distance(arr20) == pytest.approx(independent, abs=0.5)
    assert 850 < independent < 900
    # the neighbouring PPRI zones of the 11e and 12e are in the build
    assert {11, 12} <= set(built["c_ar"])


def _count_in(raw: gpd.GeoDataFrame, area) -> int:
    pts = raw[raw.geometry.notna()].to_crs(L93).geometry.representative_point()
    return int(pts.within(area).sum())


@pytest.mark.parametrize("layer, path", [
    ("fountains", "fontaines_a_boire/fontaines-a-boire.geojson"),
    ("cool_facilities", "ilots_fraicheur_equipements_activites/ilots-de-fraicheur-equipements-activites.geojson"),
    ("cool_green_points", "ilots_fraicheur_espaces_verts_frais_derived_points/ilots-de-fraicheur-espaces-verts-frais_harapsam.geojson"),
    ("protected_green", "plu_espaces_verts_proteges/plu-espaces-verts-proteges-evp.geojson"),
    ("wifi_sites", "sites_paris_wifi/sites-disposant-du-service-paris-wi-fi.geojson"),
    ("libraries", "bibliotheques_repertoire_idf/repertoire-bibliotheques.geojson"),
    ("iris_population", "iris_population_insee_2022/population_iris.geojson"),
])
def test_counts_in_the_20e_match_an_independent_spatial_count(real_build, manifest, mirror, arr20,
                                                               layer, path):
    expected = _count_in(gpd.read_file(mirror / path), arr20)
    built = load_layer(layer, real_build)
    assert int((built["c_ar"] == 20).sum()) == expected
    assert manifest["layers"][layer]["count_study_area"] == expected


def test_current_school_year_counts(real_build, mirror, arr20):
    for layer, name in (("schools_maternelle", "maternelles"),
                        ("schools_elementaire", "ecoles-elementaires"),
                        ("colleges", "colleges")):
        raw = gpd.read_file(mirror / "etablissements_scolaires" / f"etablissements-scolaires-{name}.geojson")
        label = raw["Type d'établissement - Année scolaire"]
        current = raw[label.str.contains("2025/2026", regex=False)]
        built = load_layer(layer, real_build)
        assert set(built["year"]) == {"2025-2026"}
        assert int((built["c_ar"] == 20).sum()) == _count_in(current, arr20)
    assert int((load_layer("colleges", real_build)["c_ar"] == 20).sum()) == 12


def test_population_of_the_20e(real_build, mirror):
    raw = gpd.read_file(mirror / "iris_population_insee_2022" / "population_iris.geojson")
    expected = pd.to_numeric(raw[raw["code_commune"].astype(str) == "75120"]["population"]).sum()
    built = load_layer("iris_population", real_build)
    assert pd.to_numeric(built[built["c_ar"] == 20]["population"]).sum() == expected == 187697


def test_iris_heat_was_reprojected_from_lambert93(real_build):
    heat = load_layer("iris_heat", real_build)
    assert heat.crs.to_epsg() == 4326
    minx, miny, maxx, maxy = heat.total_bounds
    assert 2.3 < minx < maxx < 2.48 and 48.81 < miny < maxy < 48.9
    assert (heat["c_ar"] == 20).sum() == 73


def test_green_spaces_are_valid_after_repair(real_build):
    green = load_layer("green_spaces", real_build)
    assert green.geometry.is_valid.all()


def test_manifest_carries_provenance_for_every_layer(manifest, mirror):
    assert set(manifest["layers"]) >= {"arrondissements", "ppri", "fountains", "schools_maternelle"}
    for layer_id, info in manifest["layers"].items():
        assert info["licence"] and info["publisher"] and info["url"], layer_id
        for source in info["sources"]:
            assert len(source["sha256"]) == 64 and source["retrieved_at"], layer_id
        assert info["count_after_clip"] <= info["count_before_clip"], layer_id
    fountain = manifest["layers"]["fountains"]["sources"][0]
    import hashlib

    raw = (mirror / "fontaines_a_boire" / "fontaines-a-boire.geojson").read_bytes()
    assert fountain["sha256"] == hashlib.sha256(raw).hexdigest()


def test_every_feature_has_a_unique_fid(real_build, manifest):
    for layer_id in manifest["layers"]:
        gdf = load_layer(layer_id, real_build)
        assert gdf["fid"].is_unique, layer_id
        assert gdf.crs.to_epsg() == 4326, layer_id


def test_manifest_is_plain_json(real_build):
    json.loads((real_build / "manifest.json").read_text(encoding="utf-8"))


def test_fast_store_reader_matches_geopandas(real_build):
    for file in sorted((real_build / "layers").glob("*.parquet")):
        ours = load_layer(file.stem, real_build)
        reference = gpd.read_parquet(file)
        assert ours.crs == reference.crs, file.stem
        pd.testing.assert_frame_equal(pd.DataFrame(ours.drop(columns="geometry")),
                                      pd.DataFrame(reference.drop(columns="geometry")))
        assert ours.geometry.geom_equals_exact(reference.geometry, tolerance=0).all(), file.stem

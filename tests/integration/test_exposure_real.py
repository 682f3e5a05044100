"""The exposure analyses on the real build, checked against figures computed independently here
with plain geopandas/shapely on the mirror's files (not through geo/), and against the figures the
data mirror's README states."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.analysis import exposure as analysis
from geo.sources import store
from geo.sources.quirks import NOT_COOL_GREEN_TYPES

L93 = "EPSG:2154"


@pytest.fixture(scope="module")
def result(real_build: Path) -> analysis.Analysis:
    return analysis.load(path=real_build)


def read(mirror: Path, path: str) -> gpd.GeoDataFrame:
    return gpd.read_file(mirror / path).to_crs(L93)


@pytest.fixture(scope="module")
def arrondissements(mirror: Path) -> gpd.GeoDataFrame:
    return read(mirror, "arrondissements/arrondissements.geojson")


@pytest.fixture(scope="module")
def ppri_union(mirror: Path):
    ppri = read(mirror, "ppri_plu_secteurs_risques/plu-secteurs-de-risques-delimites-par-le-ppri.geojson")
    return shapely.union_all(shapely.make_valid(ppri.geometry.values))


def test_the_build_is_the_20e(result):
    assert result.insee == "75120" and result.c_ar == 20


def test_distance_of_the_20e_to_the_flood_zones(result, arrondissements, ppri_union):
    # the whole-Paris PPRI file, not the build's clipped layer
    twentieth = arrondissements[arrondissements["c_ar"].astype(int) == 20].geometry.iloc[0]
    expected = twentieth.distance(ppri_union)
    assert result.study_zone.distance_m == pytest.approx(expected, abs=0.5)
    assert round(expected) == 882  # the mirror README's figure
    assert result.study_zone.zone == "B" and result.study_zone.c_ar == 11


def test_share_of_each_neighbour_in_the_flood_zones(result, arrondissements, ppri_union):
    table = result.neighbours.set_index("c_ar")
    twentieth = arrondissements[arrondissements["c_ar"].astype(int) == 20].geometry.iloc[0]
    touching = arrondissements[arrondissements.intersects(twentieth.buffer(1.0))]
    assert sorted(table.index) == sorted(touching["c_ar"].astype(int))
    for _, row in touching.iterrows():
        share = row.geometry.intersection(ppri_union).area / row.geometry.area
        assert table.loc[int(row["c_ar"]), "share"] == pytest.approx(share, abs=1e-6)
    # the mirror README: 11e 8.9 %, 12e 12.2 %, 19e and 20e 0
    assert round(table.loc[11, "share"] * 100, 1) == 8.9
    assert round(table.loc[12, "share"] * 100, 1) == 12.2
    assert table.loc[19, "share"] == 0 and table.loc[20, "share"] == 0


def test_host_distances_match_a_brute_force_measure(result, ppri_union):
    hosts = result.hosts
    brute = shapely.distance(hosts.geometry.values, ppri_union)
    assert np.allclose(hosts["zone_m"].to_numpy(float), brute, atol=0.5)
    assert (hosts["zone_m"] > 800).all()  # no 20e facility is near the zones
    # README of the mirror: 21 gymnasium sites in the sports survey for the 20e
    assert (hosts[(hosts["category"] == "gymnasium") & (hosts["layer"] == "sports")]).shape[0] == 21
    assert (hosts["category"] == "mairie").sum() == 1


def test_nearest_cool_facility_and_fountain_match_the_whole_paris_files(result, mirror):
    """The build clips layers to the study area + 1 km: nothing nearer is lost by clipping."""
    fac = result.facilities
    cool = read(mirror, "ilots_fraicheur_equipements_activites/ilots-de-fraicheur-equipements-activites.geojson")
    fountains = read(mirror, "fontaines_a_boire/fontaines-a-boire.geojson")
    fountains = fountains[fountains["dispo"].str.upper() == "OUI"]
    for column, places in (("facility_m", cool), ("fountain_m", fountains)):
        union = shapely.union_all(places.geometry.values)
        brute = shapely.distance(fac.geometry.values, union)
        assert np.allclose(fac[column].to_numpy(float), brute, atol=0.01), column


def test_minutes_follow_the_stated_method(result):
    acc = result.settings.access
    fac = result.facilities
    expected = fac["green_m"] * acc.detour_factor / (acc.walking_speed_kmh * 1000 / 60)
    assert np.allclose(fac["green_min"], expected)
    best = fac[[f"{k}_min" for k in acc.target_kinds]].min(axis=1)
    assert (fac["within_target"] == (best <= acc.target_minutes)).all()


def test_grid_share_agrees_with_an_exact_buffer_of_the_cool_places(result, mirror, arrondissements):
    """Area of the 20e within the target straight-line distance of a cool facility, computed
    exactly with a buffer, against the 100 m grid estimate (cell centroids): within 2 points."""
    acc = result.settings.access
    cool = read(mirror, "ilots_fraicheur_equipements_activites/ilots-de-fraicheur-equipements-activites.geojson")
    twentieth = arrondissements[arrondissements["c_ar"].astype(int) == 20].geometry.iloc[0]
    reach = shapely.union_all(cool.geometry.buffer(acc.target_distance_m).values)
    exact = twentieth.intersection(reach).area / twentieth.area
    grid = result.grid
    estimate = (grid["area_m2"] * grid["facility_within"]).sum() / grid["area_m2"].sum()
    assert estimate == pytest.approx(exact, abs=0.02)
    assert grid["area_m2"].sum() == pytest.approx(twentieth.area, rel=0.005)


def test_green_space_share_agrees_with_an_exact_buffer(result, mirror, arrondissements):
    acc = result.settings.access
    green = read(mirror, "espaces_verts_paris/espaces_verts_east_11_12_19_20.geojson")
    green = green[~green["type_ev"].isin((*NOT_COOL_GREEN_TYPES, *acc.green_excluded_types))]
    points = read(mirror, "ilots_fraicheur_espaces_verts_frais_derived_points/"
                          "ilots-de-fraicheur-espaces-verts-frais_harapsam.geojson")
    points = points[~points["location"].isin((*NOT_COOL_GREEN_TYPES, *acc.green_excluded_types))]
    reach = shapely.union_all([*shapely.make_valid(green.geometry.values), *points.geometry.values])
    twentieth = arrondissements[arrondissements["c_ar"].astype(int) == 20].geometry.iloc[0]
    exact = twentieth.intersection(reach.buffer(acc.target_distance_m)).area / twentieth.area
    grid = result.grid
    estimate = (grid["area_m2"] * grid["green_within"]).sum() / grid["area_m2"].sum()
    assert estimate == pytest.approx(exact, abs=0.02)


def test_population_and_heat_indicators(result, mirror):
    iris = gpd.read_file(mirror / "iris_population_insee_2022/population_iris.geojson")
    in_20e = iris[iris["code_iris"].astype(str).str.startswith("75120")]
    population = pd.to_numeric(in_20e["population"]).sum()
    old = pd.to_numeric(in_20e["population_75_plus"]).sum()
    assert (population, old) == (187_697, 13_981)  # also the mirror README's figures
    assert result.quartiers["population"].sum() == population
    assert result.quartiers["population_75_plus"].sum() == old
    assert len(result.iris) == 73
    assert result.iris["heat_class"].value_counts().to_dict() == {"High": 61, "Medium": 11, "Low": 1}
    # council populations are an areal interpolation: they add up to the IRIS total (± edges)
    assert result.councils["population_est"].sum() == pytest.approx(population, rel=0.02)
    assert len(result.councils) == 7


def test_quartier_shares_are_area_weighted_grid_shares(result):
    grid = result.grid
    for _, row in result.quartiers.iterrows():
        cells = grid[grid["quartier"] == row["quartier"]]
        expected = (cells["area_m2"] * cells["within_target"]).sum() / cells["area_m2"].sum()
        assert row["share_within"] == pytest.approx(expected)
        alone = (cells["area_m2"] * cells["facility_within"]).sum() / cells["area_m2"].sum()
        assert row["share_facility"] == pytest.approx(alone)
        assert cells["area_m2"].sum() / 1e6 == pytest.approx(row["area_km2"], rel=1e-6)
    assert set(result.quartiers["name"]) == {"Belleville", "Saint-Fargeau", "Père-Lachaise", "Charonne"}


def test_every_figure_traces_to_the_build(result, real_build):
    manifest = store.load_manifest(real_build)
    assert result.build_id == manifest["build_id"]
    assert set(result.layers) <= set(manifest["layers"])
    fids = set()
    for layer_id in {*result.facilities["layer"], *result.hosts["layer"]}:
        fids |= set(store.load_layer(layer_id, real_build)["fid"])
    assert set(result.facilities["fid"]) <= fids and set(result.hosts["fid"]) <= fids

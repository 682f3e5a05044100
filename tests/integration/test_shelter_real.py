"""The flood host analyses (capacity, need, lines at risk) on the real build, against figures
computed here independently from the mirror's raw files with plain pandas / geopandas / shapely
(nothing from geo/): the original Data ES CSV, the whole-Paris PPRI file, the IRIS population file
and the IDFM station list."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo.analysis import exposure as analysis
from geo.analysis.settings import load_settings
from geo.sources import store

L93 = "EPSG:2154"
SPORTS_CSV = "equipements_sportifs_paris/recensement_des_equipements_sportifs_a_paris.csv"
PPRI = "ppri_plu_secteurs_risques/plu-secteurs-de-risques-delimites-par-le-ppri.geojson"
IRIS = "iris_population_insee_2022/population_iris.geojson"
STATIONS = "gares_stations_idfm/emplacement-des-gares-idf.geojson"
ARRONDISSEMENTS = "arrondissements/arrondissements.geojson"
GYM = "Salle multisports (gymnase)"
HALL = "Salles polyvalentes / des fêtes / non spécialisées"


# --------------------------------------------------------------------------- independent figures
def sports_csv(mirror: Path) -> pd.DataFrame:
    """The original CSV (117 columns, ``;``) as text. It starts with two BOMs: ``utf-8-sig``
    strips one, the other is stripped from the first column name here."""
    table = pd.read_csv(mirror / SPORTS_CSV, sep=";", dtype=str, encoding="utf-8-sig")
    table.columns = [c.lstrip("\ufeff") for c in table.columns]
    return table


def site_capacities(csv: pd.DataFrame, m2_per_person: float, insee: str = "75120") -> pd.Series:
    """People per installation of the 20e: floor(sum of its gym and hall areas / m² per person)."""
    rows = csv[(csv["Commune INSEE"] == insee) & csv["Type d'équipement sportif"].isin((GYM, HALL))]
    area = pd.to_numeric(rows["Surface de l'aire d'évolution"], errors="coerce")
    per_site = area.groupby(rows["Numéro de l'installation sportive"]).sum(min_count=1)
    return per_site.map(lambda a: math.floor(a / m2_per_person) if pd.notna(a) else float("nan"))


@pytest.fixture(scope="module")
def csv(mirror: Path) -> pd.DataFrame:
    return sports_csv(mirror)


@pytest.fixture(scope="module")
def sectors(mirror: Path):
    ppri = gpd.read_file(mirror / PPRI).to_crs(L93)
    return shapely.union_all(shapely.make_valid(ppri.geometry.values))


@pytest.fixture(scope="module")
def paris_stations(mirror: Path, sectors) -> gpd.GeoDataFrame:
    """Station records inside Paris with their arrondissement and distance to the sectors."""
    arrs = gpd.read_file(mirror / ARRONDISSEMENTS).to_crs(L93)
    stations = gpd.read_file(mirror / STATIONS).to_crs(L93)
    joined = gpd.sjoin(stations, arrs[["c_ar", "geometry"]], predicate="within", how="inner")
    joined["c_ar"] = pd.to_numeric(joined["c_ar"])
    joined["dist"] = shapely.distance(joined.geometry.values, sectors)
    return joined


def expected_lines(stations: gpd.GeoDataFrame, near_m: float, c_ar: int = 20) -> dict[str, list[str]]:
    """Lines with a station record in ``c_ar`` → their Paris stations within ``near_m``."""
    out = {}
    for line in set(stations.loc[stations["c_ar"] == c_ar, "res_com"]):
        near = stations[(stations["res_com"] == line) & (stations["dist"] <= near_m)]
        if len(near):
            out[line] = sorted(near["nom_gares"])
    return out


@pytest.fixture(scope="module")
def result(real_build: Path) -> analysis.Analysis:
    return analysis.load(path=real_build)


# --------------------------------------------------------------------------- capacity
def test_gymnasium_floor_area_of_the_20e_matches_the_raw_csv(real_build, csv):
    rows = csv[(csv["Commune INSEE"] == "75120") & (csv["Type d'équipement sportif"] == GYM)]
    expected = pd.to_numeric(rows["Surface de l'aire d'évolution"], errors="coerce")
    assert expected.notna().all() and expected.sum() == 14635.0  # 27 equipments, 21 sites
    sports = store.load_layer("sports", real_build)
    gyms = sports[(sports["c_ar"] == 20) & (sports["kind"] == GYM)]
    assert len(gyms) == len(rows) == 27
    assert pd.to_numeric(gyms["Surface de l'aire d'évolution"]).sum() == expected.sum()


def test_site_capacities_match_the_raw_csv(result, csv):
    sites = result.shelter.sites
    m2 = result.settings.shelter.m2_per_person
    site_numbers = sites["site"].astype(str)
    expected = site_capacities(csv, m2)
    got = pd.Series(sites["capacity"].to_numpy(), index=site_numbers).sort_index()
    pd.testing.assert_series_equal(got, expected.sort_index().astype(float), check_names=False)
    assert result.shelter.summary.capacity == expected.sum() == 4938
    assert result.shelter.summary.sites_unknown == 0
    assert result.shelter.by_quartier["capacity"].sum() == expected.sum()
    # the candidate host sites carry the same capacities; schools and the mairie stay unknown
    hosts = result.hosts
    assert hosts["capacity"].sum() == expected.sum()
    assert hosts.loc[hosts["category"].isin(["school", "mairie"]), "capacity"].isna().all()


def test_flags_match_the_raw_csv(result, csv):
    rows = csv[(csv["Commune INSEE"] == "75120") & csv["Type d'équipement sportif"].isin((GYM, HALL))]
    showers = rows.groupby("Numéro de l'installation sportive")["Présence de douches"].agg(
        lambda s: (s.str.lower() == "false").all())
    pmr = rows.groupby("Numéro de l'installation sportive")[
        "Accessibilité aux personnes à mobilité réduite"].agg(
        lambda s: not any({"Accueil", "Cheminements"} <= set(str(v).replace(";", ",").split(","))
                          for v in s.fillna("")))
    sites = result.shelter.sites.set_index("site")
    assert sites["no_showers"].sum() == showers.sum() == 10
    assert sites["no_step_free"].sum() == pmr.sum() == 22


# --------------------------------------------------------------------------- need
def test_population_of_the_12e_sectors_by_area_weighting(result, mirror, sectors):
    iris = gpd.read_file(mirror / IRIS).to_crs(L93)
    share = shapely.area(shapely.intersection(iris.geometry.values, sectors)) / iris.area
    iris["residents"] = pd.to_numeric(iris["population"]) * share
    iris["old"] = pd.to_numeric(iris["population_75_plus"]) * share
    expected = iris.groupby(pd.to_numeric(iris["arrondissement"]))[["residents", "old"]].sum()
    need = result.shelter.need.set_index("c_ar")
    assert sorted(need.index) == [10, 11, 12, 19]
    for arr in (10, 11, 12, 19):
        assert need.loc[arr, "residents"] == pytest.approx(expected.loc[arr, "residents"], rel=1e-6)
        assert need.loc[arr, "residents_75_plus"] == pytest.approx(expected.loc[arr, "old"], rel=1e-6)
    assert round(need.loc[12, "residents"]) == 25775 and need.loc[19, "residents"] == 0
    # every IRIS of the 12e is in the build (the layer is clipped to the neighbours, not 1 km)
    assert need.loc[12, "iris"] == int((pd.to_numeric(iris["arrondissement"]) == 12).sum()) == 63
    cover = result.shelter.cover.set_index("c_ar")
    assert cover.loc[12, "cover"] == pytest.approx(4938 / expected.loc[12, "residents"])
    assert math.isnan(cover.loc[19, "cover"])


# --------------------------------------------------------------------------- lines at risk
def test_the_issue_station_counts(result, paris_stations):
    assert (int((paris_stations["dist"] <= 0).sum()), int((paris_stations["dist"] <= 50).sum())) == (22, 108)
    transport = result.transport
    assert (transport.paris_records, transport.paris_inside, transport.paris_near) == \
        (len(paris_stations), 22, 108)


@pytest.mark.parametrize("near_m", [10.0, 50.0])
def test_lines_at_risk_match_an_independent_computation(real_build, paris_stations, near_m):
    settings = load_settings()
    settings = dataclasses.replace(settings, transport=dataclasses.replace(settings.transport,
                                                                           near_m=near_m))
    got = analysis.load(settings, path=real_build).transport
    found = {r.line: sorted(r.at_risk_names) for r in got.lines.itertuples() if r.at_risk}
    assert found == expected_lines(paris_stations, near_m)
    assert set(found) == ({"METRO 1", "METRO 3", "METRO 9"} if near_m == 10
                          else {"METRO 1", "METRO 3", "METRO 9", "METRO 11"})
    # the map layer holds exactly those stations
    assert len(got.at_risk) == sum(len(v) for v in found.values())

"""Shelter capacity, need and stations at risk on synthetic data whose answers are known by
construction: an IRIS half inside a sector, a site without an area, a line with one station near
a sector."""

from __future__ import annotations

import math

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point, box

from geo.analysis import hosting, shelter, transport
from geo.analysis.facilities import GYMNASIUM_KIND, HALL_KIND
from geo.core.settings import METRIC_CRS

X0, Y0 = 650_000.0, 6_860_000.0
GYM, HALL = GYMNASIUM_KIND, HALL_KIND


# --------------------------------------------------------------------------- fixtures
def equipment(fid: str, site: str, kind: str, area: str = "", *, showers: str = "true",
              toilets: str = "true", pmr: str = "Accueil,Aire de jeu,Cheminements",
              c_ar: int = 20, quartier: str = "7512001", name: str | None = None,
              out_of_service: str = "", x: float = 0.0) -> dict:
    return {"fid": f"sports:{fid}", "name": name or f"SITE {site}", "kind": kind,
            "address": "1 RUE X", "c_ar": c_ar, "quartier": quartier,
            "quartier_name": {"7512001": "Belleville", "7512004": "Charonne"}.get(quartier, "?"),
            shelter.SITE_NUMBER: site, shelter.AREA: area, shelter.SHOWERS: showers,
            shelter.TOILETS: toilets, shelter.PMR: pmr, shelter.HEATING: "Gaz",
            shelter.OUT_OF_SERVICE: out_of_service, "Type de gestionnaire": "Commune",
            "geometry": Point(X0 + x, Y0)}


def sports(rows: list[dict]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=METRIC_CRS)


DEFAULT = shelter.ShelterSettings()


# --------------------------------------------------------------------------- capacity
def test_site_floor_is_the_sum_of_its_host_equipments_and_capacity_is_floored():
    table = shelter.host_sites(sports([
        equipment("E1", "I1", GYM, "700.0"),
        equipment("E2", "I1", GYM, "350"),
        equipment("E3", "I1", "Court de tennis", "648.0"),  # not a host type: not counted
    ]), DEFAULT, 20)
    assert len(table) == 1
    row = table.iloc[0]
    assert (row["site"], row["equipments"], row["area_m2"]) == ("I1", 2, 1050.0)
    assert row["capacity"] == 300.0  # 1050 / 3.5 exactly
    # 1000 / 3.5 = 285.7 -> 285 people, never rounded up
    one = shelter.host_sites(sports([equipment("E1", "I1", GYM, "1000")]), DEFAULT)
    assert one["capacity"].iloc[0] == 285.0


def test_capacity_follows_the_m2_per_person_setting():
    data = sports([equipment("E1", "I1", GYM, "1000")])
    assert shelter.host_sites(data, shelter.ShelterSettings(m2_per_person=5.0))["capacity"].iloc[0] == 200
    assert shelter.host_sites(data, shelter.ShelterSettings(m2_per_person=2.0))["capacity"].iloc[0] == 500


def test_a_site_without_an_area_has_an_unknown_capacity_never_a_guess():
    table = shelter.host_sites(sports([
        equipment("E1", "I1", GYM, "800"),
        equipment("E2", "I2", HALL, ""),
        equipment("E3", "I3", HALL, "0"),  # a zero area is no area
    ]), DEFAULT)
    unknown = table[table["site"].isin(["I2", "I3"])]
    assert unknown["capacity"].isna().all() and unknown["area_m2"].isna().all()
    assert unknown["area_missing"].tolist() == [1, 1]
    assert table["site"].iloc[0] == "I1"  # known first, unknown last
    assert table["rank"].iloc[0] == 1 and table["rank"].iloc[1:].isna().all()
    summary = shelter.capacity_summary(table)
    assert (summary.sites, summary.sites_unknown, summary.capacity) == (3, 2, 228.0)


def test_a_partly_measured_site_counts_its_known_floor_and_says_what_is_missing():
    table = shelter.host_sites(sports([equipment("E1", "I1", GYM, "350"),
                                       equipment("E2", "I1", HALL, "")]), DEFAULT)
    assert table.iloc[0][["area_m2", "area_missing", "capacity"]].tolist() == [350.0, 1, 100.0]


def test_flags_come_from_the_data_and_a_blank_is_not_a_no():
    table = shelter.host_sites(sports([
        equipment("E1", "I1", GYM, "350", showers="false", pmr="Aire de jeu,Cheminements"),
        equipment("E2", "I2", GYM, "350", showers="", pmr="Accueil;Cheminements;Sanitaires"),
        equipment("E3", "I3", GYM, "350", showers="false", pmr=""),
        equipment("E4", "I3", HALL, "35", showers="true", pmr="Accueil,Cheminements"),
    ]), DEFAULT).set_index("site")
    assert bool(table.loc["I1", "no_showers"]) and bool(table.loc["I1", "no_step_free"])
    assert pd.isna(table.loc["I2", "showers"]) and not table.loc["I2", "no_showers"]
    assert bool(table.loc["I2", "step_free"])  # semicolon-separated list (one record does that)
    # a site has showers / step-free access when one of its host equipments has them
    assert not table.loc["I3", "no_showers"] and bool(table.loc["I3", "step_free"])


def test_site_fid_is_its_first_gymnasium_equipment_like_the_host_candidates():
    table = shelter.host_sites(sports([equipment("E1", "I1", HALL, "150"),
                                       equipment("E2", "I1", GYM, "1000"),
                                       equipment("E3", "I1", GYM, "800")]), DEFAULT)
    assert table.iloc[0][["fid", "category", "equipments"]].tolist() == ["sports:E2", "gymnasium", 3]
    halls = shelter.host_sites(sports([equipment("E9", "I2", HALL, "150"),
                                       equipment("E5", "I2", HALL, "50")]), DEFAULT)
    assert halls.iloc[0][["fid", "category"]].tolist() == ["sports:E5", "sports_hall"]


def test_study_area_filter_out_of_service_and_host_kinds_setting():
    data = sports([equipment("E1", "I1", GYM, "700"),
                   equipment("E2", "I2", GYM, "700", c_ar=11),
                   equipment("E3", "I3", GYM, "700", out_of_service="Oui"),
                   equipment("E4", "I4", HALL, "70")])
    kept = shelter.host_sites(data, DEFAULT, 20)
    assert kept["site"].tolist() == ["I1", "I4"] and kept["rank"].tolist() == [1, 2]
    gyms_only = shelter.ShelterSettings(host_kinds=(GYM,))
    assert shelter.host_sites(data, gyms_only, 20)["site"].tolist() == ["I1"]
    empty = shelter.host_sites(data, DEFAULT, 5)
    assert empty.empty and list(empty.columns) == shelter.SITE_COLUMNS


def test_capacity_by_quartier_adds_up_known_capacities():
    table = shelter.host_sites(sports([
        equipment("E1", "I1", GYM, "700", quartier="7512001"),
        equipment("E2", "I2", GYM, "350", quartier="7512004"),
        equipment("E3", "I3", HALL, "", quartier="7512004"),
    ]), DEFAULT)
    by_q = shelter.capacity_by_quartier(table).set_index("quartier")
    assert by_q.loc["7512001", "capacity"] == 200 and by_q.loc["7512004", "capacity"] == 100
    assert by_q.loc["7512004", ["sites", "sites_unknown"]].tolist() == [2, 1]
    assert by_q["capacity"].sum() == shelter.capacity_summary(table).capacity


@pytest.mark.parametrize("bad", [0, -3.5, float("nan"), float("inf")])
def test_m2_per_person_must_be_a_positive_number(bad):
    with pytest.raises(ValueError):
        shelter.ShelterSettings(m2_per_person=bad)


def test_parse_flag_reads_true_false_oui_non_and_keeps_blanks_unknown():
    flags = shelter.parse_flag(pd.Series(["true", "False", "Oui", "non", "", None, "?"]))
    assert flags.tolist()[:4] == [True, False, True, False]
    assert flags.isna().tolist()[4:] == [True, True, True]


# --------------------------------------------------------------------------- need
def iris(rows: list[tuple]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        [{"source_id": sid, "name": sid, "c_ar": c_ar, "population": str(pop),
          "population_75_plus": str(old), "geometry": geom} for sid, c_ar, pop, old, geom in rows],
        geometry="geometry", crs=METRIC_CRS)


def test_an_iris_half_inside_a_sector_counts_half_its_residents():
    frame = iris([("751110101", 11, 1000, 100, box(X0, Y0, X0 + 1000, Y0 + 1000)),
                  ("751110102", 11, 800, 80, box(X0 + 2000, Y0, X0 + 3000, Y0 + 1000)),
                  ("751120101", 12, 500, 50, box(X0, Y0 - 1000, X0 + 1000, Y0)),
                  ("751030101", 3, 999, 99, box(X0 - 1000, Y0, X0, Y0 + 1000))])
    # two overlapping sectors covering the west half of the first IRIS, dissolved first
    zones = shapely.union_all([box(X0, Y0, X0 + 500, Y0 + 1000), box(X0 + 250, Y0, X0 + 500, Y0 + 600),
                               box(X0 - 1000, Y0, X0, Y0 + 1000)])  # this one is in the 3e
    per_iris = shelter.residents_in_zones(frame, zones, [11, 12]).set_index("source_id")
    assert per_iris.loc["751110101", "share"] == pytest.approx(0.5)
    assert per_iris.loc["751110101", ["residents", "residents_75_plus"]].tolist() == pytest.approx([500, 50])
    assert per_iris.loc["751110102", "residents"] == 0
    assert "751030101" not in per_iris.index  # not a requested arrondissement
    need = shelter.need_by_arrondissement(per_iris.reset_index(), [11, 12, 19]).set_index("c_ar")
    assert need.loc[11, ["residents", "residents_75_plus", "iris", "iris_in_zone"]].tolist() == \
        pytest.approx([500, 50, 2, 1])
    assert need.loc[11, "share_75_plus"] == pytest.approx(0.1)
    assert need.loc[11, "residents_share"] == pytest.approx(500 / 1800)
    assert need.loc[12, "residents"] == 0 and math.isnan(need.loc[12, "share_75_plus"])
    assert need.loc[19, ["iris", "population", "residents"]].tolist() == [0, 0, 0]


def test_capacity_against_need_per_arrondissement_and_total():
    need = pd.DataFrame({"c_ar": [11, 12, 19], "residents": [1000.0, 3000.0, 0.0],
                         "residents_75_plus": [70.0, 200.0, 0.0]})
    table = shelter.capacity_vs_need(500.0, need).set_index("c_ar")
    assert table.loc[11, "cover"] == pytest.approx(0.5)
    assert table.loc[12, "cover"] == pytest.approx(1 / 6)
    assert math.isnan(table.loc[19, "cover"])
    assert table.loc[0, ["residents", "residents_75_plus"]].tolist() == [4000.0, 270.0]
    assert table.loc[0, "cover"] == pytest.approx(0.125)


# --------------------------------------------------------------------------- transport
def station(fid: str, name: str, line: str, c_ar: int, x: float, y: float,
            mode: str = "METRO") -> dict:
    return {"fid": f"stations:{fid}", "name": name, "kind": mode, "res_com": line, "c_ar": c_ar,
            "geometry": Point(X0 + x, Y0 + y)}


SECTOR = box(X0 + 5000, Y0, X0 + 6000, Y0 + 1000)


def network() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame([
        # line A serves the study area and has one station 30 m from the sector
        station("1", "Home", "METRO 3", 20, 0, 500),
        station("2", "Quay", "METRO 3", 11, 6030, 500),
        # line B serves the study area, all stations far away; shares the « Home » station
        station("3", "Home", "METRO 3bis", 20, 0, 500),
        station("4", "Hill", "METRO 3bis", 19, 0, 3000),
        # line C has a station inside the sector but does not serve the study area
        station("5", "Island", "METRO 11", 4, 5500, 500),
        station("6", "Elsewhere", "METRO 11", 19, 0, 4000),
        # a tram serving the study area, inside the sector
        station("7", "Tram stop", "TRAM 3b", 20, 10, 10, mode="TRAMWAY"),
        station("8", "Bank", "TRAM 3b", 12, 5100, 100, mode="TRAMWAY"),
    ], geometry="geometry", crs=METRIC_CRS)


def test_a_line_with_one_station_near_a_sector_is_at_risk():
    lines = transport.lines_at_risk(network(), SECTOR, 20, transport.TransportSettings()).set_index("line")
    assert list(lines.index) == ["METRO 3", "TRAM 3b", "METRO 3bis"]  # at risk first
    assert lines.loc["METRO 3", ["stations", "at_risk", "inside"]].tolist() == [2, 1, 0]
    assert lines.loc["METRO 3", "min_zone_m"] == pytest.approx(30.0)
    assert lines.loc["METRO 3", "at_risk_names"] == ["Quay"]
    assert lines.loc["TRAM 3b", ["at_risk", "inside"]].tolist() == [1, 1]
    assert lines.loc["METRO 3bis", "at_risk"] == 0
    assert "METRO 11" not in lines.index  # flooded station, but the line does not serve the 20e


def test_the_distance_setting_changes_the_answer():
    tight = transport.lines_at_risk(network(), SECTOR, 20, transport.TransportSettings(near_m=10))
    assert dict(zip(tight["line"], tight["at_risk"], strict=True)) == {"TRAM 3b": 1, "METRO 3": 0, "METRO 3bis": 0}
    metros = transport.lines_at_risk(network(), SECTOR, 20,
                                     transport.TransportSettings(modes=("METRO",)))
    assert set(metros["line"]) == {"METRO 3", "METRO 3bis"}


def test_study_stations_list_their_lines_at_risk_and_the_layer_holds_the_stations():
    settings = transport.TransportSettings()
    lines = transport.lines_at_risk(network(), SECTOR, 20, settings)
    per_station = transport.study_stations(network(), lines, 20, settings.modes).set_index("name")
    assert per_station.loc["Home", "lines"] == ["METRO 3", "METRO 3bis"]
    assert per_station.loc["Home", "lines_at_risk"] == ["METRO 3"]
    assert bool(per_station.loc["Tram stop", "cut"])
    layer = transport.stations_at_risk(network(), SECTOR, ["METRO 3", "TRAM 3b"], settings.near_m)
    assert layer["fid"].tolist() == ["stations:8", "stations:2"]  # inside first, then 30 m
    assert layer["inside"].tolist() == [True, False]
    assert layer.crs == METRIC_CRS


def test_no_sector_means_no_line_at_risk():
    lines = transport.lines_at_risk(network(), shapely.Polygon(), 20, transport.TransportSettings())
    assert (lines["at_risk"] == 0).all() and lines["min_zone_m"].isna().all()


def test_line_order_is_natural():
    labels = ["METRO 11", "TRAM 3b", "METRO 3bis", "METRO 3", "METRO 1", "RER A"]
    assert sorted(labels, key=transport.line_order) == \
        ["METRO 1", "METRO 3", "METRO 3bis", "METRO 11", "RER A", "TRAM 3b"]


@pytest.mark.parametrize("bad", [-1, float("nan")])
def test_near_m_must_be_a_distance(bad):
    with pytest.raises(ValueError):
        transport.TransportSettings(near_m=bad)


def test_map_layers_are_in_lon_lat_with_the_map_columns():
    sites = shelter.host_sites(sports([equipment("E1", "I1", GYM, "700"),
                                       equipment("E2", "I2", HALL, "")]), DEFAULT)
    candidates = gpd.GeoDataFrame({
        "fid": ["sports:E1", "sports:E2", "schools_maternelle:S1"], "layer": ["sports", "sports", "schools_maternelle"],
        "category": ["gymnasium", "sports_hall", "school"], "name": ["A", "B", "C"],
        "address": ["", "", ""], "quartier": ["7512001"] * 3, "quartier_name": ["Belleville"] * 3,
        "zone_m": [900.0, 1200.0, 1500.0]},
        geometry=[Point(X0, Y0), Point(X0 + 10, Y0), Point(X0 + 20, Y0)], crs=METRIC_CRS)
    hosts = hosting.with_capacity(candidates, sites).set_index("fid")
    assert hosts.loc["sports:E1", "capacity"] == 200 and hosts.loc["sports:E1", "rank"] == 1
    # a site without area and a school: unknown capacity, never a guess
    assert hosts[["capacity"]].loc[["sports:E2", "schools_maternelle:S1"]].isna().all().all()
    layer = hosting.host_layer(hosts.reset_index())
    assert layer.crs.to_epsg() == 4326
    assert layer.iloc[0][["fid", "kind", "capacity", "source_fid"]].tolist() == \
        ["host_capacity:sports:E1", "gymnasium", 200.0, "sports:E1"]
    # unknown capacities last, the farthest from the sectors first
    assert layer["source_layer"].tolist() == ["sports", "schools_maternelle", "sports"]
    at = transport.stations_at_risk(network(), SECTOR, ["METRO 3"], 50.0)
    stations = hosting.stations_layer(at)
    assert stations.crs.to_epsg() == 4326
    assert stations.iloc[0][["fid", "kind", "zone_m"]].tolist() == ["stations_at_risk:stations:2", "METRO 3", 30.0]


def test_the_sectors_as_a_collection_give_the_distance_to_their_union():
    parts = [box(X0 + 5000, Y0, X0 + 6000, Y0 + 1000), box(X0 + 5500, Y0, X0 + 7000, Y0 + 500)]
    apart = transport.station_distances(network(), shapely.GeometryCollection(parts))
    union = transport.station_distances(network(), shapely.union_all(parts))
    assert apart["zone_m"].tolist() == pytest.approx(union["zone_m"].tolist())


def test_transport_analysis_needs_the_whole_paris_copies():
    assert hosting.transport_analysis({}, 20, transport.TransportSettings()) is None
    sectors = gpd.GeoDataFrame({"fid": ["ppri:1"]}, geometry=[SECTOR], crs=METRIC_CRS)
    result = hosting.transport_analysis({"stations": network(), "ppri": sectors}, 20,
                                        transport.TransportSettings())
    assert result.risky_lines == ["METRO 3", "TRAM 3b"]
    assert (result.paris_records, result.paris_inside, result.paris_near) == (8, 2, 3)

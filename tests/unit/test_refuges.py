"""``geo.analysis.refuges`` end to end on a small synthetic world whose answers are known by
construction: two parallel streets joined only at their west end (a wall everywhere else), a
fenced 1.2 ha park on the north street, three nursery schools, a municipal gymnasium.

    y=310      +------park------+          (x 280-400, y 210-310: fenced, closed at night)
    y=200  J ---- J ---- J ---- J ---- J    north street
           |                 near (340,190)
    y=0    J ---- J ---- J ---- J ---- J    south street (junctions every 100 m, x 0-400)
                            wall (350,-10)  gym (380,-20)  wall2 (390,-30)

The school « wall » is 220 m from the park in a straight line but 861 m away on foot (51 m to
the junction at x=300, 300 m west, 200 m north, 300 m east, 10 m into the park).
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
from shapely import affinity
from shapely.geometry import LineString, Point, box

from geo.analysis import planning, refuge_figures, refuges, tiers
from geo.analysis.refuge_settings import PlanningSettings, RefugeSettings
from geo.analysis.settings import load_settings
from geo.core.errors import AnalysisError
from geo.core.settings import METRIC_CRS

X0, Y0 = 652_000.0, 6_862_000.0
DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
WALL_M = 51.0 + 300 + 200 + 300 + 10  # 51 = hypot(50, 10)


def layer(rows: list[dict], geoms: list) -> gpd.GeoDataFrame:
    base = {"address": "", "quartier": "7512001", "quartier_name": "Q", "c_ar": 20, "kind": "",
            "source_id": ""}
    return gpd.GeoDataFrame([{**base, **row} for row in rows],
                            geometry=[_shift(g) for g in geoms], crs=METRIC_CRS).to_crs("EPSG:4326")


def _shift(geom):
    return affinity.translate(geom, X0, Y0)


def streets() -> gpd.GeoDataFrame:
    lines = [LineString([(x, y), (x + 100, y)]) for y in (0, 200) for x in range(0, 400, 100)]
    lines.append(LineString([(0, 0), (0, 200)]))
    return layer([{"fid": f"street_graph:{i}"} for i in range(len(lines))], lines)


def world(with_graph: bool = True) -> dict[str, gpd.GeoDataFrame]:
    area = box(-100, -100, 500, 400)
    layers = {
        "quartiers": layer([{"fid": "q:1", "source_id": "7512001", "name": "Q"}], [area]),
        "iris_population": layer([{"fid": "i:1", "source_id": "751200101", "name": "IRIS 1",
                                   "population": "3000", "population_75_plus": "600"}], [area]),
        "conseils_quartier": layer([{"fid": "c:1", "source_id": "115", "name": "CONSEIL"}], [area]),
        "green_spaces": layer([{"fid": "green_spaces:1", "source_id": "1", "name": "PARC",
                                "type_ev": "Promenades ouvertes", "surface_totale_reelle": "",
                                "presence_cloture": "Oui", "ouvert_ferme": "Non"}],
                              [box(280, 210, 400, 310)]),
        "cool_facilities": layer([
            {"fid": "cool_facilities:P", "name": "PISCINE LOIN", "kind": "Piscine",
             **{f"horaires_{d}": "07h00 - 08h30 / 11h30 - 22h00" for d in DAYS},
             "horaires_mardi": "06h30 - 07h45 / 11h45 - 13h45 / 16h30 - 19h45 / 20"},
            {"fid": "cool_facilities:E", "name": "EGLISE LOIN", "kind": "Lieux de culte",
             "horaires_periode": "Les horaires étant susceptibles d'évoluer, merci de vous renseigner."}],
            [Point(5000, 5000), Point(5100, 5000)]),
        "schools_maternelle": layer([{"fid": "m:wall", "name": "WALL"}, {"fid": "m:near", "name": "NEAR"},
                                     {"fid": "m:wall2", "name": "WALL2"}],
                                    [Point(350, -10), Point(340, 190), Point(390, -30)]),
        "sports": layer([{"fid": "sports:G1", "name": "GYMNASE", "kind": "Salle multisports (gymnase)",
                          "Type de gestionnaire": "Commune", "Numéro de l'installation sportive": "G1"}],
                        [Point(380, -20)]),
    }
    if with_graph:
        layers["street_graph"] = streets()
    return layers


def quartiers(layers) -> gpd.GeoDataFrame:
    return layers["quartiers"].to_crs(METRIC_CRS).set_index("source_id")


SETTINGS = RefugeSettings(planning=PlanningSettings(oasis_site_list="no-such-list"))


@pytest.fixture(scope="module")
def result() -> refuges.RefugeAnalysis:
    layers = world()
    return refuges.run(layers, 20, quartiers(layers), SETTINGS, 7.0, 100.0)


@pytest.fixture(scope="module")
def fallback() -> refuges.RefugeAnalysis:
    layers = world(with_graph=False)
    return refuges.run(layers, 20, quartiers(layers), SETTINGS, 7.0, 100.0)


def unit(result: refuges.RefugeAnalysis, fid: str) -> int:
    return result.n_pieces + int(np.flatnonzero(result.facilities["fid"] == fid)[0])


def test_a_refuge_reachable_only_the_long_way_round(result):
    assert result.method == "graph" and result.graph_size == (10, 9)
    wall = unit(result, "m:wall")
    assert result.straight[("refuge", "day")][wall] == pytest.approx(220.0)
    assert result.distance("refuge", "day")[wall] == pytest.approx(WALL_M, abs=0.5)
    assert result.minutes("refuge", "day", 3.5)[wall] == pytest.approx(WALL_M / (3500 / 60), abs=0.01)
    assert not result.within("refuge", "day", 4.5)[wall]
    # the school across the street from the park: straight line (inside the snap reach)
    assert result.distance("refuge", "day")[unit(result, "m:near")] == pytest.approx(20.0)
    assert result.within("refuge", "day", 3.5)[unit(result, "m:near")]


def test_without_a_graph_the_straight_line_times_the_detour_factor(fallback):
    assert fallback.method == "straight" and "no_graph" in fallback.notes and not fallback.ratio
    wall = unit(fallback, "m:wall")
    assert fallback.distance("refuge", "day")[wall] == pytest.approx(220.0 * 1.5)
    assert fallback.within("refuge", "day", 3.5)[wall]  # 330 m <= 408 m: the graph says otherwise


def test_the_graph_to_straight_ratio_is_reported(result):
    # facilities at least 50 m from the nearest refuge (all times): « wall », « wall2 » and the
    # gymnasium (a sports site of the access analysis); both join the graph at x=400
    wall2 = math.hypot(10, 30) + 400 + 200 + 300 + 10
    gym = math.hypot(20, 20) + 400 + 200 + 300 + 10
    ratios = sorted([WALL_M / 220.0, wall2 / 240.0, gym / 230.0])
    assert result.ratio["facilities"]["n"] == 3
    assert result.ratio["facilities"]["median"] == pytest.approx(ratios[1], rel=1e-3)


def test_the_park_is_closed_at_night(result):
    assert len(tiers.select(result.places, "refuge", "night")) == 0
    assert np.isinf(result.distance("refuge", "night")).all()
    head = refuge_figures.headline(result, 3.5).set_index(["tier", "time"])
    assert head.loc[("refuge", "night"), "places"] == 0
    assert head.loc[("refuge", "night"), "area_share"] == 0.0
    assert head.loc[("refuge", "night"), "facilities_outside"] == 3
    assert head.loc[("refuge", "day"), "facilities_outside"] == 2  # wall, wall2
    # the church's hours are not published, the pool's Tuesday is cut: unknown by day, listed
    assert head.loc[("refuge", "day"), "unknown"] == 2
    listed = tiers.unknown_hours(result.places).set_index("fid")
    assert set(listed.index) == {"cool_facilities:P", "cool_facilities:E"}
    assert [p.code for p in listed.loc["cool_facilities:P", "problems"]] == ["not_interval"]


def test_who_per_quartier_iris_and_council(result):
    for by, code in (("quartier", "7512001"), ("iris", "751200101"), ("council", "115")):
        table = refuge_figures.by_area(result, "refuge", "night", 3.5, by)
        assert list(table["code"]) == [code]
        row = table.iloc[0]
        assert row["p75_total"] == pytest.approx(600.0)
        assert row["p75_outside"] == pytest.approx(600.0) and row["out_maternelle"] == 3
    with pytest.raises(AnalysisError):
        refuge_figures.by_area(result, "refuge", "night", 3.5, "street")


def test_people_by_walking_time_add_up(result):
    bands = refuge_figures.p75_by_minutes(result, "refuge", 3.5)
    for time, group in bands.groupby("time"):
        assert group["people"].sum() == pytest.approx(600.0), time
    night = bands[bands["time"] == "night"].set_index("band")["people"]
    assert night["> 15"] == pytest.approx(600.0)


def test_candidates_and_the_greedy_best_site(result):
    offered = result.offered("night").set_index("fid")
    # the gymnasium can open at night, the park too (closed then); a park open by day is no candidate
    assert set(offered.index) == {"sports:G1", "green_spaces:1"}
    assert set(result.offered("day")["fid"]) == {"sports:G1"}
    assert any("no-such-list" in note for note in result.notes)
    cov = result.coverage("refuge", "night", 3.5)
    # the gymnasium brings two schools inside, the park one: the gymnasium is the best site
    top = planning.greedy(cov, 2, "facilities")
    assert top == [("sports:G1", 2.0), ("green_spaces:1", 1.0)]
    chosen = planning.what_if(cov, ["green_spaces:1", "sports:G1"])
    assert chosen.total["facilities"] == 3.0
    assert chosen.marginal["sports:G1"]["facilities"] == 2.0
    assert chosen.total["p75"] > 0


def test_the_gap_layer_switches_with_the_time_of_day(result):
    gap = refuge_figures.gap_frame(result, 3.5)
    assert gap.crs == "EPSG:4326" and gap["fid"].is_unique
    night = gap[gap["period"] == "night"]
    assert len(night) == result.n_pieces + 3
    day = gap[gap["period"] == "day"]
    assert set(day["name"]) >= {"WALL", "WALL2"} and "NEAR" not in set(day["name"])
    assert len(day) < len(night)


def test_facility_minutes_per_tier_and_time(result):
    table = refuge_figures.facility_minutes(result, "m:near", 3.5)
    assert table.loc["refuge", "day"] == pytest.approx(20 / (3500 / 60))
    assert math.isinf(table.loc["refuge", "night"])
    assert refuge_figures.facility_minutes(result, "nope", 3.5) is None


def test_unknown_tier_or_time_is_an_analysis_error(result):
    with pytest.raises(AnalysisError):
        result.distance("shelter", "day")
    with pytest.raises(AnalysisError):
        tiers.select(result.places, "refuge", "noon")


@pytest.mark.parametrize(("section", "problem"), [
    ('[refuges.walk]\nsnap = "teleport"\n', "snap"),
    ('[refuges.walk]\nspeeds_kmh = [4.5]\ndefault_speed_kmh = 3.5\n', "default_speed_kmh"),
    ('[refuges.tiers]\nreference_day = "funday"\n', "reference_day"),
    ('[refuges.tiers]\nperiods = { day = ["10h", "18:00"] }\n', "time of day"),
    ('[refuges.planning]\nkinds = { night = ["castle"] }\n', "candidate kinds"),
    ('[refuges]\ncolour = "red"\n', "unknown keys"),
])
def test_bad_settings_are_refused_with_the_file(tmp_path, section, problem):
    path = tmp_path / "analysis.toml"
    path.write_text(section, encoding="utf-8")
    with pytest.raises(AnalysisError, match=problem) as info:
        load_settings(path)
    assert "analysis.toml" in str(info.value)


def test_project_settings_list_heatwave_openings_with_their_source():
    settings = load_settings().refuges
    assert settings.tiers.heatwave_ids == {"744", "749"}
    assert all("shared/research" in item.source for item in settings.tiers.heatwave_night_green)
    assert settings.walk.speeds_kmh == (4.5, 3.5)

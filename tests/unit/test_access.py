"""Access to cool places on synthetic geometries whose answers are known by construction."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geo.analysis import access
from geo.core.settings import METRIC_CRS

X0, Y0 = 650_000.0, 6_860_000.0  # somewhere in Paris, Lambert-93
SETTINGS = access.AccessSettings(walking_speed_kmh=4.5, detour_factor=1.3, target_minutes=7.0,
                                 grid_cell_m=100.0, target_kinds=("green", "facility"))


def places(geoms: list, kind: str = "x", crs: str = METRIC_CRS) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"fid": [f"{kind}:{i}" for i in range(len(geoms))],
                             "name": [f"{kind} {i}" for i in range(len(geoms))],
                             "kind": kind, "layer": kind}, geometry=geoms, crs=crs)


def points(coords: list[tuple[float, float]]) -> gpd.GeoSeries:
    return gpd.GeoSeries([Point(x, y) for x, y in coords], crs=METRIC_CRS)


def test_walking_time_of_700_m_is_12_minutes_and_outside_the_target():
    # 700 m straight line x 1.3 = 910 m of walking at 75 m/min
    assert SETTINGS.metres_per_minute == pytest.approx(75.0)
    assert SETTINGS.minutes(700.0) == pytest.approx(910.0 / 75.0)
    assert SETTINGS.target_distance_m == pytest.approx(7 * 75 / 1.3)
    cool = {"green": places([Point(X0 + 700, Y0)], "green"),
            "facility": places([Point(X0 - 700, Y0)], "facility"),
            "fountain": places([Point(X0, Y0 + 10)], "fountain")}
    table = access.access_table(points([(X0, Y0)]), cool, SETTINGS)
    row = table.iloc[0]
    assert row["green_m"] == pytest.approx(700.0)
    assert row["green_min"] == pytest.approx(910.0 / 75.0)
    assert row["facility_m"] == pytest.approx(700.0)
    # the fountain 10 m away does not count for the target with these settings
    assert row["fountain_m"] == pytest.approx(10.0)
    assert bool(row["fountain_within"]) is True
    assert bool(row["within_target"]) is False
    assert row["best_min"] == pytest.approx(910.0 / 75.0)


def test_a_place_just_inside_and_just_outside_the_target_distance():
    limit = SETTINGS.target_distance_m
    cool = {"green": places([Point(X0, Y0)], "green"), "facility": places([], "facility"),
            "fountain": places([], "fountain")}
    table = access.access_table(points([(X0 + limit - 0.5, Y0), (X0 + limit + 0.5, Y0)]), cool,
                                SETTINGS)
    assert table["within_target"].tolist() == [True, False]
    assert table["best_kind"].tolist() == ["green", "green"]
    assert table["facility_m"].isna().all()


def test_distance_to_a_polygon_is_to_its_edge_and_zero_inside():
    park = box(X0, Y0, X0 + 100, Y0 + 100)
    cool = {"green": places([park], "green")}
    near = access.nearest(points([(X0 + 300, Y0 + 50), (X0 + 50, Y0 + 50), (X0 - 30, Y0 - 40)]),
                          cool["green"])
    assert near["dist_m"].tolist() == pytest.approx([200.0, 0.0, 50.0])
    assert near["fid"].tolist() == ["green:0"] * 3


def test_nearest_picks_the_closest_of_many_and_handles_no_place():
    many = places([Point(X0 + d, Y0) for d in (500, 120, 900)], "facility")
    near = access.nearest(points([(X0, Y0)]), many)
    assert near.loc[0, "dist_m"] == pytest.approx(120.0)
    assert near.loc[0, "name"] == "facility 1"
    empty = access.nearest(points([(X0, Y0)]), places([], "facility"))
    assert math.isnan(empty.loc[0, "dist_m"])


def test_nearest_refuses_unprojected_input():
    lonlat = gpd.GeoSeries([Point(2.39, 48.86)], crs="EPSG:4326")
    with pytest.raises(ValueError, match="EPSG:2154"):
        access.nearest(lonlat, places([Point(X0, Y0)]))


def test_grid_cells_outside_every_buffer_by_construction():
    # a 1 km square study area, one cool place at the centre of the lower-left cell
    area = gpd.GeoDataFrame({"name": ["A"]}, geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000)],
                            crs=METRIC_CRS)
    cool = {"green": places([Point(X0 + 50, Y0 + 50)], "green"),
            "facility": places([], "facility"), "fountain": places([], "fountain")}
    grid = access.grid_access(area, cool, SETTINGS)
    assert len(grid) == 100
    assert grid["area_m2"].sum() == pytest.approx(1_000_000.0)
    # cell (i, j) centre is 100*sqrt(i²+j²) m from the place: within when <= 403.85 m
    limit = SETTINGS.target_distance_m
    expected = sum(1 for i in range(10) for j in range(10) if 100 * math.hypot(i, j) <= limit)
    assert expected == 17
    assert int(grid["within_target"].sum()) == expected
    assert access.area_share(grid) == pytest.approx(0.17)
    far = grid[grid["cell"] == f"{int(X0) + 900}_{int(Y0) + 900}"].iloc[0]
    assert bool(far["within_target"]) is False
    assert far["green_m"] == pytest.approx(900 * math.sqrt(2))


def test_grid_is_cut_along_area_outlines_and_aligned_on_the_cell_size():
    # two areas split at x = 150: the middle column of cells is cut in two
    areas = gpd.GeoDataFrame({"name": ["west", "east"]},
                             geometry=[box(X0, Y0, X0 + 150, Y0 + 100),
                                       box(X0 + 150, Y0, X0 + 300, Y0 + 100)],
                             crs=METRIC_CRS, index=["W", "E"])
    grid = access.make_grid(areas, 100.0)
    assert sorted(grid["area_m2"].round(6)) == [5000.0, 5000.0, 10000.0, 10000.0]
    assert grid.groupby("area_idx")["area_m2"].sum().to_dict() == pytest.approx(
        {"W": 15000.0, "E": 15000.0})
    assert set(grid["cell"]) == {f"{int(X0) + dx}_{int(Y0)}" for dx in (0, 100, 200)}


def test_area_share_per_group_is_area_weighted():
    grid = pd.DataFrame({"area_m2": [100.0, 300.0, 50.0], "within_target": [True, False, True],
                         "quartier": ["a", "a", "b"]})
    assert access.area_share(grid) == pytest.approx(150 / 450)
    assert access.area_share(grid, by="quartier").to_dict() == pytest.approx({"a": 0.25, "b": 1.0})


def test_within_target_works_on_lon_lat_features_and_polygons():
    cool = {"green": places([Point(X0, Y0)], "green"), "facility": places([], "facility"),
            "fountain": places([], "fountain")}
    near_square = box(X0 + 100, Y0 - 10, X0 + 120, Y0 + 10)
    far_point = Point(X0 + 2000, Y0)
    features = gpd.GeoDataFrame({"fid": ["a", "b"]}, geometry=[near_square, far_point],
                                crs=METRIC_CRS, index=[7, 9]).to_crs("EPSG:4326")
    result = access.within_target(features, cool, SETTINGS)
    assert result.index.tolist() == [7, 9]
    assert result.tolist() == [True, False]


def test_cool_places_filters_green_types_and_fountains_out_of_service():
    def layer(rows: list[dict], geoms: list) -> gpd.GeoDataFrame:
        return gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4326")

    p = Point(2.39, 48.86)
    layers = {
        "green_spaces": layer([{"fid": "g:1", "name": "Square", "kind": "Square",
                                "type_ev": "Promenades ouvertes"},
                               {"fid": "g:2", "name": "Mur", "kind": "Murs vegetalises",
                                "type_ev": "Murs végétalisés"},
                               {"fid": "g:3", "name": "Potager", "kind": "Jardin partage",
                                "type_ev": "Ephémères, partagés, pédagogiques"}], [p, p, p]),
        "cool_green_points": layer([{"fid": "c:1", "name": "Jardinières", "kind": "Jardiniere",
                                     "location": "Décorations sur la voie publique"}], [p]),
        "fountains": layer([{"fid": "f:1", "name": "Wallace", "kind": "F", "dispo": "OUI"},
                            {"fid": "f:2", "name": "Arceau", "kind": "F", "dispo": "NON"}], [p, p]),
    }
    cool = access.cool_places(layers, excluded_types=("Ephémères, partagés, pédagogiques",))
    assert cool["green"]["fid"].tolist() == ["g:1"]
    assert cool["fountain"]["fid"].tolist() == ["f:1"]
    assert len(cool["facility"]) == 0
    assert all(frame.crs == METRIC_CRS for frame in cool.values())


def test_population_share_assumes_even_density_inside_each_iris():
    # one IRIS of 1000 people over two cells; only the west cell is within target
    grid = gpd.GeoDataFrame({"within_target": [True, False], "area_m2": [10_000.0, 10_000.0]},
                            geometry=[box(X0, Y0, X0 + 100, Y0 + 100),
                                      box(X0 + 100, Y0, X0 + 200, Y0 + 100)], crs=METRIC_CRS)
    iris = gpd.GeoDataFrame({"population": ["1000"]},
                            geometry=[box(X0 + 50, Y0, X0 + 200, Y0 + 100)], crs=METRIC_CRS)
    people, share = access.population_share(grid, iris)
    assert people == pytest.approx(1000 / 3)
    assert share == pytest.approx(1 / 3)


@pytest.mark.parametrize("bad", [dict(walking_speed_kmh=0), dict(detour_factor=0.9),
                                 dict(target_kinds=("shade",)), dict(target_kinds=())])
def test_settings_refuse_absurd_values(bad):
    with pytest.raises(ValueError):
        access.AccessSettings(**bad)


def test_measure_points_keeps_points_and_puts_polygon_points_inside():
    shapes = gpd.GeoDataFrame(geometry=[Point(X0, Y0), box(X0, Y0, X0 + 10, Y0 + 10)], crs=METRIC_CRS)
    pts = access.measure_points(shapes)
    assert pts.iloc[0].equals(Point(X0, Y0))
    assert pts.iloc[1].within(shapes.geometry.iloc[1])
    assert np.all(pts.geom_type == "Point")

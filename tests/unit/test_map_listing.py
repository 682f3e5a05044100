"""The map as a list: features of the visible layers inside the view, nearest to the centre
first, distances in Lambert-93, the type and quartier filters, a stable order."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from geo.map.listing import anchors, visible_rows

# Around Place Gambetta (lon/lat); 0.001° of latitude is about 111 m.
CENTRE = (48.8650, 2.3985)


def frame(rows) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


@pytest.fixture
def layers():
    points = frame([
        {"fid": "cool:a", "name": "Piscine A", "kind": "Piscine", "address": "1 rue A",
         "geometry": Point(2.3985, 48.8660)},          # ~111 m north
        {"fid": "cool:b", "name": "Brumisateur B", "kind": "Brumisateur", "address": "",
         "geometry": Point(2.3985, 48.8680)},          # ~333 m north
        {"fid": "cool:far", "name": "Loin", "kind": "Piscine", "address": "",
         "geometry": Point(2.4500, 48.8650)},          # outside the view
    ])
    areas = frame([
        {"fid": "green:p", "name": "", "kind": "Jardin", "address": "2 rue P",
         "geometry": box(2.3980, 48.8640, 2.3990, 48.8644)},  # centre ~111 m south
    ])
    return {"cool": anchors(points), "green": anchors(areas)}


BOUNDS = (2.39, 48.86, 2.41, 48.87)


def test_nearest_first_with_distances_measured_in_lambert93(layers):
    rows, total = visible_rows(layers, {"cool": "Lieux frais", "green": "Espaces verts"}, BOUNDS,
                               CENTRE)
    assert total == 3 and [row.fid for row in rows][-1] == "cool:b"
    assert {rows[0].fid, rows[1].fid} == {"cool:a", "green:p"}
    by_fid = {row.fid: row for row in rows}
    assert by_fid["cool:a"].distance_m == pytest.approx(111.2, abs=1.0)
    assert by_fid["cool:b"].distance_m == pytest.approx(333.6, abs=1.5)
    # an area without a name is listed under its layer's title, with its address
    assert by_fid["green:p"].name == "Espaces verts" and by_fid["green:p"].address == "2 rue P"
    assert by_fid["cool:a"].layer_title == "Lieux frais" and by_fid["cool:a"].kind == "Piscine"


def test_filters_limit_and_view(layers):
    rows, total = visible_rows(layers, {}, BOUNDS, CENTRE, keep={"cool": {"cool:b"}, "green": None})
    assert [row.fid for row in rows] == ["green:p", "cool:b"] and total == 2
    rows, total = visible_rows(layers, {}, BOUNDS, CENTRE, limit=1)
    assert len(rows) == 1 and total == 3
    rows, total = visible_rows(layers, {}, (2.44, 48.86, 2.46, 48.87), CENTRE)
    assert [row.fid for row in rows] == ["cool:far"]


def test_anchors_need_lon_lat():
    with pytest.raises(ValueError, match="EPSG:4326"):
        anchors(frame([{"fid": "x", "geometry": Point(0, 0)}]).set_crs(2154, allow_override=True))

"""Unit tests of geo.analysis.walkgraph: walking distances on synthetic graphs with known answers."""

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo.analysis import walkgraph as wg
from geo.core.errors import AnalysisError


def ladder_with_wall() -> wg.StreetGraph:
    """Two parallel streets 100 m apart, joined only at x = 0 (a wall everywhere else):

    y=100  4 --- 5 --- 6 --- 7
           |
    y=0    0 --- 1 --- 2 --- 3      (junctions every 100 m, x = 0..300)
    """
    xy = np.array([[x, 0.0] for x in (0, 100, 200, 300)] + [[x, 100.0] for x in (0, 100, 200, 300)])
    edges = np.array([[0, 1], [1, 2], [2, 3], [4, 5], [5, 6], [6, 7], [0, 4]])
    return wg.StreetGraph(xy, edges, np.hypot(*(xy[edges[:, 0]] - xy[edges[:, 1]]).T))


def test_refuge_reachable_only_the_long_way_round():
    graph = ladder_with_wall()
    refuge = np.array([shapely.Point(300, 105)], dtype=object)   # 5 m beyond junction 7
    person = np.array([shapely.Point(300, -5)], dtype=object)    # 5 m below junction 3
    straight = wg.straight_distances(refuge, person)
    walk = wg.tier_distances(graph, refuge, person, mode="junction")
    assert straight[0] == pytest.approx(110.0)
    # 5 + 300 (3->0) + 100 (0->4) + 300 (4->7) + 5
    assert walk[0] == pytest.approx(710.0)
    assert wg.minutes(walk, 4.5)[0] == pytest.approx(710 / 75)


def test_edge_snap_walks_to_the_better_end():
    graph = ladder_with_wall()
    refuge = np.array([shapely.Point(0, -10)], dtype=object)       # 10 m from junction 0
    person = np.array([shapely.Point(80, 20)], dtype=object)       # above segment 0-1, 80 m along
    by_edge = wg.tier_distances(graph, refuge, person, mode="edge")
    by_junction = wg.tier_distances(graph, refuge, person, mode="junction")
    assert by_edge[0] == pytest.approx(20 + 80 + 10)
    # nearest junction is 1 (dist sqrt(20²+20²)), then 100 m back to 0
    assert by_junction[0] == pytest.approx(np.hypot(20, 20) + 100 + 10)


def test_multi_source_takes_the_nearest_refuge_and_its_offset():
    graph = ladder_with_wall()
    snap = wg.Snap(np.array([3]), np.array([3]), np.array([0.0]), np.array([0.0]))
    nodes, offsets = np.array([0, 2]), np.array([0.0, 50.0])
    node_dist = wg.node_distances(graph, nodes, offsets)
    assert node_dist[3] == pytest.approx(150.0)      # via junction 2 (50 + 100), not 0 (300)
    assert node_dist[7] == pytest.approx(400.0)      # from 0: 100 up + 300 along (from 2: 650)
    assert wg.point_distances(node_dist, snap)[0] == pytest.approx(150.0)
    bounded = wg.node_distances(graph, nodes, offsets, limit_m=200)
    assert np.isinf(bounded[7]) and bounded[3] == pytest.approx(150.0)


def test_park_joins_at_every_nearby_junction_and_inside_is_zero():
    graph = ladder_with_wall()
    park = np.array([shapely.box(180, 10, 320, 90)], dtype=object)   # between the two streets, x 180-320
    nodes, offsets = wg.place_sources(graph, park, access_m=30)
    joined = dict(zip(nodes.tolist(), offsets.tolist(), strict=True))
    assert set(joined) == {2, 3, 6, 7}
    assert joined[3] == pytest.approx(10.0)
    inside = np.array([shapely.Point(250, 50)], dtype=object)
    assert wg.tier_distances(graph, park, inside)[0] == 0.0
    below = np.array([shapely.Point(100, -10)], dtype=object)
    # edge snap to 0-1/1-2 then 100 m to junction 2, then 10 m into the park
    assert wg.tier_distances(graph, park, below)[0] == pytest.approx(10 + 100 + 10)


def test_no_place_is_infinitely_far():
    graph = ladder_with_wall()
    person = np.array([shapely.Point(0, 0)], dtype=object)
    assert np.isinf(wg.tier_distances(graph, np.array([], dtype=object), person)[0])


def test_graph_from_segments_rebuilds_junctions_and_lengths():
    # three junctions on a meridian ~111 m apart, a duplicate segment (both directions) and a loop
    lon, lat = 2.38, (48.85, 48.851, 48.852)
    lines = [shapely.LineString([(lon, lat[0]), (lon, lat[1])]),
             shapely.LineString([(lon, lat[2]), (lon, lat[1])]),
             shapely.LineString([(lon, lat[1]), (lon, lat[0])]),
             shapely.LineString([(lon, lat[1]), (lon, lat[1])])]
    graph = wg.graph_from_segments(gpd.GeoDataFrame(geometry=lines, crs="EPSG:4326"))
    assert graph.n == 3 and len(graph.edges) == 2 and wg.components(graph) == 1
    assert graph.length_m == pytest.approx([111.2, 111.2], abs=0.5)
    # walkable both ways whatever the one-way flag of the source
    d = wg.node_distances(graph, np.array([2]), np.array([0.0]))
    assert sorted(d) == pytest.approx([0.0, 111.2, 222.4], abs=1.0)


def test_graph_from_segments_refuses_an_empty_layer():
    with pytest.raises(AnalysisError):
        wg.graph_from_segments(gpd.GeoDataFrame(geometry=[], crs="EPSG:4326"))


def test_detour_ratio_ignores_tiny_distances():
    out = wg.detour_ratio(np.array([10.0, 130.0, 260.0, 500.0]), np.array([1.0, 100.0, 200.0, 250.0]))
    assert out["n"] == 3 and out["median"] == pytest.approx(1.3)


def test_speed_must_be_positive():
    with pytest.raises(AnalysisError):
        wg.minutes(100.0, 0)

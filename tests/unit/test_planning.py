"""Unit tests of geo.analysis.planning: the what-if and greedy maximal coverage (answers known by construction)."""

import numpy as np
import pytest
import shapely

from geo.analysis import planning
from geo.analysis import walkgraph as wg
from geo.core.errors import AnalysisError


def cov():
    # 6 units; unit 0 is already covered. Site A covers 0,1,2 ; B covers 2,3,4 ; C covers 4,5.
    covers = np.array([[1, 1, 1, 0, 0, 0], [0, 0, 1, 1, 1, 0], [0, 0, 0, 0, 1, 1]], bool)
    weights = {"p75": np.array([100, 10, 10, 30, 30, 25.0]), "facilities": np.array([0, 1, 0, 0, 0, 1.0])}
    return planning.Coverage(("A", "B", "C"), covers, np.array([1, 0, 0, 0, 0, 0], bool), weights)


def test_greedy_best_site_is_known():
    # new coverage: A = {1,2} 20, B = {2,3,4} 70, C = {4,5} 55. Then after B: A +10, C +25.
    assert planning.greedy(cov(), 3, "p75") == [("B", 70.0), ("C", 25.0), ("A", 10.0)]


def test_greedy_does_not_count_the_already_covered_unit():
    # unit 0 (100 people) is inside already: A's 120 "alone" must not make it first
    assert planning.greedy(cov(), 1, "p75")[0][0] == "B"


def test_greedy_stops_when_nothing_is_left_and_respects_fixed_sites():
    c = cov()
    assert [s for s, _ in planning.greedy(c, 5, "p75")] == ["B", "C", "A"]
    assert planning.greedy(c, 2, "p75", fixed=["B"]) == [("C", 25.0), ("A", 10.0)]
    assert planning.greedy(c, 1, "facilities") == [("A", 1.0)]  # tie A/C on 1 facility: first site
    assert planning.greedy(c, 1, "facilities", tie_break="p75") == [("C", 1.0)]


def test_what_if_alone_marginal_and_total():
    w = planning.what_if(cov(), ["C", "B", "C"])
    assert w.sites == ("C", "B")
    assert w.alone["B"]["p75"] == 70 and w.marginal["B"]["p75"] == 40
    assert w.total == {"p75": 95.0, "facilities": 1.0}
    assert w.newly_covered.tolist() == [False, False, True, True, True, True]
    with pytest.raises(AnalysisError):
        planning.what_if(cov(), ["Z"])


def test_coverage_checks_shapes():
    with pytest.raises(AnalysisError):
        planning.Coverage(("A",), np.zeros((1, 3), bool), np.zeros(2, bool), {})


def test_site_distances_on_a_graph():
    xy = np.array([[0.0, 0.0], [100.0, 0.0], [200.0, 0.0], [300.0, 0.0]])
    edges = np.array([[0, 1], [1, 2], [2, 3]])
    graph = wg.StreetGraph(xy, edges, np.array([100.0, 100.0, 100.0]))
    points = np.array([shapely.Point(0, 5), shapely.Point(300, 5)], dtype=object)
    sites = np.array([shapely.Point(0, -5), shapely.Point(300, -5)], dtype=object)
    snap = wg.snap_points(graph, points, "junction")
    d = planning.site_distances(graph, sites, points, snap, target_m=150.0, mode="junction")
    assert d[0, 0] == pytest.approx(10.0) and np.isinf(d[0, 1])   # 310 m is beyond the bound
    c = planning.coverage(d, np.array([np.inf, np.inf]), 150.0, ["s0", "s1"], {"n": np.ones(2)})
    assert c.new.tolist() == [[True, False], [False, True]]

"""The refuge pages' URL state (``geo.analysis.refuge_state``) and the map's time-of-day parameter
(``geo.map.state``): parsed, checked, written back; what is wrong is dropped with a notice."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point

from geo.analysis import refuge_state
from geo.analysis.refuge_state import RefugeView
from geo.analysis.siteplan import Plan
from geo.core.errors import ExportError
from geo.export.siteplan import write_plan
from geo.map import state as mapstate
from geo.map.layers import LAYERS, select

DEFAULT = RefugeView("refuge", "day", 3.5)
SPEEDS = (4.5, 3.5)


def test_a_full_view_round_trips():
    view, notices = refuge_state.parse({"tier": "relief", "time": "night", "speed": "4.5",
                                        "sites": "sports:A,green_spaces:7,sports:A"}, SPEEDS, DEFAULT,
                                       {"sports:A", "green_spaces:7"})
    assert view == RefugeView("relief", "night", 4.5, ("sports:A", "green_spaces:7")) and not notices
    assert refuge_state.to_params(view, with_sites=True) == {
        "tier": "relief", "time": "night", "speed": "4.5", "sites": "sports:A,green_spaces:7"}
    assert "sites" not in refuge_state.to_params(view)


@pytest.mark.parametrize(("params", "bad"), [
    ({"tier": "castle"}, "tier"), ({"time": "noon"}, "time"), ({"speed": "9"}, "speed"),
    ({"speed": "fast"}, "speed"), ({"sites": "nope:1"}, "sites"),
])
def test_bad_values_fall_back_with_a_notice(params, bad):
    view, notices = refuge_state.parse(params, SPEEDS, DEFAULT, {"sports:A"})
    assert view == DEFAULT
    assert [notice.param for notice in notices] == [bad]


def test_other_parameters_and_lists_are_read_like_streamlit_gives_them():
    view, notices = refuge_state.parse({"lang": "en", "time": ["day", "evening"]}, SPEEDS, DEFAULT)
    assert view.time == "evening" and not notices
    # sites are only read where the page has candidates
    assert refuge_state.parse({"sites": "sports:A"}, SPEEDS, DEFAULT)[0].sites == ()


def test_too_many_sites_are_cut():
    many = [f"s:{i}" for i in range(refuge_state.MAX_SITES + 3)]
    view, notices = refuge_state.parse({"sites": ",".join(many)}, SPEEDS, DEFAULT, set(many))
    assert len(view.sites) == refuge_state.MAX_SITES and len(notices) == 3


def test_the_map_keeps_the_time_of_day_in_the_url():
    state, notices = mapstate.parse({"layers": "refuge_gap", "time": "night"}, LAYERS, ("quartiers",))
    assert state.period == "night" and not notices
    assert mapstate.to_params(state)["time"] == "night"
    assert "time" not in mapstate.to_params(mapstate.parse({}, LAYERS, ("quartiers",))[0])
    bad, notices = mapstate.parse({"time": "noon"}, LAYERS, ("quartiers",))
    assert bad.period == "day" and [(n.param, n.reason) for n in notices] == [("time", "bad_time")]
    widgets = {"map.time": "evening"}
    assert mapstate.from_widgets(state, widgets, list(LAYERS), {}, None, None).period == "evening"


def test_a_layer_drawn_per_time_of_day_shows_one_time():
    frame = gpd.GeoDataFrame({"fid": ["a", "b", "c"], "kind": "", "quartier": "7512001",
                              "period": ["day", "night", "night"]},
                             geometry=[Point(2.39, 48.86)] * 3, crs="EPSG:4326")
    assert list(select(frame, LAYERS["refuge_gap"], period="night")["fid"]) == ["b", "c"]
    assert len(select(frame, LAYERS["refuge_gap"])) == 3
    assert len(select(frame, LAYERS["fountains"], period="night")) == 3  # not a per-time layer


def test_a_scenario_without_site_or_in_an_unknown_format_is_refused():
    empty = Plan("refuge", "night", 3.5, 408.0, gpd.GeoDataFrame(geometry=[], crs="EPSG:2154"), {}, {},
                 None)
    with pytest.raises(ExportError, match="no site"):
        write_plan(empty, None, {}, "gpkg", "fr")
    with pytest.raises(ExportError, match="unknown format"):
        write_plan(empty, None, {}, "xlsx", "fr")

"""URL state of the map: parsing (incl. malformed parameters), validation, round trip."""

from __future__ import annotations

import pytest

from geo.map.state import (
    DEFAULT_BASEMAP,
    MapState,
    Notice,
    chosen_types,
    from_widgets,
    parse,
    to_params,
)

KNOWN = ("arrondissements", "quartiers", "ppri", "schools_maternelle", "schools_elementaire",
         "sports")
DEFAULT = ("arrondissements", "quartiers")
QUARTIERS = ("7512001", "7512002", "7512003", "7512004")
TYPES = {"sports": ("Court de tennis", "Dojo / Salle d'arts martiaux", "Salle de danse")}


def _parse(params):
    return parse(params, KNOWN, DEFAULT, QUARTIERS, TYPES)


def test_no_parameter_gives_the_default_view_without_notice():
    state, notices = _parse({})
    assert state == MapState(layers=DEFAULT)
    assert state.basemap == DEFAULT_BASEMAP == "none"
    assert not state.has_view
    assert notices == []


def test_link_of_the_actions_page_opens_exactly_those_layers():
    state, notices = _parse({"layers": "schools_maternelle,schools_elementaire"})
    assert state.layers == ("schools_maternelle", "schools_elementaire")
    assert notices == []


def test_empty_layers_means_no_layer():
    state, notices = _parse({"layers": ""})
    assert state.layers == ()
    assert notices == []


def test_full_state_is_read():
    state, notices = _parse({"layers": "ppri,sports", "sel": "sports:E123", "quartier": "7512001",
                             "basemap": "ign", "lat": "48.86", "lon": "2.39", "z": "15",
                             "types": "sports:Court de tennis|Salle de danse", "lang": "en"})
    assert notices == []
    assert state.layers == ("ppri", "sports")
    assert (state.sel, state.quartier, state.basemap) == ("sports:E123", "7512001", "ign")
    assert (state.lat, state.lon, state.z) == (48.86, 2.39, 15)
    assert state.types == {"sports": ("Court de tennis", "Salle de danse")}


@pytest.mark.parametrize(("params", "param", "reason"), [
    ({"layers": "ppri,nope"}, "layers", "unknown_layer"),
    ({"basemap": "google"}, "basemap", "bad_basemap"),
    ({"quartier": "7511104"}, "quartier", "bad_quartier"),
    ({"quartier": "<script>"}, "quartier", "bad_quartier"),
    ({"sel": "no-colon"}, "sel", "bad_sel"),
    ({"sel": "nolayer:12"}, "sel", "bad_sel"),
    ({"lat": "abc", "lon": "2.39", "z": "15"}, "view", "bad_view"),
    ({"lat": "48.86", "lon": "2.39"}, "view", "bad_view"),
    ({"lat": "nan", "lon": "2.39", "z": "15"}, "view", "bad_view"),
    ({"lat": "10", "lon": "2.39", "z": "15"}, "view", "bad_view"),
    ({"lat": "48.86", "lon": "2.39", "z": "15.5"}, "view", "bad_view"),
    ({"lat": "48.86", "lon": "2.39", "z": "99"}, "view", "bad_view"),
    ({"types": "sports"}, "types", "bad_types"),
    ({"types": "sports:Golf"}, "types", "bad_types"),
    ({"types": "ppri:B"}, "types", "bad_types"),
    ({"foo": "bar"}, "foo", "unknown_param"),
])
def test_malformed_parameter_gives_default_and_a_notice(params, param, reason):
    state, notices = _parse(params)
    assert [(n.param, n.reason) for n in notices] == [(param, reason)]
    default = MapState(layers=DEFAULT)
    if param == "layers":
        assert state.layers == ("ppri",)
    else:
        assert (state.layers, state.basemap, state.quartier, state.sel, state.has_view) == (
            default.layers, default.basemap, None, None, False)


def test_a_type_filter_keeping_nothing_is_no_filter():
    state, notices = _parse({"types": "sports:Golf|"})
    assert state.types == {}
    assert [n.value for n in notices] == ["sports:Golf"]
    assert _parse({"types": "sports:"})[0].types == {}


def test_only_unknown_layers_fall_back_to_default_layers():
    state, notices = _parse({"layers": "x,y"})
    assert state.layers == DEFAULT
    assert [n.value for n in notices] == ["x", "y"]


def test_list_values_and_duplicates_are_tolerated():
    state, notices = _parse({"layers": ["ppri", "ppri,ppri,sports"], "basemap": " OSM "})
    assert state.layers == ("ppri", "sports")
    assert state.basemap == "osm"
    assert notices == []


def test_to_params_round_trips():
    state = MapState(layers=("ppri", "sports"), basemap="osm", sel="sports:E1", quartier="7512004",
                     types={"sports": ("Salle de danse",)}).with_view(48.8612345678, 2.3912345, 16)
    params = to_params(state)
    assert params["lat"] == "48.86123" and params["z"] == "16"
    again, notices = _parse(params)
    assert notices == []
    assert again == state


def test_to_params_writes_empty_layers_so_a_link_keeps_them_off():
    assert to_params(MapState(layers=()))["layers"] == ""
    assert _parse(to_params(MapState(layers=())))[0].layers == ()


def test_state_from_widgets_prefers_widget_values_then_the_last_state():
    last = MapState(layers=("quartiers", "ppri"), basemap="ign", sel="schools:1",
                    types={"schools": ("maternelle",)})
    kinds = {"schools": ("élémentaire", "maternelle"), "sports": ("gymnase", "piscine")}
    available = ("quartiers", "ppri", "schools", "sports")
    # no widget drawn yet: the last state stands (a view given is applied)
    state = from_widgets(last, {}, available, kinds, last.sel, (48.86, 2.39, 15))
    assert (state.layers, state.basemap, state.types) == (last.layers, "ign", last.types)
    assert (state.lat, state.lon, state.z) == (48.86, 2.39, 15)
    widgets = {"map.layer.ppri": False, "map.layer.sports": True, "map.basemap": "none",
               "map.quartier": "7512001", "map.types.schools": ["élémentaire", "maternelle"],
               "map.types.sports": ["piscine"]}
    state = from_widgets(last, widgets, available, kinds, None, None)
    assert state.layers == ("quartiers", "sports")
    assert (state.basemap, state.quartier, state.sel, state.has_view) == ("none", "7512001", None, False)
    # every type of a layer picked is no filter; an empty pick too
    assert state.types == {"sports": ("piscine",)}
    assert chosen_types(last, widgets, kinds)["schools"] == ("élémentaire", "maternelle")
    assert from_widgets(last, {"map.types.schools": []}, available, kinds, None, None).types == {}


def test_twenty_thousand_unknown_layer_ids_give_bounded_notices():
    """As found: ``?layers=`` with 20,000 unknown ids printed 20,000 notices (2.5 MB)."""
    ids = ",".join(["ppri", *(f"inconnue{i}" for i in range(20_000))])
    state, notices = _parse({"layers": ids, "foo": "x" * 100_000})
    assert state.layers == ("ppri",)
    assert len(notices) == 6 and notices[-1] == Notice("…", str(20_001 - 5), "more")
    assert sum(len(n.param) + len(n.value) for n in notices) < 500

"""Checks a proposal must pass before it is stored (synthetic study area, no database)."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from geo.core.errors import ProposalError
from geo.participation.proposals import (
    TEXT_MAX,
    Place,
    Rules,
    Submission,
    places,
    slugify,
    study_area,
    validate,
    validate_workshop,
)

AREA = box(2.38, 48.85, 2.41, 48.87)
RULES = Rules(study_area=AREA, places={"mairies:1": Place("mairies:1", "Mairie", 2.39, 48.86)},
              actions=("cours-oasis", "plan-canicule"))


def sub(**changes) -> Submission:
    values = dict(submission_id="s1", workshop="atelier-2026-11-26", client_token="c1",
                  category="cool_place", text="Un banc à l'ombre", lon=2.39, lat=48.86)
    values.update(changes)
    return Submission(**values)


def refused(code: str, **changes) -> ProposalError:
    with pytest.raises(ProposalError) as caught:
        validate(sub(**changes), RULES)
    assert caught.value.code == code
    return caught.value


def test_a_good_submission_is_trimmed_and_kept():
    valid = validate(sub(text="  De l'ombre rue Saint-Blaise \r\n svp  ", first_name=" Awa "), RULES)
    assert valid.text == "De l'ombre rue Saint-Blaise \n svp"
    assert valid.first_name == "Awa"
    assert (valid.lon, valid.lat) == (2.39, 48.86)


@pytest.mark.parametrize("text", ["", "   ", "ab", None])
def test_empty_text_is_refused(text):
    assert refused("empty_text", text=text).field == "text"


def test_overlong_text_and_first_name_are_refused():
    error = refused("too_long", text="x" * (TEXT_MAX + 1))
    assert error.values["maximum"] == TEXT_MAX and error.values["length"] == TEXT_MAX + 1
    assert refused("too_long", first_name="A" * 41).field == "first_name"
    assert validate(sub(text="x" * TEXT_MAX), RULES).text == "x" * TEXT_MAX


def test_pin_outside_the_study_area_or_missing_is_refused():
    refused("outside_area", lon=2.30, lat=48.86)
    refused("no_location", lon=None, lat=None)
    refused("invalid", lon="east", lat=48.86)


def test_a_place_replaces_the_pin_and_must_exist():
    valid = validate(sub(lon=None, lat=None, place="mairies:1"), RULES)
    assert (valid.lon, valid.lat, valid.place) == (2.39, 48.86, "mairies:1")
    refused("unknown_place", place="mairies:999")


def test_html_and_script_are_kept_as_text_not_refused():
    payload = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    valid = validate(sub(text=payload, first_name="<b>Zoé</b>"), RULES)
    assert valid.text == payload and valid.first_name == "<b>Zoé</b>"


def test_forged_fields_are_refused():
    refused("control_chars", text="nul\x00byte")
    refused("invalid", category="<script>")
    refused("invalid", hazard="earthquake")
    refused("invalid", workshop="../../etc")
    refused("invalid", submission_id="<x>")
    refused("invalid", client_token="")
    refused("unknown_action", action_id="not-in-catalogue")


def test_without_catalogue_any_well_formed_action_id_passes():
    rules = Rules(study_area=AREA, places={})
    assert validate(sub(action_id="anything-1"), rules).action_id == "anything-1"


def test_study_area_is_the_arrondissement_named_by_the_manifest():
    square = box(0, 0, 1, 1)
    frame = gpd.GeoDataFrame({"source_id": ["75119", "75120"], "fid": ["a:1", "a:2"]},
                             geometry=[box(5, 5, 6, 6), square], crs="EPSG:4326")
    assert study_area({"study_area": {"insee": "75120"}}, frame).equals(square)
    with pytest.raises(ProposalError):
        study_area({"study_area": {"insee": "75111"}}, frame)


def test_places_keeps_named_features_inside_the_area_sorted():
    frame = gpd.GeoDataFrame(
        {"fid": ["l:1", "l:2", "l:3", "l:4"], "name": ["Zèbre", "abri", None, "Loin"]},
        geometry=[Point(2.39, 48.86), Point(2.40, 48.86), Point(2.395, 48.86), Point(2.0, 48.0)],
        crs="EPSG:4326")
    found = places({"l": frame}, AREA)
    assert list(found) == ["l:2", "l:1"]
    assert found["l:2"] == Place("l:2", "abri", 2.4, 48.86)
    frame["address"] = ["3 rue\nA", "0", None, "9 rue B"]
    assert [p.label for p in places({"l": frame}, AREA).values()] == ["abri", "Zèbre — 3 rue A"]
    twice = gpd.GeoDataFrame(
        {"fid": ["m:2", "m:1", "m:3"], "name": ["Gymnase", "Gymnase", "31-09_J"],
         "address": ["5 rue C", "5 rue C", "1 rue D"]},
        geometry=[Point(2.39, 48.86)] * 3, crs="EPSG:4326")
    assert list(places({"m": twice}, AREA)) == ["m:1"]  # same label once; a code is no name


def test_workshop_checks_and_slug():
    assert slugify("Vers un quartier résilient !", "2024-03-20") == \
        "vers-un-quartier-resilient-2024-03-20"
    assert validate_workshop("a-2024-03-20", " Atelier ", "2024-03-20").name == "Atelier"
    with pytest.raises(ProposalError):
        validate_workshop("a", "Atelier", "20 mars")
    with pytest.raises(ProposalError):
        validate_workshop("a", "   ", "2024-03-20")

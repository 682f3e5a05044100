"""Unit tests of the light join page's logic (``geo.participation.join``: anti-forgery token,
origin check, form parsing, language) and of its pin map (``geo.map.pinmap``), on a synthetic
study area."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import box

from geo.core.errors import ProposalError
from geo.map.pinmap import frame_for, pin_map_svg
from geo.participation import join
from geo.participation.proposals import Place, Rules

SECRET = b"k" * 32
NOW = 1_800_000_000
#: A synthetic study area around the 20e (lon/lat), two places inside it.
AREA = box(2.38, 48.85, 2.41, 48.87)
PLACES = {"libraries:1": Place("libraries:1", "Bibliothèque <Test>", 2.39, 48.86),
          "mairies:2": Place("mairies:2", "Mairie & annexe", 2.40, 48.865)}
RULES = Rules(study_area=AREA, places=PLACES)
SLUG = "atelier-2026-11-26"
PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


# --- pure logic -----------------------------------------------------------------------------

def test_token_binds_client_workshop_and_time():
    client = join.new_client()
    token = join.form_token(SECRET, client, SLUG, NOW)
    assert join.check_token(SECRET, token, client, SLUG, NOW + 10)
    assert not join.check_token(SECRET, token, join.new_client(), SLUG, NOW)  # other browser
    assert not join.check_token(SECRET, token, client, "autre-atelier", NOW)  # other workshop
    assert not join.check_token(b"x" * 32, token, client, SLUG, NOW)  # other server secret
    assert not join.check_token(SECRET, token, client, SLUG, NOW + join.TOKEN_MAX_AGE_S + 1)
    assert not join.check_token(SECRET, join.form_token(SECRET, client, SLUG, NOW + 3600), client,
                                SLUG, NOW)  # issued in the future
    assert not join.check_token(SECRET, token, None, SLUG, NOW)  # no cookie
    assert not join.check_token(SECRET, "", client, SLUG, NOW)
    assert not join.check_token(SECRET, token[:-1] + "0", client, SLUG, NOW) or token.endswith("0")


def test_same_origin():
    host = "atelier.example.org"
    assert join.same_origin("https://atelier.example.org", None, "same-origin", host)
    assert join.same_origin(None, "https://atelier.example.org/rejoindre/x", None, host)
    assert join.same_origin(None, None, None, host)  # curl: cookie and token still checked
    assert not join.same_origin("https://evil.example", None, None, host)
    assert not join.same_origin(None, None, "cross-site", host)
    assert not join.same_origin(None, None, "same-site", host)
    assert not join.same_origin("null", None, None, host)
    assert join.same_origin("https://public.example", None, None, "127.0.0.1:8501",
                            frozenset({"https://public.example"}))


def test_parse_form_and_submission():
    form = join.parse_form({"text": ["a", "b"], "category": ["water"], "map.x": ["10"],
                            "map.y": ["20"], "junk": ["x"], "submission_id": ["f" * 32]})
    assert form.text == "a" and form.tapped and form.tap_x == "10"
    assert join.pin_pixels(form) == (10.0, 20.0)
    with pytest.raises(ProposalError) as info:
        join.pin_pixels(join.JoinForm(pin_x="nan", pin_y="1"))
    assert info.value.field == "location"
    sub = join.to_submission(join.JoinForm(submission_id="a" * 32, category="water", text="t",
                                           place="mairies:2", pin_x="1", pin_y="2"),
                             SLUG, "c" + "0" * 32, lambda x, y: (0.0, 0.0))
    assert sub.place == "mairies:2" and sub.lon is None  # a place wins over a pin
    sub = join.to_submission(join.JoinForm(submission_id="a" * 32, pin_x="1", pin_y="2"),
                             SLUG, "c" + "0" * 32, lambda x, y: (x + 2.0, y + 48.0))
    assert (sub.lon, sub.lat) == (3.0, 50.0)
    with pytest.raises(ProposalError):
        join.to_submission(join.JoinForm(submission_id="../../x"), SLUG, "c" + "0" * 32, None)


def test_pick_lang():
    assert join.pick_lang("en", "fr-FR") == "en"
    assert join.pick_lang("de", None) == "fr"
    assert join.pick_lang(None, "en-GB,en;q=0.9,fr;q=0.8") == "en"
    assert join.pick_lang(None, "de-DE,fr;q=0.5,en;q=0.4") == "fr"
    assert join.pick_lang(None, "") == "fr"


# --- pin map --------------------------------------------------------------------------------

def test_pin_frame_round_trip_and_bounds():
    svg, frame = pin_map_svg(AREA, title='Le 20e <"carte">')
    assert frame.width == 320 and frame.height > 300  # the box is taller than wide in metres
    assert "<title>Le 20e &lt;&quot;carte&quot;&gt;</title>" in svg
    c = AREA.centroid
    x, y = frame.from_lonlat(c.x, c.y)
    lon, lat = frame.to_lonlat(x, y)
    assert abs(lon - c.x) < 2e-6 and abs(lat - c.y) < 2e-6
    west, south, east, north = AREA.bounds
    x0, y0 = frame.from_lonlat(west, north)
    assert -1 < x0 < 40 and -1 < y0 < 40  # the north-west corner is drawn near the top left
    for bad in ((-1, 10), (10, frame.height + 1), (float("nan"), 1)):
        with pytest.raises(ValueError):
            frame.to_lonlat(*bad)


def test_frame_scale_is_linear_in_metres():
    from shapely.geometry import box as mbox

    frame = frame_for(mbox(650_000, 6_860_000, 653_000, 6_865_000), width=320, margin=10)
    assert frame.scale == pytest.approx(300 / 3000)
    assert frame.from_metric(650_000, 6_865_000) == (10, 10)
    assert frame.to_metric(160, 10) == (651_500, 6_865_000)




def test_build_rules_reads_the_study_area_and_the_places_of_a_build():
    arrondissements = gpd.GeoDataFrame({"source_id": ["75120", "75119"]},
                                       geometry=[AREA, box(2.36, 48.87, 2.40, 48.90)], crs="EPSG:4326")
    libraries = gpd.GeoDataFrame({"fid": ["libraries:1", "libraries:2"], "name": ["Médiathèque", "Loin"],
                                  "address": ["1 rue X", None]},
                                 geometry=[box(2.39, 48.86, 2.391, 48.861), box(2.37, 48.88, 2.371, 48.881)],
                                 crs="EPSG:4326")
    manifest = {"study_area": {"insee": "75120"}, "layers": {"arrondissements": {}, "libraries": {}}}
    layers = {"arrondissements": arrondissements, "libraries": libraries}
    rules = join.build_rules(manifest, layers.__getitem__, {"a1": {"fr": "x", "en": "x"}})
    assert rules.study_area.equals(AREA) and rules.actions == ("a1",)
    assert list(rules.places) == ["libraries:1"]  # the other one is outside the study area
    assert rules.places["libraries:1"].label == "Médiathèque — 1 rue X"


def test_message_in_the_participants_language():
    exc = ProposalError("no_location", "location")
    assert join.message(exc, "fr").startswith("Placez un point")
    assert join.message(exc, "en").startswith("Drop a pin")

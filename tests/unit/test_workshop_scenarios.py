"""Scenarios as data, the participants' link and its QR code, proposals on the map."""

from __future__ import annotations

import io
import json
import tomllib

import pytest
import zxingcpp
from PIL import Image

from geo.core.errors import ScenarioError
from geo.core.settings import ACTIONS_FILE
from geo.map.basemap import base_map
from geo.map.layers import LAYERS
from geo.participation.proposals import Proposal
from geo.participation.scenarios import SCENARIOS_FILE, catalogue_actions, load_scenarios, parse_scenarios
from geo.participation.workshop import (
    LiveProposalsLayer,
    live_url,
    participants_url,
    proposals_geojson,
    qr_png,
    remove_legacy_live_files,
    screen_token,
)


def step(**changes) -> dict:
    values = {"id": "s1", "title": {"fr": "T", "en": "T"}, "text": {"fr": "x", "en": "x"},
              "layers": ["fountains"], "view": {"lat": 48.86, "lon": 2.39, "zoom": 14},
              "actions": ["plan-canicule"]}
    values.update(changes)
    return values


def scenario(*steps: dict, hazard: str = "heat") -> dict:
    return {"sc": {"title": {"fr": "S", "en": "S"}, "hazard": hazard, "steps": list(steps)}}


def test_the_project_scenarios_load_against_the_map_layers_and_the_catalogue():
    actions = catalogue_actions()
    scenarios = load_scenarios(LAYERS, actions or None)
    assert {"canicule", "crue-1910"} <= set(scenarios)
    assert [s.id for s in scenarios["canicule"].steps] == ["jour-1", "jour-3", "nuit-tropicale"]
    assert [s.id for s in scenarios["crue-1910"].steps] == ["montee", "pic", "decrue"]
    raw = tomllib.loads(SCENARIOS_FILE.read_text(encoding="utf-8"))
    linked = {a for sc in raw.values() for st in sc["steps"] for a in st["actions"]}
    if ACTIONS_FILE.is_file():
        catalogue = tomllib.loads(ACTIONS_FILE.read_text(encoding="utf-8"))
        known = {entry["id"] for entry in catalogue["action"]}
        assert linked <= known


@pytest.mark.parametrize("bad, message", [
    (scenario(step(layers=["nope"])), "unknown or no layers"),
    (scenario(step(layers=[])), "unknown or no layers"),
    (scenario(step(actions=["not-an-action"])), "not in the catalogue"),
    (scenario(step(view={"lat": 45.0, "lon": 2.39, "zoom": 14})), "not on Paris"),
    (scenario(step(view={"lat": 48.86})), "view needs"),
    (scenario(step(text={"fr": "x"})), "'fr' and 'en'"),
    (scenario(step(), step()), "duplicate id"),
    (scenario(step(), hazard="earthquake"), "hazard"),
    (scenario(), "no steps"),
    ({}, "no scenario"),
])
def test_bad_scenarios_are_refused_with_the_place_of_the_problem(bad, message):
    with pytest.raises(ScenarioError, match=message):
        parse_scenarios(bad, LAYERS, {"plan-canicule"})


def test_participants_url_is_the_light_join_page_keeping_host_and_prefix():
    assert participants_url("http://192.168.1.20:8501/atelier", "a-2026-11-26") == \
        "http://192.168.1.20:8501/rejoindre/a-2026-11-26"
    assert participants_url("https://x.org/app/", "a", "en") == \
        "https://x.org/app/rejoindre/a?lang=en"
    with pytest.raises(ValueError):
        participants_url("javascript:alert(1)", "a")


def test_qr_code_decodes_to_the_url():
    url = participants_url("http://10.0.0.5:8501/", "vers-un-quartier-resilient-2026-11-26")
    image = Image.open(io.BytesIO(qr_png(url)))
    [result] = zxingcpp.read_barcodes(image)
    assert result.format == zxingcpp.BarcodeFormat.QRCode and result.text == url


def test_proposals_geojson_escapes_every_text():
    proposal = Proposal(7, "s", "w", "2026-11-26T00:00:00.000000Z", 2.39, 48.86, None, "water",
                        "</script><script>alert(1)</script>", None, None, "<b>Al</b>", "pending",
                        None)
    text = proposals_geojson([proposal], {"water": "Point d'eau"})
    assert "</script>" not in text and "<script>" not in text and "<b>" not in text
    [feature] = json.loads(text)["features"]
    assert feature["geometry"]["coordinates"] == [2.39, 48.86]
    assert feature["properties"]["f"] == "proposal:7"
    assert feature["properties"]["k"] == "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"
    assert "Al" not in text  # no first name in what the room's map fetches


def test_live_url_and_screen_token():
    assert live_url("atelier-2026-11-26") == "/live/atelier-2026-11-26.json"
    token = screen_token("atelier-2026-11-26", b"k" * 32)
    assert len(token) == 24 and token != screen_token("autre-2026-11-26", b"k" * 32)
    assert token != screen_token("atelier-2026-11-26", b"other")
    assert live_url("a", token) == f"/live/a.json?t={token}"


def test_legacy_public_live_files_are_removed(tmp_path):
    for slug in ("a", "b"):
        (tmp_path / f"{slug}.json").write_text('{"first_name": "Awa"}')
    assert remove_legacy_live_files("a", tmp_path) == 1
    assert remove_legacy_live_files("a", tmp_path) == 0
    assert remove_legacy_live_files(None, tmp_path) == 1 and not tmp_path.exists()


def test_live_layer_polls_its_url_with_one_timer():
    fmap = base_map((48.86, 2.39), 13)
    LiveProposalsLayer("/app/static/proposals/a.json", "Proposition <b>", 4).add_to(fmap)
    html = fmap.get_root().render()
    assert 'fetch(url, {cache: "no-store"})' in html
    assert '"/app/static/proposals/a.json"' in html and "setInterval(load, 4000)" in html
    assert "clearInterval(window.__workshopTimers[url])" in html
    assert "Proposition <b>" not in html and "Proposition &lt;b&gt;" in html


def test_every_refusal_code_and_choice_has_a_message_in_both_languages():
    import re
    from pathlib import Path

    from geo.core.i18n import strings
    from geo.participation.proposals import CATEGORIES, HAZARDS, STATUSES

    root = Path(__file__).resolve().parents[2] / "geo" / "participation"
    source = "".join(path.read_text() for path in root.glob("*.py"))
    codes = set(re.findall(r'(?:ProposalError|RateLimitError)\(\s*"([a-z_]+)"', source))
    assert {"empty_text", "too_long", "outside_area", "rate_limited"} <= codes
    keys = {f"proposals.error.{c}" for c in codes} | \
        {f"proposals.category.{c}" for c in CATEGORIES} | \
        {f"proposals.hazard.{h}" for h in HAZARDS} | {f"proposals.status.{s}" for s in STATUSES}
    table = strings()
    assert all(key in table and table[key]["fr"] and table[key]["en"] for key in keys), \
        sorted(key for key in keys if key not in table)

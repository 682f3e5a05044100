"""The « Actions » page in a real browser: following an action's map link opens the map with the
action's layers on (sidebar toggles, URL, side panel)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from geo.actions.loader import load_catalogue
from geo.sources.store import load_layer, load_manifest
from tests.browser.leaflet_probe import COUNT_JS, FRAME
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ACTIONS = tomllib.loads((ROOT / "data" / "actions.toml").read_text(encoding="utf-8"))["action"]


def action_layers(action_id: str) -> list[str]:
    entry, = [entry for entry in ACTIONS if entry["id"] == action_id]
    return list(dict.fromkeys(layer for link in entry["link"] for layer in link["layers"]))




def map_frame(page):
    page.wait_for_selector(FRAME, timeout=60_000)
    frame = page.query_selector(FRAME).content_frame()
    frame.wait_for_function("() => window.map !== undefined", timeout=60_000)
    return frame


FEATURE_JS = """(fid) => {
    let found = null;
    window.map.eachLayer(l => {
        if (l.feature && l.feature.properties.f === fid && l.getLatLng) { found = l; }
    });
    return found;
}"""


def click_feature(page, frame, fid: str, expect: str) -> None:
    """Click the drawn feature ``fid`` where it is (the view is left as it is) until the page
    shows ``expect``; a few bounded tries, as the page may be rerunning under the pointer."""
    for _ in range(5):
        frame.wait_for_function(f"(fid) => ({FEATURE_JS})(fid) !== null", arg=fid, timeout=60_000)
        point = frame.evaluate(f"""(fid) => {{
            const p = window.map.latLngToContainerPoint(({FEATURE_JS})(fid).getLatLng());
            return {{x: p.x, y: p.y}};
        }}""", fid)
        box = page.query_selector(FRAME).bounding_box()
        page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
        try:
            page.get_by_text(expect).wait_for(timeout=15_000)
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError(f"clicking {fid} never showed {expect!r}")


def isolated_listed_school(real_build) -> str:
    """The school of the mairie's Oasis list farthest from any other school drawn (so a click at
    the default zoom hits it alone), found with plain geopandas in Lambert-93."""
    catalogue = load_catalogue()
    frames = {layer_id: load_layer(layer_id, real_build) for layer_id in action_layers("cours-oasis")}
    report = catalogue.match_sites("oasis-20e", frames)
    points = pd.concat([frame[["fid", "geometry"]] for frame in frames.values()]).to_crs(2154)
    best, best_gap = None, -1.0
    for match in report.matches:
        here = points[points["fid"] == match.fid].geometry.iloc[0]
        others = points[(points["fid"] != match.fid) & (points.geometry.distance(here) > 0.01)]
        same_place = points[points.geometry.distance(here) <= 0.01]["fid"].str.split(":").str[1]
        if same_place.nunique() > 1:
            continue
        gap = others.geometry.distance(here).min()
        if gap > best_gap:
            best, best_gap = match.fid, gap
    return best


def card(page, action_id: str):
    return page.locator(f'[class*="st-key-actions-card-{action_id}"]')


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_following_oasis_map_link_opens_the_map_with_the_school_layers(app_server, page, real_build,
                                                                      lang):
    manifest = load_manifest(real_build)["layers"]
    title_key = "title_en" if lang == "en" else "title_fr"
    suffix = "?lang=en" if lang == "en" else ""
    page.goto(f"{app_server.url}/actions-resilience{suffix}")
    heading = {"fr": "Ce que fait la Ville : les actions de résilience",
               "en": "What the City does: resilience actions"}[lang]
    page.get_by_role("heading", name=heading).wait_for(timeout=60_000)
    oasis = card(page, "cours-oasis")
    oasis.get_by_text("Oasis", exact=False).first.wait_for(timeout=30_000)
    if lang == "fr":
        ARTIFACTS.mkdir(exist_ok=True)
        oasis.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "actions-page.png"))
    link_name = {"fr": "Voir sur la carte", "en": "See on the map"}[lang]
    oasis.get_by_role("link", name=link_name).click()

    map_title = {"fr": "Carte des risques — Paris 20e", "en": "Risk map — Paris 20e"}[lang]
    page.get_by_role("heading", name=map_title).wait_for(timeout=60_000)
    wanted = action_layers("cours-oasis")
    sidebar = page.locator('[data-testid="stSidebar"]')
    for layer_id in wanted:
        box = sidebar.get_by_role("checkbox", name=manifest[layer_id][title_key], exact=True)
        box.wait_for(state="attached", timeout=30_000)
        assert box.is_checked(), layer_id
    # The map's default layers are off: only the action's layers were asked for.
    for layer_id in ("ppri", "cool_facilities"):
        box = sidebar.get_by_role("checkbox", name=manifest[layer_id][title_key], exact=True)
        assert not box.is_checked(), layer_id
    page.wait_for_url(lambda url: "layers=" in url, timeout=30_000)
    assert "layers=" + "%2C".join(wanted) in page.url or "layers=" + ",".join(wanted) in page.url
    assert ("lang=en" in page.url) == (lang == "en")
    n = sum(1 for entry in ACTIONS
            if set(wanted) & {layer for link in entry.get("link", []) for layer in link["layers"]})
    panel = {"fr": f"Actions de la Ville sur les couches affichées ({n})",
             "en": f"City actions on the layers shown ({n})"}[lang]
    page.get_by_text(panel).wait_for(timeout=30_000)
    # The map itself draws the action's layers, and only them (Leaflet, inside the component).
    frame = map_frame(page)
    expected = ",".join(sorted(wanted))
    frame.wait_for_function(f"() => Object.keys(({COUNT_JS})()).sort().join(',') === '{expected}'",
                            timeout=60_000)
    if lang == "fr":
        page.screenshot(path=str(ARTIFACTS / "actions-map-link.png"))
        # A school of the mairie's Oasis list, clicked on the map, shows the programme as done.
        click_feature(page, frame, isolated_listed_school(real_build), "Ce que fait la Ville ici")
        page.get_by_text("Cour Oasis réalisée ou en cours", exact=False).wait_for(timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / "actions-map-feature.png"))

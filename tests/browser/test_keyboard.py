"""Keyboard only (Tab, Enter and typing; no pointer): find a facility with the map's search, read
its details (the focus is moved to them and the change announced), go back to the map, reach the
proposal form and send a proposal for a place chosen from the list."""

from __future__ import annotations

import pytest

from geo.participation.database import open_sqlite
from geo.sources.store import load_layer
from tests.browser.a11y_pages import WORKSHOP_SLUG, a11y_server, settle
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser
TIMEOUT = 90_000
#: What has the focus: the element's tag, name and text, following focused frames inward.
ACTIVE = """() => {
    let doc = document, el = doc.activeElement, frames = [];
    while (el && el.tagName === 'IFRAME') { frames.push(el.title); doc = el.contentDocument; el = doc.activeElement; }
    const label = el && el.labels && el.labels.length ? el.labels[0].innerText : '';
    return {frames, tag: el ? el.tagName : '', name: el ? (el.getAttribute('aria-label') || label) : '',
            text: el ? (el.innerText || el.value || '').trim().slice(0, 120) : '',
            classes: el && el.className && el.className.baseVal === undefined ? el.className : ''};
}"""


def tab_to(page, wanted, limit: int = 150) -> dict:
    """Press Tab until ``wanted(active)`` holds; the number of presses is bounded."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        active = page.evaluate(ACTIVE)
        if wanted(active):
            return active
    raise AssertionError(f"not reached with {limit} Tab presses; last focus: {active}")


@pytest.fixture(scope="module")
def keyboard_app(real_build):
    with a11y_server() as server:
        yield server


def test_find_read_return_and_propose_with_the_keyboard(keyboard_app, browser):
    facilities = load_layer("cool_facilities")
    pool = facilities[facilities["name"] == "Piscine Yvonne Godard"].iloc[0]
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="fr-FR")
    page = context.new_page()
    try:
        page.goto(keyboard_app.url + "/")
        page.wait_for_selector('[data-testid="stSidebar"] [data-testid="stTextInput"] input',
                               timeout=TIMEOUT)
        settle(page)

        # find: the search field, a name typed, Enter, Tab to the result, Enter
        tab_to(page, lambda a: a["tag"] == "INPUT" and a["name"].startswith("Rechercher"))
        page.keyboard.type("Piscine Yvonne")
        page.keyboard.press("Enter")
        page.wait_for_selector(f"button:has-text('{pool['name']} —')", timeout=TIMEOUT)
        hit = tab_to(page, lambda a: a["tag"] == "BUTTON", limit=3)
        assert hit["text"].startswith(pool["name"])
        page.keyboard.press("Enter")

        # read: the focus is on the « Détails » heading and the change is announced
        page.wait_for_function("() => document.activeElement.tagName === 'H2' && "
                               "document.activeElement.innerText === 'Détails'", timeout=TIMEOUT)
        page.wait_for_function("(name) => (document.getElementById('a11y-live') || {}).textContent"
                               " === 'Détails affichés : ' + name", arg=pool["name"], timeout=TIMEOUT)
        assert page.get_attribute("#a11y-live", "role") == "status"
        panel = page.inner_text(".st-key-map-panel")
        assert pool["address"] in panel and "Piscine" in panel
        assert f"sel={pool['fid'].replace(':', '%3A')}" in page.url
        settle(page)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "keyboard-details.png"))

        # return to the map: « Fermer » gives the focus back to the map, which has a visible ring
        tab_to(page, lambda a: a["tag"] == "BUTTON" and a["text"] == "Fermer", limit=10)
        page.keyboard.press("Enter")
        page.wait_for_function("() => !new URLSearchParams(location.search).get('sel')", timeout=TIMEOUT)
        page.wait_for_function(f"() => ({ACTIVE})().classes.includes('leaflet-container')",
                               timeout=TIMEOUT)
        frame = next(f for f in page.frames if "streamlit_folium" in f.url)
        ring = frame.evaluate("() => getComputedStyle(document.activeElement).outlineStyle + ' ' + "
                              "getComputedStyle(document.activeElement).outlineWidth")
        assert ring == "solid 3px"
        assert page.evaluate(ACTIVE)["frames"] == ["Carte interactive"]
        settle(page)

        # propose: Tab to the « Proposer » page link, Enter
        tab_to(page, lambda a: a["tag"] == "A" and a["text"].endswith("Proposer"))
        page.keyboard.press("Enter")
        page.get_by_role("heading", name="Votre proposition").wait_for(timeout=TIMEOUT)
        settle(page)
        place = tab_to(page, lambda a: a["name"] == "Lieu")
        assert place["tag"] == "INPUT"
        page.keyboard.type("Piscine Yvonne")
        page.wait_for_selector("[role='option']:has-text('Piscine Yvonne Godard')", timeout=TIMEOUT)
        page.keyboard.press("Enter")
        settle(page)
        tab_to(page, lambda a: a["tag"] == "TEXTAREA")
        message = "Ouvrir le bassin plus tard les soirs de canicule"
        page.keyboard.type(message)
        tab_to(page, lambda a: a["tag"] == "BUTTON" and a["text"] == "Envoyer")
        page.keyboard.press("Enter")
        page.get_by_text("Merci !").first.wait_for(timeout=TIMEOUT)
        page.screenshot(path=str(ARTIFACTS / "keyboard-proposal-sent.png"))
    finally:
        context.close()

    stored = [p for p in open_sqlite(keyboard_app.proposals_path).visible(WORKSHOP_SLUG)
              if p.text == message]
    assert len(stored) == 1 and stored[0].place == pool["fid"]


def test_the_list_of_places_opens_details_from_the_keyboard(keyboard_app, browser):
    """The « Liste » is a table with headers; following a name (Enter) selects it on the map,
    moves the focus to « Détails » and announces it."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-GB")
    page = context.new_page()
    try:
        page.goto(keyboard_app.url + "/?lang=en&layers=quartiers,cool_facilities&z=16"
                  "&lat=48.86400&lon=2.39800")
        page.wait_for_selector('[data-testid="stSidebar"] [data-testid="stTextInput"] input',
                               timeout=TIMEOUT)
        settle(page)
        tab_to(page, lambda a: a["tag"] == "SUMMARY" and "List of the places shown" in a["text"])
        page.keyboard.press("Enter")
        table = page.locator(".place-list table")
        table.wait_for(timeout=TIMEOUT)
        headers = table.locator("thead th").all_inner_texts()
        assert headers == ["Name (opens the details)", "Layer and type", "Address",
                           "Distance to the centre"]
        assert table.locator("caption").inner_text().startswith(
            f"{table.locator('tbody tr').count()} places in the view")
        first = table.locator("tbody tr").first
        assert first.locator("th[scope='row'] a").get_attribute("lang") == "fr"  # French names
        name = first.locator("th a").inner_text()
        tab_to(page, lambda a: a["tag"] == "A" and a["text"] == name, limit=5)
        page.keyboard.press("Enter")
        page.wait_for_function("() => document.activeElement.innerText === 'Details'", timeout=TIMEOUT)
        page.wait_for_function("(name) => (document.getElementById('a11y-live') || {}).textContent"
                               " === 'Details shown: ' + name", arg=name, timeout=TIMEOUT)
        page.wait_for_function("() => (new URLSearchParams(location.search).get('sel') || '')"
                               ".startsWith('cool_facilities:')", timeout=TIMEOUT)
        assert name in page.inner_text(".st-key-map-panel")
    finally:
        context.close()

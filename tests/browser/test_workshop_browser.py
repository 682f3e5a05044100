"""The workshop in a real browser: the room's screen at 1920x1080, the form on a phone viewport,
the QR code read back from the screen, a proposal typed on the phone appearing on the screen
(the facilitator shows every proposal live)."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from PIL import Image

from geo.participation.auth import system_staff
from geo.participation.database import open_sqlite
from geo.participation.proposals import Workshop
from geo.participation.store import RateLimit
from tests.browser.leaflet_probe import click_feature, map_frame, wait_counts
from tests.conftest import ARTIFACTS, AppServer
from tests.staff import open_for_the_room

pytestmark = pytest.mark.browser
WORKSHOP = Workshop("vers-un-quartier-resilient-2026-11-26", "Vers un quartier résilient",
                    "2026-11-26")
FRAME = 'iframe[src*="streamlit_folium.st_folium"]'


@pytest.fixture(scope="module")
def workshop_server(real_build, tmp_path_factory):
    from geo.map.assets import ensure_assets

    ensure_assets()
    path = tmp_path_factory.mktemp("wk") / "proposals.sqlite3"
    store = open_sqlite(path, RateLimit(100, 60))
    open_for_the_room(store, WORKSHOP, "canicule", 1)
    store.set_screen(system_staff("claire"), WORKSHOP.slug, "live")
    server = AppServer("workshop", env={"RESILIENCE_PROPOSALS_SQLITE": str(path),
                                        "RESILIENCE_PROPOSALS_RATE_LIMIT": "100/60"})
    yield server, path
    server.stop()


def shot(page, name: str, full_page: bool = False) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=full_page)


def test_screen_qr_phone_and_live_proposal(workshop_server, browser):
    server, path = workshop_server
    screen = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="fr-FR")
    room = screen.new_page()
    room.goto(f"{server.url}/atelier")  # the room's screen follows the facilitator's choice
    room.get_by_text("Jour 1 — l'alerte").wait_for(timeout=60_000)
    # the map has drawn its layers (Leaflet served by the app) inside the component's iframe
    room.frame_locator(FRAME).first.locator(".leaflet-overlay-pane canvas").first.wait_for(timeout=30_000)
    qr = room.locator(".workshop-qr img").first
    qr.wait_for()
    shot(room, "workshop-1920x1080.png")
    assert room.locator(FRAME).count() == 1, "the live map must update in place, not pile up"

    # the QR code, read from the pixels on the screen, leads to the light join page (tested
    # in test_join_browser.py); the full form « Proposer » stays, tested here
    image = Image.open(io.BytesIO(qr.screenshot()))
    results = zxingcpp.read_barcodes(image)
    assert [r.text for r in results] == [f"{server.url}/rejoindre/{WORKSHOP.slug}"]

    phone_context = browser.new_context(viewport={"width": 390, "height": 844},
                                        device_scale_factor=2, is_mobile=True, has_touch=True,
                                        locale="fr-FR")
    phone = phone_context.new_page()
    phone.goto(f"{server.url}/proposer?workshop={WORKSHOP.slug}")
    phone.get_by_text("Votre proposition").first.wait_for(timeout=60_000)
    # a pin on the map rather than a place from the list (the form's first choice)
    phone.get_by_text("Un point sur la carte", exact=True).click()
    phone.frame_locator(FRAME).first.locator(".leaflet-overlay-pane canvas").first.wait_for(timeout=30_000)
    # tap the middle of the map (the study area's centre) to drop the pin
    box = phone.locator(FRAME).bounding_box()
    phone.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    phone.get_by_text("Point placé").wait_for(timeout=30_000)
    message = "Ombre et bancs square <b>Saint-Blaise</b>"
    phone.get_by_label("Votre proposition (quoi, pourquoi)").fill(message)
    phone.get_by_label("Prénom (facultatif, aucune autre donnée personnelle)").fill("Awa")
    shot(phone, "propose-phone-filled.png", full_page=True)
    phone.get_by_role("button", name="Envoyer").click()
    phone.locator('[data-testid="stToast"]').get_by_text("Merci !").wait_for(timeout=30_000)
    shot(phone, "propose-phone-sent.png")

    # stored once, as typed
    [stored] = open_sqlite(path).visible(WORKSHOP.slug)
    assert stored.text == message and stored.first_name == "Awa"

    # the room's screen shows it without reload (live fragment), as text, not HTML
    room.get_by_text("Ombre et bancs square <b>Saint-Blaise</b>").wait_for(timeout=30_000)
    assert room.locator("b", has_text="Saint-Blaise").count() == 0
    room.get_by_text("Propositions (1)").wait_for()
    # ... and on the map, which fetched the published proposals by itself (no page re-run)
    frame = next(f for f in room.frames if "streamlit_folium" in f.url)
    frame.wait_for_function("window.__workshopProposals === 1", timeout=30_000)
    shot(room, "workshop-1920x1080-live.png")
    phone_context.close()
    screen.close()

    # once approved by a moderator, it is on the public map (without the first name), and a
    # click on it says what it is, which workshop it comes from and that it is not official
    store = open_sqlite(path)
    store.set_status(system_staff("mo"), [stored.id], "approved")
    office = browser.new_context(viewport={"width": 1400, "height": 900}, locale="fr-FR")
    page = office.new_page()
    page.goto(f"{server.url}/?layers=quartiers,proposals")
    map_ = map_frame(page)
    assert wait_counts(map_, "(c.proposals || 0) > 0")["proposals"] == 1
    fid = f"proposals:{stored.id}"
    tooltip = map_.evaluate("""(fid) => { let t = null; window.map.eachLayer(l => {
        if (l.feature && l.feature.properties.f === fid) { t = l.getTooltip().getContent(); } });
        return t; }""", fid)
    assert "&lt;b&gt;Saint-Blaise&lt;/b&gt;" in tooltip and "Awa" not in tooltip
    click_feature(page, map_, fid)
    page.wait_for_function("(fid) => new URLSearchParams(location.search).get('sel') === fid",
                           arg=fid, timeout=60_000)
    main = page.locator(".st-key-map-panel")  # the details panel (the list also names it)
    main.get_by_text(message).first.wait_for(timeout=60_000)
    assert main.locator("b", has_text="Saint-Blaise").count() == 0
    main.locator("[data-testid='stExpander'] summary", has_text="Source").first.click()
    main.get_by_text(WORKSHOP.name).wait_for(timeout=30_000)
    text = main.inner_text()
    assert WORKSHOP.name in text and "non officielle" in text and "Awa" not in text
    shot(page, "map-proposal-details-1400x900.png")
    office.close()

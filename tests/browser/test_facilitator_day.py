"""The facilitator's whole day in a real browser: sign in, prepare and open a workshop, the
participants propose from the QR code on the screen, the scenario is stepped through (the
projector's screen, not signed in, follows), the workshop is closed, a late proposal is refused
with a clear message, the approved proposals are exported. Texts holding URLs stay text on
every page they appear on."""

from __future__ import annotations

import io
import json

import pytest
import zxingcpp
from PIL import Image

from geo.analysis.exposure import MAP_LAYERS
from geo.map.layers import LAYERS
from geo.participation.database import open_sqlite
from geo.participation.scenarios import load_scenarios
from geo.participation.store import RateLimit
from tests.conftest import ARTIFACTS, AppServer
from tests.staff import PASSWORD, staff_env

pytestmark = pytest.mark.browser
WAIT = 60_000
NAME = "Atelier du jour www.evil.example"
EVIL = "Ombre rue des Pyrénées, voir http://evil.example/x ou contact@evil.example"


@pytest.fixture(scope="module")
def day_server(real_build, tmp_path_factory):
    from geo.map.assets import ensure_assets

    ensure_assets()
    path = tmp_path_factory.mktemp("day") / "proposals.sqlite3"
    open_sqlite(path, RateLimit(100, 60))
    server = AppServer("day", env={
        "RESILIENCE_PROPOSALS_SQLITE": str(path), "RESILIENCE_PROPOSALS_RATE_LIMIT": "100/60",
        "RESILIENCE_STAFF": staff_env({"claire": (("facilitator", "moderator"), PASSWORD)})})
    yield server, path
    server.stop()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def no_links(page) -> None:
    """Nothing a user or the data wrote became a link on this page."""
    assert page.locator('a[href*="evil.example"]').count() == 0


def phone_form(browser, url: str):
    """What a participant's phone shows after scanning the QR code: the light join page, with a
    place chosen from its list."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True, locale="fr-FR")
    phone = context.new_page()
    phone.goto(url)
    phone.get_by_role("heading", level=1, name="Votre proposition").wait_for(timeout=WAIT)
    place = phone.locator("#place option:not([value=''])").first.get_attribute("value")
    phone.locator("#place").select_option(place)
    return context, phone


def propose(phone, text: str) -> None:
    phone.get_by_label("Votre proposition (quoi, pourquoi)").fill(text)
    phone.get_by_role("button", name="Envoyer").click()


def test_the_facilitators_day(day_server, browser, real_build):
    server, path = day_server
    store = open_sqlite(path)
    desk = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="fr-FR")
    fac = desk.new_page()
    fac.goto(f"{server.url}/atelier")
    fac.get_by_text("Aucun atelier n'est choisi pour la salle").wait_for(timeout=WAIT)
    sidebar = fac.locator('[data-testid="stSidebar"]')

    # 1. sign in
    sidebar.get_by_text("Connexion de l'équipe d'animation").click()
    sidebar.get_by_label("Nom (compte de l'équipe)").fill("claire")
    sidebar.get_by_label("Mot de passe").fill(PASSWORD)
    sidebar.get_by_role("button", name="Se connecter").click()
    sidebar.get_by_text("Connecté·e : claire").wait_for(timeout=WAIT)

    # 2. prepare the workshop, then open it: the QR code appears
    sidebar.get_by_label("Nom de l'atelier").fill(NAME)
    sidebar.get_by_role("button", name="Préparer").click()
    fac.get_by_text("Atelier pas encore ouvert").wait_for(timeout=WAIT)
    [workshop] = store.workshops()
    assert workshop.status == "scheduled" and store.room().workshop == workshop.slug
    sidebar.get_by_role("button", name="Ouvrir", exact=True).click()
    qr = fac.locator(".workshop-qr img").first
    qr.wait_for(timeout=WAIT)
    sidebar.get_by_text("toutes les propositions, en direct").click()
    [code] = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.screenshot())))
    assert code.text == f"{server.url}/rejoindre/{workshop.slug}"  # the light join page
    steps = fac.get_by_text("Étape 1 / ")
    steps.wait_for(timeout=WAIT)
    total = steps.inner_text().split("/")[1].strip()

    # the projector's screen, not signed in, shows the room and has no controls
    projector = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="fr-FR")
    screen = projector.new_page()
    screen.goto(f"{server.url}/atelier")
    screen.get_by_text("Étape 1 / ").wait_for(timeout=WAIT)
    assert screen.get_by_role("button", name="Suivante ▶").count() == 0

    # 3. participants propose from the QR code
    first, one = phone_form(browser, code.text)
    propose(one, "Des bancs à l'ombre square Saint-Blaise")
    one.get_by_text("enregistrée").first.wait_for(timeout=WAIT)
    second, two = phone_form(browser, code.text)
    propose(two, EVIL)
    two.get_by_text("enregistrée").first.wait_for(timeout=WAIT)
    assert NAME in two.inner_text("body")  # the intro names it, as plain text
    no_links(two)
    late_context, late = phone_form(browser, code.text)
    late.get_by_label("Votre proposition (quoi, pourquoi)").fill("Proposition envoyée trop tard")
    screen.get_by_text("Propositions (2)").wait_for(timeout=WAIT)  # live on the room's screen
    screen.get_by_text("Ombre rue des Pyrénées").wait_for(timeout=WAIT)
    no_links(screen)
    shot(screen, "day-room-screen.png")

    # 4. step through the scenario: the projector follows, its map too, without being reloaded
    projector_map = next(f for f in screen.frames if "streamlit_folium" in f.url)
    projector_map.wait_for_function("window.__roomLayers !== undefined", timeout=WAIT)
    projector_map.evaluate("window.__sameMap = true")
    for step in (2, 3):
        sidebar.get_by_role("button", name="Suivante ▶").click()
        fac.get_by_text(f"Étape {step} / {total}").wait_for(timeout=WAIT)
    screen.get_by_text(f"Étape 3 / {total}").wait_for(timeout=WAIT)
    assert store.room().step == 3
    room = store.room()
    built = json.loads((real_build / "manifest.json").read_text(encoding="utf-8"))["layers"]
    drawable = {*built, *MAP_LAYERS}  # the build's layers and those the analyses compute
    expected = sorted(layer for layer in load_scenarios(LAYERS, None)[room.scenario].steps[2].layers
                      if layer in drawable)
    projector_map.wait_for_function("(ids) => JSON.stringify((window.__roomLayers || []).slice()"
                                    ".sort()) === JSON.stringify(ids)", arg=expected, timeout=WAIT)
    assert projector_map.evaluate("window.__sameMap") is True

    # 5. close the workshop; 6. the late proposal is refused with a clear message
    sidebar.get_by_role("button", name="Clore", exact=True).click()
    fac.get_by_text("Atelier clos : les propositions ne sont plus reçues").wait_for(timeout=WAIT)
    late.get_by_role("button", name="Envoyer").click()
    late.get_by_text("Cet atelier est clos : il ne reçoit plus de propositions").wait_for(timeout=WAIT)
    assert "Proposition envoyée trop tard" not in late.content()  # not kept, not stored
    shot(late, "day-late-proposal.png")
    assert [p.text for p in store.visible(workshop.slug)] == [
        "Des bancs à l'ombre square Saint-Blaise", EVIL]
    screen.get_by_text("Atelier clos").first.wait_for(timeout=WAIT)  # the projector too

    # 7. export: moderation in the same session (navigation keeps the sign-in)
    sidebar.get_by_role("link", name="Modération").click()
    fac.get_by_text("Export des propositions validées").wait_for(timeout=WAIT)
    for proposal in store.visible(workshop.slug):
        fac.locator(f'[class*="st-key-moderation-approve-{proposal.id}"] button').click()
        fac.get_by_text("Fait.").wait_for(timeout=WAIT)
    fac.get_by_text("2 proposition(s) validée(s).").wait_for(timeout=WAIT)
    no_links(fac)
    with fac.expect_download() as download:
        fac.get_by_role("button", name="Télécharger en CSV").click()
    data = open(download.value.path(), encoding="utf-8").read()
    assert data.startswith("\ufeff")  # Excel reads the accents
    assert "Des bancs à l'ombre square Saint-Blaise" in data and EVIL in data
    assert NAME in data and workshop.date in data
    shot(fac, "day-moderation.png")

    # the approved proposal on the public map: its details are text too
    office = browser.new_context(viewport={"width": 1400, "height": 900}, locale="fr-FR")
    page = office.new_page()
    evil = next(p for p in store.visible(workshop.slug) if p.text == EVIL)
    page.goto(f"{server.url}/?layers=quartiers,proposals&sel=proposals:{evil.id}")
    page.locator('[data-testid="stMain"]').get_by_text("Ombre rue des Pyrénées").first.wait_for(
        timeout=WAIT)
    no_links(page)
    for context in (office, late_context, second, first, projector, desk):
        context.close()

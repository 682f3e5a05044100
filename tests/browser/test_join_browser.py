"""The light join page and the precompressed static files in a real browser (Debian Chromium).

- A participant at phone size opens the QR code's page, taps the map, types, sends: the page says
  in French that the proposal was received, and the room's screen (« Atelier ») shows it; the
  planted HTML/JS payload is shown as text on both and never runs.
- A forged cross-site POST (a page on another origin whose form submits itself to the app) is
  refused and stores nothing.
- The main bundle and a map layer file come compressed (``Content-Encoding``); a browser that
  sends no ``Accept-Encoding`` gets the plain files and a working map page.
"""

from __future__ import annotations

import os
import re
import urllib.request

import pytest

from geo.participation.auth import system_staff
from geo.participation.database import open_sqlite
from geo.participation.proposals import Workshop
from geo.participation.store import RateLimit
from geo.participation.workshop import participants_url
from tests.conftest import ARTIFACTS, AppServer
from tests.staff import open_for_the_room

pytestmark = pytest.mark.browser
WORKSHOP = Workshop("ombre-et-eau-2026-12-02", "Ombre & eau <au 20e>", "2026-12-02")
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True, "locale": "fr-FR"}
FRAME = 'iframe[src*="streamlit_folium.st_folium"]'  # its title becomes « Carte interactive »
PAYLOAD = f'<img src=x onerror="alert(1)"><script>alert(2)</script> Ombre rue des Pyrénées {os.getpid()}'


@pytest.fixture(scope="module")
def join_server(real_build, tmp_path_factory):
    from geo.web.assets import ensure_built

    ensure_built()
    path = tmp_path_factory.mktemp("join") / "proposals.sqlite3"
    store = open_sqlite(path, RateLimit(100, 60))
    open_for_the_room(store, WORKSHOP, "canicule", 1)
    # every proposal live on the room's screen (the facilitator's choice; approved only by default)
    store.set_screen(system_staff("facilitator-test"), WORKSHOP.slug, "live")
    server = AppServer("join", env={"RESILIENCE_PROPOSALS_SQLITE": str(path),
                                    "RESILIENCE_PROPOSALS_RATE_LIMIT": "100/60"})
    yield server, path
    server.stop()


def test_light_join_at_phone_size_reaches_the_rooms_screen(join_server, browser):
    server, path = join_server
    screen = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="fr-FR")
    room = screen.new_page()
    room.goto(f"{server.url}/atelier?workshop={WORKSHOP.slug}&scenario=canicule&step=1")
    room.get_by_text("Propositions (0)").wait_for(timeout=60_000)

    phone_context = browser.new_context(**PHONE)
    phone = phone_context.new_page()
    dialogs: list[str] = []
    phone.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    room.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    phone.goto(participants_url(server.url, WORKSHOP.slug))  # what the QR code opens
    assert phone.locator("html").get_attribute("lang") == "fr"
    assert phone.get_by_role("heading", level=1).inner_text() == "Votre proposition"
    assert "Ombre & eau <au 20e>" in phone.locator("main > p").first.inner_text()
    # a send without a place or a pin is refused with a message, the text kept as text
    phone.get_by_label("Catégorie").select_option("water")
    phone.get_by_label("Votre proposition (quoi, pourquoi)").fill(PAYLOAD)
    phone.get_by_role("button", name="Envoyer").click()
    phone.get_by_role("alert").get_by_text("Placez un point").wait_for()
    assert phone.get_by_label("Votre proposition (quoi, pourquoi)").input_value() == PAYLOAD
    # the tap drops the pin (with JavaScript the page is not sent)
    box = phone.locator("#map").bounding_box()
    phone.locator("#map").tap(position={"x": box["width"] * 0.55, "y": box["height"] * 0.5})
    phone.get_by_text("Point placé sur la carte.").wait_for()
    assert phone.locator("#pin").is_visible()
    phone.screenshot(path=str(ARTIFACTS / "join-phone-filled.png"), full_page=True)
    phone.get_by_role("button", name="Envoyer").click()
    phone.get_by_role("status").get_by_text(re.compile(r"Merci ! Proposition n° \d+ enregistrée")).wait_for()
    phone.screenshot(path=str(ARTIFACTS / "join-phone-sent.png"))

    [stored] = open_sqlite(path).visible(WORKSHOP.slug)
    assert stored.text == PAYLOAD and stored.category == "water" and stored.place is None
    # the room's screen shows it without a reload, as text
    room.get_by_text(f"Ombre rue des Pyrénées {os.getpid()}", exact=False).wait_for(timeout=30_000)
    room.get_by_text("Propositions (1)").wait_for()
    assert room.get_by_text('<img src=x onerror="alert(1)">', exact=False).count() >= 1
    assert room.locator("img[src='x']").count() == 0
    assert dialogs == []
    phone_context.close()
    screen.close()


def test_forged_cross_site_post_is_refused(join_server, browser):
    server, path = join_server
    before = len(open_sqlite(path).visible(WORKSHOP.slug))
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(f"{server.url}/rejoindre/{WORKSHOP.slug}")  # the participant has the cookie
    token = page.locator("input[name=token]").input_value()
    forged = f"""<!doctype html><form id=f method=post action="{server.url}/rejoindre/{WORKSHOP.slug}">
      <input name=token value="{token}"><input name=submission_id value="{'e' * 32}">
      <input name=category value=other><input name=text value="forged {os.getpid()}">
      <input name=place value=""></form><script>document.getElementById("f").submit()</script>"""
    page.route("http://evil.test/", lambda route: route.fulfill(body=forged, content_type="text/html"))
    with page.expect_response(f"{server.url}/rejoindre/{WORKSHOP.slug}") as info:
        page.goto("http://evil.test/")
    assert info.value.status == 403
    page.get_by_role("alert").get_by_text("rien n'a été enregistré", exact=False).wait_for()
    assert f"forged {os.getpid()}" not in page.content()  # a forged text is not shown back
    assert len(open_sqlite(path).visible(WORKSHOP.slug)) == before
    context.close()


def test_main_bundle_and_layer_file_compressed_and_plain_client_works(join_server, browser):
    server, _path = join_server
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="fr-FR")
    page = context.new_page()
    encodings: dict[str, str | None] = {}
    page.on("response", lambda r: encodings.__setitem__(r.url, r.headers.get("content-encoding")))
    # the map's iframe fetches the layer files
    with page.expect_response(lambda r: "/app/static/map/" in r.url, timeout=60_000) as layer:
        page.goto(f"{server.url}/")  # the map is the home page
    assert layer.value.headers.get("content-encoding") in ("br", "gzip")  # gzip until br is written
    assert "immutable" in layer.value.headers["cache-control"]
    page.frame_locator(FRAME).first.locator(".leaflet-overlay-pane canvas").first.wait_for(timeout=60_000)
    bundle = [url for url in encodings if re.search(r"/static/js/index\.[\w-]+\.js$", url)]
    assert bundle and encodings[bundle[0]] == "br"
    context.close()
    # a client that accepts no compression: the plain file, and a map page that works
    request = urllib.request.Request(bundle[0], headers={"Accept-Encoding": "identity"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.headers.get("Content-Encoding") is None
        assert response.headers.get("Vary") == "Accept-Encoding"
        assert len(response.read()) > 100_000
    plain = browser.new_context(viewport={"width": 1400, "height": 900}, locale="fr-FR",
                                extra_http_headers={"Accept-Encoding": "identity"})
    page = plain.new_page()
    seen: list[str | None] = []
    page.on("response", lambda r: seen.append(r.headers.get("content-encoding")))
    page.goto(f"{server.url}/")  # the map is the home page
    page.frame_locator(FRAME).first.locator(".leaflet-overlay-pane canvas").first.wait_for(timeout=60_000)
    page.get_by_role("heading").first.wait_for()
    assert seen and not any(seen)  # nothing compressed was sent to it
    plain.close()


def test_a_phone_answers_the_evaluation_once_on_both_forms(join_server, browser):
    """The facilitator offers the evaluation: the join page links to it, a phone answers without
    any script, is thanked, and its device cookie makes both forms (this page and « Proposer »)
    say it already answered; the answer is read back with the test's own SQL."""
    import sqlite3

    server, path = join_server
    facilitator = system_staff("facilitator-test")
    open_sqlite(path).set_evaluation(facilitator, WORKSHOP.slug, True)
    context = browser.new_context(**PHONE, java_script_enabled=False)
    try:
        phone = context.new_page()
        phone.goto(participants_url(server.url, WORKSHOP.slug))
        [device] = [c for c in context.cookies() if c["name"] == "rp_device"]
        assert re.fullmatch(r"d[0-9a-f]{32}", device["value"]) and device["httpOnly"]
        assert device["sameSite"] == "Lax" and device["path"] == "/"
        phone.get_by_role("link", name="Donner votre avis sur l'atelier").click()
        assert phone.get_by_role("heading", level=1).inner_text() == "Votre avis sur l'atelier"
        phone.get_by_role("group", name=re.compile("^Avant l'atelier")).get_by_label("2").check()
        phone.get_by_role("group", name=re.compile("^Après l'atelier")).get_by_label("4").check()
        phone.get_by_label("Oui").check()
        phone.get_by_label(re.compile("^Un commentaire")).fill(PAYLOAD)
        phone.get_by_label(re.compile("^Vous êtes")).select_option("association")
        phone.get_by_role("button", name="Envoyer mon avis").click()
        phone.get_by_text("Merci ! Votre avis est enregistré.").wait_for()
        phone.goto(f"{server.url}/rejoindre/{WORKSHOP.slug}/avis")
        phone.get_by_text("Vous avez déjà donné votre avis", exact=False).wait_for()
        assert phone.locator("form").count() == 0
        with sqlite3.connect(path) as db:
            rows = db.execute("SELECT e.role, e.comment, e.comment_status, a.question, a.value "
                              "FROM evaluations e JOIN evaluation_answers a ON a.evaluation = e.id "
                              "WHERE e.workshop = ? ORDER BY a.question", (WORKSHOP.slug,)).fetchall()
            stored_device = db.execute("SELECT device FROM evaluations").fetchone()[0]
        assert rows == [("association", PAYLOAD, "pending", "again", 1),
                        ("association", PAYLOAD, "pending", "understanding_after", 4),
                        ("association", PAYLOAD, "pending", "understanding_before", 2)]
        assert stored_device != device["value"]  # a keyed hash, never the cookie
        # « Proposer » in the same browser reads the same cookie: already answered there too
        streamlit = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")
        streamlit.add_cookies([{**device, "sameSite": "Lax"}])
        page = streamlit.new_page()
        page.goto(f"{server.url}/proposer?workshop={WORKSHOP.slug}")
        page.get_by_text("Vous avez déjà donné votre avis", exact=False).wait_for(timeout=60_000)
        assert page.get_by_role("button", name="Envoyer mon avis").count() == 0
        streamlit.close()
    finally:
        context.close()
        open_sqlite(path).set_evaluation(facilitator, WORKSHOP.slug, False)

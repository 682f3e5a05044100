"""Unit tests of the light join page's routes (``geo.web.join``) in a plain Starlette app: the
page, the send through the same validation and store as « Proposer », the anti-forgery checks,
escaping, the rate limit, the tap without JavaScript (synthetic study area and places, a
temporary SQLite store)."""

from __future__ import annotations

import gzip
import re
from pathlib import Path
from urllib.parse import urlencode

import brotli
import geopandas as gpd
import pytest
from shapely.geometry import Point, box
from starlette.applications import Starlette
from starlette.testclient import TestClient

from geo.map.pinmap import pin_map_svg
from geo.participation.database import open_sqlite
from geo.participation.proposals import Place, Rules, Workshop
from geo.participation.store import RateLimit
from geo.web.join import JoinContext, join_routes
from geo.web.join_data import make_pin_map
from tests.staff import open_for_the_room

SECRET = b"k" * 32
#: A synthetic study area around the 20e (lon/lat), two places inside it.
AREA = box(2.38, 48.85, 2.41, 48.87)
PLACES = {"libraries:1": Place("libraries:1", "Bibliothèque <Test>", 2.39, 48.86),
          "mairies:2": Place("mairies:2", "Mairie & annexe", 2.40, 48.865)}
RULES = Rules(study_area=AREA, places=PLACES)
SLUG = "atelier-2026-11-26"
PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


# --- routes ---------------------------------------------------------------------------------

@pytest.fixture
def store(tmp_path: Path):
    store = open_sqlite(tmp_path / "p.sqlite3", RateLimit(count=3, window_s=60))
    open_for_the_room(store, Workshop(SLUG, "Vers un quartier <b>résilient</b>", "2026-11-26"))
    yield store
    store.close()


def quartiers() -> gpd.GeoDataFrame:
    """Four synthetic quartiers tiling the area (names with characters to escape)."""
    cells = [box(2.38 + 0.015 * i, 48.85 + 0.01 * j, 2.395 + 0.015 * i, 48.86 + 0.01 * j)
             for i in range(2) for j in range(2)]
    return gpd.GeoDataFrame({"name": ["Nord-Ouest", "Sud <Ouest>", "Nord & Est", "Sud-Est"]},
                            geometry=cells, crs="EPSG:4326")


def stations() -> gpd.GeoDataFrame:
    """Twenty synthetic stations inside the area."""
    points = [Point(2.381 + 0.0014 * i, 48.851 + 0.0009 * i) for i in range(20)]
    return gpd.GeoDataFrame({"name": [f"Station {i}" for i in range(20)]}, geometry=points,
                            crs="EPSG:4326")


@pytest.fixture
def pin_map():
    return make_pin_map(*pin_map_svg(AREA, quartiers=quartiers(), stations=stations(), title="20e"))


def test_pin_map_draws_layers_escaped():
    svg, _frame = pin_map_svg(AREA, quartiers=quartiers())
    assert "Sud &lt;Ouest&gt;" in svg and "Nord &amp; Est" in svg and svg.count("<text") == 4


@pytest.fixture
def client(store, pin_map) -> TestClient:
    ctx = JoinContext(store=lambda: store, rules=lambda: RULES, pin_map=lambda: pin_map, secret=SECRET)
    return TestClient(Starlette(routes=join_routes(ctx)), base_url="http://testserver")


def _form(client: TestClient, lang: str = "fr") -> dict[str, str]:
    page = client.get(f"/rejoindre/{SLUG}?lang={lang}")
    assert page.status_code == 200
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page.text))
    return {"token": fields["token"], "submission_id": fields["submission_id"],
            "category": "water", "text": "Une fontaine place Gambetta"}


def _post(client: TestClient, data: dict, lang: str = "fr", **headers):
    return client.post(f"/rejoindre/{SLUG}?lang={lang}", content=urlencode(data),
                       headers={"content-type": "application/x-www-form-urlencoded",
                                "origin": "http://testserver", **headers},
                       follow_redirects=False)


def test_get_page(client: TestClient):
    r = client.get(f"/rejoindre/{SLUG}")
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    cookie = r.headers["set-cookie"]
    assert "rp_client=c" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie \
        and "Path=/rejoindre" in cookie
    csp = r.headers["content-security-policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp)[1]
    assert f'<script nonce="{nonce}">' in r.text and "frame-ancestors 'none'" in csp
    assert '<html lang="fr">' in r.text and "Votre proposition" in r.text
    assert "Vers un quartier &lt;b&gt;résilient&lt;/b&gt;" in r.text  # the workshop name escaped
    assert "Bibliothèque &lt;Test&gt;" in r.text and "Mairie &amp; annexe" in r.text
    assert '<input id="map" type="image" name="map"' in r.text
    r = client.get(f"/rejoindre/{SLUG}?lang=en")
    assert '<html lang="en">' in r.text and "Your proposal" in r.text
    assert client.get("/rejoindre/inconnu-2026").status_code == 404
    assert client.get("/rejoindre/BAD_slug").status_code == 404


def test_page_weight(client: TestClient):
    """The page and its map, as sent compressed (the budget is 300 KB in all)."""
    html = client.get(f"/rejoindre/{SLUG}").content
    svg = client.get("/rejoindre/carte.svg", headers={"Accept-Encoding": ""}).content
    total = len(gzip.compress(html, 6)) + len(brotli.compress(svg, quality=11))
    assert total < 20_000, total


def test_submit_with_place_then_duplicate(client: TestClient, store):
    data = {**_form(client), "place": "mairies:2"}
    r = _post(client, data)
    assert r.status_code == 303
    location = r.headers["location"]
    assert location.startswith(f"/rejoindre/{SLUG}?lang=fr&recu=")
    page = client.get(location)
    proposal = store.visible(SLUG)[0]
    assert f"Proposition n° {proposal.id} enregistrée" in page.text
    assert (proposal.lon, proposal.lat, proposal.place) == (2.40, 48.865, "mairies:2")
    assert proposal.text == "Une fontaine place Gambetta"
    # the same form sent again (a retry) is stored once
    r = _post(client, data)
    assert "deja=1" in r.headers["location"] and len(store.visible(SLUG)) == 1
    assert "déjà enregistrée" in client.get(r.headers["location"]).text


def test_submit_with_pin_and_english_ack(client: TestClient, store, pin_map):
    x, y = pin_map.frame.from_lonlat(2.395, 48.862)
    r = _post(client, {**_form(client, "en"), "pin_x": f"{x:.1f}", "pin_y": f"{y:.1f}"}, "en")
    assert r.status_code == 303
    assert "Thank you! Proposal no." in client.get(r.headers["location"]).text
    proposal = store.visible(SLUG)[0]
    assert abs(proposal.lon - 2.395) < 5e-4 and abs(proposal.lat - 48.862) < 5e-4


def test_refused_proposal_keeps_text_escaped(client: TestClient, store):
    r = _post(client, {**_form(client), "text": PAYLOAD})  # no place, no pin
    assert r.status_code == 400 and store.visible(SLUG) == []
    assert "Placez un point sur la carte" in r.text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in r.text
    assert "<script>alert" not in r.text and "<img src=x" not in r.text
    # stored as typed (escaped wherever shown: the room's screen escapes it too)
    r = _post(client, {**_form(client), "text": PAYLOAD, "place": "libraries:1"})
    assert r.status_code == 303 and store.visible(SLUG)[0].text == PAYLOAD


def test_pin_outside_the_area_or_drawing(client: TestClient, store, pin_map):
    r = _post(client, {**_form(client), "pin_x": "2", "pin_y": "2"})  # drawn margin: outside area
    assert r.status_code == 400 and "hors du 20e" in r.text
    r = _post(client, {**_form(client), "pin_x": "5000", "pin_y": "2"})
    assert r.status_code == 400 and store.visible(SLUG) == []


def test_forged_requests_are_refused(client: TestClient, store):
    data = _form(client)
    # another site's form: the browser sends its Origin (and, SameSite=Lax, no cookie)
    r = _post(client, {**data, "place": "mairies:2"}, origin="https://evil.example")
    assert r.status_code == 403 and "rien n&#x27;a été enregistré" in r.text
    r = _post(client, {**data, "place": "mairies:2", "text": PAYLOAD},
              **{"sec-fetch-site": "cross-site", "origin": "https://evil.example"})
    assert r.status_code == 403 and "onerror" not in r.text  # a forged text is not shown back
    # no cookie at all
    fresh = TestClient(client.app, base_url="http://testserver")
    r = _post(fresh, {**data, "place": "mairies:2"})
    assert r.status_code == 403
    # a token made for another browser
    other = TestClient(client.app, base_url="http://testserver")
    r = _post(client, {**_form(other), "place": "mairies:2"})
    assert r.status_code == 403
    assert store.visible(SLUG) == []


def test_rate_limit(client: TestClient, store):
    for _ in range(3):
        assert _post(client, {**_form(client), "place": "mairies:2"}).status_code == 303
    r = _post(client, {**_form(client), "place": "mairies:2"})
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    assert "Une fontaine place Gambetta" in r.text  # kept for the retry
    assert len(store.visible(SLUG)) == 3


def test_tap_without_javascript_places_the_pin(client: TestClient, store):
    r = _post(client, {**_form(client), "map.x": "160", "map.y": "200", "place": "mairies:2"})
    assert r.status_code == 200 and store.visible(SLUG) == []
    assert 'name="pin_x" value="160.0"' in r.text and 'style="left:160.0px;top:200.0px"' in r.text
    assert "Une fontaine place Gambetta" in r.text and 'value="mairies:2" selected' not in r.text
    # then « Envoyer » with the pin the page now carries
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', r.text))
    data = {k: fields[k] for k in ("token", "submission_id", "pin_x", "pin_y")}
    r = _post(client, {**data, "category": "greenery", "text": "Des arbres"})
    assert r.status_code == 303 and store.visible(SLUG)[0].category == "greenery"
    # Enter in a text field submits through the first submit button, the map, at (0, 0)
    r = _post(client, {**_form(client), "map.x": "0", "map.y": "0", "place": "mairies:2"})
    assert r.status_code == 303 and len(store.visible(SLUG)) == 2


def test_bad_bodies(client: TestClient):
    data = _form(client)
    r = client.post(f"/rejoindre/{SLUG}", content=b"{}", headers={"content-type": "application/json"})
    assert r.status_code == 415
    r = _post(client, {**data, "text": "x" * 20_000})
    assert r.status_code == 413
    r = client.post(f"/rejoindre/{SLUG}", content=b"text=%ff%fe",
                    headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code in (400, 403)


def test_pin_map_is_precompressed(client: TestClient, pin_map):
    r = client.get(f"/rejoindre/carte.svg?v={pin_map.version}", headers={"Accept-Encoding": "br"})
    assert r.headers["content-encoding"] == "br" and r.headers["content-type"] == "image/svg+xml"
    assert "immutable" in r.headers["cache-control"] and r.content == pin_map.svg
    r = client.get("/rejoindre/carte.svg", headers={"Accept-Encoding": ""})
    assert "content-encoding" not in r.headers and r.headers["cache-control"] == "no-cache"
    r2 = client.get("/rejoindre/carte.svg", headers={"Accept-Encoding": "",
                                                     "If-None-Match": r.headers["etag"]})
    assert r2.status_code == 304


def test_workshop_list_goes_to_the_rooms_workshop_then_the_open_ones(client: TestClient, store):
    from geo.participation.auth import system_staff

    facilitator = system_staff("facilitator-test")
    r = client.get("/rejoindre?lang=en", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/rejoindre/{SLUG}?lang=en"
    # a newer open workshop does not take the room's place: the facilitator's choice does
    for slug, name in (("autre-2026-12-01", "Autre <atelier>"), ("troisieme-2026-12-03", "Trois")):
        store.create_workshop(facilitator, Workshop(slug, name, slug[-10:]))
        store.set_workshop_status(facilitator, slug, "open")
    r = client.get("/rejoindre", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/rejoindre/{SLUG}"
    # the room's workshop closed: the open ones are listed, never a closed one
    store.set_workshop_status(facilitator, SLUG, "closed")
    r = client.get("/rejoindre")
    assert r.status_code == 200 and "Autre &lt;atelier&gt; (2026-12-01)" in r.text
    assert "/rejoindre/troisieme-2026-12-03" in r.text and f"/rejoindre/{SLUG}" not in r.text
    assert '<html lang="fr">' in r.text


def test_a_closed_or_future_workshop_takes_nothing_from_the_light_page(client: TestClient, store):
    from geo.participation.auth import system_staff

    facilitator = system_staff("facilitator-test")
    store.create_workshop(facilitator, Workshop("prevu-2026-12-24", "Prévu", "2026-12-24"))
    r = client.get("/rejoindre/prevu-2026-12-24")
    assert r.status_code == 200 and "pas encore ouvert" in r.text and "<form" not in r.text
    store.set_workshop_status(facilitator, SLUG, "closed")
    r = client.get(f"/rejoindre/{SLUG}")
    assert "Cet atelier est clos" in r.text and "<form" not in r.text
    sent = client.post(f"/rejoindre/{SLUG}", data={"text": "trop tard", "category": "other"})
    assert "Cet atelier est clos" in sent.text and "trop tard" not in sent.text
    assert store.visible(SLUG) == []


def test_unknown_workshop_says_so_in_the_participants_language(client: TestClient):
    r = client.get("/rejoindre/inconnu-2026", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert r.status_code == 404 and "This workshop does not exist" in r.text
    assert "default-src 'none'" in r.headers["content-security-policy"]

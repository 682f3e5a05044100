"""Unit tests of the light join page's role and evaluation (issue 18) in a plain Starlette app
with the device cookie's middleware: the optional role of a proposal, the evaluation's page
offered only while the facilitator offers it, the anti-forgery checks, one answer per device,
escaping and clear refusals (synthetic study area and places, a temporary SQLite store)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.testclient import TestClient

from geo.map.pinmap import pin_map_svg
from geo.participation.auth import system_staff
from geo.participation.database import open_sqlite
from geo.participation.proposals import Workshop
from geo.participation.store import RateLimit
from geo.web.device import DeviceCookieMiddleware
from geo.web.join import JoinContext, join_routes
from geo.web.join_data import make_pin_map
from tests.staff import open_for_the_room
from tests.unit.test_join_routes import AREA, PAYLOAD, RULES, SECRET, SLUG, quartiers

FACILITATOR = system_staff("facilitator-test")
HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)"')


@pytest.fixture
def store(tmp_path: Path):
    store = open_sqlite(tmp_path / "p.sqlite3", RateLimit(count=3, window_s=60))
    open_for_the_room(store, Workshop(SLUG, "Vers un quartier <b>résilient</b>", "2026-11-26"))
    yield store
    store.close()


@pytest.fixture
def client(store) -> TestClient:
    pin_map = make_pin_map(*pin_map_svg(AREA, quartiers=quartiers()))
    ctx = JoinContext(store=lambda: store, rules=lambda: RULES, pin_map=lambda: pin_map,
                      secret=SECRET)
    app = Starlette(routes=join_routes(ctx), middleware=[Middleware(DeviceCookieMiddleware)])
    return TestClient(app, base_url="http://testserver")


def _post(client: TestClient, path: str, data: dict, **headers):
    return client.post(path, content=urlencode(data),
                       headers={"content-type": "application/x-www-form-urlencoded",
                                "origin": "http://testserver", **headers},
                       follow_redirects=False)


# --- the role of a proposal -----------------------------------------------------------------

def _proposal(client: TestClient, **fields) -> dict[str, str]:
    page = client.get(f"/rejoindre/{SLUG}")
    hidden = dict(HIDDEN.findall(page.text))
    return {"token": hidden["token"], "submission_id": hidden["submission_id"],
            "category": "water", "text": "Une fontaine", "place": "mairies:2", **fields}


def test_the_form_offers_an_optional_labelled_role(client: TestClient):
    page = client.get(f"/rejoindre/{SLUG}").text
    assert '<label for="role">Vous êtes… (facultatif, compté sans votre nom)</label>' in page
    assert '<select id="role" name="role" aria-describedby="role-hint">' in page
    assert '<option value="" selected>— ne pas préciser —</option>' in page
    assert '<option value="tenants">Amicale de locataires</option>' in page
    assert "Commerçant·e" in page and "Gestion urbaine de proximité (GUP)" in page
    english = client.get(f"/rejoindre/{SLUG}?lang=en").text
    assert '<option value="shopkeeper">Shopkeeper</option>' in english


def test_a_role_is_stored_with_the_proposal_and_none_is_fine(client: TestClient, store):
    assert _post(client, f"/rejoindre/{SLUG}", _proposal(client, role="gup")).status_code == 303
    assert _post(client, f"/rejoindre/{SLUG}", _proposal(client)).status_code == 303
    assert [p.role for p in store.visible(SLUG)] == ["gup", None]


def test_an_unknown_role_is_refused_clearly_and_kept_out(client: TestClient, store):
    r = _post(client, f"/rejoindre/{SLUG}", _proposal(client, role=PAYLOAD))
    assert r.status_code == 400 and store.visible(SLUG) == []
    assert "Valeur non valide pour « rôle »." in r.text
    assert "<script>" not in r.text and "Une fontaine" in r.text  # the text is kept

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
from geo.web.device import DEVICE_COOKIE, DeviceCookieMiddleware
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


# --- the evaluation -------------------------------------------------------------------------

AVIS = f"/rejoindre/{SLUG}/avis"
ANSWERS = {"q_understanding_before": "2", "q_understanding_after": "4", "q_game_useful": "5",
           "q_again": "1", "q_comment": ""}


def _evaluation(client: TestClient, lang: str = "fr", **fields) -> dict[str, str]:
    page = client.get(f"{AVIS}?lang={lang}")
    assert page.status_code == 200 and "<form" in page.text
    hidden = dict(HIDDEN.findall(page.text))
    return {"token": hidden["token"], "submission_id": hidden["submission_id"], **ANSWERS,
            **fields}


def _stored(store) -> list:
    return store.report_rows(FACILITATOR, SLUG).evaluations


@pytest.fixture
def offered(store):
    store.set_evaluation(FACILITATOR, SLUG, True)
    return store


def test_not_offered_says_so_and_takes_nothing(client: TestClient, store):
    assert "/avis" not in client.get(f"/rejoindre/{SLUG}").text
    r = client.get(AVIS)
    assert r.status_code == 200 and "<form" not in r.text
    assert "L&#x27;évaluation de cet atelier n&#x27;est pas ouverte" in r.text
    token = dict(HIDDEN.findall(client.get(f"/rejoindre/{SLUG}").text))["token"]
    r = _post(client, AVIS, {"token": token, "submission_id": "a" * 32, **ANSWERS})
    assert r.status_code == 409 and "pas ouverte" in r.text and "<form" not in r.text
    assert _stored(store) == []


def test_offered_the_join_page_links_to_an_accessible_form(client: TestClient, offered):
    page = client.get(f"/rejoindre/{SLUG}").text
    assert f'<a href="{AVIS}?lang=fr">Donner votre avis sur l&#x27;atelier</a>' in page
    r = client.get(AVIS)
    assert r.headers["cache-control"] == "no-store" and '<html lang="fr">' in r.text
    assert "script-src 'none'" in r.headers["content-security-policy"] and "<script" not in r.text
    assert "Vers un quartier &lt;b&gt;résilient&lt;/b&gt;" in r.text
    assert '<legend>Participeriez-vous à un autre atelier de ce type ?</legend>' in r.text
    assert '<label><input type="radio" name="q_understanding_before" value="1">1 — très flou' \
        in r.text
    assert '<label class="q" for="q_comment">' in r.text and 'maxlength="1000"' in r.text
    assert '<select id="role" name="role" aria-describedby="role-hint">' in r.text
    english = client.get(f"{AVIS}?lang=en").text
    assert '<html lang="en">' in english and "Would you take part in another workshop" in english


def test_one_answer_per_device_the_second_is_thanked_not_stored(client: TestClient, offered):
    data = _evaluation(client, role="tenants", q_comment="Très bien")
    r = _post(client, AVIS, data)
    assert r.status_code == 303 and r.headers["location"] == f"{AVIS}?lang=fr&merci=1"
    assert "Merci ! Votre avis est enregistré." in client.get(r.headers["location"]).text
    [stored] = _stored(offered)
    assert stored.values == {"understanding_before": 2, "understanding_after": 4,
                             "game_useful": 5, "again": 1}
    assert (stored.role, stored.comment, stored.comment_status) == ("tenants", "Très bien", "pending")
    # the page now says so, without a form
    again = client.get(AVIS).text
    assert "déjà donné votre avis" in again and "<form" not in again
    # a second form sent from the same device (an old tab): thanked, nothing more stored
    r = _post(client, AVIS, {**data, "submission_id": "b" * 32, "q_again": "3"})
    assert r.status_code == 303 and "deja=1" in r.headers["location"]
    assert "rien de plus n&#x27;a été enregistré" in client.get(r.headers["location"]).text
    assert len(_stored(offered)) == 1 and _stored(offered)[0].values["again"] == 1
    # another phone answers
    other = TestClient(client.app, base_url="http://testserver")
    assert _post(other, AVIS, _evaluation(other)).status_code == 303
    assert len(_stored(offered)) == 2


def test_forged_evaluations_are_refused(client: TestClient, offered):
    data = _evaluation(client, q_comment=PAYLOAD)
    r = _post(client, AVIS, data, origin="https://evil.example")
    assert r.status_code == 403 and "onerror" not in r.text and "<script>" not in r.text
    r = _post(client, AVIS, data, **{"sec-fetch-site": "cross-site"})
    assert r.status_code == 403
    fresh = TestClient(client.app, base_url="http://testserver")  # no cookie at all
    assert _post(fresh, AVIS, data).status_code == 403
    other = TestClient(client.app, base_url="http://testserver")  # another browser's token
    assert _post(client, AVIS, _evaluation(other)).status_code == 403
    client.cookies.delete(DEVICE_COOKIE)  # a send without its device (added by the middleware)
    assert _post(client, AVIS, data).status_code == 303  # ... gets one: it answers once
    assert len(_stored(offered)) == 1


def test_hostile_text_is_escaped_and_a_bad_answer_refused_clearly(client: TestClient, offered):
    r = _post(client, AVIS, _evaluation(client, q_comment=PAYLOAD, q_game_useful="9"))
    assert r.status_code == 400 and "Valeur non valide pour « évaluation »." in r.text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in r.text  # kept, escaped
    assert "<script>" not in r.text and "<img src=x" not in r.text
    assert 'value="2" checked' in r.text  # the other answers are kept
    r = _post(client, AVIS, _evaluation(client, q_again="7"))
    assert r.status_code == 400 and "Valeur non valide pour « évaluation »." in r.text
    r = _post(client, AVIS, _evaluation(client, role="mayor"))
    assert r.status_code == 400 and "Valeur non valide pour « rôle »." in r.text
    r = _post(client, AVIS, _evaluation(client, **{k: "" for k in ANSWERS}))
    assert r.status_code == 400 and "Répondez à au moins une question" in r.text
    r = _post(client, AVIS, _evaluation(client, q_comment="x" * 1001))
    assert r.status_code == 400 and "« commentaire » est trop long" in r.text
    assert _stored(offered) == []
    # stored as typed, pending until a moderator approves it
    assert _post(client, AVIS, _evaluation(client, q_comment=PAYLOAD)).status_code == 303
    [(_, _, comment, status)] = offered.evaluation_comments(FACILITATOR, SLUG)
    assert (comment, status) == (PAYLOAD, "pending")


def test_proposals_and_evaluations_share_the_rate_limit(client: TestClient, offered):
    for _ in range(3):
        assert _post(client, f"/rejoindre/{SLUG}", _proposal(client)).status_code == 303
    r = _post(client, AVIS, _evaluation(client, q_comment="Merci"))
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    assert "Merci</textarea>" in r.text and _stored(offered) == []


def test_a_closed_workshop_takes_no_evaluation(client: TestClient, offered):
    data = _evaluation(client)
    offered.set_workshop_status(FACILITATOR, SLUG, "closed")
    for r in (client.get(AVIS), _post(client, AVIS, data)):
        assert "Cet atelier est clos" in r.text and "<form" not in r.text
    assert _stored(offered) == []

"""AppTest of the workshop, proposal and moderation pages on the real build and a fresh SQLite
database per test (``st_folium`` patched to simulate a tap on the map)."""

from __future__ import annotations

from pathlib import Path
from unittest.mock import patch

import geopandas as gpd
import pytest
from streamlit.testing.v1 import AppTest

from geo.participation.database import open_sqlite
from geo.participation.proposals import Workshop
from geo.participation.store import ProposalStore, RateLimit
from tests.frame import registered_pages

ROOT = Path(__file__).resolve().parents[2]
WORKSHOP = Workshop("atelier-test-2026-11-26", "Atelier <b>test</b>", "2026-11-26")


@pytest.fixture
def db(tmp_path, monkeypatch, real_build):
    path = tmp_path / "proposals.sqlite3"
    monkeypatch.setenv("RESILIENCE_PROPOSALS_SQLITE", str(path))
    monkeypatch.delenv("RESILIENCE_PROPOSALS_DATABASE_URL", raising=False)
    monkeypatch.delenv("RESILIENCE_MODERATION_PASSWORD", raising=False)
    monkeypatch.setenv("RESILIENCE_PROPOSALS_RATE_LIMIT", "100/60")
    return path


@pytest.fixture
def store(db):
    store = open_sqlite(db, RateLimit(100, 60))
    store.create_workshop(WORKSHOP)
    return store


@pytest.fixture(scope="module")
def points(mirror):
    """A point inside the 20e and one outside, from the mirror's own arrondissements file."""
    frame = gpd.read_file(mirror / "arrondissements" / "arrondissements.geojson")
    assert frame.crs is not None and frame.crs.to_epsg() == 4326
    inside = frame[frame["c_ar"] == 20].geometry.iloc[0].representative_point()
    outside = frame[frame["c_ar"] == 4].geometry.iloc[0].representative_point()
    return (inside.y, inside.x), (outside.y, outside.x)


def page(name: str, **params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=90)
    for key, value in params.items():
        at.query_params[key] = value
    return at


def tap(lat: float, lon: float):
    return patch("streamlit_folium.st_folium",
                 return_value={"last_clicked": {"lat": lat, "lng": lon}})


def texts(at: AppTest, kind: str) -> list[str]:
    return [element.value for element in getattr(at, kind)]


def test_propose_without_workshop_says_so(db):
    at = page("propose").run()
    assert not at.exception
    assert any("Aucun atelier" in text for text in texts(at, "info"))


def test_propose_with_a_place_is_stored_once_and_escaped(store):
    at = page("propose", workshop=WORKSHOP.slug).run()
    assert not at.exception
    at.radio(key="propose.where").set_value("place").run()
    place = at.selectbox(key="propose.place").options[0]
    at.selectbox(key="propose.place").select_index(0)
    at.selectbox(key="propose.category.0").set_value("shelter")
    at.text_area(key="propose.text.0").input("<script>alert(1)</script> gymnase ouvert")
    at.text_input(key="propose.first_name.0").input("Awa")
    submit = next(b for b in at.button if b.proto.label == "Envoyer")
    submit.click().run()
    assert not at.exception and not texts(at, "error")
    stored = store.visible(WORKSHOP.slug)
    assert len(stored) == 1
    assert stored[0].text == "<script>alert(1)</script> gymnase ouvert"
    assert stored[0].category == "shelter" and stored[0].first_name == "Awa"
    assert stored[0].place is not None and place != ""
    assert any(f"n° {stored[0].id}" in text for text in texts(at, "success"))
    rendered = " ".join(texts(at, "markdown"))
    assert "<script>" not in rendered and "&lt;script&gt;" in rendered
    # the form starts afresh with a new submission id: sending it empty is refused, not stored
    next(b for b in at.button if b.proto.label == "Envoyer").click().run()
    assert any("au moins 3 caractères" in text for text in texts(at, "error"))
    assert len(store.visible(WORKSHOP.slug)) == 1


def test_propose_pin_outside_the_study_area_is_refused_inside_is_stored(store, points):
    inside, outside = points
    at = page("propose", workshop=WORKSHOP.slug)
    at.session_state["propose.where"] = "pin"  # the map's pin (the list of places comes first)
    with tap(*outside):
        at.run()
        at.text_area(key="propose.text.0").input("Une fontaine ici")
        next(b for b in at.button if b.proto.label == "Envoyer").click().run()
    assert any("hors du 20e" in text for text in texts(at, "error"))
    assert store.visible(WORKSHOP.slug) == []
    assert at.text_area(key="propose.text.0").value == "Une fontaine ici"  # nothing lost
    with tap(*inside):
        at.run()
        next(b for b in at.button if b.proto.label == "Envoyer").click().run()
    assert not texts(at, "error")
    [stored] = store.visible(WORKSHOP.slug)
    assert (stored.lat, stored.lon) == (round(inside[0], 6), round(inside[1], 6))
    # after the send the pin is cleared: the map's last click does not come back by itself
    with tap(*inside):
        at.run()
    assert "propose.pin" not in at.session_state
    assert any("Pas encore de point" in c.value for c in at.caption)


def test_propose_rate_limit_keeps_the_text(store, points, monkeypatch, db):
    monkeypatch.setenv("RESILIENCE_PROPOSALS_RATE_LIMIT", "2/60")
    from geo.ui import workshop as ui

    ui._proposal_store.clear()
    at = page("propose", workshop=WORKSHOP.slug)
    at.session_state["propose.where"] = "pin"
    lat, lon = points[0]
    for n in range(3):
        with tap(lat + n * 1e-5, lon):  # a new tap on the map for each proposal
            at.run()
            form = at.session_state["propose.form"]
            at.text_area(key=f"propose.text.{form}").input(f"Proposition {n}")
            next(b for b in at.button if b.proto.label == "Envoyer").click().run()
    errors = texts(at, "error")
    assert len(errors) == 1 and "2 propositions" in errors[0] and "texte est conservé" in errors[0]
    assert at.text_area(key=f"propose.text.{at.session_state['propose.form']}").value == \
        "Proposition 2"
    assert [p.text for p in store.visible(WORKSHOP.slug)] == ["Proposition 0", "Proposition 1"]
    ui._proposal_store.clear()


def test_moderation_closed_without_password(db):
    at = page("moderation").run()
    assert not at.exception
    assert any("aucun mot de passe" in text for text in texts(at, "warning"))
    assert any("[moderation]" in code.value for code in at.code)
    assert not at.button


def test_moderation_login_approve_hide_merge(store, monkeypatch):
    monkeypatch.setenv("RESILIENCE_MODERATION_PASSWORD", "pw-for-test")
    from geo.participation.proposals import Submission

    ids = [store.submit(Submission(f"s{n}", WORKSHOP.slug, "c", "water", f"Texte {n} <i>x</i>",
                                   2.39, 48.86)).proposal.id for n in range(3)]
    at = page("moderation").run()
    at.text_input(key="moderation.password").input("wrong")
    at.button[0].click().run()
    assert any("incorrect" in text for text in texts(at, "error"))
    at.text_input(key="moderation.password").input("pw-for-test")
    at.button[0].click().run()
    assert not at.exception
    at.button(key=f"moderation.approve.{ids[0]}").click().run()
    at.button(key=f"moderation.hide.{ids[1]}").click().run()
    at.selectbox(key=f"moderation.into.{ids[2]}").set_value(ids[0]).run()
    at.button(key=f"moderation.merge.{ids[2]}").click().run()
    assert not at.exception
    mod = ProposalStore.login("x", "x")
    assert {p.id: p.status for p in store.all_proposals(mod, WORKSHOP.slug)} == \
        {ids[0]: "approved", ids[1]: "hidden", ids[2]: "merged"}
    assert any("1 proposition" in text for text in texts(at, "markdown"))
    rendered = " ".join(texts(at, "markdown"))
    assert "<i>" not in rendered


def test_workshop_creates_steps_and_shows_proposals_escaped(store, monkeypatch):
    monkeypatch.setenv("RESILIENCE_PUBLIC_URL", "http://192.0.2.10:8501/")
    from geo.participation.proposals import Submission

    store.submit(Submission("w1", WORKSHOP.slug, "c", "greenery", "Des arbres <img src=x>",
                            2.39, 48.86, first_name="Léa"))
    at = page("workshop", workshop=WORKSHOP.slug, scenario="crue-1910").run()
    assert not at.exception
    assert at.query_params["step"] == ["1"] or at.query_params["step"] == "1"
    assert any("882 m" in text for text in texts(at, "markdown"))
    at.sidebar.button(key="workshop.next").click().run()
    assert any("8,9 %" in text for text in texts(at, "markdown"))
    rendered = " ".join(texts(at, "markdown"))
    assert "Des arbres &lt;img src=x&gt;" in rendered and "<img" not in rendered
    # the QR code's text alternative and caption give the form's address
    figure = " ".join(h.value for h in at.get("html") if "workshop-qr" in h.value)
    url = "http://192.0.2.10:8501/proposer?workshop=atelier-test-2026-11-26"
    assert f'alt="QR code du formulaire de proposition : {url}"' in figure
    assert f">{url}</span>" in figure


def test_workshop_new_workshop_from_the_panel(db):
    at = page("workshop").run()
    assert not at.exception
    at.sidebar.text_input(key="workshop.new_name").input("Vers un quartier résilient")
    at.sidebar.button(key="workshop.create").click().run()
    assert not at.exception
    slug = at.query_params["workshop"]
    slug = slug[0] if isinstance(slug, list) else slug
    assert slug.startswith("vers-un-quartier-resilient-")
    assert open_sqlite(db).workshop(slug).name == "Vers un quartier résilient"


def test_moderation_password_from_streamlit_secrets(store):
    at = page("moderation")
    at.secrets["moderation"] = {"password": "from-secrets"}
    at.run()
    assert not texts(at, "warning")
    at.text_input(key="moderation.password").input("from-secrets")
    at.button[0].click().run()
    assert not at.exception and not texts(at, "error")
    assert any("proposition(s) validée(s)" in text for text in texts(at, "markdown"))


@pytest.mark.parametrize("name, url_path", [("workshop", "atelier"), ("propose", "proposer"),
                                            ("moderation", "moderer")])
def test_pages_registered_in_the_frame_and_listed_in_the_readme(name, url_path):
    from geo.participation.workshop import PROPOSE_PATH

    pages = registered_pages()
    assert pages[f"pages/{name}.py"] == url_path
    assert f"`pages/{name}.py`" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert PROPOSE_PATH in pages.values()  # the QR code leads to the form


def test_workshop_and_form_in_english(store):
    at = page("workshop", workshop=WORKSHOP.slug, scenario="canicule", step="3", lang="en").run()
    assert not at.exception
    assert any("Tropical night" in str(e.proto) for e in at.get("html"))
    assert any("59 % of the 20e" in text for text in texts(at, "markdown"))
    at = page("propose", workshop=WORKSHOP.slug, lang="en").run()
    assert not at.exception
    assert at.title[0].value == "Your proposal"


def test_room_screen_without_workshop_has_its_heading(db):
    at = page("workshop").run()
    assert not at.exception
    assert texts(at, "title") == ["Atelier"]  # the page's h1, also before any workshop exists
    assert any("Aucun atelier" in text for text in texts(at, "info"))


def test_the_form_opens_on_a_place_from_the_list(store):
    """No pin needed: the form's first way to say where is a place chosen in a list."""
    at = page("propose", workshop=WORKSHOP.slug).run()
    assert at.radio(key="propose.where").value == "place"
    place = at.selectbox(key="propose.place")
    assert place.value is None and place.placeholder.startswith("Tapez un nom")
    assert not at.get("iframe") and not [c for c in at.caption if "Touchez la carte" in c.value]

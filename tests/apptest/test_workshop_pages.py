"""AppTest of the workshop, proposal and moderation pages on the real build and a fresh SQLite
database per test (``st_folium`` patched to simulate a tap on the map); staff sign in with
accounts given as ``RESILIENCE_STAFF`` (Argon2id hashes, a cheap profile for tests)."""

from __future__ import annotations

from pathlib import Path
from unittest.mock import patch

import geopandas as gpd
import pytest
from streamlit.testing.v1 import AppTest

from geo.participation.auth import system_staff
from geo.participation.clientaddr import rate_key
from geo.participation.database import open_sqlite
from geo.participation.proposals import Submission, Workshop
from geo.participation.store import RateLimit
from tests.frame import registered_pages
from tests.staff import PASSWORD, staff_env

ROOT = Path(__file__).resolve().parents[2]
WORKSHOP = Workshop("atelier-test-2026-11-26", "Atelier <b>test</b>", "2026-11-26")
FACILITATOR = system_staff("claire")


@pytest.fixture
def db(tmp_path, monkeypatch, real_build):
    path = tmp_path / "proposals.sqlite3"
    monkeypatch.setenv("RESILIENCE_PROPOSALS_SQLITE", str(path))
    for name in ("RESILIENCE_PROPOSALS_DATABASE_URL", "RESILIENCE_MODERATION_PASSWORD",
                 "RESILIENCE_STAFF", "RESILIENCE_PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RESILIENCE_PROPOSALS_RATE_LIMIT", "100/60")
    return path


@pytest.fixture
def store(db):
    """The workshop, prepared, opened and chosen for the room by a facilitator."""
    store = open_sqlite(db, RateLimit(100, 60))
    store.create_workshop(FACILITATOR, WORKSHOP)
    store.set_workshop_status(FACILITATOR, WORKSHOP.slug, "open")
    store.set_room(FACILITATOR, WORKSHOP.slug, "crue-1910", 1)
    return store


@pytest.fixture
def accounts(monkeypatch):
    """Staff accounts of this test (a fresh configuration, so a fresh sign-in throttle)."""
    monkeypatch.setenv("RESILIENCE_STAFF", staff_env({
        "claire": (("facilitator", "moderator"), PASSWORD), "mo": (("moderator",), PASSWORD)}))


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


def tap(lat: object, lon: object):
    return patch("streamlit_folium.st_folium",
                 return_value={"last_clicked": {"lat": lat, "lng": lon}})


def texts(at: AppTest, kind: str) -> list[str]:
    return [element.value for element in getattr(at, kind)]


def send(at: AppTest) -> AppTest:
    return next(b for b in at.button if b.proto.label == "Envoyer").click().run()


def sign_in(at: AppTest, form: str, name: str = "claire", password: str = PASSWORD,
            where=None) -> AppTest:
    where = where or at
    where.text_input(key=f"{form}.name").input(name)
    where.text_input(key=f"{form}.password").input(password)
    return next(b for b in where.button if b.proto.label == "Se connecter").click().run()


def test_propose_without_workshop_says_so(db):
    at = page("propose").run()
    assert not at.exception
    assert any("Aucun atelier" in text for text in texts(at, "info"))


def test_propose_takes_only_the_rooms_open_workshop_never_the_newest(store):
    """As found: a fresh « Proposer » without ?workshop= took the newest workshop, which anyone
    could create; now it is the one the facilitator chose, and only while it is open."""
    store.create_workshop(FACILITATOR, Workshop("pirate-2030-01-01", "Atelier pirate", "2030-01-01"))
    at = page("propose").run()
    assert not at.exception and "Atelier &lt;b&gt;test&lt;/b&gt;" in " ".join(texts(at, "markdown"))
    at = page("propose", workshop="pirate-2030-01-01").run()
    assert any("pas encore ouvert" in text for text in texts(at, "info")) and not at.text_area
    store.set_workshop_status(FACILITATOR, WORKSHOP.slug, "closed")
    at = page("propose").run()
    assert any("Atelier clos" in text for text in texts(at, "info")) and not at.text_area


def test_propose_shows_the_privacy_notice(store, monkeypatch):
    monkeypatch.setenv("RESILIENCE_FIRST_NAMES_MONTHS", "3")
    monkeypatch.setenv("RESILIENCE_PRIVACY_CONTACT", "dpo@paris.fr")
    at = page("propose").run()
    notice = " ".join(texts(at, "caption")).replace("\\", "")
    for part in ("Ce qui est enregistré", "Pourquoi", "effacé 3 mois après la clôture",
                 "Qui les voit", "adressez-vous à dpo@\u2060paris.fr"):
        assert part in notice


def test_propose_with_a_place_is_stored_once_and_escaped(store):
    at = page("propose", workshop=WORKSHOP.slug).run()
    assert not at.exception
    at.radio(key="propose.where").set_value("place").run()
    place = at.selectbox(key="propose.place").options[0]
    at.selectbox(key="propose.place").select_index(0)
    at.selectbox(key="propose.category.0").set_value("shelter")
    at.text_area(key="propose.text.0").input("<script>alert(1)</script> gymnase ouvert")
    at.text_input(key="propose.first_name.0").input("Awa\u202e")
    send(at)
    assert not at.exception and not texts(at, "error")
    stored = store.visible(WORKSHOP.slug)
    assert len(stored) == 1
    assert stored[0].text == "<script>alert(1)</script> gymnase ouvert"
    assert stored[0].category == "shelter" and stored[0].first_name == "Awa"  # bidi stripped
    assert stored[0].place is not None and place != ""
    assert any(f"n° {stored[0].id}" in text for text in texts(at, "success"))
    rendered = " ".join(texts(at, "markdown"))
    assert "<script>" not in rendered and "&lt;script&gt;" in rendered
    # the triple-click as found: the 2nd and 3rd clicks land on the next, empty form; the
    # acknowledgement stays, nothing more is stored
    send(at)
    send(at)
    assert not texts(at, "error") and any(f"n° {stored[0].id}" in t for t in texts(at, "success"))
    assert len(store.visible(WORKSHOP.slug)) == 1
    # later, an empty form sent on purpose is refused as before
    at.session_state["propose.ack_at"] -= 60
    send(at)
    assert any("au moins 3 caractères" in text for text in texts(at, "error"))
    assert len(store.visible(WORKSHOP.slug)) == 1


def test_propose_pin_outside_the_study_area_is_refused_inside_is_stored(store, points):
    inside, outside = points
    at = page("propose", workshop=WORKSHOP.slug)
    at.session_state["propose.where"] = "pin"  # the map's pin (the list of places comes first)
    with tap(*outside):
        at.run()
        at.text_area(key="propose.text.0").input("Une fontaine ici")
        send(at)
    assert any("hors du 20e" in text for text in texts(at, "error"))
    assert store.visible(WORKSHOP.slug) == []
    assert at.text_area(key="propose.text.0").value == "Une fontaine ici"  # nothing lost
    with tap(*inside):
        at.run()
        send(at)
    assert not texts(at, "error")
    [stored] = store.visible(WORKSHOP.slug)
    assert (stored.lat, stored.lon) == (round(inside[0], 6), round(inside[1], 6))
    # after the send the pin is cleared: the map's last click does not come back by itself
    with tap(*inside):
        at.run()
    assert "propose.pin" not in at.session_state
    assert any("Pas encore de point" in c.value for c in at.caption)


@pytest.mark.parametrize("lat, lon", [("abc", 2.39), (None, 2.39), (True, 2.39),
                                      (float("nan"), 2.39), (1e308, 2.39)])
def test_a_forged_pin_is_ignored_not_a_traceback(store, lat, lon):
    """As found: ``{"lat": "abc"}`` from the map gave a TypeError traceback."""
    at = page("propose", workshop=WORKSHOP.slug)
    at.session_state["propose.where"] = "pin"  # the map's pin (the list of places comes first)
    with tap(lat, lon):
        at.run()
    assert not at.exception
    assert "propose.pin" not in at.session_state
    assert any("Pas encore de point" in c.value for c in at.caption)


def test_rate_limit_survives_a_reload_and_keeps_the_text(store, points, monkeypatch, db):
    monkeypatch.setenv("RESILIENCE_PROPOSALS_RATE_LIMIT", "2/60")
    from geo.ui import workshop as ui

    ui._proposal_store.clear()
    lat, lon = points[0]
    at = page("propose", workshop=WORKSHOP.slug)
    at.session_state["propose.where"] = "pin"  # the form opens on a place from the list
    for n in range(3):
        if n == 2:  # the reload reset as found: a fresh session had a fresh quota
            at = page("propose", workshop=WORKSHOP.slug)
            at.session_state["propose.where"] = "pin"
        with tap(lat + n * 1e-5, lon):  # a new tap on the map for each proposal
            at.run()
            form = at.session_state["propose.form"]
            at.text_area(key=f"propose.text.{form}").input(f"Proposition {n}")
            send(at)
    errors = texts(at, "error")
    assert len(errors) == 1 and "2 propositions" in errors[0] and "texte est conservé" in errors[0]
    assert at.text_area(key=f"propose.text.{at.session_state['propose.form']}").value == \
        "Proposition 2"
    assert [p.text for p in store.visible(WORKSHOP.slug)] == ["Proposition 0", "Proposition 1"]
    ui._proposal_store.clear()


def test_a_late_proposal_is_refused_with_a_clear_message(store, points):
    at = page("propose")
    with tap(*points[0]):
        at.run()
        at.text_area(key="propose.text.0").input("Trop tard ?")
        store.set_workshop_status(FACILITATOR, WORKSHOP.slug, "closed")  # while typing
        send(at)
    assert not at.exception
    assert any("Atelier clos : les propositions ne sont plus reçues" in text
               for text in texts(at, "info"))
    assert store.visible(WORKSHOP.slug) == []


def test_moderation_closed_without_accounts_and_refuses_a_plain_password(db, monkeypatch):
    at = page("moderation").run()
    assert not at.exception
    assert any("Aucun compte d'équipe" in text for text in texts(at, "warning"))
    assert any("[staff.claire]" in block.value for block in at.html)
    assert not at.button
    monkeypatch.setenv("RESILIENCE_MODERATION_PASSWORD", "hunter2")
    at = page("moderation").run()
    assert any("n'est plus accepté" in text for text in texts(at, "warning")) and not at.button


def test_moderation_sign_in_throttled_then_approve_hide_merge_erase(store, accounts):
    from geo.ui import staff as staff_ui

    ids = [store.submit(Submission(f"s{n}", WORKSHOP.slug, "c", "water", f"Texte {n} <i>x</i>",
                                   2.39, 48.86, first_name="Awa" if n < 2 else None),
                        client_key="k").proposal.id for n in range(4)]
    at = page("moderation").run()
    sign_in(at, "moderation.login", password="faux")
    assert any("incorrect" in text for text in texts(at, "error"))
    sign_in(at, "moderation.login")  # at once: this device waits, even with the right password
    assert any("réessayez dans" in text for text in texts(at, "error"))
    staff_ui.authenticator()[0].throttle.success(rate_key(None))  # the delay has passed
    sign_in(at, "moderation.login")
    assert not at.exception and not texts(at, "error")
    at.button(key=f"moderation.approve.{ids[0]}").click().run()
    at.button(key=f"moderation.hide.{ids[1]}").click().run()
    at.selectbox(key=f"moderation.into.{ids[2]}").set_value(ids[0]).run()
    at.button(key=f"moderation.merge.{ids[2]}").click().run()
    assert not at.exception
    assert {p.id: p.status for p in store.all_proposals(FACILITATOR, WORKSHOP.slug)} == \
        {ids[0]: "approved", ids[1]: "hidden", ids[2]: "merged", ids[3]: "pending"}
    assert any("1 proposition" in text for text in texts(at, "markdown"))
    assert "<i>" not in " ".join(texts(at, "markdown"))
    # a participant asks: every proposal with their first name is erased, after confirmation
    at.selectbox(key="erase.name").set_value("Awa").run()
    assert at.multiselect(key="erase.ids.Awa").value == ids[:2]
    at.checkbox(key="erase.confirm.Awa").check().run()
    at.button(key="erase.button").click().run()
    assert not at.exception and any("2 proposition(s) effacée(s)" in t for t in texts(at, "success"))
    left = store.all_proposals(FACILITATOR, WORKSHOP.slug)
    assert {p.id: p.status for p in left} == {ids[2]: "pending", ids[3]: "pending"}


def test_moderation_accounts_from_streamlit_secrets(store):
    from tests.staff import CHEAP

    at = page("moderation")
    at.secrets["staff"] = {"lea": {"roles": ["moderator"], "password_hash": CHEAP.hash("s3")}}
    at.run()
    assert not texts(at, "warning")
    sign_in(at, "moderation.login", "lea", "s3")
    assert not at.exception and not texts(at, "error")
    assert any("proposition(s) validée(s)" in text for text in texts(at, "markdown"))


def test_workshop_without_a_workshop_shows_a_clear_state(db):
    """As found: « Atelier » with no workshop showed an empty main area."""
    at = page("workshop").run()
    assert not at.exception
    assert at.title[0].value == "Atelier"
    assert any("Aucun atelier n'est choisi pour la salle" in text for text in texts(at, "info"))


def test_nobody_but_a_facilitator_opens_workshops_or_steps(store, accounts):
    """As found: « Ouvrir un nouvel atelier » needed no login (51 workshops in 3 s)."""
    at = page("workshop").run()
    assert not at.exception
    keys = {b.key for b in at.sidebar.button}
    assert not keys & {"room.create", "room.open", "room.close", "workshop.next"}
    sign_in(at, "room.login", "mo", where=at.sidebar)  # a moderator is not a facilitator
    assert any("n'a pas le rôle" in text for text in texts(at.sidebar, "warning"))
    assert "workshop.next" not in {b.key for b in at.sidebar.button}


def test_a_facilitator_prepares_opens_steps_and_closes(db, accounts):
    at = page("workshop").run()
    at.session_state["staff.member"] = None
    sign_in(at, "room.login", where=at.sidebar)
    assert not at.exception
    at.sidebar.text_input(key="room.new_name").input("Vers un quartier résilient")
    at.sidebar.button(key="room.create").click().run()
    store = open_sqlite(db)
    [created] = store.workshops()
    assert created.slug.startswith("vers-un-quartier-resilient-") and created.status == "scheduled"
    assert store.room().workshop == created.slug
    assert any("pas encore ouvert" in text for text in texts(at, "info"))  # no QR code yet
    at.sidebar.button(key="room.open").click().run()
    assert store.workshop(created.slug).is_open
    at.sidebar.radio(key="room.scenario").set_value("crue-1910").run()
    assert any("882 m" in text for text in texts(at, "markdown"))
    at.sidebar.button(key="workshop.next").click().run()
    assert store.room().step == 2 and any("8,9\u202f%" in text for text in texts(at, "markdown"))
    at.sidebar.button(key="room.close").click().run()
    assert store.workshop(created.slug).status == "closed"
    assert any("Atelier clos" in text for text in texts(at, "info"))
    assert at.sidebar.button(key="room.delete_button").disabled  # not without confirming
    at.sidebar.checkbox(key="room.delete_confirm").check().run()
    at.sidebar.button(key="room.delete_button").click().run()
    assert not at.exception and store.workshops() == [] and store.room().workshop is None
    assert any("Aucun atelier n'est choisi" in text for text in texts(at, "info"))


def test_workshop_screen_shows_proposals_escaped_live_or_approved(store, monkeypatch):
    monkeypatch.setenv("RESILIENCE_PUBLIC_URL", "http://192.0.2.10:8501/")
    pending = store.submit(Submission("w1", WORKSHOP.slug, "c", "greenery",
                                      "Des arbres <img src=x> http://evil.example", 2.39, 48.86,
                                      first_name="Léa"), client_key="k").proposal
    at = page("workshop").run()
    assert not at.exception
    assert any("882 m" in text for text in texts(at, "markdown"))
    assert "Des arbres" not in " ".join(texts(at, "markdown"))  # approved only by default
    store.set_screen(FACILITATOR, WORKSHOP.slug, "live")
    at = page("workshop").run()
    rendered = " ".join(texts(at, "markdown"))
    assert "Des arbres &lt;img src=x&gt; http\\:\u2060//evil\\.example" in rendered
    # the screen is public: no first name before a moderator approved the proposal (issue 18)
    assert "<img" not in rendered and "Léa" not in rendered
    store.set_status(FACILITATOR, [pending.id], "approved")
    assert "Léa" in " ".join(texts(page("workshop").run(), "markdown"))
    # the QR code's address, written under it: the light join page
    assert any("http://192.0.2.10:8501/rejoindre/atelier-test-2026-11-26" in block.value
               for block in at.main.html)
    store.take_off_screen(FACILITATOR, pending.id)
    at = page("workshop").run()
    assert "Des arbres" not in " ".join(texts(at, "markdown"))


@pytest.mark.parametrize("name, url_path", [("workshop", "atelier"), ("propose", "proposer"),
                                            ("moderation", "moderer")])
def test_pages_registered_in_the_frame_and_listed_in_the_readme(name, url_path):
    from geo.participation.workshop import PROPOSE_PATH

    pages = registered_pages()
    assert pages[f"pages/{name}.py"] == url_path
    assert f"`pages/{name}.py`" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert PROPOSE_PATH in pages.values()  # the full form stays beside the light join page


def test_workshop_and_form_in_english(store):
    store.set_room(FACILITATOR, WORKSHOP.slug, "canicule", 3)
    at = page("workshop", lang="en").run()
    assert not at.exception
    assert any("Tropical night" in str(e.proto) for e in at.get("html"))
    assert any("59 % of the 20e" in text for text in texts(at, "markdown"))
    at = page("propose", workshop=WORKSHOP.slug, lang="en").run()
    assert not at.exception
    assert at.title[0].value == "Your proposal"
    assert "Your data and your rights" in " ".join(texts(at, "caption"))


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

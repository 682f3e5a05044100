"""A whole workshop in a real browser, up to its report (issue 18): the facilitator opens it,
5 phones propose with their roles from the light join page, the facilitator offers the
evaluation and the phones answer it (one phone that comes back is told it already answered), the
moderators approve (through the store: « Modération » has its own tests), the facilitator closes
the workshop, then opens « Compte rendu » and prints it. The printed figures are checked against
the database, read here with this test's own SQL."""

from __future__ import annotations

import io
import re
import sqlite3

import pytest
from pypdf import PdfReader

from geo.participation.auth import system_staff
from geo.participation.database import open_sqlite
from geo.participation.store import RateLimit
from geo.participation.workshop import participants_url
from tests.conftest import ARTIFACTS, AppServer
from tests.staff import PASSWORD, staff_env

pytestmark = pytest.mark.browser
WAIT = 60_000
NAME = "Vers un quartier résilient — Saint-Blaise"
#: (role, category, number of proposals) of each phone; the last one says no role.
PHONES = [("resident", "water", 2), ("association", "greenery", 1), ("tenants", "shelter", 1),
          ("conseil_quartier", "water", 1), (None, "mutual_aid", 1)]
#: Each phone's answers: understanding before, after, game useful, again (1 yes, 2 maybe).
ANSWERS = [(1, 4, 5, 1), (2, 4, 4, 1), (3, 3, 3, 2), (2, 5, 4, 1), (4, 4, 2, 2)]
HOSTILE = "<script>alert(1)</script> voir www.evil.example"


@pytest.fixture(scope="module")
def report_server(real_build, tmp_path_factory):
    from geo.map.assets import ensure_assets

    ensure_assets()
    path = tmp_path_factory.mktemp("report") / "proposals.sqlite3"
    open_sqlite(path, RateLimit(100, 60))
    server = AppServer("report", env={
        "RESILIENCE_PROPOSALS_SQLITE": str(path), "RESILIENCE_PROPOSALS_RATE_LIMIT": "100/60",
        "RESILIENCE_STAFF": staff_env({"claire": (("facilitator", "moderator"), PASSWORD)})})
    yield server, path
    server.stop()


def phone(browser, url: str):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True, locale="fr-FR")
    page = context.new_page()
    page.goto(url)
    page.get_by_role("heading", level=1, name="Votre proposition").wait_for(timeout=WAIT)
    return context, page


def propose(page, n: int, role: str | None, category: str) -> None:
    places = page.locator("#place option:not([value=''])")
    page.locator("#place").select_option(places.nth(7 * n + 3).get_attribute("value"))
    page.get_by_label("Catégorie").select_option(category)
    if role:
        page.locator("#role").select_option(role)
    page.get_by_label("Votre proposition (quoi, pourquoi)").fill(f"Proposition {n} {HOSTILE}")
    page.get_by_role("button", name="Envoyer").click()
    page.get_by_text("enregistrée").first.wait_for(timeout=WAIT)


def evaluate(page, answers: tuple[int, int, int, int], comment: str) -> None:
    page.get_by_role("link", name="Donner votre avis sur l'atelier").click()
    page.get_by_role("heading", level=1, name="Votre avis sur l'atelier").wait_for(timeout=WAIT)
    for question, value in zip(("understanding_before", "understanding_after", "game_useful",
                                "again"), answers, strict=True):
        page.locator(f'input[name="q_{question}"][value="{value}"]').check()
    page.locator('textarea[name="q_comment"]').fill(comment)
    page.get_by_role("button", name="Envoyer mon avis").click()


def sql(path, query: str, *params):
    with sqlite3.connect(path) as conn:
        return conn.execute(query, params).fetchall()


def test_a_whole_workshop_up_to_its_printed_report(report_server, browser):
    server, path = report_server
    store = open_sqlite(path)
    desk = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="fr-FR")
    fac = desk.new_page()
    fac.goto(f"{server.url}/atelier")
    sidebar = fac.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Connexion de l'équipe d'animation").click(timeout=WAIT)
    sidebar.get_by_label("Nom (compte de l'équipe)").fill("claire")
    sidebar.get_by_label("Mot de passe").fill(PASSWORD)
    sidebar.get_by_role("button", name="Se connecter").click()
    sidebar.get_by_label("Nom de l'atelier").fill(NAME)
    sidebar.get_by_role("button", name="Préparer").click()
    fac.get_by_text("Atelier pas encore ouvert").wait_for(timeout=WAIT)
    sidebar.get_by_role("button", name="Ouvrir", exact=True).click()
    fac.locator(".workshop-qr img").first.wait_for(timeout=WAIT)
    [workshop] = store.workshops()
    url = participants_url(server.url, workshop.slug)

    # 5 phones propose, with their roles
    phones = []
    for n, (role, category, count) in enumerate(PHONES):
        context, page = phone(browser, url)
        for k in range(count):
            if k:
                page.goto(url)
            propose(page, 10 * n + k, role, category)
        phones.append((context, page))

    # the facilitator offers the evaluation; every phone answers it, one phone twice
    sidebar.get_by_role("button", name="Proposer l'évaluation à la salle").click()
    fac.get_by_text("L'évaluation de l'atelier est ouverte").first.wait_for(timeout=WAIT)
    for n, (_, page) in enumerate(phones):
        page.goto(url)
        evaluate(page, ANSWERS[n], f"Commentaire {n} {HOSTILE}")
        page.get_by_text("Merci ! Votre avis est enregistré.").wait_for(timeout=WAIT)
    first = phones[0][1]
    first.goto(url)  # the same phone again: the evaluation says it was already answered
    first.get_by_role("link", name="Donner votre avis sur l'atelier").click()
    first.get_by_text("Vous avez déjà donné votre avis").wait_for(timeout=WAIT)
    assert first.locator('textarea[name="q_comment"]').count() == 0
    first.screenshot(path=str(ARTIFACTS / "report-phone-already.png"), full_page=True)

    # moderators approve three proposals and two comments
    moderator = system_staff("moderator-test")
    ids = [row[0] for row in sql(path, "SELECT id FROM proposals ORDER BY id")]
    store.set_status(moderator, ids[:3], "approved")
    comments = store.evaluation_comments(moderator, workshop.slug)
    store.set_comment_status(moderator, [comments[0][0], comments[2][0]], "approved")

    # the facilitator closes the workshop, then opens the report at its address (signs in there)
    sidebar.get_by_role("button", name="Clore", exact=True).click()
    fac.get_by_text("Atelier clos : les propositions ne sont plus reçues").wait_for(timeout=WAIT)
    fac.goto(f"{server.url}/compte-rendu")
    main = fac.locator('[data-testid="stMain"]')
    main.get_by_label("Nom (compte de l'équipe)").fill("claire", timeout=WAIT)
    main.get_by_label("Mot de passe").fill(PASSWORD)
    main.get_by_role("button", name="Se connecter").click()
    fac.locator(".print-doc h1").wait_for(timeout=WAIT)
    # what participants typed is shown as text: no element made of it, no link
    assert fac.locator('a[href*="evil.example"]').count() == 0
    assert fac.locator(".print-doc script").count() == 0
    assert "Commentaire 0 <script>alert(1)</script>" in fac.locator(".print-doc").inner_text()
    pdf = fac.pdf(format="A4", print_background=True)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "workshop-report.pdf").write_bytes(pdf)
    fac.screenshot(path=str(ARTIFACTS / "workshop-report.png"), full_page=True)
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    assert "Compte rendu de l'atelier « Vers un quartier résilient — Saint-" in text
    assert "Se déconnecter" not in text  # the print shows the report alone

    # the figures against the database, read with this test's own SQL
    [(received, senders)] = sql(path, "SELECT COUNT(*), COUNT(DISTINCT client_token) FROM proposals "
                                      "WHERE workshop = ?", workshop.slug)
    [(approved,)] = sql(path, "SELECT COUNT(*) FROM proposals WHERE status = 'approved'")
    [(evaluations,)] = sql(path, "SELECT COUNT(*) FROM evaluations WHERE workshop = ?", workshop.slug)
    assert (received, senders, approved, evaluations) == (6, 5, 3, 5)
    for value, label in ((senders, "participants ayant proposé"), (received, "propositions reçues"),
                         (approved, "propositions retenues"), (evaluations, "avis sur l'atelier")):
        assert re.search(rf"\b{value} {label}", text), label
    html = fac.locator(".print-doc").evaluate("e => e.outerHTML")
    for role, count in sql(path, "SELECT role, COUNT(*) FROM proposals WHERE role IS NOT NULL "
                                 "GROUP BY role"):
        label = {"resident": "Habitant·e", "association": "Association",
                 "tenants": "Amicale de locataires", "conseil_quartier": "Conseil de quartier"}[role]
        assert re.search(rf'<td>{label}</td><td class="num">1</td><td class="num">{count}</td>', html)
    for question, value, count in sql(
            path, "SELECT question, value, COUNT(*) FROM evaluation_answers a JOIN evaluations e "
                  "ON e.id = a.evaluation WHERE e.workshop = ? AND question = 'understanding_after' "
                  "GROUP BY question, value", workshop.slug):
        assert (question, value, count) in {("understanding_after", 3, 1), ("understanding_after", 4, 3),
                                            ("understanding_after", 5, 1)}
    [(before,)] = sql(path, "SELECT AVG(value) FROM evaluation_answers WHERE question = "
                            "'understanding_before'")
    assert f"moyenne {before:.1f}".replace(".", ",") + " avant" in text
    # only approved comments, escaped; the others are counted, never shown
    assert "Commentaire 0" in text and "Commentaire 2" in text and "Commentaire 1" not in text
    assert "3 commentaire(s) attendent la modération" in text
    for context, _ in phones:
        context.close()
    desk.close()

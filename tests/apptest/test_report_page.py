# ruff: noqa: F811  (fixtures are imported from test_workshop_pages)
"""AppTest of « Compte rendu » and the comparison between workshops on the real build and a fresh
SQLite database: the report is for the team only, offers closed workshops only, shows figures
read from the database (counted here with the test's own SQL), never a first name, a pending
comment or a role next to a proposal, and escapes what participants typed."""

from __future__ import annotations

import csv
import io
import sqlite3

import pytest

from geo.participation.evaluation import EvaluationSubmission, questions, validate_evaluation
from geo.participation.proposals import Submission, Workshop
from geo.reports import workshop_export
from tests.apptest.test_workshop_pages import (  # noqa: F401  (fixtures)
    FACILITATOR,
    WORKSHOP,
    accounts,
    db,
    page,
    sign_in,
    store,
    texts,
)
from tests.md_tables import tables as md_tables
from tests.staff import staff

HOSTILE = "<img src=x onerror=alert(1)> www.example.com **gras**"


@pytest.fixture
def played(store, db):
    """A workshop played and closed: 4 proposals of 3 senders (2 approved), 3 evaluations, two
    comments (one approved), two steps."""
    moderator = staff("mo", "moderator")
    store.set_room(FACILITATOR, WORKSHOP.slug, "crue-1910", 2)
    sent = []
    for n, (client, role, category) in enumerate([("c1", "resident", "water"),
                                                  ("c1", "resident", "greenery"),
                                                  ("c2", "association", "water"),
                                                  ("c3", None, "other")]):
        sent.append(store.submit(Submission(f"s{n}", WORKSHOP.slug, client, category,
                                            f"{HOSTILE} {n}", 2.4, 48.86, first_name="Awa",
                                            role=role, hazard="flood"), client_key=f"k{client}"))
    store.set_status(moderator, [sent[0].proposal.id, sent[2].proposal.id], "approved")
    store.set_evaluation(FACILITATOR, WORKSHOP.slug, True)
    for n, answers in enumerate([{"understanding_before": "2", "understanding_after": "4",
                                  "comment": "Approuvé " + HOSTILE},
                                 {"understanding_before": "3", "understanding_after": "3",
                                  "comment": "Pas encore lu"},
                                 {"again": "1"}]):
        store.evaluate(validate_evaluation(EvaluationSubmission(f"e{n}", WORKSHOP.slug, f"d{n}",
                                                                answers), questions()),
                       client_key=f"ek{n}")
    first = store.evaluation_comments(moderator, WORKSHOP.slug)[0][0]
    store.set_comment_status(moderator, [first], "approved")
    store.set_workshop_status(FACILITATOR, WORKSHOP.slug, "closed")
    return store


def report_html(at) -> str:
    [doc] = [h.proto.body for h in at.get("html") if '<article class="print-doc"' in h.proto.body]
    return doc


def test_the_report_is_for_the_team_only(played, accounts):
    at = page("report").run()
    assert not at.exception and not any('<article class="print-doc"' in h.proto.body for h in at.get("html"))
    assert any("réservé à l'équipe" in c for c in texts(at, "caption"))


def test_the_report_shows_what_the_database_holds(played, accounts, db):
    at = sign_in(page("report").run(), "report.login_form", name="mo")
    assert not at.exception and not at.error
    html = report_html(at)
    with sqlite3.connect(db) as conn:
        received, senders = conn.execute("SELECT COUNT(*), COUNT(DISTINCT client_token) FROM "
                                         "proposals WHERE workshop = ?", (WORKSHOP.slug,)).fetchone()
        approved = conn.execute("SELECT COUNT(*) FROM proposals WHERE workshop = ? AND "
                                "status = 'approved'", (WORKSHOP.slug,)).fetchone()[0]
        evaluations = conn.execute("SELECT COUNT(*) FROM evaluations").fetchone()[0]
        residents = conn.execute("SELECT COUNT(*) FROM proposals WHERE role = 'resident'").fetchone()[0]
    figures = [f'<span class="value">{n}</span>' for n in (senders, received, approved, evaluations)]
    assert all(f in html for f in figures) and (senders, received, approved) == (3, 4, 2)
    assert f'<td>Habitant·e</td><td class="num">1</td><td class="num">{residents}</td>' in html
    assert "Awa" not in html and "Pas encore lu" not in html  # no first name, no pending comment
    assert "Approuvé &lt;img src=x onerror=alert(1)&gt;" in html and "<img src=x" not in html
    assert "Étapes du scénario jouées" in html and "Crue" in html
    assert "1 commentaire(s) attendent la modération" in html
    # the downloads: the same figures, their provenance, no first name
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels[-2:] == ["Chiffres (CSV)", "Propositions et chiffres (GeoPackage, Lambert-93)"]
    from geo.ui import report as report_ui  # the page's own inputs, outside Streamlit's run

    rep = report_ui.report(FACILITATOR, WORKSHOP.slug)
    assert (rep.received, rep.participants, len(rep.approved)) == (received, senders, approved)


def test_only_closed_workshops_have_a_report(store, accounts):
    at = sign_in(page("report").run(), "report.login_form", name="mo")
    assert any("Aucun atelier fermé" in i for i in texts(at, "info"))
    other = Workshop("ferme-2026-01-10", "Fermé", "2026-01-10")
    store.create_workshop(FACILITATOR, other)
    store.set_workshop_status(FACILITATOR, other.slug, "open")
    store.set_workshop_status(FACILITATOR, other.slug, "closed")
    at = sign_in(page("report", atelier=WORKSHOP.slug).run(), "report.login_form", name="mo")
    assert any("Pas d'atelier fermé" in e for e in texts(at, "error"))  # open: no report, said so
    assert at.selectbox(key="report.workshop").options == ["Fermé (2026-01-10)"]


def test_downloads_carry_provenance_and_no_personal_data(played, real_build):
    from geo.participation.evaluation import questions as asked
    from geo.participation.report import workshop_report
    from geo.participation.scenarios import catalogue_actions
    from geo.reports.workshop_doc import ReportInputs
    from geo.sources.store import load_layer, load_manifest

    rep = workshop_report(played.report_rows(FACILITATOR, WORKSHOP.slug), asked())
    inputs = ReportInputs(load_manifest(), load_layer, catalogue_actions(), {}, {}, "2026-12-02")
    layers = workshop_export.read_back(workshop_export.to_geopackage(rep, inputs, "fr"))
    assert set(layers) == {"proposals", "figures", "provenance"}
    points = layers["proposals"]
    assert points.crs.to_epsg() == 2154 and len(points) == 2
    assert not {"first_name", "role"} & set(points.columns)
    provenance = layers["provenance"]
    assert provenance["sha256"].str.len().min() >= 64 and "ODbL" in set(provenance["licence"])
    text = workshop_export.to_csv(rep, inputs, "fr").decode("utf-8")
    assert "Awa" not in text and "Pas encore lu" not in text and ",provenance,sha256," in text
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert ["Atelier <b>test</b>", WORKSHOP.date, "workshop", "received",
            "propositions reçues", "4"] in rows


def test_the_facilitator_compares_workshops(played, accounts):
    at = page("workshop").run()
    assert not any(e.label == "Comparer les ateliers" for e in at.expander)
    at = sign_in(at, "room.login", where=at.sidebar)
    assert not at.exception
    [expander] = [e for e in at.expander if e.label == "Comparer les ateliers"]
    [frame] = md_tables(expander)
    row = frame.iloc[0]
    assert row["Participants"] == 3 and row["Propositions"] == 4 and row["Validées"] == 2
    assert row["Avis"] == 3 and row["Compréhension avant"] == 2.5

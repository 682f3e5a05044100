"""The report's aggregation (geo.participation.report) on synthetic workshops whose counts are
known by construction, and the evaluation's questions and checks."""

from __future__ import annotations

import pytest

from geo.core.errors import ProposalError, ResilienceError
from geo.participation.evaluation import (
    EvaluationSubmission,
    parse_questions,
    questions,
    validate_evaluation,
)
from geo.participation.evaluation_store import ReportRows, StoredEvaluation
from geo.participation.proposals import ROLES, Proposal, Workshop
from geo.participation.report import compare, workshop_report

QUESTIONS = questions()


def proposal(n: int, role=None, status="approved", category="water", hazard="heat",
             action=None) -> Proposal:
    return Proposal(n, f"s{n}", "w", "2026-11-26T18:00:00.000000Z", 2.39, 48.86, None, category,
                    f"texte {n}", action, hazard, None, status, n - 1 if status == "merged" else None,
                    role)


def evaluation(n: int, role=None, comment=None, status="none", **values) -> StoredEvaluation:
    return StoredEvaluation(n, "w", "2026-11-26T20:00:00.000000Z", role, values, comment,
                            status if comment is None else (status if status != "none" else "pending"))


def rows(proposals, evaluations=(), participants=None, total=0, merged=None, steps=(),
         date="2026-11-26") -> ReportRows:
    workshop = Workshop(f"w-{date}", "Atelier", date, "closed")
    return ReportRows(workshop, list(proposals), merged or {}, participants or {}, total,
                      list(evaluations), list(steps))


def test_a_workshop_of_known_counts():
    # 10 proposals: 6 approved (4 heat, 2 flood), 2 hidden, 1 merged into #1, 1 pending
    proposals = [proposal(1, "resident", action="plan-canicule"),
                 proposal(2, "resident", action="plan-canicule"),
                 proposal(3, "association", category="greenery", action="registre-reflex"),
                 proposal(4, "tenants", category="greenery"),
                 proposal(5, None, hazard="flood", category="shelter"),
                 proposal(6, "shopkeeper", hazard="flood", category="shelter"),
                 proposal(7, "resident", status="hidden"), proposal(8, None, status="hidden"),
                 proposal(9, "resident", status="merged"), proposal(10, "gup", status="pending")]
    evaluations = [
        evaluation(1, "resident", understanding_before=1, understanding_after=4, game_useful=5, again=1),
        evaluation(2, None, understanding_before=3, understanding_after=3, game_useful=4, again=2),
        evaluation(3, None, understanding_before=4, understanding_after=2, again=1),
        evaluation(4, "association", game_useful=2, comment="Bien", status="approved"),
        evaluation(5, None, comment="<a href=x>pub</a>", status="hidden"),
        evaluation(6, None, comment="À relire"),
    ]
    report = workshop_report(rows(proposals, evaluations,
                                  participants={"resident": 2, "association": 1, "tenants": 1,
                                                "shopkeeper": 1, "gup": 1, None: 2},
                                  total=7, merged={1: 1}, steps=[("canicule", 1, "t1")]),
                             QUESTIONS)
    assert report.received == 10 and report.participants == 7 and report.pending == 1
    assert report.by_status == {"approved": 6, "hidden": 2, "merged": 1, "pending": 1}
    # roles in the list's order, "not said" last; proposals of every status count as participation
    assert [(r.role, r.participants, r.proposals, r.evaluations) for r in report.roles] == [
        ("resident", 2, 4, 1), ("association", 1, 1, 1), ("tenants", 1, 1, 0),
        ("gup", 1, 1, 0), ("shopkeeper", 1, 1, 0), (None, 2, 2, 4)]
    assert [r.role for r in report.roles] == [r for r in (*ROLES, None) if r in
                                              {"resident", "association", "tenants", "gup",
                                               "shopkeeper", None}]
    # what was proposed: the 6 approved ones (the merged duplicate counted in #1)
    assert [p.id for p in report.approved] == [1, 2, 3, 4, 5, 6] and report.merged == 1
    assert report.by_hazard == [("heat", 4), ("flood", 2)]
    assert report.by_category == [("greenery", 2), ("water", 2), ("shelter", 2)]
    assert report.by_action == [("plan-canicule", 2), ("registre-reflex", 1), (None, 3)]
    results = {r.question.id: r for r in report.results}
    assert set(results) == {"understanding_before", "understanding_after", "game_useful", "again"}
    assert results["understanding_before"].counts == {1: 1, 2: 0, 3: 1, 4: 1, 5: 0}
    assert results["understanding_before"].mean == pytest.approx((1 + 3 + 4) / 3)
    assert results["game_useful"].counts == {1: 0, 2: 1, 3: 0, 4: 1, 5: 1}
    assert results["again"].counts == {1: 2, 2: 1, 3: 0} and results["again"].mean is None
    assert results["again"].share(1) == pytest.approx(2 / 3)
    understanding = report.understanding
    assert (understanding.paired, understanding.improved, understanding.same,
            understanding.worse) == (3, 1, 1, 1)
    assert understanding.before_mean == pytest.approx(8 / 3)
    assert understanding.after_mean == pytest.approx(3.0)
    # only the approved comment; the one nobody read yet is counted, never shown
    assert report.comments == ["Bien"] and report.comments_pending == 1
    assert report.evaluations == 6 and report.steps == [("canicule", 1, "t1")]


def test_an_empty_workshop_reports_zeros_not_errors():
    report = workshop_report(rows([]), QUESTIONS)
    assert (report.received, report.participants, report.roles, report.approved) == (0, 0, [], [])
    assert report.by_hazard == report.by_category == report.by_action == []
    assert all(r.answered == 0 and r.mean is None for r in report.results)
    assert report.understanding.paired == 0 and report.understanding.before_mean is None


def test_workshops_compared_oldest_first():
    first = workshop_report(rows([proposal(1, "resident"), proposal(2, "other", status="hidden")],
                                 [evaluation(1, understanding_before=2, understanding_after=4, again=1),
                                  evaluation(2, again=3)], {"resident": 1, "other": 1}, 2,
                                 date="2026-03-20"), QUESTIONS)
    second = workshop_report(rows([proposal(1)], [], {None: 1}, 1, date="2026-11-26"), QUESTIONS)
    first_row, second_row = compare([second, first])
    assert first_row.workshop.date == "2026-03-20" and second_row.workshop.date == "2026-11-26"
    assert (first_row.participants, first_row.received, first_row.approved, first_row.roles_named,
            first_row.evaluations) == (2, 2, 1, 2, 2)
    assert first_row.first_option_share["again"] == pytest.approx(0.5)
    assert first_row.means["understanding_after"] == pytest.approx(4.0)
    assert second_row.roles_named == 0 and second_row.means["game_useful"] is None


def test_the_questions_file_is_checked():
    assert 4 <= len(QUESTIONS) <= 6 and {q.kind for q in QUESTIONS} == {"scale", "choice", "comment"}
    assert all(q.text["fr"] and q.text["en"] for q in QUESTIONS)
    good = ('[[questions]]\nid = "a"\nkind = "scale"\nmax = 5\ntext = {fr = "A", en = "A"}\n'
            'low = {fr = "1", en = "1"}\nhigh = {fr = "5", en = "5"}\n')
    with pytest.raises(ResilienceError, match="4 to 6"):
        parse_questions(good)
    with pytest.raises(ResilienceError, match="repeated"):
        parse_questions(good * 4)
    with pytest.raises(ResilienceError, match="fr"):
        parse_questions(good.replace('en = "A"', 'de = "A"'))


def submission(**answers) -> EvaluationSubmission:
    return EvaluationSubmission("sub1", "w", "dev1", answers)


def test_an_evaluation_is_checked_like_a_proposal():
    valid = validate_evaluation(submission(understanding_before="2", again="", comment=" Merci\u202e "),
                                QUESTIONS)
    assert valid.values == {"understanding_before": 2} and valid.comment == "Merci"
    for forged in ({"understanding_before": "6"}, {"again": "0"}, {"again": "1; DROP"},
                   {"unknown": "1"}):
        with pytest.raises(ProposalError) as refused:
            validate_evaluation(submission(**forged), QUESTIONS)
        assert (refused.value.code, refused.value.field) == ("invalid", "evaluation")
    with pytest.raises(ProposalError) as empty:
        validate_evaluation(submission(again="", comment="  "), QUESTIONS)
    assert empty.value.code == "empty_evaluation"
    with pytest.raises(ProposalError) as long:
        validate_evaluation(submission(comment="x" * 1001), QUESTIONS)
    assert long.value.code == "too_long"
    with pytest.raises(ProposalError):
        validate_evaluation(EvaluationSubmission("sub1", "w", "dev1", {"again": "1"}, "mayor"),
                            QUESTIONS)

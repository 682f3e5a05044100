# ruff: noqa: F811  (the backend fixture is imported from test_proposal_store)
"""Issue 18 in the database, on SQLite and PostgreSQL: the migration 0003 keeps existing
proposals valid (role unknown), roles are stored, the evaluation is taken once per device while
it is offered, under the proposals' rate limit, comments wait for a moderator, the room's steps
are recorded, and the report's rows match what was stored."""

from __future__ import annotations

import pytest

from geo.core.errors import ProposalError, ProposalStoreError, RateLimitError
from geo.participation.auth import system_staff
from geo.participation.evaluation import EvaluationSubmission, questions, validate_evaluation
from geo.participation.evaluation_store import device_key
from geo.participation.proposals import Workshop
from geo.participation.report import workshop_report
from geo.participation.schema import migrations
from geo.participation.store import RateLimit
from tests.integration.test_proposal_store import (  # noqa: F401  (backend is a fixture)
    WORKSHOP,
    backend,
    opened,
    send,
)
from tests.pgcluster import pg_cluster  # noqa: F401  (fixture)
from tests.staff import staff

FACILITATOR = system_staff("claire")


def answer(store, device: str, key: str | None = None, n: int | None = None, role=None, **answers):
    sub = EvaluationSubmission(f"eval-{device}-{n or 0}", WORKSHOP.slug, device,
                               {k: str(v) for k, v in answers.items()}, role)
    return store.evaluate(validate_evaluation(sub, questions()), client_key=key or f"key-{device}")


def test_migration_0003_keeps_existing_proposals_valid_with_no_role(backend, monkeypatch):
    upto_2 = [m for m in migrations() if m.version <= 2]
    monkeypatch.setattr("geo.participation.schema.migrations", lambda: upto_2)
    old = backend()
    assert old.schema_version() == 2
    with old._transaction(write=True) as run:  # what the code of that version wrote
        run("INSERT INTO workshops (slug, name, date, created_at, status) VALUES (?, ?, ?, ?, "
            "'open')", (WORKSHOP.slug, WORKSHOP.name, WORKSHOP.date, "2026-11-26T18:00:00.000000Z"))
        run("INSERT INTO proposals (submission_id, workshop, created_at, lon, lat, category, "
            "text, first_name, client_token, status) VALUES ('s1', ?, ?, 2.39, 48.86, 'water', "
            "'Une fontaine', 'Awa', 'tok', 'approved')",
            (WORKSHOP.slug, "2026-11-26T18:01:00.000000Z"))
    monkeypatch.undo()
    store = backend()  # today's code applies 0003, once
    assert store.schema_version() == 3 and store.migrate() == []
    [kept] = store.visible(WORKSHOP.slug)
    assert (kept.text, kept.first_name, kept.status, kept.role) == ("Une fontaine", "Awa",
                                                                      "approved", None)
    assert store.workshop(WORKSHOP.slug).evaluation == "off"
    assert send(store, 2, role="tenants").proposal.role == "tenants"
    rows = store.report_rows(FACILITATOR, WORKSHOP.slug)  # the old proposal counts as "not said"
    assert rows.participants == {None: 1, "tenants": 1} and rows.steps == []
    with pytest.raises(ProposalStoreError):  # the switch's values are checked by the database
        with store._transaction(write=True) as run:
            run("UPDATE workshops SET evaluation = 'maybe'")


def test_the_evaluation_is_taken_once_per_device_while_it_is_offered(backend):
    store = backend()
    opened(store)
    with pytest.raises(ProposalError) as refused:
        answer(store, "dev-a", understanding_before=2)
    assert refused.value.code == "evaluation_not_open"
    assert store.set_evaluation(FACILITATOR, WORKSHOP.slug, True).takes_evaluations
    first = answer(store, "dev-a", understanding_before=2, understanding_after=4, again=1,
                   comment="<b>Très bien</b>")
    assert not first.duplicate and store.has_evaluated(WORKSHOP.slug, "dev-a")
    again = answer(store, "dev-a", n=2, understanding_before=5)  # a second form, same device
    assert again == type(first)(first.id, duplicate=True)
    retry = answer(store, "dev-a", understanding_before=2)  # the same form sent twice
    assert retry.duplicate and retry.id == first.id
    answer(store, "dev-b", game_useful=3, role="shopkeeper")
    with store._transaction(write=False) as run:
        devices = [r[0] for r in run("SELECT device FROM evaluations ORDER BY id").fetchall()]
        answers = run("SELECT question, value FROM evaluation_answers WHERE evaluation = ? "
                      "ORDER BY question", (first.id,)).fetchall()
    assert devices == [device_key("dev-a"), device_key("dev-b")] and "dev-a" not in devices
    assert [tuple(a) for a in answers] == [("again", 1), ("understanding_after", 4),
                                           ("understanding_before", 2)]
    store.set_workshop_status(FACILITATOR, WORKSHOP.slug, "closed")
    with pytest.raises(ProposalError) as closed:
        answer(store, "dev-c", game_useful=3)
    assert closed.value.code == "workshop_closed"


def test_evaluations_and_proposals_share_one_rate_limit(backend):
    store = backend(RateLimit(3, 60))
    opened(store)
    store.set_evaluation(FACILITATOR, WORKSHOP.slug, True)
    send(store, 1, client="phone", key="same-address")
    send(store, 2, client="phone", key="same-address")
    answer(store, "dev-1", key="same-address", game_useful=4)
    with pytest.raises(RateLimitError):
        answer(store, "dev-2", key="same-address", game_useful=4)
    with pytest.raises(RateLimitError):
        send(store, 3, client="phone", key="same-address")
    with store._transaction(write=False) as run:
        assert run("SELECT COUNT(*) FROM evaluations").fetchone()[0] == 1


def test_comments_wait_for_a_moderator_and_the_report_reads_what_was_stored(backend):
    store = backend()
    opened(store)
    store.set_room(FACILITATOR, WORKSHOP.slug, "canicule", 1)
    store.set_room(FACILITATOR, WORKSHOP.slug, "canicule", 2)
    store.set_room(FACILITATOR, WORKSHOP.slug, "canicule", 1)  # back: recorded once
    moderator = staff("mo", "moderator")
    a = send(store, 1, client="p1", role="resident", category="water", hazard="heat").proposal
    send(store, 2, client="p1", role="resident", category="greenery", hazard="heat")
    c = send(store, 3, client="p2", role="association", category="water", hazard="flood").proposal
    send(store, 4, client="p3", category="other", hazard=None)
    store.set_status(moderator, [a.id, c.id], "approved")
    store.set_evaluation(FACILITATOR, WORKSHOP.slug, True)
    answer(store, "d1", understanding_before=2, understanding_after=4, again=1, comment="Super")
    answer(store, "d2", understanding_before=3, understanding_after=3, again=2,
           comment="<script>x</script>", role="resident")
    answer(store, "d3", game_useful=5)
    comments = store.evaluation_comments(moderator, WORKSHOP.slug)
    assert [(c[2], c[3]) for c in comments] == [("Super", "pending"),
                                                ("<script>x</script>", "pending")]
    store.set_comment_status(moderator, [comments[0][0]], "approved")
    store.set_comment_status(moderator, [comments[1][0]], "hidden")
    store.set_workshop_status(FACILITATOR, WORKSHOP.slug, "closed")

    report = workshop_report(store.report_rows(FACILITATOR, WORKSHOP.slug), questions())
    assert report.received == 4 and report.participants == 3
    assert [(r.role, r.participants, r.proposals, r.evaluations) for r in report.roles] == [
        ("resident", 1, 2, 1), ("association", 1, 1, 0), (None, 1, 1, 2)]
    assert [p.id for p in report.approved] == [a.id, c.id]
    assert report.by_category == [("water", 2)] and report.by_hazard == [("heat", 1), ("flood", 1)]
    assert report.evaluations == 3 and report.comments == ["Super"] and report.comments_pending == 0
    assert (report.understanding.paired, report.understanding.improved,
            report.understanding.same) == (2, 1, 1)
    assert [(s[0], s[1]) for s in report.steps] == [("canicule", 1), ("canicule", 2)]
    # deleting the workshop deletes its evaluations, their answers and its steps
    store.delete_workshop(FACILITATOR, WORKSHOP.slug)
    with store._transaction(write=False) as run:
        for table in ("evaluations", "evaluation_answers", "room_steps"):
            assert run(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0


def test_other_workshops_are_not_counted(backend):
    store = backend()
    opened(store)
    other = opened(store, Workshop("autre-2026-12-01", "Autre", "2026-12-01"))
    send(store, 1, client="p1", role="resident")
    send(store, 2, client="p2", role="resident", workshop=other.slug)
    rows = store.report_rows(FACILITATOR, WORKSHOP.slug)
    assert rows.participants == {"resident": 1} and rows.participants_total == 1

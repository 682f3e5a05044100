"""AppTest of issue 18 on the participants' and staff pages, on the real build and a fresh SQLite
database per test: the optional role on « Proposer » (counted on the room's screen and in
« Modération », never shown next to a proposal), the evaluation offered by the facilitator and
answered once per device on « Proposer », and the moderation of its free comments."""

# ruff: noqa: F811  (the fixtures of test_workshop_pages, imported, are this module's arguments)
from __future__ import annotations

from geo.participation.export import to_csv, to_geojson
from geo.participation.proposals import Submission
from tests.apptest.test_workshop_pages import (  # noqa: F401  (fixtures)
    FACILITATOR,
    WORKSHOP,
    accounts,
    db,
    page,
    send,
    sign_in,
    store,
    texts,
)


def _propose(at, text: str, role: str | None):
    form = at.session_state["propose.form"]
    at.selectbox(key="propose.place").select_index(0)
    at.text_area(key=f"propose.text.{form}").input(text)
    if role is not None:
        at.selectbox(key=f"propose.role.{form}").set_value(role)
    return send(at)


def test_propose_stores_the_role_and_keeps_it_for_the_next_proposal(store):
    at = page("propose", workshop=WORKSHOP.slug).run()
    role = at.selectbox(key="propose.role.0")
    assert role.value == "" and role.label.startswith("Vous êtes…")
    assert "Amicale de locataires" in role.options and "— ne pas préciser —" in role.options
    _propose(at, "Un arbre devant l'école", "tenants")
    assert not at.exception and not texts(at, "error")
    assert at.selectbox(key="propose.role.1").value == "tenants"  # same phone, same person
    _propose(at, "Une fontaine", "")
    assert [p.role for p in store.visible(WORKSHOP.slug)] == ["tenants", None]
    # the participant's own list never shows a role either
    assert "Amicale" not in " ".join(texts(at, "markdown"))


def _with_roles(store) -> list[int]:
    roles = ["resident", "resident", "association", None]
    return [store.submit(Submission(f"r{n}", WORKSHOP.slug, f"c{n}", "water", f"Texte {n}",
                                    2.39, 48.86, first_name="Awa", role=role),
                         client_key="k").proposal.id for n, role in enumerate(roles)]


def test_the_room_screen_counts_roles_never_next_to_a_name(store, monkeypatch):
    monkeypatch.setenv("RESILIENCE_PUBLIC_URL", "http://192.0.2.10:8501/")
    _with_roles(store)
    store.set_screen(FACILITATOR, WORKSHOP.slug, "live")
    at = page("workshop").run()
    assert not at.exception
    lines = texts(at, "markdown")
    assert "**Propositions par rôle** : Habitant·e 2 · Association 1 · Non précisé 1" in lines
    for line in lines:
        if "Awa" in line:  # a proposal's line: its first name, never a role
            assert "Habitant" not in line and "Association" not in line


def test_moderation_counts_roles_in_a_table_and_lists_proposals_without_them(store, accounts):
    ids = _with_roles(store)
    store.set_status(FACILITATOR, [ids[0]], "approved")
    at = page("moderation").run()
    sign_in(at, "moderation.login")
    assert not at.exception and not texts(at, "error")
    [table] = at.table
    frame = table.value
    assert list(frame.index) == ["Habitant·e", "Association", "Non précisé"]
    assert list(frame["Propositions"]) == [2, 1, 1] and list(frame["Validées"]) == [1, 0, 0]
    captions = " ".join(texts(at, "caption"))
    assert "Awa" in captions and "Habitant" not in captions and "Association" not in captions
    # the exports keep their columns: no role beside a first name
    approved = store.approved(FACILITATOR, WORKSHOP.slug)
    assert "role" not in to_csv(WORKSHOP, approved).splitlines()[0]
    assert "role" not in to_geojson(WORKSHOP, approved) and "resident" not in to_geojson(WORKSHOP, approved)


# --- the evaluation -------------------------------------------------------------------------

def _answer(at, **values):
    for qid, value in values.items():
        if qid == "comment":
            at.text_area(key="evaluation.comment").input(value)
        else:
            at.radio(key=f"evaluation.{qid}").set_value(value)
    return next(b for b in at.button if b.proto.label == "Envoyer mon avis").click().run()


def test_propose_offers_the_evaluation_only_when_the_facilitator_does(store):
    at = page("propose", workshop=WORKSHOP.slug).run()
    assert not [r for r in at.radio if r.key.startswith("evaluation.")]
    assert "Votre avis sur l'atelier" not in [h.value for h in at.header]
    store.set_evaluation(FACILITATOR, WORKSHOP.slug, True)
    at = page("propose", workshop=WORKSHOP.slug).run()
    assert any("donnez votre avis en bas de cette page" in text for text in texts(at, "info"))
    scale = at.radio(key="evaluation.understanding_before")
    assert scale.value is None and scale.options[0] == "1 — très flou" \
        and scale.options[-1] == "5 — très clair"
    assert at.radio(key="evaluation.again").options == ["Oui", "Peut-être", "Non"]
    # nothing answered: refused, said clearly, nothing stored
    _answer(at)
    assert any("Répondez à au moins une question" in text for text in texts(at, "error"))
    _answer(at, understanding_before=2, understanding_after=4, again=1,
            comment="Super <b>atelier</b>")
    assert not at.exception and any("Merci ! Votre avis est enregistré." in text
                                    for text in texts(at, "success"))
    assert not [r for r in at.radio if r.key.startswith("evaluation.")]  # answered: no form
    [stored] = store.report_rows(FACILITATOR, WORKSHOP.slug).evaluations
    assert stored.values == {"understanding_before": 2, "understanding_after": 4, "again": 1}
    assert (stored.comment, stored.comment_status) == ("Super <b>atelier</b>", "pending")
    # the same device later (its cookie, here the session's id): thanked, no second answer
    device = at.session_state["evaluation.device"]
    again = page("propose", workshop=WORKSHOP.slug)
    again.session_state["evaluation.device"] = device
    again.run()
    assert any("déjà donné votre avis" in text for text in texts(again, "success"))
    assert not [r for r in again.radio if r.key.startswith("evaluation.")]
    # another phone answers, with the role it gave for its proposals
    other = page("propose", workshop=WORKSHOP.slug)
    other.session_state["propose.role"] = "shopkeeper"
    other.run()
    assert other.selectbox(key="evaluation.role").value == "shopkeeper"
    _answer(other, game_useful=5)
    roles = [e.role for e in store.report_rows(FACILITATOR, WORKSHOP.slug).evaluations]
    assert roles == [None, "shopkeeper"]


def test_the_facilitator_offers_then_ends_the_evaluation(store, accounts, monkeypatch):
    monkeypatch.setenv("RESILIENCE_PUBLIC_URL", "http://192.0.2.10:8501/")
    at = page("workshop").run()
    assert "room.evaluation" not in {b.key for b in at.sidebar.button}  # staff only
    at.session_state["staff.member"] = None
    sign_in(at, "room.login", where=at.sidebar)
    switch = at.sidebar.button(key="room.evaluation")
    assert switch.label == "Proposer l'évaluation à la salle" and not switch.disabled
    assert "Évaluation : non proposée." in texts(at.sidebar, "markdown")
    switch.click().run()
    assert not at.exception and store.workshop(WORKSHOP.slug).evaluation == "open"
    assert "Évaluation : ouverte aux participants." in texts(at.sidebar, "markdown")
    assert at.sidebar.button(key="room.evaluation").label == "Clore l'évaluation"
    assert any("L'évaluation de l'atelier est ouverte" in text for text in texts(at, "success"))
    assert any("/rejoindre/atelier-test-2026-11-26" in block.value for block in at.main.html)
    at.sidebar.button(key="room.evaluation").click().run()
    assert store.workshop(WORKSHOP.slug).evaluation == "off"
    assert not any("L'évaluation de l'atelier est ouverte" in text for text in texts(at, "success"))


def test_moderators_approve_or_hide_comments_escaped(store, accounts, monkeypatch):
    from geo.participation.evaluation import EvaluationSubmission, questions, validate_evaluation

    store.set_evaluation(FACILITATOR, WORKSHOP.slug, True)
    hostile = "Bravo <img src=x onerror=alert(1)> http://evil.example"
    for n, comment in enumerate((hostile, "Trop court")):
        store.evaluate(validate_evaluation(EvaluationSubmission(
            f"{n:032x}", WORKSHOP.slug, f"d{n:032x}", {"comment": comment}), questions()),
            client_key="k")
    # nothing public shows a pending comment: not the room's screen
    monkeypatch.setenv("RESILIENCE_PUBLIC_URL", "http://192.0.2.10:8501/")
    screen = page("workshop").run()
    assert "Bravo" not in " ".join(texts(screen, "markdown"))
    at = page("moderation").run()
    sign_in(at, "moderation.login", "mo")
    assert not at.exception
    assert "Commentaires de l'évaluation" in [h.value for h in at.header]
    rendered = " ".join(texts(at, "markdown"))
    assert "Bravo &lt;img src=x onerror=alert\\(1\\)&gt; http\\:\u2060//evil\\.example" in rendered
    assert "<img" not in rendered
    [(first, *_), (second, *_)] = store.evaluation_comments(FACILITATOR, WORKSHOP.slug)
    assert any(f"n° {first} — en attente" in text for text in texts(at, "caption"))
    at.button(key=f"comment.approve.{first}").click().run()
    at.button(key=f"comment.hide.{second}").click().run()
    assert not at.exception
    statuses = {i: s for i, _, _, s in store.evaluation_comments(FACILITATOR, WORKSHOP.slug)}
    assert statuses == {first: "approved", second: "hidden"}
    assert at.button(key=f"comment.approve.{first}").disabled

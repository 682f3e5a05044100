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

# ruff: noqa: F811  (the backend fixture is imported from test_proposal_store)
"""The workshop lifecycle, the room, the room's screen, the address-based rate limit's keys and
the RGPD erasures, on SQLite and PostgreSQL (the migration 0002 included)."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from geo.core.errors import ProposalError, ProposalStoreError
from geo.participation.auth import system_staff
from geo.participation.proposals import Room, Workshop
from geo.participation.schema import migrations
from geo.participation.staffops import months_before
from tests.integration.test_proposal_store import (  # noqa: F401  (backend is a fixture)
    WORKSHOP,
    Clock,
    backend,
    opened,
    send,
)
from tests.pgcluster import pg_cluster  # noqa: F401  (fixture)
from tests.staff import staff

FACILITATOR = system_staff("claire")


def test_migration_0002_keeps_an_existing_database_valid(backend, monkeypatch):
    first = [m for m in migrations() if m.version == 1]
    monkeypatch.setattr("geo.participation.schema.migrations", lambda: first)
    old = backend()
    assert old.schema_version() == 1
    with old._transaction(write=True) as run:
        run("INSERT INTO workshops (slug, name, date, created_at) VALUES (?, ?, ?, ?)",
            (WORKSHOP.slug, WORKSHOP.name, WORKSHOP.date, "2026-11-26T18:00:00.000000Z"))
        run("INSERT INTO proposals (submission_id, workshop, created_at, lon, lat, category, "
            "text, first_name, client_token) VALUES ('s1', ?, ?, 2.39, 48.86, 'water', "
            "'Une fontaine', 'Awa', 'tok')", (WORKSHOP.slug, "2026-11-26T18:01:00.000000Z"))
    monkeypatch.undo()
    upto_2 = [m for m in migrations() if m.version <= 2]
    monkeypatch.setattr("geo.participation.schema.migrations", lambda: upto_2)
    store = backend()  # opening with the code of that version applies 0002, once
    assert store.schema_version() == 2 and store.migrate() == []
    monkeypatch.undo()
    store = backend()  # and today's code the later ones (test_evaluation_store.py)
    [kept] = store.workshops()
    # workshops made before the lifecycle existed (anyone could make them) are closed...
    assert (kept.status, kept.closed_at) == ("closed", "2026-11-26T18:00:00.000000Z")
    # ... and their proposals are kept as they were, readable
    [proposal] = store.visible(WORKSHOP.slug)
    assert (proposal.text, proposal.first_name, proposal.status) == ("Une fontaine", "Awa",
                                                                     "pending")
    assert store.room() == Room(None)
    with pytest.raises(ProposalError) as refused:
        send(store, 2)
    assert refused.value.code == "workshop_closed"
    store.set_workshop_status(FACILITATOR, WORKSHOP.slug, "open")  # a facilitator reopens it
    assert send(store, 2).proposal.workshop == WORKSHOP.slug
    with pytest.raises(ProposalStoreError):  # the lifecycle's values are checked
        with store._transaction(write=True) as run:
            run("UPDATE workshops SET status = 'archived'")
    store.set_room(FACILITATOR, WORKSHOP.slug)
    with pytest.raises(ProposalStoreError):  # one room
        with store._transaction(write=True) as run:
            run("INSERT INTO room (id, updated_at, updated_by) VALUES (2, 'x', 'y')")


def test_only_open_workshops_take_proposals(backend):
    store = backend()
    store.create_workshop(FACILITATOR, WORKSHOP)
    with pytest.raises(ProposalError) as refused:
        send(store, 1)
    assert refused.value.code == "workshop_not_open"
    assert store.set_workshop_status(FACILITATOR, WORKSHOP.slug, "open").is_open
    send(store, 1)
    closed = store.set_workshop_status(FACILITATOR, WORKSHOP.slug, "closed")
    assert closed.status == "closed" and closed.closed_at
    with pytest.raises(ProposalError) as late:  # the late proposal
        send(store, 2)
    assert late.value.code == "workshop_closed"
    assert [p.text for p in store.visible(WORKSHOP.slug)] == ["Proposition 1"]  # readable
    assert send(store, 1).duplicate  # a retry of what was acknowledged still answers


def test_the_room_shows_the_workshop_the_facilitator_chose_not_the_newest(backend):
    store = backend()
    chosen = opened(store)
    newer = opened(store, Workshop("plus-recent-2027-01-01", "Plus récent", "2027-01-01"))
    assert store.workshops()[0] == newer and store.room_workshop() is None
    store.set_room(FACILITATOR, chosen.slug, "canicule", 3)
    room = store.room()
    assert (room.workshop, room.scenario, room.step, room.updated_by) == (
        chosen.slug, "canicule", 3, "claire")
    assert store.room_workshop() == chosen
    with pytest.raises(ProposalStoreError, match="unknown workshop"):
        store.set_room(FACILITATOR, "nope-2026-01-01")
    send(store, 1)
    assert store.delete_workshop(FACILITATOR, chosen.slug) == 1
    assert store.room().workshop is None and store.workshop(chosen.slug) is None
    assert store.visible(chosen.slug) == []


def test_the_screen_shows_live_or_approved_and_takes_one_off(backend):
    store = backend()
    opened(store)
    moderator = staff("mo", "moderator")
    a, b, c = (send(store, n).proposal for n in range(3))
    store.set_status(moderator, [a.id, b.id], "approved")
    assert [p.id for p in store.on_screen(WORKSHOP.slug, pending=False)] == [a.id, b.id]
    assert [p.id for p in store.on_screen(WORKSHOP.slug, pending=True)] == [a.id, b.id, c.id]
    assert store.set_screen(FACILITATOR, WORKSHOP.slug, "live").screen == "live"
    assert store.take_off_screen(FACILITATOR, b.id) == 1
    assert [p.id for p in store.on_screen(WORKSHOP.slug, pending=True)] == [a.id, c.id]
    assert [p.id for p in store.off_screen(FACILITATOR, WORKSHOP.slug)] == [b.id]
    assert store.all_proposals(moderator, WORKSHOP.slug)[1].status == "approved"  # untouched
    store.take_off_screen(FACILITATOR, b.id, back=True)
    assert [p.id for p in store.on_screen(WORKSHOP.slug, pending=False)] == [a.id, b.id]


def test_client_keys_are_erased_once_the_window_has_passed(backend):
    clock = Clock()
    store = backend(None, clock)
    opened(store)
    send(store, 1)
    clock.now += timedelta(seconds=30)
    send(store, 2, client="b")
    assert store.purge_client_keys() == 0  # both still within the 60 s window
    clock.now += timedelta(seconds=31)
    assert store.purge_client_keys() == 1
    with store._transaction(write=False) as run:
        keys = [row[0] for row in run("SELECT client_key FROM proposals ORDER BY id")]
    assert keys == [None, "key-b"]


def test_a_moderator_erases_one_participants_proposals(backend):
    store = backend()
    opened(store)
    moderator = staff("mo", "moderator")
    mine = [send(store, n, first_name="Awa").proposal for n in range(2)]
    theirs = send(store, 9, client="other", first_name="Léa").proposal
    store.merge(moderator, theirs.id, mine[0].id)  # someone else's duplicate of mine
    assert store.erase_proposals(moderator, [p.id for p in mine]) == 2
    [left] = store.all_proposals(moderator, WORKSHOP.slug)
    assert (left.id, left.status, left.merged_into) == (theirs.id, "pending", None)
    [entry] = [e for e in store.audit_entries(moderator) if e[2] == "erase"]
    assert entry[1] == "mo" and str(mine[0].id) in entry[4] and "Awa" not in str(entry)


def test_first_names_are_erased_a_set_time_after_the_workshop_closes(backend):
    clock = Clock()
    store = backend(None, clock)
    opened(store)
    still_open = opened(store, Workshop("ouvert-2027-01-01", "Ouvert", "2027-01-01"))
    send(store, 1, first_name="Awa")
    send(store, 2, client="b", first_name="Léa", workshop=still_open.slug)
    store.set_workshop_status(FACILITATOR, WORKSHOP.slug, "closed")
    clock.now += timedelta(days=150)
    assert store.erase_first_names(FACILITATOR, 6) == 0  # five months: kept
    clock.now += timedelta(days=40)
    assert store.erase_first_names(FACILITATOR, 6) == 1
    names = {p.workshop: p.first_name for p in store.all_proposals(FACILITATOR, WORKSHOP.slug)
             + store.all_proposals(FACILITATOR, still_open.slug)}
    assert names == {WORKSHOP.slug: None, still_open.slug: "Léa"}
    assert [p.text for p in store.visible(WORKSHOP.slug)] == ["Proposition 1"]  # text kept


def test_months_before_counts_calendar_months():
    from datetime import UTC, datetime

    assert months_before(datetime(2026, 8, 31, tzinfo=UTC), 6) == datetime(2026, 2, 28, tzinfo=UTC)
    assert months_before(datetime(2027, 1, 15, tzinfo=UTC), 6) == datetime(2026, 7, 15, tzinfo=UTC)


def test_every_staff_action_is_logged_without_texts_or_first_names(backend, caplog):
    store = backend()
    moderator = staff("mo", "moderator")
    with caplog.at_level(logging.INFO, logger="geo.auth"):
        opened(store)
        proposal = send(store, 1, text="Texte privé", first_name="Awa").proposal
        store.set_status(moderator, [proposal.id], "approved")
        store.set_workshop_status(FACILITATOR, WORKSHOP.slug, "closed")
    lines = [r.getMessage() for r in caplog.records]
    assert any(line.startswith("staff.approve user=mo") and str(proposal.id) in line
               for line in lines)
    assert any(line.startswith("staff.workshop_closed user=claire") for line in lines)
    assert not any("Awa" in line or "Texte privé" in line for line in lines)
    actions = [entry[2] for entry in store.audit_entries(moderator)]
    assert actions[:3] == ["workshop_closed", "approve", "workshop_open"]

"""Participants submitting at the same time through the running app, and the app killed
mid-submission.

How a participant submits "against the running app": each simulated participant is a headless
Streamlit session (tests/stclient.py) speaking the browser's websocket protocol to a real
`streamlit run app.py` server: it opens the « Proposer » page, types into the form and presses
« Envoyer », exactly the messages a phone sends, so the proposal goes through the page, the
validation and the store as in the room. A proposal counts as acknowledged when the page
answered « Merci ! Proposition n° … ». Two app servers share one database (SQLite file, then
PostgreSQL), as several instances behind a workshop's load balancer would. Browsers are not used:
30 Chromium tabs would measure Chromium on 2 cores, not the app.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from pathlib import Path

import pytest

from geo.participation.database import open_postgres, open_sqlite
from geo.participation.proposals import Workshop
from geo.participation.store import RateLimit
from tests.conftest import AppServer
from tests.pgcluster import pg_cluster  # noqa: F401  (fixture)
from tests.staff import open_for_the_room
from tests.stclient import Session

WORKSHOP = Workshop("charge-2026-11-26", "Atelier de charge", "2026-11-26")
PARTICIPANTS = 30
EACH = 10
ACK = re.compile(r"Proposition n° (\d+) enregistrée")


def participant(url: str, number: int, count: int, start: threading.Barrier | None,
                acks: list[tuple[str, int]], errors: list[BaseException]) -> None:
    """Opens the form, chooses « un lieu de la liste », sends ``count`` proposals; records each
    acknowledged (text, id) as soon as the page shows it."""
    session = None
    try:
        session = Session(url, "proposer", f"workshop={WORKSHOP.slug}", timeout=120)
        run = session.run()  # the form opens on « un lieu de la liste »: the first place is chosen
        place_id = run.widget_id("propose.place")
        options = next(e.selectbox.options for e in run.elements
                       if e.WhichOneof("type") == "selectbox" and e.selectbox.id == place_id)
        session.set_string(place_id, options[0])
        run = session.run()
        if start is not None:
            start.wait(timeout=300)
        for k in range(count):
            text = f"participant {number:02d} proposition {k:02d} <i>ombre</i>"
            text_id = run.widget_id(f"propose.text.{k}")
            submit = run.form_submit_id(f"propose.form.{k}")
            assert text_id and submit, f"form {k} not found"
            session.set_string(text_id, text)
            run = session.run(trigger=submit)
            match = next((ACK.search(a) for a in run.texts("alert") if ACK.search(a)), None)
            assert match, f"no acknowledgement: {run.texts('alert')}"
            acks.append((text, int(match[1])))
            session.forget(text_id)
    except BaseException as exc:  # noqa: BLE001  collected and asserted by the test
        errors.append(exc)
    finally:
        if session is not None:
            try:
                session.close()
            except OSError:
                pass


def run_participants(urls: list[str], count: int) -> tuple[list[list], list[BaseException]]:
    start = threading.Barrier(PARTICIPANTS)
    acks: list[list] = [[] for _ in range(PARTICIPANTS)]
    errors: list[BaseException] = []
    threads = [threading.Thread(target=participant,
                                args=(urls[n % len(urls)], n, count, start, acks[n], errors))
               for n in range(PARTICIPANTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    return acks, errors


def expected_texts() -> set[str]:
    return {f"participant {n:02d} proposition {k:02d} <i>ombre</i>"
            for n in range(PARTICIPANTS) for k in range(EACH)}


def check_all_stored_once(acks: list[list], stored) -> None:
    assert [len(a) for a in acks] == [EACH] * PARTICIPANTS
    texts = [p.text for p in stored]
    assert len(texts) == PARTICIPANTS * EACH
    assert set(texts) == expected_texts()  # each exactly once: 300 rows, 300 distinct texts
    by_text = {p.text: p.id for p in stored}
    assert all(by_text[text] == pid for a in acks for text, pid in a)


@pytest.fixture
def servers_env(real_build):
    from geo.map.assets import ensure_assets

    ensure_assets()
    started: list[AppServer] = []

    def start(name: str, env: dict[str, str]) -> AppServer:
        server = AppServer(name, env={"RESILIENCE_PROPOSALS_RATE_LIMIT": "1000/60", **env})
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def test_300_proposals_from_30_participants_on_two_instances_sqlite(servers_env, tmp_path):
    path = tmp_path / "shared.sqlite3"
    store = open_sqlite(path, RateLimit(1000, 60))
    open_for_the_room(store, WORKSHOP)
    env = {"RESILIENCE_PROPOSALS_SQLITE": str(path)}
    servers = [servers_env("conc-a", env), servers_env("conc-b", env)]
    acks, errors = run_participants([s.url for s in servers], EACH)
    assert not errors, errors[:3]
    check_all_stored_once(acks, store.visible(WORKSHOP.slug))
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_300_proposals_from_30_participants_on_two_instances_postgres(servers_env,
                                                                       pg_cluster):  # noqa: F811
    url = pg_cluster.new_database()
    store = open_postgres(url, RateLimit(1000, 60))
    open_for_the_room(store, WORKSHOP)
    env = {"RESILIENCE_PROPOSALS_DATABASE_URL": url}
    servers = [servers_env("conc-pg-a", env), servers_env("conc-pg-b", env)]
    acks, errors = run_participants([s.url for s in servers], EACH)
    assert not errors, errors[:3]
    check_all_stored_once(acks, store.visible(WORKSHOP.slug))


def test_app_killed_mid_submission_keeps_every_acknowledged_proposal(servers_env, tmp_path):
    path: Path = tmp_path / "killed.sqlite3"
    open_for_the_room(open_sqlite(path, RateLimit(1000, 60)), WORKSHOP)
    env = {"RESILIENCE_PROPOSALS_SQLITE": str(path)}
    server = servers_env("kill", env)
    acks: list[list] = [[] for _ in range(PARTICIPANTS)]
    errors: list[BaseException] = []
    threads = [threading.Thread(target=participant,
                                args=(server.url, n, EACH, None, acks[n], errors))
               for n in range(PARTICIPANTS)]
    for thread in threads:
        thread.start()
    # kill the server (SIGKILL: no clean-up of any kind) once a third of the proposals are in
    while sum(len(a) for a in acks) < PARTICIPANTS * EACH // 3:
        assert any(thread.is_alive() for thread in threads), errors[:3]
        threading.Event().wait(0.05)
    server.process.kill()
    server.process.wait(timeout=30)
    for thread in threads:
        thread.join(timeout=120)
    acknowledged = [item for a in acks for item in a]
    assert len(acknowledged) < PARTICIPANTS * EACH  # the kill did interrupt the submissions
    assert errors  # ... and the participants saw their connection drop

    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    restarted = servers_env("kill-restarted", env)
    stored = {p.text: p.id for p in open_sqlite(path).visible(WORKSHOP.slug)}
    assert all(stored.get(text) == pid for text, pid in acknowledged)
    # at most one proposal per participant was stored but not acknowledged (in flight)
    assert len(acknowledged) <= len(stored) <= len(acknowledged) + PARTICIPANTS
    assert set(stored) <= expected_texts()

    # the restarted app takes proposals again
    after: list = []
    participant(restarted.url, 99, 1, None, after, errors := [])
    assert not errors and len(after) == 1
    assert len(open_sqlite(path).visible(WORKSHOP.slug)) == len(stored) + 1

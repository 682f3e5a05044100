"""No traceback anywhere: the error hook shows one sentence and logs the details; the server is
configured to hide Streamlit's own error details; the hash command."""

from __future__ import annotations

import logging
import tomllib
from pathlib import Path

from streamlit.testing.v1 import AppTest

from geo.participation import auth

ROOT = Path(__file__).resolve().parents[2]


def failing_page():
    import streamlit as st

    from geo.ui.guard import on_script_error

    try:
        raise KeyError("/srv/app/data/secret/path")
    except KeyError as exc:
        hidden = on_script_error(exc)
    st.write(f"hidden={hidden}")


def test_an_unexpected_error_shows_one_sentence_and_logs_the_details(caplog):
    with caplog.at_level(logging.ERROR, logger="geo.app"):
        at = AppTest.from_function(failing_page).run()
    assert not at.exception
    [error] = at.error
    assert "n'a pas pu s'afficher" in error.value and "KeyError" not in error.value
    assert "/srv/app" not in error.value
    assert any("hidden=True" in m.value for m in at.markdown)
    assert "KeyError" in caplog.text and "/srv/app/data/secret/path" in caplog.text


def test_the_server_hides_error_details_and_uses_the_hook():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"
    from geo.ui import asgi, guard

    assert asgi.app._on_script_error is guard.on_script_error
    paths = {getattr(route, "path", "") for route in asgi.routes()}
    assert "/live/{slug}.json" in paths


def test_the_hash_command_reads_the_password_twice(monkeypatch, capsys):
    answers = iter(["bon mot de passe", "bon mot de passe"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    assert auth.main(["hash"]) == 0
    digest = capsys.readouterr().out.strip()
    assert digest.startswith("$argon2id$") and "bon mot" not in digest
    assert auth.load_accounts({"staff": {"a": {"roles": ["moderator"], "password_hash": digest}}})
    answers = iter(["un", "deux"])
    assert auth.main(["hash"]) == 2
    assert auth.main([]) == 2


def test_the_servers_upkeep_erases_old_first_names_and_keys(tmp_path, monkeypatch):
    """What the server does at start and then daily (geo.ui.maintenance.upkeep)."""
    from geo.participation.auth import system_staff
    from geo.participation.database import open_sqlite
    from geo.participation.proposals import Submission, Workshop
    from geo.ui import maintenance
    from geo.ui import workshop as workshop_ui
    from tests.staff import open_for_the_room

    path = tmp_path / "p.sqlite3"
    monkeypatch.setenv("RESILIENCE_PROPOSALS_SQLITE", str(path))
    monkeypatch.delenv("RESILIENCE_PROPOSALS_DATABASE_URL", raising=False)
    monkeypatch.setenv("RESILIENCE_FIRST_NAMES_MONTHS", "0")
    store = open_sqlite(path)
    workshop = open_for_the_room(store, Workshop("w-2026-01-01", "W", "2026-01-01"))
    store.submit(Submission("s", workshop.slug, "t", "water", "Texte", 2.39, 48.86,
                            first_name="Awa"), client_key="k")
    store.set_workshop_status(system_staff(), workshop.slug, "closed")
    workshop_ui._proposal_store.clear()
    maintenance.upkeep()
    workshop_ui._proposal_store.clear()
    [proposal] = store.visible(workshop.slug)
    assert proposal.first_name is None and proposal.text == "Texte"

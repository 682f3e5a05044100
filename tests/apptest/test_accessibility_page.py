"""« Accessibilité »: the statement has every part the RGAA asks for, in both languages, with the
contact configured for the installation and the town hall's address from the build."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.core.i18n import t
from geo.sources.store import load_layer

ROOT = Path(__file__).resolve().parents[2]
PARTS = ("state", "content", "nonconform", "derogations", "exempt", "made", "tech", "tests",
         "contact", "recourse")


def statement(lang: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / "accessibility.py"), default_timeout=30)
    at.session_state["app.lang"] = lang
    return at.run()


def shown(at: AppTest) -> str:
    # escape marks and the word joiner that keeps a written address from becoming a link
    return " ".join(m.value for m in [*at.markdown, *at.caption]).replace("\\", "").replace("\u2060", "")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_part_of_the_statement(real_build, lang, monkeypatch):
    monkeypatch.setenv("RESILIENCE_ACCESSIBILITY_CONTACT", "accessibilite@example.org")
    at = statement(lang)
    assert not at.exception
    assert at.title[0].value == t("a11y.statement.title", lang)
    headings = [h.value for h in [*at.header, *at.subheader]]
    for part in PARTS:
        assert t(f"a11y.statement.{part}", lang) in headings
    text = shown(at)
    assert "Défenseur des droits" in text and "Libre réponse 71120" in text
    assert "accessibilite@example.org" in text
    # the town hall of the study area, as the build's layer gives it
    mairies = load_layer("mairies", real_build)
    mairie = mairies[mairies["c_ar"] == 20].iloc[0]
    assert mairie["name"] in text and "6 place Gambetta" in text
    assert "axe-core 4.12.1" in text and "Machado" in text
    # Streamlit's own strings, quoted in English inside the French statement
    listed = " ".join(h.value for h in at.get("html"))
    assert '<span lang="en">No results</span>' in listed


def test_statement_stands_without_data_or_contact(tmp_path, monkeypatch):
    monkeypatch.setenv("RESILIENCE_BUILD_ROOT", str(tmp_path))
    monkeypatch.delenv("RESILIENCE_ACCESSIBILITY_CONTACT", raising=False)
    at = statement("fr")
    assert not at.exception
    text = shown(at)
    assert "Libre réponse 71120" in text
    assert "RESILIENCE_ACCESSIBILITY_CONTACT" in text
    assert not at.warning

"""Every page: registered in app.py, listed in the README, and clear when no data is built."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.frame import registered_pages

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py"))


def test_every_page_is_registered_and_documented():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    registered = set(registered_pages())
    assert registered == set(PAGES)
    for page in PAGES:
        assert f"`{page}`" in readme, f"{page} missing from the README's pages table"


def test_readme_commands_are_the_ci_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


# the accessibility statement needs no data (tests/apptest/test_accessibility_page.py)
@pytest.mark.parametrize("page", [p for p in PAGES if not p.endswith(("moderation.py", "accessibility.py"))]
                         + ["app.py"])
def test_without_a_build_every_page_gives_the_command(page, tmp_path, monkeypatch):
    monkeypatch.setenv("RESILIENCE_BUILD_ROOT", str(tmp_path))
    at = AppTest.from_file(str(ROOT / page), default_timeout=30).run()
    assert not at.exception
    assert any("Aucune donnée" in w.value for w in at.warning)
    assert any("python -m geo.ingest" in c.value for c in at.html)

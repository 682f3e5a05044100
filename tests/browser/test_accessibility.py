"""axe-core in every frame of every page, in French and English, at a desktop and a phone size:
no critical or serious violation caused by the app. What is left inside Streamlit's own widgets
is listed by rule in ``axe_allow.toml`` with the reason; anything else fails, and so does an
entry no page needs any more.

axe-core 4.12.1 comes from PyPI (``axe-playwright-python==0.1.8``, pinned); it is injected into
each frame (the map's, the print button's) and run there (``tests/browser/axe.py``). The counts
per page and rule are written to ``test-artifacts/axe-counts.json``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.browser.a11y_pages import (
    CASE_NAMES,
    LANGS,
    VIEWPORTS,
    a11y_server,
    cases,
    open_case,
    sample_places,
)
from tests.browser.axe import axe_source, counts, load_allow_list, run_in_frames, unexpected, unused
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser
ALLOW_LIST = Path(__file__).with_name("axe_allow.toml")
#: Results of the page checks of this run: (page, lang, viewport) → violations.
RESULTS: dict[tuple[str, str, str], list] = {}
COMBINATIONS = [(name, lang, size) for name in CASE_NAMES for lang in LANGS for size in VIEWPORTS]


@pytest.fixture(scope="module")
def a11y_app(real_build):
    with a11y_server() as server:
        yield server


@pytest.fixture(scope="module")
def a11y_cases(real_build):
    return {case.name: case for case in cases(*sample_places())}


@pytest.fixture(scope="module")
def axe_script():
    script, version = axe_source()
    assert version == "4.12.1", "axe-core is pinned through axe-playwright-python==0.1.8"
    return script


def audit(browser, server, case, lang: str, size: str, script: str) -> list:
    width, height = VIEWPORTS[size]
    context = browser.new_context(viewport={"width": width, "height": height},
                                  locale="fr-FR" if lang == "fr" else "en-GB")
    page = context.new_page()
    try:
        open_case(page, server.url, case, lang)
        return run_in_frames(page, script)
    except Exception:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"axe-{case.name}-{lang}-{size}.png"), full_page=True)
        raise
    finally:
        context.close()


@pytest.mark.parametrize(("name", "lang", "size"), COMBINATIONS)
def test_no_serious_violation_caused_by_the_app(a11y_app, a11y_cases, browser, axe_script, name,
                                                lang, size):
    found = audit(browser, a11y_app, a11y_cases[name], lang, size, axe_script)
    RESULTS[(name, lang, size)] = found
    left = unexpected(found, load_allow_list(ALLOW_LIST))
    assert not left, "\n".join(str(violation) for violation in left)


def test_allow_list_has_no_stale_entry(a11y_app, a11y_cases, browser, axe_script):
    """Every entry is still needed somewhere (pages not checked in this run are checked here),
    and the counts of the run are written for the record."""
    for name, lang, size in COMBINATIONS:
        if (name, lang, size) not in RESULTS:
            RESULTS[(name, lang, size)] = audit(browser, a11y_app, a11y_cases[name], lang, size,
                                                axe_script)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "axe-counts.json").write_text(json.dumps(
        {" ".join(key): counts(found) for key, found in RESULTS.items()}, indent=1,
        ensure_ascii=False), encoding="utf-8")
    allowed = load_allow_list(ALLOW_LIST)
    stale = unused([v for found in RESULTS.values() for v in found], allowed)
    assert not stale, "allow-list entries no page needs: " + ", ".join(
        f"{entry.rule} / {entry.target}" for entry in stale)

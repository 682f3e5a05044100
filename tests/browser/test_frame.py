"""The app frame in a real browser: deep links, language, the sources page."""

from __future__ import annotations

import pytest

from tests.conftest import ARTIFACTS, AppServer

pytestmark = pytest.mark.browser


@pytest.fixture
def fresh_server(real_build):
    server = AppServer("frame")
    yield server
    server.stop()


def test_first_request_deep_link_goes_through_the_frame(fresh_server, page):
    """On a fresh server, /sources-et-methodes must run inside app.py (sidebar, language)."""
    page.goto(f"{fresh_server.url}/sources-et-methodes?lang=en")
    page.get_by_role("heading", name="Sources and methods").wait_for(timeout=30_000)
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Language").wait_for()
    assert page.get_by_text("Page not found").count() == 0
    assert "/sources-et-methodes" in page.url and "lang=en" in page.url


def test_sources_page_shows_layers_and_switches_language(app_server, page):
    page.goto(f"{app_server.url}/sources-et-methodes")
    page.get_by_role("heading", name="Sources et méthodes").wait_for(timeout=30_000)
    page.get_by_text("Couches recherchées mais introuvables").wait_for()
    page.locator('[data-testid="stDataFrame"]').first.wait_for()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "sources-page.png"), full_page=True)
    page.locator('[data-testid="stSidebar"]').get_by_text("English").click()
    page.get_by_role("heading", name="Sources and methods").wait_for(timeout=15_000)
    assert "lang=en" in page.url

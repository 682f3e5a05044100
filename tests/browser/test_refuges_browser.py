"""The heat-refuge pages in a real browser (Playwright + Debian's Chromium): the time-of-day switch
of « Chaleur » and its charts drawn by the app itself, the planning panel (add a site → gain →
the URL carries it; suggest), the map's refuge-gap layer switching with the time of day."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from geo.analysis import exposure, refuge_figures, siteplan
from geo.core.i18n import number
from tests.browser.leaflet_probe import map_frame, wait_counts
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser
TIMEOUT = 90_000


@pytest.fixture(scope="module")
def result(real_build):
    return exposure.load(path=real_build).refuges


def params(page) -> dict[str, str]:
    return {key: values[-1] for key, values in parse_qs(urlparse(page.url).query).items()}


def metric_value(page, label: str) -> str:
    metric = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return metric.locator('[data-testid="stMetricValue"]').inner_text()


def wait_metric(page, label: str, expected: str) -> None:
    page.wait_for_function(
        """([label, expected]) => [...document.querySelectorAll('[data-testid="stMetric"]')].some(
            m => m.innerText.includes(label) &&
                 m.querySelector('[data-testid="stMetricValue"]').innerText.trim() === expected)""",
        arg=[label, expected], timeout=TIMEOUT)


def pct(value: float) -> str:
    return f"{number(100 * value, 'fr', 1)} %"


def test_heat_time_switch_and_charts_drawn_by_the_app(app_server, page, result):
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    page.goto(f"{app_server.url}/chaleur")
    head = refuge_figures.headline(result, 3.5).set_index(["tier", "time"])
    label = "75 ans et plus à moins de 7 min"
    wait_metric(page, label, pct(head.loc[("refuge", "day"), "p75_share"]))
    page.get_by_text("Nuit (22 h – 6 h)", exact=True).first.click()
    page.wait_for_function("() => new URLSearchParams(location.search).get('time') === 'night'",
                           timeout=TIMEOUT)
    wait_metric(page, label, pct(head.loc[("refuge", "night"), "p75_share"]))
    # both charts drawn (Vega-Lite, served by the app) with their tables beside
    page.wait_for_function("() => document.querySelectorAll('.vega-embed canvas, .vega-embed svg')"
                           ".length >= 2", timeout=TIMEOUT)
    page.get_by_text("Graphique : part de la surface de chaque quartier").wait_for(timeout=TIMEOUT)
    # the tables are real <table>s (text, not the data grid, whose JavaScript is never fetched)
    assert page.locator('[data-testid="stMain"] table').count() >= 4
    assert page.locator('[data-testid="stDataFrame"]').count() == 0
    assert not [url for url in urls if "/static/js/DataFrame." in url]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "heat-night.png"))
    outside = [url for url in urls if not url.startswith(app_server.url) and not url.startswith("data:")]
    assert outside == []


def test_planning_panel_add_a_site_see_the_gain_url_carries_it(app_server, page, result):
    page.goto(f"{app_server.url}/refuges-planification?time=night")
    offered = result.offered("night")
    gym = offered[offered["name"] == "GYMNASE DES VIGNOLES"].iloc[0]
    label = "75 ans et plus à moins de 7 min"
    before = siteplan.make_plan(result, "refuge", "night", 3.5, [])
    wait_metric(page, label, f"{number(before.after['p75_inside'], 'fr')} ({pct(before.after['p75_share'])})")
    box = page.locator('[data-testid="stMultiSelect"]').first
    box.click()
    page.keyboard.type("VIGNOLES")
    page.keyboard.press("Enter")
    page.wait_for_function("(fid) => new URLSearchParams(location.search).get('sites') === fid",
                           arg=gym["fid"], timeout=TIMEOUT)
    after = siteplan.make_plan(result, "refuge", "night", 3.5, [gym["fid"]])
    wait_metric(page, label, f"{number(after.after['p75_inside'], 'fr')} ({pct(after.after['p75_share'])})")
    gain = after.after["p75_inside"] - after.before["p75_inside"]
    page.get_by_text(f"+{number(gain, 'fr')}").first.wait_for(timeout=TIMEOUT)
    # the scenario's link reopens it elsewhere
    shared = page.url
    page.keyboard.press("Escape")  # close the list of sites
    page.get_by_text("Suggérer les 5 meilleurs sites", exact=True).click()
    top = siteplan.suggest(result, "refuge", "night", 3.5, 5)
    page.wait_for_function("(sites) => new URLSearchParams(location.search).get('sites') === sites",
                           arg=",".join(fid for fid, _ in top), timeout=TIMEOUT)
    other = page.context.new_page()
    try:
        other.goto(shared)
        wait_metric(other, label, f"{number(after.after['p75_inside'], 'fr')} ({pct(after.after['p75_share'])})")
        assert params(other)["sites"] == gym["fid"]
    finally:
        other.close()


def test_map_refuge_gap_switches_with_the_time_of_day(app_server, page, result):
    speed = result.settings.walk.default_speed_kmh

    def expected(period: str) -> int:
        inside = result.within("refuge", period, speed)
        who = result.facilities["who"].to_numpy(bool)
        return int((~inside[:result.n_pieces]).sum() + (~inside[result.n_pieces:] & who).sum())

    page.goto(f"{app_server.url}/?layers=arrondissements,refuge_gap&time=night&basemap=none")
    frame = map_frame(page)
    counts = wait_counts(frame, f"(c.refuge_gap || 0) === {expected('night')}")
    assert counts["refuge_gap"] == expected("night")
    page.get_by_text("Soirée", exact=True).first.click()
    page.wait_for_function("() => new URLSearchParams(location.search).get('time') === 'evening'",
                           timeout=TIMEOUT)
    wait_counts(frame, f"(c.refuge_gap || 0) === {expected('evening')}")

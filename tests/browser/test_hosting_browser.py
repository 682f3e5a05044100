"""The flood host figures in a real browser (Playwright + Debian's Chromium): « Inondation »'s
chart drawn with its table beside it, the map's host sites sized by capacity and stations at
risk, and the crue scenario's last step on the room's screen with its figures and layer."""

from __future__ import annotations

import pytest

from geo.analysis import exposure as analysis
from geo.analysis import hosting_text
from geo.map.layers import LAYERS
from geo.participation.database import open_sqlite
from geo.participation.proposals import Workshop
from geo.participation.store import RateLimit
from tests.browser.leaflet_probe import FRAME, map_frame, wait_counts
from tests.conftest import ARTIFACTS, AppServer
from tests.staff import open_for_the_room

pytestmark = pytest.mark.browser
TIMEOUT = 90_000
WORKSHOP = Workshop("atelier-crue-2026-11-26", "Atelier crue", "2026-11-26")


@pytest.fixture(scope="module")
def result(real_build) -> analysis.Analysis:
    return analysis.load(path=real_build)


def test_flood_page_draws_the_chart_with_its_numbers_beside_it(app_server, page, result):
    page.goto(f"{app_server.url}/inondation")
    page.get_by_role("heading", name="Capacité face au besoin").wait_for(timeout=TIMEOUT)
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    chart.wait_for(timeout=TIMEOUT)
    # Vega draws the chart (canvas or svg) with the capacity rule's label
    chart.locator("canvas, svg").first.wait_for(timeout=TIMEOUT)
    chart.scroll_into_view_if_needed()
    page.wait_for_function("""() => {
        const c = document.querySelector('[data-testid="stVegaLiteChart"]');
        const v = c && c.querySelector('canvas, svg');
        return v && v.getBoundingClientRect().height > 100;
    }""", timeout=TIMEOUT)
    main = page.locator('[data-testid="stMain"]')
    main.get_by_text(hosting_text.capacity_sentence(result, "fr")[:60]).first.wait_for(timeout=TIMEOUT)
    text = main.inner_text()
    assert "Indicateur dérivé" in text and "METRO 11" in text
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "flood-capacity-1400x900.png"), full_page=True)
    # the chart's numbers are in a table in the column beside it
    row = page.locator('[data-testid="stHorizontalBlock"]').filter(
        has=page.locator('[data-testid="stVegaLiteChart"]'))
    beside = row.locator("table").first
    beside.wait_for(timeout=TIMEOUT)
    assert "Couverture (%)" in beside.locator("th").all_inner_texts()
    assert "264,8" in beside.inner_text()  # a real table, numbers written in French


def test_map_draws_host_sites_sized_by_capacity_and_the_stations_at_risk(app_server, page, result):
    page.goto(app_server.url + "/?layers=arrondissements,host_capacity,stations_at_risk&basemap=none")
    frame = map_frame(page)
    counts = wait_counts(frame, "(c.host_capacity || 0) > 0 && (c.stations_at_risk || 0) > 0")
    assert counts["host_capacity"] == len(result.hosts)
    assert counts["stations_at_risk"] == len(result.transport.at_risk)
    radii = frame.evaluate("""() => {
        const out = {};
        window.map.eachLayer(l => {
            const f = l.feature && l.feature.properties.f;
            if (f && f.startsWith('host_capacity:')) { out[f] = l.getRadius(); }
        });
        return out;
    }""")
    size = LAYERS["host_capacity"].size
    for row in result.hosts.itertuples():
        assert radii[f"host_capacity:{row.fid}"] == size.radius(row.capacity)
    assert max(radii.values()) == max(size.radii) and min(radii.values()) == size.missing_radius
    page.wait_for_timeout(300)
    page.screenshot(path=str(ARTIFACTS / "map-host-capacity-1400x900.png"))


@pytest.fixture(scope="module")
def crue_server(real_build, tmp_path_factory):
    from geo.map.assets import ensure_assets

    ensure_assets()
    path = tmp_path_factory.mktemp("crue") / "proposals.sqlite3"
    open_for_the_room(open_sqlite(path, RateLimit(100, 60)), WORKSHOP, "crue-1910", 3)
    server = AppServer("crue", env={"RESILIENCE_PROPOSALS_SQLITE": str(path)})
    yield server
    server.stop()


def test_crue_scenario_step_shows_the_figures_and_the_capacity_layer(crue_server, browser, result):
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="fr-FR")
    room = context.new_page()
    try:
        room.goto(f"{crue_server.url}/atelier")  # the room's workshop, at the step the facilitator set
        room.get_by_text("Décrue et accueil").first.wait_for(timeout=TIMEOUT)
        main = room.locator('[data-testid="stMain"]')
        for sentence in (hosting_text.capacity_sentence(result, "fr"),
                         hosting_text.need_sentence(result, "fr")):
            main.get_by_text(sentence[:50]).first.wait_for(timeout=TIMEOUT)
        # the room's map draws the step's layers from the live data (no feature group of
        # st_folium): wait for the map, then for the host sites
        room.wait_for_selector(FRAME, timeout=TIMEOUT)
        frame = room.query_selector(FRAME).content_frame()
        frame.wait_for_function("() => window.map !== undefined", timeout=TIMEOUT)
        counts = wait_counts(frame, "(c.host_capacity || 0) > 0")
        assert counts["host_capacity"] == len(result.hosts)
        room.screenshot(path=str(ARTIFACTS / "workshop-crue-decrue-1920x1080.png"))
    finally:
        context.close()

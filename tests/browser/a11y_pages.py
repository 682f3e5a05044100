"""The pages the accessibility checks visit, and how to open each one until it is settled.

Shared by the axe test (``test_accessibility.py``) and the command that prints axe's counts per
page (``python -m tests.browser.a11y_pages --out counts.json``: the closing note's « before »
and « after » tables): every page of issue 15's list, in French and English, at a desktop and a
phone viewport.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

TIMEOUT = 90_000
PASSWORD = "a11y-test-password"
STAFF = "a11y"
WORKSHOP_SLUG = "atelier-accessibilite-2026-11-26"
VIEWPORTS = {"desktop": (1440, 900), "phone": (390, 844)}
LANGS = ("fr", "en")
#: The app is idle: no script run going on (Streamlit marks its root element).
IDLE_JS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return app && app.dataset.testScriptState === 'notRunning'
        && !document.querySelector('[data-stale="true"]');
}"""


@dataclass(frozen=True)
class Case:
    """One page to check: ``path`` (with its query, without ``lang``), ``ready``: a CSS
    selector that exists once the page has drawn what it is about, ``login``: log in to the
    moderation first, ``streamlit``: a Streamlit page (else one of the light join page's plain
    HTML pages)."""

    name: str
    path: str
    ready: str = '[data-testid="stMain"] h1'
    login: bool = False
    streamlit: bool = True


#: The pages of the issue's list, by name (their order in the report).
CASE_NAMES = ("map", "flood", "heat", "sheet-facility", "sheet-quartier", "actions", "sources",
              "downloads", "workshop", "propose", "moderation-out", "moderation-in",
              "accessibility", "join", "join-evaluation", "report")


def cases(facility_fid: str, quartier: str) -> list[Case]:
    """Every page of the issue's list (a facility and a quartier for the two sheets)."""
    frame = 'iframe[src*="streamlit_folium.st_folium"]'
    found = [
        Case("map", "/", f'{frame}, [data-testid="stSidebar"] [data-testid="stTextInput"]'),
        Case("flood", "/inondation", '[data-testid="stMain"] table'),
        Case("heat", "/chaleur", '[data-testid="stMain"] table'),
        Case("sheet-facility", f"/fiche?fid={facility_fid}", ".st-key-sheet-buttons iframe"),
        Case("sheet-quartier", f"/fiche?quartier={quartier}", ".st-key-sheet-buttons iframe"),
        Case("actions", "/actions-resilience", '[class*="st-key-actions-card"]'),
        Case("sources", "/sources-et-methodes", '[data-testid="stDataFrame"]'),
        Case("downloads", "/telechargements", '[data-testid="stDownloadButton"]'),
        Case("workshop", "/atelier", f'{frame}, .workshop-qr img'),  # the room's open workshop
        Case("propose", "/proposer", '[data-testid="stFormSubmitButton"]'),
        Case("moderation-out", "/moderer", 'input[type="password"]'),
        Case("moderation-in", "/moderer", '[data-testid="stDownloadButton"]', login=True),
        Case("accessibility", "/accessibilite", '[data-testid="stMain"] h2'),
        # the light join page, its evaluation offered, and the evaluation's own page
        Case("join", f"/rejoindre/{WORKSHOP_SLUG}", "main form", streamlit=False),
        Case("join-evaluation", f"/rejoindre/{WORKSHOP_SLUG}/avis", "main form", streamlit=False),
        # the report of a closed workshop (charts, map, tables), signed in
        Case("report", "/compte-rendu", ".st-key-report-buttons iframe, .print-doc img", login=True),
    ]
    assert tuple(case.name for case in found) == CASE_NAMES
    return found


def url(base: str, case: Case, lang: str) -> str:
    if lang == "fr":
        return base + case.path
    return base + case.path + ("&" if "?" in case.path else "?") + f"lang={lang}"


def open_case(page, base: str, case: Case, lang: str) -> None:
    """Go to the page and wait until it is drawn and idle (its frames loaded too)."""
    page.goto(url(base, case, lang))
    if not case.streamlit:
        page.wait_for_selector(case.ready, timeout=TIMEOUT)
        return
    if case.login:
        page.wait_for_selector('input[type="password"]', timeout=TIMEOUT)
        page.fill('[data-testid="stMain"] input[autocomplete="username"]', STAFF)
        page.fill('input[type="password"]', PASSWORD)
        page.keyboard.press("Enter")
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=TIMEOUT)
    for selector in case.ready.split(", "):
        page.wait_for_selector(selector, state="attached", timeout=TIMEOUT)
    settle(page)


def settle(page) -> None:
    """Wait until no script run is going on and every frame has loaded (the map's frame has
    drawn: its Leaflet map exists)."""
    page.wait_for_function(IDLE_JS, timeout=TIMEOUT)
    for frame in page.frames:
        if frame != page.main_frame and not frame.is_detached():
            frame.wait_for_load_state("load", timeout=TIMEOUT)
            if "streamlit_folium" in frame.url:
                frame.wait_for_function("() => window.map !== undefined", timeout=TIMEOUT)
    page.wait_for_function(IDLE_JS, timeout=TIMEOUT)


def prepare_database(path: Path) -> None:
    """An open workshop with one proposal waiting for moderation, its evaluation offered (the
    form at the bottom of « Proposer », the join page's link, the evaluation's page), and a
    closed one with its report."""
    from geo.participation.auth import system_staff
    from geo.participation.database import open_sqlite
    from geo.participation.evaluation import EvaluationSubmission, questions, validate_evaluation
    from geo.participation.proposals import Submission, Workshop
    from geo.participation.store import RateLimit
    from tests.staff import open_for_the_room

    store = open_sqlite(path, RateLimit(100, 60))
    open_for_the_room(store, Workshop(WORKSHOP_SLUG, "Atelier accessibilité", "2026-11-26"),
                      "canicule", 1)
    store.submit(Submission(submission_id="a" * 32, workshop=WORKSHOP_SLUG, client_token="b" * 32,
                            category="cool_place", text="Des bancs à l'ombre rue des Pyrénées",
                            lon=2.3985, lat=48.8635), client_key="a11y-test")
    facilitator = system_staff("a11y-test")
    store.set_evaluation(facilitator, WORKSHOP_SLUG, True)
    # a closed workshop with an approved proposal, an evaluation and a played step: its report
    closed = Workshop("atelier-clos-2026-11-20", "Atelier clos", "2026-11-20")
    store.create_workshop(facilitator, closed)
    store.set_workshop_status(facilitator, closed.slug, "open")
    store.set_room(facilitator, closed.slug, "canicule", 1)
    sent = store.submit(Submission(submission_id="c" * 32, workshop=closed.slug, client_token="d" * 32,
                                   category="water", text="Une fontaine place Saint-Blaise",
                                   lon=2.4045, lat=48.8585, role="resident", hazard="heat"),
                        client_key="a11y-test")
    store.set_status(facilitator, [sent.proposal.id], "approved")
    store.set_evaluation(facilitator, closed.slug, True)
    store.evaluate(validate_evaluation(EvaluationSubmission(
        "e" * 32, closed.slug, "f" * 32, {"understanding_before": "2", "understanding_after": "4",
                                          "again": "1"}), questions()), client_key="a11y-test")
    store.set_workshop_status(facilitator, closed.slug, "closed")
    open_for_the_room(store, Workshop(WORKSHOP_SLUG, "Atelier accessibilité", "2026-11-26"),
                      "canicule", 1)  # the room back on the open workshop


def server_env(path: Path) -> dict[str, str]:
    from tests.staff import staff_env

    return {"RESILIENCE_PROPOSALS_SQLITE": str(path), "RESILIENCE_PROPOSALS_RATE_LIMIT": "100/60",
            "RESILIENCE_STAFF": staff_env({STAFF: (("facilitator", "moderator"), PASSWORD)})}


def sample_places() -> tuple[str, str]:
    """(a facility fid that has a sheet, a quartier code) of the current build."""
    from geo.analysis import exposure

    result = exposure.load()
    facility = result.facilities.sort_values("fid").iloc[0]["fid"]
    return str(facility), str(result.quartiers["quartier"].iloc[0])


@contextmanager
def a11y_server() -> Iterator:
    """The app with a throwaway proposals database and the moderation open."""
    from geo.map.assets import ensure_assets
    from tests.conftest import AppServer

    ensure_assets()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "proposals.sqlite3"
        prepare_database(path)
        server = AppServer("a11y", env=server_env(path))
        server.proposals_path = path
        try:
            yield server
        finally:
            server.stop()


def main(argv: list[str] | None = None) -> int:
    """Print (and write as JSON) axe's violation counts per page, language and viewport."""
    from playwright.sync_api import sync_playwright

    from tests.browser.axe import counts, run_in_frames
    from tests.conftest import CHROMIUM, CHROMIUM_ARGS

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--only", default="", help="comma-separated case names")
    args = parser.parse_args(argv)
    report: dict[str, dict] = {}
    facility, quartier = sample_places()
    wanted = [c for c in cases(facility, quartier)
              if not args.only or c.name in args.only.split(",")]
    with a11y_server() as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for case in wanted:
            for lang in LANGS:
                for size_name, (width, height) in VIEWPORTS.items():
                    context = browser.new_context(viewport={"width": width, "height": height})
                    page = context.new_page()
                    name = f"{case.name} {lang} {size_name}"
                    try:
                        open_case(page, server.url, case, lang)
                        found = run_in_frames(page)
                        report[name] = {"counts": counts(found),
                                        "nodes": [str(v) for v in found]}
                    except Exception as exc:  # noqa: BLE001 — a report: one failing page is noted
                        report[name] = {"error": str(exc)[:300]}
                    finally:
                        context.close()
                    print(name, json.dumps(report[name].get("counts", report[name])), flush=True)
        browser.close()
    args.out.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

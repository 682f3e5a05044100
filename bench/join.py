"""Benchmark (issue 13): the light join page against « Proposer » and an empty Streamlit page,
cold cache, Chromium's network emulation at 3G and 4G; every page's cold bytes before and after
compression; 30 joins over one shared 20 Mbit/s link. Everything is measured in this one run, on
servers started here (the workshop screen under load, against an earlier commit of the app, is
``bench/workshop_load.py --compare-with``):

  after   — the app as ``python -m geo.serve`` runs it (precompressed static files, subset fonts,
            the light join page);
  before  — the same app with ``RESILIENCE_PRECOMPRESSED=off``: Streamlit serves every static
            file itself, as before this issue (uncompressed frontend, full fonts, layer files
            gzipped again on every request);
  empty   — a Streamlit page with one checkbox (``streamlit run``): the stack's own floor.

Figures (see bench/_browserload.py for how they are taken)
  usable  — navigation start to the first animation frame where the page's controls are laid
            out: join = send button + text area + document complete (the pin map is an
            <input type=image>, which delays the load event); Proposer = its text area and send
            button; empty = the checkbox. Median of --runs cold loads at phone size.
  bytes   — every HTTP response as received (compressed or not) + WebSocket frames (binary
            frames decoded from CDP's base64). « Atelier » is live (its stage re-runs every 4 s,
            its map polls the room): its cold load ends once nothing new has been fetched for
            3 s, and what it receives next is printed apart, in KB per minute.
  3G: 1.6 Mbit/s down, 750 kbit/s up, 150 ms latency; 4G: 9 Mbit/s, 60 ms.
30 joins: estimate = 30 x one cold load's bytes / 20 Mbit/s; measurement = 30 clients at once
  fetching the files of one cold load through a local proxy sharing one 20 Mbit/s downlink
  (30 ms one-way); time until the last client has everything.

Targets: light join usable <= 2 s at 3G and <= 300 KB; every page <= 1 MB cold (after). Exit
status 1 on a miss.

Usage: .venv/bin/python bench/join.py [--runs 3] [--profiles 3g,4g] [--crowd 30]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _browserload import SharedLink, median_load, page_bytes, replay  # noqa: E402
from _timing import Targets  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from geo.map.assets import STATIC_DIR, ensure_assets  # noqa: E402
from geo.participation.database import open_sqlite  # noqa: E402
from geo.participation.proposals import Workshop  # noqa: E402
from geo.participation.store import RateLimit  # noqa: E402
from geo.web.assets import ensure_built  # noqa: E402
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, AppServer  # noqa: E402
from tests.staff import open_for_the_room  # noqa: E402

WORKSHOP = Workshop("mesure-2026-12-02", "Atelier de mesure", "2026-12-02")
EMPTY = '''
"""Empty Streamlit page."""
import streamlit as st

st.checkbox("toggle", key="layer.toggle")
'''
#: name -> (server, path, selectors of "usable", wait for the load event too)
LOADS = {
    "join": ("after", f"/rejoindre/{WORKSHOP.slug}", ["button#send", "textarea#text"], True),
    "proposer": ("after", f"/proposer?workshop={WORKSHOP.slug}",
                 ['[data-testid="stTextArea"] textarea', '[data-testid="stFormSubmitButton"] button'], False),
    "proposer-before": ("before", f"/proposer?workshop={WORKSHOP.slug}",
                        ['[data-testid="stTextArea"] textarea',
                         '[data-testid="stFormSubmitButton"] button'], False),
    "empty": ("empty", "/", ['[data-testid="stCheckbox"]'], False),
}
PAGES = ("carte", "proposer", "atelier", "inondation", "chaleur", "fiche", "actions-resilience",
         "sources-et-methodes", "telechargements", "moderer")
TARGET_JOIN_S = 2.0
TARGET_JOIN_KB = 300.0
TARGET_PAGE_KB = 1000.0
#: Pages that keep receiving after their load (the room's screen), and how long that is measured.
LIVE_PAGES = ("atelier",)
LIVE_S = 30.0

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="cold loads per page and profile (median)")
    parser.add_argument("--profiles", default="3g,4g")
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--crowd", type=int, default=30)
    parser.add_argument("--parts", default="phone,bytes,crowd",
                        help="what to measure (crowd needs phone: it replays the phone loads' files)")
    args = parser.parse_args()
    targets = Targets("join")
    ensure_assets()
    ensure_built()
    with tempfile.TemporaryDirectory(prefix="bench-join-") as tmp:
        tmp_dir = Path(tmp)
        db = tmp_dir / "proposals.sqlite3"
        open_for_the_room(open_sqlite(db, RateLimit(100_000, 60)), WORKSHOP)
        (tmp_dir / "static").symlink_to(STATIC_DIR)
        (tmp_dir / "empty.py").write_text(textwrap.dedent(EMPTY))
        env = {"RESILIENCE_PROPOSALS_SQLITE": str(db), "RESILIENCE_PROPOSALS_RATE_LIMIT": "100000/60"}
        servers = {"after": AppServer("bench-join-after", env=env, log_path=tmp_dir / "after.log"),
                   "before": AppServer("bench-join-before", env={**env, "RESILIENCE_PRECOMPRESSED": "off"},
                                       log_path=tmp_dir / "before.log"),
                   "empty": AppServer("bench-join-empty", script=tmp_dir / "empty.py",
                                      log_path=tmp_dir / "empty.log")}
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                parts = args.parts.split(",")
                measured = phone_loads(browser, servers, args, targets) if "phone" in parts else {}
                if "bytes" in parts:
                    cold_bytes(browser, servers, args.pages.split(","), targets)
                browser.close()
            if measured and "crowd" in parts:
                crowd(servers, measured, args.crowd)
        finally:
            for server in servers.values():
                server.stop()
    return targets.exit_code()


def phone_loads(browser, servers: dict[str, AppServer], args, targets: Targets) -> dict:
    """Usable time and bytes of the light page, « Proposer » (after, before) and the empty page."""
    print(f"cold loads at phone size, median of {args.runs}")
    print(f"{'page':16} {'net':4} {'usable s':>9} {'KB':>8} {'req':>4} {'ws KB':>6}")
    measured = {}
    for profile in args.profiles.split(","):
        for name, (server, path, selectors, complete) in LOADS.items():
            load = median_load(browser, servers[server].url + path, selectors, complete, profile, args.runs)
            measured[(name, profile)] = load
            print(f"{name:16} {profile:4} {load.usable_s:9.2f} {load.bytes / 1e3:8.1f} {load.requests:4} "
                  f"{load.ws_bytes / 1e3:6.1f}", flush=True)
        join, empty = measured[("join", profile)], measured[("empty", profile)]
        proposer, proposer_before = measured[("proposer", profile)], measured[("proposer-before", profile)]
        print(f"  {profile}: join / empty Streamlit page: usable {join.usable_s / empty.usable_s:.2f}x, "
              f"bytes {join.bytes / empty.bytes:.3f}x; « Proposer » after / before: usable "
              f"{proposer.usable_s / proposer_before.usable_s:.2f}x, bytes "
              f"{proposer.bytes / proposer_before.bytes:.2f}x")
        if profile == "3g":
            targets.check("light join usable at 3G", join.usable_s, TARGET_JOIN_S, " s")
        targets.check(f"light join bytes ({profile})", join.bytes / 1e3, TARGET_JOIN_KB, " KB")
    return measured


def cold_bytes(browser, servers: dict[str, AppServer], pages: list[str], targets: Targets) -> None:
    """Every page's cold bytes at desktop size, before and after compression."""
    print("\ncold bytes per page (desktop size, no throttling), before -> after compression")
    for path in pages:
        query = f"?workshop={WORKSHOP.slug}" if path in ("atelier", "proposer") else ""
        live_s = LIVE_S if path in LIVE_PAGES else 0
        before = page_bytes(browser, f"{servers['before'].url}/{path}{query}", live_s=live_s)
        after = page_bytes(browser, f"{servers['after'].url}/{path}{query}", live_s=live_s)
        live = (f"; then live: {before.live_per_minute / 1e3:.0f} -> {after.live_per_minute / 1e3:.0f} KB/min"
                if live_s else "")
        print(f"  /{path:21} {before.cold / 1e3:8.1f} KB -> {after.cold / 1e3:7.1f} KB  "
              f"({after.cold / before.cold:.2f}x){live}", flush=True)
        targets.check(f"/{path} cold bytes", after.cold / 1e3, TARGET_PAGE_KB, " KB")


def crowd(servers: dict[str, AppServer], measured: dict, clients: int) -> None:
    """``clients`` participants joining at once over one 20 Mbit/s link: estimate and replay."""
    print(f"\n{clients} joins at once over one shared 20 Mbit/s link")
    for name in ("join", "proposer", "proposer-before"):
        load = next(value for (page, _profile), value in measured.items() if page == name)
        server = servers[LOADS[name][0]]
        estimate = clients * load.bytes * 8 / 20e6
        link = SharedLink(server.port)
        median, last, moved = replay(load.urls, link.port, clients)
        link.stop()
        print(f"  {name:16} estimate {estimate:6.2f} s ({clients} x {load.bytes / 1e3:.0f} KB); "
              f"measured: median {median:.2f} s, last {last:.2f} s ({moved / 1e6:.1f} MB through the link)",
              flush=True)


if __name__ == "__main__":
    sys.exit(main())

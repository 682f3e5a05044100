"""Benchmark: 30 concurrent browser-like sessions on the workshop screen, against one session
alone, measured in the same run on the same server; optionally against an earlier checkout of the
app in the same run (``--compare-with DIR``), each variant under the same load.

Each session is a headless Streamlit client (tests/stclient.py) speaking the browser's websocket
protocol to a real server (``python -m geo.serve``): it opens « Atelier » (scenario « canicule »),
then does what a tab on that page does:
  poll   — every interval the page asks for (``st.fragment(run_every=…)``), re-runs the
           stage fragment (step, QR code, map, list), as the browser does by itself;
  follow — a poll that finds the room moved on (a step, chosen by the facilitator) and draws
           the new step;
  step   — the facilitator's tab (signed in) clicks « Suivante » / « Précédente » every 8-12 s
           (random): a full page re-run;
  fetch  — at each poll, fetches the room map's proposals (``/live/<slug>.json``), as the map in
           the page's iframe does by itself.
Meanwhile proposals arrive (one every 2 s, written to the same database), as in a room; the
facilitator shows every proposal live.

The earlier app (before issue 16) had no facilitator: every tab held the step in its own URL and
clicked « Suivante » itself every 8-12 s, and the map fetched a static file. With
``--compare-with`` that variant runs with that behaviour, alternating with this one
(``--rounds``), so both meet the same machine load; interactions are poll + step (+ follow).

Interaction time = from the message sent to the server's « script finished » for it (the
server's whole answer; the browser's own drawing is not included: no JavaScript runs here).
Server memory = resident set (VmRSS) of the server process, sampled every 0.5 s; the peak.
Server CPU per request = CPU time the server process used during a measurement divided by the
requests served: a figure that does not depend on what else the machine runs.

Targets: p95 of interaction time <= 0.5 s with 30 sessions (issue 7); with ``--compare-with``,
p95 no worse than the earlier app's in the same run (the median over the rounds of each
round's ratio: the two variants of a round run back to back, so a load spike from other work
on the machine in one round does not decide), and no more server CPU per request (issue 16).

Usage: .venv/bin/python bench/workshop_load.py [--sessions 30] [--duration 120] [--baseline 30]
       [--compare-with DIR] [--rounds 1]
  DIR: e.g. ``git archive <commit> | tar -x -C DIR``, with ``DIR/data/build`` pointing at a build.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _timing import Targets  # noqa: E402

from geo.map.assets import ensure_assets  # noqa: E402
from geo.participation.auth import system_staff  # noqa: E402
from geo.participation.database import open_sqlite  # noqa: E402
from geo.participation.proposals import Workshop  # noqa: E402
from geo.participation.store import RateLimit  # noqa: E402
from geo.participation.workshop import live_url, screen_token  # noqa: E402
from tests.conftest import AppServer  # noqa: E402
from tests.staff import PASSWORD, open_for_the_room, staff_env  # noqa: E402
from tests.stclient import Session  # noqa: E402

WORKSHOP = Workshop("bench-2026-11-26", "Atelier de mesure", "2026-11-26")
SECRET = "bench-secret-" + "k" * 24
LEGACY_QUERY = f"workshop={WORKSHOP.slug}&scenario=canicule&step=1"
LEGACY_FILE = f"/app/static/proposals/{WORKSHOP.slug}.json"


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time used so far by process ``pid``."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_load() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


class Sampler(threading.Thread):
    """Samples the server's RSS every 0.5 s until stopped; keeps the peak."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak = pid, 0.0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            self.peak = max(self.peak, rss_mb(self.pid))
            self.stopped.wait(0.5)


class Variant:
    """One app under test: how its server starts, how its tabs open, step and fetch."""

    def __init__(self, name: str, root: Path | None, legacy: bool) -> None:
        self.name, self.root, self.legacy = name, root, legacy
        self.tmp = Path(tempfile.mkdtemp(prefix=f"workshop-bench-{name}-"))
        self.db = self.tmp / "proposals.sqlite3"
        self.server: AppServer | None = None

    def start(self) -> AppServer:
        env = {"RESILIENCE_PROPOSALS_SQLITE": str(self.db),
               "RESILIENCE_PROPOSALS_RATE_LIMIT": "100000/60"}
        if self.legacy:  # the earlier app makes its own database and workshop
            subprocess.run([sys.executable, "-c", (
                "from pathlib import Path\nfrom geo.participation.database import open_sqlite\n"
                "from geo.participation.proposals import Workshop\n"
                f"open_sqlite(Path({str(self.db)!r})).create_workshop(Workshop("
                f"{WORKSHOP.slug!r}, {WORKSHOP.name!r}, {WORKSHOP.date!r}))")],
                cwd=self.root, check=True)
        else:
            store = open_sqlite(self.db, RateLimit(100_000, 60))
            open_for_the_room(store, WORKSHOP, "canicule", 1)
            store.set_screen(system_staff("bench"), WORKSHOP.slug, "live")
            env.update(RESILIENCE_SECRET_KEY=SECRET,
                       RESILIENCE_STAFF=staff_env({"bench": (("facilitator",), PASSWORD)}))
        self.server = AppServer(f"bench-workshop-{self.name}", env=env, root=self.root)
        Session(self.server.url, *self.page(), timeout=120).run()  # warm-up: caches filled
        return self.server

    def page(self) -> tuple[str, str]:
        return ("atelier", LEGACY_QUERY) if self.legacy else ("atelier", "")

    def fetch_url(self) -> str:
        if self.legacy:
            return f"{self.server.url}{LEGACY_FILE}"
        return self.server.url + live_url(WORKSHOP.slug, screen_token(WORKSHOP.slug,
                                                                       SECRET.encode()))

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()


def sign_in(session: Session, run):
    session.set_string(run.widget_id("room.login.name"), "bench")
    session.set_string(run.widget_id("room.login.password"), PASSWORD)
    return session.run(trigger=run.form_submit_id("room.login"))


def step_heading(run) -> str | None:
    """The step's heading a run drew (``None``: none drawn)."""
    return next((e.html.body for e in run.elements if e.WhichOneof("type") == "html"
                 and "workshop-step" in e.html.body), None)


def tab(variant: Variant, seconds: float, seed: int, steps: bool,
        times: dict[str, list[float]], errors: list[str], lock: threading.Lock) -> None:
    """One browser tab on the workshop screen for ``seconds``; ``steps``: it clicks through the
    scenario (every tab of the earlier app, the facilitator's tab of this one)."""
    rng = random.Random(seed)
    try:
        session = Session(variant.server.url, *variant.page(), timeout=120)
        run = session.run()
        record = [("load", run.seconds)]
        if steps and not variant.legacy:
            run = sign_in(session, run)
        fragment, interval = run.auto_reruns[-1] if run.auto_reruns else ("", 4.0)
        shown = step_heading(run)
        end = time.monotonic() + seconds
        next_poll = time.monotonic() + interval
        next_step = time.monotonic() + rng.uniform(8, 12) if steps else float("inf")
        forward = True
        while True:
            due = min(next_poll, next_step)
            if due > end:
                break
            time.sleep(max(0.0, due - time.monotonic()))
            if next_poll <= next_step:
                run = session.run(fragment_id=fragment)
                # a poll that found the room moved on drew the new step (same fragment run)
                heading = step_heading(run)
                moved = not variant.legacy and heading is not None and heading != shown
                shown = heading or shown
                record.append(("follow" if moved else "poll", run.seconds))
                started = time.perf_counter()
                with urllib.request.urlopen(variant.fetch_url(), timeout=60) as response:
                    response.read()
                record.append(("fetch", time.perf_counter() - started))
                next_poll = time.monotonic() + interval
            else:
                button = run.widget_id("workshop.next" if forward else "workshop.previous")
                if button is None:  # this run was a fragment's: the buttons were not re-sent
                    run = session.run()
                    button = run.widget_id("workshop.next" if forward else "workshop.previous")
                run = session.run(trigger=button)
                shown = step_heading(run) or shown
                record.append(("step", run.seconds))
                forward = not forward
                next_step = time.monotonic() + rng.uniform(8, 12)
            if run.auto_reruns:
                fragment, interval = run.auto_reruns[-1]
        session.close()
        with lock:
            for kind, value in record:
                times.setdefault(kind, []).append(value)
    except Exception as exc:  # noqa: BLE001  a failed tab is reported, not hidden
        with lock:
            errors.append(f"{type(exc).__name__}: {exc}")


def proposals_arrive(path: Path, stop: threading.Event, prefix: str) -> int:
    """One proposal every 2 s, written straight into the database (same rows for both apps)."""
    conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    n = 0
    while not stop.wait(2.0):
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        conn.execute("INSERT INTO proposals (submission_id, workshop, created_at, lon, lat, "
                     "category, text, client_token) VALUES (?, ?, ?, 2.399, 48.8635, "
                     "'cool_place', ?, ?)", (f"{prefix}-{n}", WORKSHOP.slug, now,
                                             f"Proposition {n} : de l'ombre ici", f"room-{n % 7}"))
        n += 1
    conn.close()
    return n


def measure(variant: Variant, sessions: int, seconds: float, prefix: str) -> dict:
    times: dict[str, list[float]] = {}
    errors: list[str] = []
    lock = threading.Lock()
    pid = variant.server.process.pid
    sampler = Sampler(pid)
    stop = threading.Event()
    arrivals = threading.Thread(target=proposals_arrive, args=(variant.db, stop, prefix),
                                daemon=True)
    cpu_before, started = cpu_seconds(pid), time.monotonic()
    sampler.start()
    arrivals.start()
    tabs = [threading.Thread(target=tab, args=(variant, seconds, n, variant.legacy or n == 0,
                                               times, errors, lock))
            for n in range(sessions)]
    for thread in tabs:
        thread.start()
        time.sleep(0.05)  # tabs open over ~1.5 s, as a room scanning a code
    for thread in tabs:
        thread.join()
    stop.set()
    arrivals.join()
    sampler.stopped.set()
    sampler.join()
    return {"times": times, "errors": errors, "peak": sampler.peak,
            "cpu": cpu_seconds(pid) - cpu_before, "wall": time.monotonic() - started,
            "load": machine_load()}


def merge(results: list[dict]) -> dict:
    times: dict[str, list[float]] = {}
    for result in results:
        for kind, values in result["times"].items():
            times.setdefault(kind, []).extend(values)
    return {"times": times, "errors": [e for r in results for e in r["errors"]],
            "peak": max(r["peak"] for r in results), "cpu": sum(r["cpu"] for r in results),
            "wall": sum(r["wall"] for r in results),
            "load": statistics.mean(r["load"] for r in results)}


def all_interactions(result: dict) -> list[float]:
    """What a person waits for: the list's refresh and a step change, by a click or followed
    (the map's background fetch is shown apart)."""
    return [v for kind in ("poll", "follow", "step") for v in result["times"].get(kind, [])]


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def report(name: str, result: dict) -> dict[str, tuple[float, float, int]]:
    rows = {}
    for kind in ("load", "poll", "follow", "step", "fetch"):
        values = result["times"].get(kind, [])
        rows[kind] = (statistics.median(values) if values else float("nan"), pct(values, 0.95),
                      len(values))
    interactions = all_interactions(result)
    rows["all"] = (statistics.median(interactions) if interactions else float("nan"),
                   pct(interactions, 0.95), len(interactions))
    for kind, (p50, p95, count) in rows.items():
        if count:
            print(f"  {name:<18} {kind:<6} n={count:>5}  p50 {p50 * 1000:7.0f} ms  "
                  f"p95 {p95 * 1000:7.0f} ms")
    count = sum(len(v) for v in result["times"].values())
    print(f"  {name:<18} server CPU {result['cpu']:.1f} s in {result['wall']:.0f} s "
          f"({result['cpu'] / result['wall'] * 100:.0f} % of one core), "
          f"{result['cpu'] / max(count, 1) * 1000:.0f} ms CPU per request; "
          f"machine load average {result['load']:.1f} on {os.cpu_count()} CPUs")
    if result["errors"]:
        print(f"  {name}: {len(result['errors'])} failed tab(s), e.g. {result['errors'][0]}")
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--duration", type=float, default=120.0, help="seconds of load")
    parser.add_argument("--baseline", type=float, default=30.0,
                        help="seconds of the one-session baseline")
    parser.add_argument("--compare-with", type=Path, default=None,
                        help="a checkout of the app before issue 16, measured in the same run")
    parser.add_argument("--rounds", type=int, default=1,
                        help="with --compare-with: alternations of the two variants")
    args = parser.parse_args()

    ensure_assets()
    variants = [Variant("current", None, legacy=False)]
    if args.compare_with is not None:
        variants.insert(0, Variant("before-16", args.compare_with.resolve(), legacy=True))
    loaded: dict[str, list[dict]] = {v.name: [] for v in variants}
    base: dict[str, dict] = {}
    idle: dict[str, float] = {}
    try:
        for variant in variants:
            variant.start()
            idle[variant.name] = rss_mb(variant.server.process.pid)
            print(f"{variant.name}: server pid {variant.server.process.pid}, RSS after warm-up "
                  f"{idle[variant.name]:.0f} MB; baseline: 1 session for {args.baseline:.0f} s")
            base[variant.name] = report(f"{variant.name} 1 sess.",
                                        measure(variant, 1, args.baseline, "base"))
        for round_ in range(args.rounds if args.compare_with else 1):
            for variant in variants:
                print(f"round {round_ + 1}: {variant.name}, {args.sessions} sessions for "
                      f"{args.duration:.0f} s")
                loaded[variant.name].append(measure(variant, args.sessions, args.duration,
                                                    f"r{round_}"))
    finally:
        for variant in variants:
            variant.stop()
    for round_ in range(len(loaded["current"])):  # each round's pair, under the same load
        print(f"round {round_ + 1}: " + "; ".join(
            f"{name} p95 {pct(all_interactions(runs[round_]), 0.95) * 1000:.0f} ms "
            f"(load average {runs[round_]['load']:.1f})" for name, runs in loaded.items()))
    print(f"results, {args.sessions} sessions (all rounds):")
    rows = {v.name: report(f"{v.name} {args.sessions} s.", merge(loaded[v.name]))
            for v in variants}
    for variant in variants:
        name = variant.name
        result = merge(loaded[name])
        print(f"{name}: ratio p50 all ({args.sessions} sessions / 1): "
              f"{rows[name]['all'][0] / base[name]['all'][0]:.2f}x; "
              f"p95: {rows[name]['all'][1] / base[name]['all'][1]:.2f}x; server RSS "
              f"{idle[name]:.0f} MB after warm-up, peak {result['peak']:.0f} MB under load")
    targets = Targets("workshop_load")
    p95 = rows["current"]["all"][1]
    targets.check(f"p95 interaction with {args.sessions} sessions", p95 * 1000, 500.0, " ms")
    if args.compare_with is not None:
        before = rows["before-16"]["all"][1]
        print(f"p95 current / before issue 16, all rounds: {p95 * 1000:.0f} / {before * 1000:.0f} ms"
              f" = {p95 / before:.2f}x")
        # each round's two variants ran back to back under about the same machine load: the
        # median of the rounds' ratios is what a load spike in one round does not decide
        ratios = [pct(all_interactions(now), 0.95) / pct(all_interactions(then), 0.95)
                  for now, then in zip(loaded["current"], loaded["before-16"], strict=True)]
        print("p95 ratio per round: " + ", ".join(f"{r:.2f}x" for r in ratios))
        targets.check("p95 current / before issue 16 (median of rounds)",
                      statistics.median(ratios), 1.0, "x")
        cpu = {name: merge(runs) for name, runs in loaded.items()}
        per_request = {name: r["cpu"] / max(sum(len(v) for v in r["times"].values()), 1)
                       for name, r in cpu.items()}
        targets.check("server CPU per request, current / before issue 16",
                      per_request["current"] / per_request["before-16"], 1.0, "x")
    targets.check("failed tabs", len(merge(loaded["current"])["errors"]), 0)
    return targets.exit_code()


if __name__ == "__main__":
    sys.exit(main())

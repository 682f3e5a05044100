"""Benchmark: 30 concurrent browser-like sessions on the workshop screen, against one session
alone, measured in the same run on the same server.

Each session is a headless Streamlit client (tests/stclient.py) speaking the browser's websocket
protocol to a real ``streamlit run app.py``: it opens « Atelier » (workshop, scenario « canicule »),
then does what a tab on that page does:
  poll  — every interval the page asks for (``st.fragment(run_every=…)``), re-runs the live
          fragment, as the browser does by itself; when proposals changed, the fragment
          re-runs the whole page (the map gets the new proposals);
  step  — every 8-12 s (random), clicks « Suivante » / « Précédente » (a full page re-run);
  fetch — at each poll, fetches the published proposals (static GeoJSON), as the map in the
          page's iframe does by itself.
Meanwhile proposals arrive (one every 2 s, written to the same database), as in a room.

Interaction time = from the message sent to the server's « script finished » for it (the
server's whole answer; the browser's own drawing is not included: no JavaScript runs here).
Server memory = resident set (VmRSS) of the server process, sampled every 0.5 s; the peak.
Server CPU per request = CPU time the server process used during a measurement divided by the
requests served (loads, polls, steps, fetches): a figure that does not depend on what else the
machine runs (the wall-clock times do; the machine's load average is printed with them).

Target (issue 7): p95 of interaction time <= 0.5 s with 30 sessions.

Usage: .venv/bin/python bench/workshop_load.py [--sessions 30] [--duration 120] [--baseline 30]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _timing import Targets  # noqa: E402

from geo.map.assets import ensure_assets  # noqa: E402
from geo.participation.database import open_sqlite  # noqa: E402
from geo.participation.proposals import Submission, Workshop  # noqa: E402
from geo.participation.store import RateLimit  # noqa: E402
from geo.participation.workshop import LIVE_URL  # noqa: E402
from tests.conftest import AppServer  # noqa: E402
from tests.stclient import Session  # noqa: E402

WORKSHOP = Workshop("bench-2026-11-26", "Atelier de mesure", "2026-11-26")
QUERY = f"workshop={WORKSHOP.slug}&scenario=canicule&step=1"


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
        self.pid, self.peak, self.samples = pid, 0.0, []
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            value = rss_mb(self.pid)
            self.samples.append(value)
            self.peak = max(self.peak, value)
            self.stopped.wait(0.5)


def tab(url: str, seconds: float, seed: int, times: dict[str, list[float]],
        errors: list[str], lock: threading.Lock) -> None:
    """One browser tab on the workshop screen for ``seconds``."""
    rng = random.Random(seed)
    try:
        session = Session(url, "atelier", QUERY, timeout=120)
        run = session.run()
        record = [("load", run.seconds)]
        fragment, interval = run.auto_reruns[-1] if run.auto_reruns else ("", 4.0)
        end = time.monotonic() + seconds
        next_poll = time.monotonic() + interval
        next_step = time.monotonic() + rng.uniform(8, 12)
        forward = True
        while True:
            now = time.monotonic()
            due = min(next_poll, next_step)
            if due > end:
                break
            time.sleep(max(0.0, due - now))
            if next_poll <= next_step:
                run = session.run(fragment_id=fragment)
                record.append(("poll", run.seconds))
                started = time.perf_counter()
                with urllib.request.urlopen(f"{url}{LIVE_URL}/{WORKSHOP.slug}.json",
                                            timeout=60) as response:
                    response.read()
                record.append(("fetch", time.perf_counter() - started))
                next_poll = time.monotonic() + interval
            else:
                button = run.widget_id("workshop.next" if forward else "workshop.previous")
                if button is None:  # this run was a fragment's: the buttons were not re-sent
                    run = session.run()
                    button = run.widget_id("workshop.next" if forward else "workshop.previous")
                run = session.run(trigger=button)
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


def proposals_arrive(path: Path, stop: threading.Event) -> int:
    store = open_sqlite(path, RateLimit(100_000, 60))
    n = 0
    while not stop.wait(2.0):
        store.submit(Submission(f"bench-{n}", WORKSHOP.slug, f"room-{n % 7}", "cool_place",
                                f"Proposition {n} : de l'ombre ici", 2.3990, 48.8635))
        n += 1
    return n


def measure(server: AppServer, path: Path, sessions: int, seconds: float) -> dict:
    times: dict[str, list[float]] = {}
    errors: list[str] = []
    lock = threading.Lock()
    sampler = Sampler(server.process.pid)
    stop = threading.Event()
    arrivals = threading.Thread(target=proposals_arrive, args=(path, stop), daemon=True)
    cpu_before, started = cpu_seconds(server.process.pid), time.monotonic()
    sampler.start()
    arrivals.start()
    tabs = [threading.Thread(target=tab, args=(server.url, seconds, n, times, errors, lock))
            for n in range(sessions)]
    for thread in tabs:
        thread.start()
        time.sleep(0.05)  # tabs open over ~1.5 s, as a room scanning a code
    for thread in tabs:
        thread.join()
    stop.set()
    sampler.stopped.set()
    sampler.join()
    return {"times": times, "errors": errors, "peak": sampler.peak,
            "cpu": cpu_seconds(server.process.pid) - cpu_before,
            "wall": time.monotonic() - started, "load": machine_load()}


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def report(name: str, result: dict) -> dict[str, tuple[float, float, int]]:
    rows = {}
    for kind in ("load", "poll", "step", "fetch"):
        values = result["times"].get(kind, [])
        rows[kind] = (statistics.median(values) if values else float("nan"), pct(values, 0.95),
                      len(values))
    # what a person waits for: the list's refresh and a step change (the map's background
    # fetch is shown apart)
    interactions = result["times"].get("poll", []) + result["times"].get("step", [])
    rows["all"] = (statistics.median(interactions) if interactions else float("nan"),
                   pct(interactions, 0.95), len(interactions))
    for kind, (p50, p95, count) in rows.items():
        print(f"  {name:<10} {kind:<5} n={count:>5}  p50 {p50 * 1000:7.0f} ms  p95 {p95 * 1000:7.0f} ms")
    count = sum(len(v) for v in result["times"].values())
    print(f"  {name:<10} server CPU {result['cpu']:.1f} s in {result['wall']:.0f} s "
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
    args = parser.parse_args()

    ensure_assets()
    with tempfile.TemporaryDirectory(prefix="workshop-bench-") as tmp:
        path = Path(tmp) / "proposals.sqlite3"
        open_sqlite(path, RateLimit(100_000, 60)).create_workshop(WORKSHOP)
        server = AppServer("bench-workshop", env={"RESILIENCE_PROPOSALS_SQLITE": str(path)})
        try:
            pid = server.process.pid
            # warm-up: one visit, so both measured variants find the caches filled
            Session(server.url, "atelier", QUERY, timeout=120).run()
            idle = rss_mb(pid)
            print(f"workshop screen, server pid {pid}, {os.cpu_count()} CPU(s); "
                  f"RSS after warm-up {idle:.0f} MB")
            print(f"baseline: 1 session for {args.baseline:.0f} s")
            base = report("1 session", measure(server, path, 1, args.baseline))
            print(f"load: {args.sessions} sessions for {args.duration:.0f} s")
            loaded = measure(server, path, args.sessions, args.duration)
            rows = report(f"{args.sessions} sess.", loaded)
        finally:
            server.stop()
    p95 = rows["all"][1]
    print(f"ratio p50 all ({args.sessions} sessions / 1): {rows['all'][0] / base['all'][0]:.2f}x; "
          f"p95: {p95 / base['all'][1]:.2f}x")
    print(f"server RSS: {idle:.0f} MB after warm-up, peak {loaded['peak']:.0f} MB under load "
          f"(+{loaded['peak'] - idle:.0f} MB, {(loaded['peak'] - idle) / args.sessions:.1f} MB "
          "per session)")
    targets = Targets("workshop_load")
    targets.check(f"p95 interaction with {args.sessions} sessions", p95 * 1000, 500.0, " ms")
    targets.check("failed interactions", len(loaded["errors"]), 0)
    return targets.exit_code()


if __name__ == "__main__":
    sys.exit(main())

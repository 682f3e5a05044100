"""Benchmark: the exposure analyses (``geo.analysis.exposure.run``) on the study area and on every Paris
arrondissement, and the server time of a rerun of the pages that show them.

Figures (medians; every baseline is measured in this same run)
  load    — reading one build's layers from GeoParquet (``geo.sources.store.load_all``): the baseline the
            analysis is compared with (ratio run / load);
  run     — ``geo.analysis.exposure.run`` on the current build's study area (the 20e by default),
            with the flood host analyses (capacity, need, lines at risk on the whole-Paris copies),
            whose own share is printed apart;
  paris   — ``geo.analysis.exposure.run`` with each of the 20 arrondissements as the study area: each is
            built once beforehand, untimed (``python -m geo.ingest --study-area 751xx
            --build-root bench/results/analysis-builds/751xx``, kept for the next runs), then the
            analysis is timed on each; total and slowest;
  rerun   — server time of a page rerun after a widget change, with Streamlit's AppTest (same
            ScriptRunner as the server; the analysis is cached per build + settings, so a rerun
            never recomputes it), for « Inondation », « Chaleur » (a checkbox, the time-of-day
            switch) and a sheet, against an empty page holding one checkbox (the floor of any
            rerun);
  refuges — the heat-refuge part of the run alone (``geo.analysis.refuges.run``: tiers, street
            graph, 12 multi-source shortest paths, candidate coverage), inside the run above;
  what-if — « Refuges : planifier »: server time of the rerun after a change of the chosen sites
            (AppTest, same floor), and the pure what-if (``siteplan.make_plan``) beside it;
  suggest — « suggérer les 5 meilleurs sites »: the pure greedy (``siteplan.suggest``, coverage
            thresholds included) and the server time of the rerun the button triggers.

Targets (issues 6 and 11): run(20e) <= 5 s; all of Paris <= 60 s (sum of the 20 runs); rerun
<= 200 ms; what-if change <= 200 ms server time; suggest 5 sites <= 1 s.

Usage: .venv/bin/python bench/analysis.py [--runs N] [--reruns N] [--skip-paris] [--rebuild]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _timing import Targets, timed  # noqa: E402

from geo.analysis import exposure as analysis  # noqa: E402
from geo.analysis import flood, hosting, refuges, siteplan  # noqa: E402
from geo.analysis import settings as analysis_settings  # noqa: E402
from geo.core.settings import DEFAULT_MIRROR  # noqa: E402
from geo.sources import store  # noqa: E402

TARGET_RUN_S = 5.0
TARGET_PARIS_S = 60.0
TARGET_RERUN_MS = 200.0
TARGET_WHAT_IF_MS = 200.0
TARGET_SUGGEST_S = 1.0
#: The 20 one-arrondissement builds (git-ignored, reused between runs).
BUILDS = ROOT / "bench" / "results" / "analysis-builds"
EMPTY_PAGE = 'import streamlit as st\nst.checkbox("x", key="x")\n'



def flood_host(manifest: dict, layers: dict, paris: dict,
               settings: analysis_settings.AnalysisSettings) -> None:
    """The flood host analyses alone (issue 12): sectors dissolved, neighbours, capacity and
    need, lines at risk on the whole-Paris copies."""
    c_ar = int(manifest["study_area"]["insee"]) - 75100
    zones = flood.dissolve_zones(layers["ppri"])
    neighbours = flood.neighbour_exposure(layers["arrondissements"], zones, c_ar)
    hosting.shelter_analysis(layers, zones, c_ar, neighbours, settings.shelter)
    hosting.transport_analysis(paris, c_ar, settings.transport)


def study_area(runs: int, settings: analysis_settings.AnalysisSettings,
               targets: Targets) -> analysis.Analysis:
    load_s, (manifest, layers) = timed(lambda: store.load_all(), runs)
    paris_layers = store.load_paris()
    run_s, result = timed(lambda: analysis.run(manifest, layers, settings, paris_layers), runs)
    host_s, _ = timed(lambda: flood_host(manifest, layers, paris_layers, settings), runs)
    print(f"study area {manifest['study_area']['insee']} ({manifest['build_id']}), median of {runs}:")
    print(f"  load (baseline)   {load_s * 1000:8.0f} ms")
    print(f"  analysis run      {run_s * 1000:8.0f} ms   ratio run/load {run_s / load_s:5.1f}")
    print(f"    of which flood host (capacity, need, lines at risk) {host_s * 1000:6.0f} ms "
          f"({host_s / run_s:.0%} of the run)")
    targets.check("analysis of the study area (median)", run_s, TARGET_RUN_S, " s")
    print(f"  grid pieces {len(result.grid)}, facilities {len(result.facilities)}, "
          f"hosts {len(result.hosts)}, area within target {result.study_share:.1%}")
    if result.transport is not None:
        print(f"  capacity {result.shelter.summary.capacity:.0f} people, lines at risk "
              f"{', '.join(result.transport.risky_lines) or 'none'}")
    quartiers = layers["quartiers"].to_crs("EPSG:2154")
    quartiers = quartiers[quartiers["c_ar"] == result.c_ar].set_index("source_id")
    acc = settings.access
    refuge_s, found = timed(lambda: refuges.run(layers, result.c_ar, quartiers, settings.refuges,
                                                acc.target_minutes, acc.grid_cell_m), runs)
    print(f"  of which refuges  {refuge_s * 1000:8.0f} ms   ({found.method}, graph {found.graph_size[0]} "
          f"junctions / {found.graph_size[1]} segments, {found.n_pieces} pieces, "
          f"{len(found.candidates)} candidate sites)")
    return result


def paris(settings: analysis_settings.AnalysisSettings, mirror: Path, rebuild: bool,
          targets: Targets) -> None:
    codes = [f"751{n:02d}" for n in range(1, 21)]
    start = time.perf_counter()
    made = 0
    for code in codes:
        current = BUILDS / code / "current"
        manifest_file = current / "manifest.json"
        # a build made before the whole-Paris copies (lines at risk) or the street graph existed
        # is redone
        stale = manifest_file.is_file() and '"street_graph"' not in manifest_file.read_text(encoding="utf-8")
        if rebuild or stale or not (current / "layers" / f"ppri{store.PARIS_SUFFIX}.parquet").is_file():
            subprocess.run([sys.executable, "-m", "geo.ingest", "--mirror", str(mirror),
                            "--study-area", code, "--build-root", str(BUILDS / code), "--quiet"],
                           cwd=ROOT, check=True, capture_output=True)
            made += 1
    print(f"all of Paris: {made} of 20 builds made in {time.perf_counter() - start:.0f} s "
          f"(untimed setup; kept in {BUILDS.relative_to(ROOT)}, --rebuild to redo them)")
    runs, loads, methods = {}, {}, {}
    for code in codes:
        begin = time.perf_counter()
        manifest, layers = store.load_all(BUILDS / code / "current")
        paris_layers = store.load_paris(BUILDS / code / "current")
        loads[code] = time.perf_counter() - begin
        begin = time.perf_counter()
        result = analysis.run(manifest, layers, settings, paris_layers)
        runs[code] = time.perf_counter() - begin
        methods[result.refuges.method] = methods.get(result.refuges.method, 0) + 1
    total, slowest = sum(runs.values()), max(runs, key=runs.get)
    print(f"  load (baseline)   total {sum(loads.values()):6.1f} s")
    print(f"  analysis run      total {total:6.1f} s   median {statistics.median(runs.values()):.2f} s"
          f"   slowest {slowest} {runs[slowest]:.2f} s   ratio run/load "
          f"{total / sum(loads.values()):5.1f}")
    print(f"  refuge walking method per arrondissement: {methods}")
    targets.check("analysis of all 20 arrondissements (total)", total, TARGET_PARIS_S, " s")


def reruns(count: int, targets: Targets, result: analysis.Analysis) -> None:
    from streamlit.testing.v1 import AppTest

    def page(path: str, change, **params: str) -> float:
        at = AppTest.from_file(path, default_timeout=120)
        for key, value in params.items():
            at.query_params[key] = value
        at.run()
        if at.exception:
            raise RuntimeError(f"{path}: {at.exception[0].message}")
        times = []
        for i in range(count):
            change(at, i)
            start = time.perf_counter()
            at.run()
            times.append(time.perf_counter() - start)
        return statistics.median(times) * 1000

    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp) / "empty.py"
        empty.write_text(EMPTY_PAGE, encoding="utf-8")
        floor = page(str(empty), lambda at, i: at.checkbox(key="x").set_value(i % 2 == 0))
    pages = ROOT / "pages"
    figures = {
        "Inondation (host types)": page(str(pages / "flood.py"), lambda at, i: at.multiselect(
            key="flood.categories").set_value(["gymnasium"] if i % 2 == 0 else ["gymnasium", "school"])),
        "Chaleur (outside only)": page(str(pages / "heat.py"), lambda at, i: at.checkbox(
            key="heat.outside_only").set_value(i % 2 == 0)),
        "Chaleur (time of day)": page(str(pages / "heat.py"), lambda at, i: at.radio(
            key="heat.time").set_value("night" if i % 2 == 0 else "day")),
        "Fiche quartier (picker)": page(str(pages / "sheet.py"), lambda at, i: at.selectbox(
            key="sheet.quartier").set_value("7512001" if i % 2 == 0 else "7512004")),
    }
    print(f"page rerun after a widget change, server time (AppTest), median of {count}:")
    print(f"  empty page (floor) {floor:7.1f} ms")
    for name, ms in figures.items():
        print(f"  {name:<24} {ms:7.1f} ms   ratio to floor {ms / floor:5.1f}")
        targets.check(f"rerun {name} (median)", ms, TARGET_RERUN_MS, " ms")
    planning(count, targets, result, page, floor)


def planning(count: int, targets: Targets, result: analysis.Analysis, page, floor: float) -> None:
    """What-if and « suggest 5 sites » on the refuge tier at night, older person's pace."""
    found = result.refuges
    speed = found.settings.walk.default_speed_kmh
    offered = list(found.offered("night")["fid"])
    sites = [offered[:1], offered[:3]]
    path = str(ROOT / "pages" / "refuge_planning.py")
    what_if_ms = page(path, lambda at, i: at.multiselect(key="plan.sites").set_value(sites[i % 2]),
                      time="night")
    pure_s, plan = timed(lambda: siteplan.make_plan(found, "refuge", "night", speed, offered[:3]), count)
    suggest_s, top = timed(lambda: siteplan.suggest(found, "refuge", "night", speed, 5), count)
    suggest_ms = page(path, lambda at, i: at.button(key="plan.suggest").click(), time="night")
    print(f"« Refuges : planifier » (refuge tier, night, {speed:g} km/h, {len(offered)} candidates), "
          f"median of {count}:")
    print(f"  empty page (floor)        {floor:7.1f} ms")
    print(f"  what-if rerun (server)    {what_if_ms:7.1f} ms   ratio to floor {what_if_ms / floor:5.1f}"
          f"   (pure what-if of 3 sites {pure_s * 1000:.2f} ms)")
    print(f"  suggest 5, pure greedy    {suggest_s * 1000:7.2f} ms   "
          f"(+{sum(gain for _, gain in top):.0f} people aged 75+)")
    print(f"  suggest 5, button rerun   {suggest_ms:7.1f} ms   ratio to floor {suggest_ms / floor:5.1f}")
    targets.check("what-if change, server time (median)", what_if_ms, TARGET_WHAT_IF_MS, " ms")
    targets.check("suggest 5 sites, pure (median)", suggest_s, TARGET_SUGGEST_S, " s")
    targets.check("suggest 5 sites, server time (median)", suggest_ms / 1000, TARGET_SUGGEST_S, " s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reruns", type=int, default=10)
    parser.add_argument("--skip-paris", action="store_true", help="skip the 20 arrondissement builds")
    parser.add_argument("--rebuild", action="store_true", help="redo the 20 arrondissement builds")
    args = parser.parse_args()
    os.environ.setdefault("STREAMLIT_GLOBAL_DEVELOPMENT_MODE", "false")
    settings = analysis_settings.load_settings()
    targets = Targets("analysis")
    result = study_area(args.runs, settings, targets)
    if not args.skip_paris:
        if not DEFAULT_MIRROR.is_dir():
            print(f"all of Paris: no data mirror at {DEFAULT_MIRROR}")
            targets.missed.append("all of Paris (no mirror)")
        else:
            paris(settings, DEFAULT_MIRROR, args.rebuild, targets)
    reruns(args.reruns, targets, result)
    return targets.exit_code()


if __name__ == "__main__":
    sys.exit(main())

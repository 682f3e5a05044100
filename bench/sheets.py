"""Benchmark: producing a printable sheet (« Fiches »), against the sheet page this branch started
from, measured in the same run.

Figures (medians)
  page    — server time of the « Fiches » page showing another sheet (a picker change), with
            Streamlit's AppTest (same ScriptRunner as the server), the analyses cached as in the
            app; for the new page the sheet's own cache is emptied before each run, so every run
            builds its document (map, charts, QR code) from scratch;
  current — the same measure on the sheet page before the printable sheets (the parent of the
            commit that added ``geo/reports/document.py``; the markdown sheet), exported with
            ``git archive`` and run in a subprocess on the same data build: the baseline;
  build   — the pure document build (``geo.reports.quartier_doc`` / ``facility_doc``, HTML
            included) without Streamlit;
  pdf     — « Télécharger le PDF »: WeasyPrint on the same HTML (made only on click; printed for
            information, no target).

Target (issue 17): a sheet in at most 1 s of server time (quartier and facility sheets, median).

Usage: .venv/bin/python bench/sheets.py [--runs N] [--base REF]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 1.0
QUARTIERS = ("7512001", "7512002", "7512003", "7512004")


def facilities_to_show(count: int) -> list[str]:
    """A spread of facility sheets: every category, in a fixed order."""
    from geo.analysis import exposure

    result = exposure.load()
    fac = result.facilities.sort_values(["category", "fid"])
    picked = [group["fid"].iloc[0] for _, group in fac.groupby("category")]
    hosts = result.hosts.sort_values("capacity", ascending=False)["fid"].tolist()
    return list(dict.fromkeys([*picked, *hosts]))[:count]


def page_times(page: Path, runs: int, facilities: list[str], clear=None) -> dict[str, float]:
    """Median server time (s) of a picker change showing another quartier, then another facility."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(page), default_timeout=300)
    at.query_params["quartier"] = QUARTIERS[0]
    at.run()
    if at.exception:
        raise RuntimeError(f"{page}: {at.exception[0].message}")
    out = {}
    for kind, key, values in (("quartier", "sheet.quartier", QUARTIERS),
                              ("facility", "sheet.fid", facilities)):
        times = []
        for i in range(runs):
            at.selectbox(key=key).set_value(values[(i + 1) % len(values)])
            if clear is not None:
                clear()
            start = time.perf_counter()
            at.run()
            times.append(time.perf_counter() - start)
            if at.exception or at.error:
                raise RuntimeError(f"{page}: {(at.exception or at.error)[0].value}")
        out[kind] = statistics.median(times)
    return out


def worker(tree: Path, runs: int, facilities: list[str]) -> None:
    """Baseline mode: time the sheet page of an exported tree (its own ``geo`` first on the path)."""
    sys.path.insert(0, str(tree))
    print(json.dumps(page_times(tree / "pages" / "sheet.py", runs, facilities)))


def baseline(ref: str, runs: int, facilities: list[str]) -> dict[str, float]:
    """The sheet page of ``ref``, exported and timed in a subprocess on this worktree's build."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "archive", "--format=tar", ref], cwd=ROOT, check=True,
                                 capture_output=True).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        env = {**os.environ, "RESILIENCE_BUILD_ROOT": str(ROOT / "data" / "build"), "PYTHONPATH": tmp,
               "STREAMLIT_GLOBAL_DEVELOPMENT_MODE": "false"}
        done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--worker", tmp,
                               "--runs", str(runs), "--facilities", ",".join(facilities)],
                              cwd=tmp, env=env, check=True, capture_output=True, text=True)
        return json.loads(done.stdout.strip().splitlines()[-1])


def before_sheets() -> str:
    """The commit before the printable sheets: the parent of the one that added the document
    builder (stable once merged)."""
    added = subprocess.run(["git", "log", "--diff-filter=A", "--format=%H", "--reverse", "--",
                            "geo/reports/document.py"], cwd=ROOT, check=True, capture_output=True,
                           text=True).stdout.split()
    if not added:
        raise RuntimeError("no commit adds geo/reports/document.py: give --base")
    return f"{added[0]}^"


def pure_times(runs: int, facilities: list[str]) -> dict[str, float]:
    """Median seconds of the document build (HTML included) and of its PDF, per kind."""
    import functools

    from geo.actions.loader import load_catalogue
    from geo.analysis import exposure
    from geo.reports.facility_doc import facility_document
    from geo.reports.pdf import pdf_bytes
    from geo.reports.quartier_doc import quartier_document
    from geo.reports.sheet_common import SheetInputs
    from geo.sources import store

    result, manifest = exposure.load(), store.load_manifest()

    @functools.cache
    def frame_of(layer_id: str):
        if layer_id in exposure.MAP_LAYERS:
            return exposure.map_layer(result, layer_id)
        return store.load_layer(layer_id)

    inputs = SheetInputs(result, manifest, {**manifest["layers"], **exposure.MAP_LAYERS}, frame_of, {},
                         load_catalogue(), "http://localhost:8501/", "fr")
    out = {}
    for kind, build, values in (("quartier", lambda v: quartier_document(inputs, v, "night"), QUARTIERS),
                                ("facility", lambda v: facility_document(inputs, v, "day"), facilities)):
        build(values[0]).html()  # the map layers' frames, read once as in the app
        builds, pdfs = [], []
        for i in range(runs):
            start = time.perf_counter()
            html = build(values[i % len(values)]).html()
            builds.append(time.perf_counter() - start)
            if i < max(3, runs // 2):
                start = time.perf_counter()
                pdf_bytes(html)
                pdfs.append(time.perf_counter() - start)
        out[f"{kind}_build"], out[f"{kind}_pdf"] = statistics.median(builds), statistics.median(pdfs)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--base", default="", help="git ref of the baseline (default: the sheet page "
                        "before geo/reports/document.py was added)")
    parser.add_argument("--worker", default="", help=argparse.SUPPRESS)
    parser.add_argument("--facilities", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(Path(args.worker), args.runs, args.facilities.split(","))
        return 0
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    os.environ.setdefault("STREAMLIT_GLOBAL_DEVELOPMENT_MODE", "false")
    from _timing import Targets

    from geo.ui import sheet as sheet_ui

    targets = Targets("sheets")
    base = args.base or before_sheets()
    facilities = facilities_to_show(8)
    current = baseline(base, args.runs, facilities)
    new = page_times(ROOT / "pages" / "sheet.py", args.runs, facilities, clear=sheet_ui._document.clear)
    pure = pure_times(args.runs, facilities)
    print("« Fiches »: server time of a picker change showing another sheet (AppTest), "
          f"median of {args.runs}")
    print(f"  baseline: the sheet page of {base} (markdown tables, no map), same data build")
    for kind in ("quartier", "facility"):
        ratio = new[kind] / current[kind] if current[kind] else float("nan")
        print(f"  {kind:<9} current {current[kind] * 1000:7.1f} ms   new {new[kind] * 1000:7.1f} ms   "
              f"ratio {ratio:4.1f}   (document alone {pure[f'{kind}_build'] * 1000:6.1f} ms; "
              f"PDF on click {pure[f'{kind}_pdf'] * 1000:6.1f} ms)")
    for kind in ("quartier", "facility"):
        targets.check(f"{kind} sheet, server time (median)", new[kind], TARGET_S, " s")
    return targets.exit_code()


if __name__ == "__main__":
    sys.exit(main())

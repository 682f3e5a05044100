"""Benchmark: full ingest from the mirror, and the app's load of the built store.

Targets (issue 2): full ingest <= 15 s; loading the built store at app start <= 0.5 s.
Baselines measured in the same run, so the ratios hold on a noisy machine:
- ingest vs. "read only": reading every mirror file with geopandas, no validation/normalisation;
- store load vs. reading the raw mirror files the naive way (GeoJSON parsing at app start).

Usage: .venv/bin/python bench/ingest.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import geopandas as gpd  # noqa: E402
import pyogrio  # noqa: E402
from _timing import Targets  # noqa: E402
from _timing import samples as timed  # noqa: E402

from geo.core.settings import DEFAULT_MIRROR  # noqa: E402
from geo.sources.registry import load_registry  # noqa: E402
from geo.sources.store import load_all  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    registry = load_registry()
    files = sorted({DEFAULT_MIRROR / f for spec in registry.layers.values() for f in spec.files
                    if f.endswith((".geojson", ".json"))})

    with tempfile.TemporaryDirectory() as tmp:
        def ingest() -> None:
            subprocess.run([sys.executable, "-m", "geo.ingest", "--mirror", str(DEFAULT_MIRROR),
                            "--build-root", tmp, "--quiet"], cwd=ROOT, check=True,
                           capture_output=True)

        def read_only() -> None:
            subprocess.run([sys.executable, "-c",
                            "import sys, geopandas as g\n"
                            "for f in sys.argv[1:]: g.read_file(f)", *map(str, files)],
                           check=True, capture_output=True)

        ingest_t = timed(ingest, args.runs)
        read_t = timed(read_only, args.runs)
        build = Path(tmp) / "current"
        load_t = timed(lambda: load_all(build), args.runs * 2)
        naive_t = timed(lambda: [pyogrio.read_dataframe(f) for f in files], args.runs)
        _, layers = load_all(build)
        features = sum(len(g) for g in layers.values())

    med = statistics.median
    print(f"full ingest from the mirror ({len(registry.layers)} layers, {len(files)} GeoJSON files + CSV):")
    print(f"  ingest (subprocess, incl. Python start-up)  median {med(ingest_t):6.2f} s  "
          f"min {min(ingest_t):.2f}")
    print(f"  baseline: read every file, nothing else     median {med(read_t):6.2f} s  "
          f"ratio ingest/read-only = {med(ingest_t) / med(read_t):.2f}")
    print(f"app start: load the built store ({len(layers)} layers, {features} features):")
    print(f"  load manifest + all GeoParquet layers      median {med(load_t) * 1000:6.0f} ms")
    print(f"  baseline: parse the raw GeoJSON files      median {med(naive_t) * 1000:6.0f} ms  "
          f"ratio store/raw = {med(load_t) / med(naive_t):.2f}")
    print(f"(geopandas {gpd.__version__}, pyogrio {pyogrio.__version__}, runs={args.runs})")
    targets = Targets("ingest")
    targets.check("full ingest from the mirror (median)", med(ingest_t), 15.0, " s")
    targets.check("store load at app start (median)", med(load_t) * 1000, 500.0, " ms")
    return targets.exit_code()


if __name__ == "__main__":
    sys.exit(main())

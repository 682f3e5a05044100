"""Benchmark: exporting every layer of the study area in each download format.

Target (issue 5): each format <= 2 s on this machine (all layers, no filter, Lambert-93).
Baseline measured in the same run, so the ratio holds on a noisy machine: a plain geopandas
``to_file`` of the same layers, reprojected the same way, with the same driver, but without
the provenance table or README, the zip, the Shapefile field mapping or the CSV sidecars.
Layers are read once beforehand (the page holds them in its cache): the figure is the export.

Usage: .venv/bin/python bench/export.py [--runs N] [--crs 2154|4326]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import geopandas as gpd  # noqa: E402
from _timing import Targets  # noqa: E402

from geo import export  # noqa: E402
from geo.sources import store  # noqa: E402

TARGET_S = 2.0


def paired_medians(ours, theirs, runs: int) -> tuple[float, float]:
    """Median times of two functions run alternately, so a busy machine slows both alike."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for fn, out in ((ours, times[0]), (theirs, times[1])):
            started = time.perf_counter()
            fn()
            out.append(time.perf_counter() - started)
    return statistics.median(times[0]), statistics.median(times[1])


def baseline(frames: dict[str, gpd.GeoDataFrame], fmt: export.FormatSpec, crs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        # GDAL's own truncation of long Shapefile field names (it even cuts an "é" in half) is
        # what the baseline does: its warnings are expected here.
        warnings.simplefilter("ignore")
        for layer_id, frame in frames.items():
            out = frame.to_crs(epsg=crs)
            if fmt.key == "gpkg":
                out.to_file(Path(tmp) / "all.gpkg", layer=layer_id, driver="GPKG", engine="pyogrio",
                            FID="gpkg_fid")
            elif fmt.key == "csv-xy":
                table = out.drop(columns="geometry")
                point = out.geometry.representative_point()
                table["x"], table["y"] = point.x, point.y
                table.to_csv(Path(tmp) / f"{layer_id}.csv", index=False)
            else:
                options = {"GEOMETRY": "AS_WKT"} if fmt.key == "csv" else {}
                out.to_file(Path(tmp) / f"{layer_id}.{fmt.extension}", driver=fmt.driver,
                            engine="pyogrio", **options)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--crs", type=int, default=export.DEFAULT_CRS)
    args = parser.parse_args()
    manifest = store.load_manifest()
    frames = {layer_id: store.load_layer(layer_id) for layer_id in manifest["layers"]}
    features = sum(len(f) for f in frames.values())
    print(f"export of all {len(frames)} layers ({features} features), EPSG:{args.crs}, "
          f"median of {args.runs} runs, alternating with the baseline = plain geopandas to_file "
          "(GDAL defaults), no provenance")
    print(f"{'format':<8} {'export s':>9} {'baseline s':>11} {'ratio':>6} {'size MB':>8}  target")
    worst = 0.0
    for fmt in export.FORMATS.values():
        spec = export.ExportSpec(layers=tuple(frames), fmt=fmt.key, crs=args.crs)
        download = export.run(spec, manifest, frames.__getitem__)
        ours, base = paired_medians(lambda spec=spec: export.run(spec, manifest, frames.__getitem__),
                                    lambda fmt=fmt: baseline(frames, fmt, args.crs), args.runs)
        worst = max(worst, ours)
        verdict = "ok" if ours <= TARGET_S else f"OVER {TARGET_S:g} s"
        print(f"{fmt.key:<8} {ours:>9.3f} {base:>11.3f} {ours / base:>6.2f} "
              f"{len(download.data) / 1e6:>8.2f}  {verdict}")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    targets = Targets("export")
    targets.check("slowest format, all layers (median)", worst, TARGET_S, " s")
    return targets.exit_code()


if __name__ == "__main__":
    main()

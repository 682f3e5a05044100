"""Copies of the real build that a test changes: a layer rewritten keeps the build valid (its
size and SHA-256 in the manifest follow, as the ingest would write them)."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd

from geo.sources.integrity import file_entry


def rewrite_layer(build: Path, layer_id: str, frame: gpd.GeoDataFrame) -> None:
    """Write ``frame`` as the layer's file of ``build`` and record it in the manifest."""
    path = build / "layers" / f"{layer_id}.parquet"
    frame.to_parquet(path, index=False)
    manifest_path = build / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["layers"][layer_id]["file"] = file_entry(path, build)
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")

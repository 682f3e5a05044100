"""Reading the built store: the manifest and the layers of the current build."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd

from geo.errors import BuildMissingError, UnknownLayerError
from geo.settings import current_build_dir

INGEST_COMMAND = "python -m geo.ingest"


def build_dir(path: Path | None = None) -> Path:
    """The resolved directory of the current build (so a swap during a read is harmless).

    Raises
    ------
    BuildMissingError
        When no build exists yet.
    """
    link = path or current_build_dir()
    if not (link / "manifest.json").is_file():
        raise BuildMissingError(
            f"no data build at {link}: run `{INGEST_COMMAND}` (or `make run`) first")
    return link.resolve()


def load_manifest(path: Path | None = None) -> dict:
    directory = build_dir(path)
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    manifest["build_id"] = directory.name
    return manifest


def load_layer(layer_id: str, path: Path | None = None) -> gpd.GeoDataFrame:
    """One built layer (EPSG:4326, normalised schema).

    Raises
    ------
    UnknownLayerError
        When the build holds no such layer.
    """
    directory = build_dir(path)
    file = directory / "layers" / f"{layer_id}.parquet"
    if not file.is_file():
        raise UnknownLayerError(layer_id)
    return gpd.read_parquet(file)


def load_all(path: Path | None = None) -> tuple[dict, dict[str, gpd.GeoDataFrame]]:
    """The manifest and every layer of one consistent build."""
    directory = build_dir(path)
    manifest = load_manifest(directory)
    layers = {layer_id: gpd.read_parquet(directory / "layers" / f"{layer_id}.parquet")
              for layer_id in manifest["layers"]}
    return manifest, layers

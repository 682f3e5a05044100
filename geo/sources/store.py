"""Reading the built store: the manifest and the layers of the current build."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pyarrow as pa
import pyarrow.parquet as pq
import shapely
from pyproj import CRS

from geo.core.errors import (
    BuildDamagedError,
    BuildMissingError,
    LayerDamagedError,
    UnknownLayerError,
)
from geo.core.settings import STORE_CRS, current_build_dir

INGEST_COMMAND = "python -m geo.ingest"
#: File suffix of the unclipped Paris copy of a layer whose registry entry says ``keep_paris``.
PARIS_SUFFIX = ".paris"


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
    """The build's manifest as written (``geo.sources.integrity.open_build`` also checks the
    layer files).

    Raises
    ------
    BuildDamagedError
        The manifest is not readable JSON.
    """
    directory = build_dir(path)
    try:
        manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise BuildDamagedError(f"the build's manifest is damaged ({type(exc).__name__}): "
                                f"run `{INGEST_COMMAND}` again") from None
    manifest["build_id"] = directory.name
    return manifest


@lru_cache(maxsize=1)
def _store_crs() -> CRS:
    return CRS.from_user_input(STORE_CRS)


def read_layer_file(file: Path) -> gpd.GeoDataFrame:
    """Read one GeoParquet file of a build.

    About ten times faster than ``geopandas.read_parquet`` on these small layers, which spends
    most of its time building a CRS object per file: the build always writes EPSG:4326, so the
    CRS recorded in the file's metadata is checked and one shared CRS object is used.

    Raises
    ------
    LayerDamagedError
        The file is not whole Parquet or not a layer of these builds (named by its layer, not
        by the server's path).
    """
    try:
        table = pq.read_table(file)
    except (OSError, pa.ArrowException) as exc:
        raise LayerDamagedError(file.stem, f"unreadable file ({type(exc).__name__})") from None
    geo = json.loads((table.schema.metadata or {}).get(b"geo", b"{}"))
    crs = geo.get("columns", {}).get("geometry", {}).get("crs", {})
    if crs.get("id", {}).get("code") != 4326:
        raise LayerDamagedError(file.stem, "not an EPSG:4326 layer of this project's builds")
    frame = table.drop(["geometry"]).to_pandas()
    geometry = shapely.from_wkb(table.column("geometry").to_numpy(zero_copy_only=False))
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=_store_crs())


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
    return read_layer_file(file)


def load_all(path: Path | None = None) -> tuple[dict, dict[str, gpd.GeoDataFrame]]:
    """The manifest and every layer of one consistent build."""
    directory = build_dir(path)
    manifest = load_manifest(directory)
    layers = {layer_id: read_layer_file(directory / "layers" / f"{layer_id}.parquet")
              for layer_id in manifest["layers"]}
    return manifest, layers


def load_paris(path: Path | None = None) -> dict[str, gpd.GeoDataFrame]:
    """The whole-Paris copies of the build's ``keep_paris`` layers (layer id → EPSG:4326 frame;
    their manifest entry holds ``count_paris``). Empty for a build made before they existed."""
    directory = build_dir(path)
    manifest = load_manifest(directory)
    return {layer_id: read_layer_file(directory / "layers" / f"{layer_id}{PARIS_SUFFIX}.parquet")
            for layer_id, info in manifest["layers"].items() if "count_paris" in info}

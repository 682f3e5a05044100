"""Opening a build the app can trust: the manifest read and checked, every layer file checked
against the size and SHA-256 the manifest records, damaged layers left out by name.

Found: with one layer file truncated, five pages showed a pyarrow traceback with the server's
paths although the other 22 layers were fine, and a truncated ``manifest.json`` broke 9 pages of
10. Now a damaged manifest, or a damaged layer every page needs (the boundaries), makes the
build unusable (``BuildDamagedError``: the pages say to rebuild); any other damaged layer is
moved from ``manifest["layers"]`` to ``manifest["damaged"]`` with the problem, so every page
works with the others and names it. Builds written before layer checksums existed are checked
by reading each file's Parquet footer (a truncated file has none).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from geo.core.errors import BuildDamagedError
from geo.sources import store

#: Layers without which no page can work (the study area and its quartiers).
REQUIRED_LAYERS = ("arrondissements", "quartiers")


def file_entry(path: Path, root: Path) -> dict:
    """What the manifest records of one written layer file: path (relative to the build),
    size and SHA-256."""
    data = path.read_bytes()
    return {"path": path.relative_to(root).as_posix(), "bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest()}


def check_layer_file(directory: Path, layer_id: str, entry: dict) -> str:
    """The problem of one layer's file ("" when it is sound)."""
    recorded = entry.get("file")
    path = directory / (recorded["path"] if recorded else f"layers/{layer_id}.parquet")
    try:
        if recorded is None:
            pq.read_metadata(path)  # an older build: at least the file must be whole Parquet
            return ""
        data = path.read_bytes()
    except FileNotFoundError:
        return "file missing"
    except (OSError, pa.ArrowException) as exc:
        return f"unreadable file ({type(exc).__name__})"
    if len(data) != recorded["bytes"]:
        return f"file of {len(data)} bytes, {recorded['bytes']} expected"
    if hashlib.sha256(data).hexdigest() != recorded["sha256"]:
        return "checksum differs from the manifest"
    return ""


def open_build(path: Path | None = None) -> dict:
    """The manifest of the current build (or the build at ``path``), checked.

    Returns the manifest with ``build_id``, the sound layers in ``layers`` and the damaged
    ones in ``damaged`` (layer id → its manifest entry plus ``problem``).

    Raises
    ------
    BuildMissingError
        No build exists yet.
    BuildDamagedError
        The manifest cannot be read, or a layer every page needs is damaged.
    """
    directory = store.build_dir(path)
    try:
        manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
        layers = manifest["layers"]
        manifest["study_area"]["insee"]
        if not isinstance(layers, dict) or not all(isinstance(v, dict) for v in layers.values()):
            raise TypeError("layers is not a table of layers")
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise BuildDamagedError(f"the build's manifest is damaged ({type(exc).__name__}): "
                                f"run `{store.INGEST_COMMAND}` again") from None
    manifest["build_id"] = directory.name
    damaged = {}
    for layer_id, entry in list(layers.items()):
        problem = check_layer_file(directory, layer_id, entry)
        if problem:
            damaged[layer_id] = {**entry, "problem": problem}
            del layers[layer_id]
    required = [layer_id for layer_id in REQUIRED_LAYERS if layer_id in damaged]
    if required:
        raise BuildDamagedError(f"layer '{required[0]}' is damaged "
                                f"({damaged[required[0]]['problem']}): run "
                                f"`{store.INGEST_COMMAND}` again")
    manifest["damaged"] = damaged
    return manifest

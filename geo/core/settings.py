"""Paths and settings, resolved relative to the repository (never the working directory)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = ROOT / "data"
SOURCES_FILE = DATA_DIR / "sources.toml"
ACTIONS_FILE = DATA_DIR / "actions.toml"
BUILD_ROOT = DATA_DIR / "build"
DEFAULT_MIRROR = (ROOT.parent / "shared" / "data" / "raw").resolve()

#: CRS used for storage and display (lon/lat) and for every measurement (Lambert-93).
STORE_CRS = "EPSG:4326"
METRIC_CRS = "EPSG:2154"

#: Bounding box of Paris in lon/lat with a margin (bois, périphérique sites): validation bound.
PARIS_BBOX = (2.20, 48.80, 2.48, 48.93)


def build_root() -> Path:
    """Directory holding the builds; ``RESILIENCE_BUILD_ROOT`` overrides it (tests, benchmarks)."""
    return Path(os.environ.get("RESILIENCE_BUILD_ROOT", BUILD_ROOT))


def current_build_dir() -> Path:
    """The build the app reads: a symlink swapped atomically by the ingest."""
    return build_root() / "current"

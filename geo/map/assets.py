"""Offline map assets: Leaflet, installed from PyPI (``xstatic-leaflet``), served by the app itself.

Streamlit serves ``static/`` beside ``app.py`` at ``/app/static/`` (``enableStaticServing``).
The directory is generated here from the installed package and git-ignored: no library file is
committed and no CDN is ever asked.

Run ``python -m geo.map.assets`` (the README's commands do it); ``ensure_assets()`` repeats it cheaply.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import xstatic.pkg.leaflet as xleaflet

from geo.core.settings import ROOT

STATIC_DIR = ROOT / "static"
LEAFLET_DIR = STATIC_DIR / "vendor" / "leaflet"
#: URL prefix under which Streamlit serves ``static/``.
STATIC_URL = "/app/static"
LEAFLET_JS = f"{STATIC_URL}/vendor/leaflet/leaflet.js"
LEAFLET_CSS = f"{STATIC_URL}/vendor/leaflet/leaflet.css"
VERSION_FILE = LEAFLET_DIR / "VERSION"


def ensure_assets() -> Path:
    """Copy Leaflet's JS, CSS and images from the installed package, if not already there."""
    version = xleaflet.VERSION
    if VERSION_FILE.is_file() and VERSION_FILE.read_text().strip() == version:
        return LEAFLET_DIR
    source = Path(xleaflet.BASE_DIR)
    tmp = LEAFLET_DIR.with_name(".leaflet-tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for name in ("leaflet.js", "leaflet.css"):
        shutil.copy2(source / name, tmp / name)
    shutil.copytree(source / "images", tmp / "images")
    (tmp / "VERSION").write_text(version)
    shutil.rmtree(LEAFLET_DIR, ignore_errors=True)
    tmp.rename(LEAFLET_DIR)
    return LEAFLET_DIR


if __name__ == "__main__":
    path = ensure_assets()
    print(f"Leaflet {xleaflet.VERSION} served from {path}", file=sys.stderr)

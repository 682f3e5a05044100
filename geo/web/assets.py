"""Build the precompressed static cache: ``python -m geo.web.assets`` (``make assets`` runs it).

Writes, under ``data/cache/web/streamlit-<version>/`` (git-ignored; ``RESILIENCE_WEB_CACHE``
overrides the folder):
- ``.br``/``.gz`` copies of Streamlit's frontend files (``/static/...``), of the root document
  (also answered for every page path of ``app.py``: ``/carte``, ``/proposer``...) and of the
  map component's files (``/component/streamlit_folium.st_folium/...``);
- the subset fonts (``geo.web.fonts``) served under Streamlit's own font URLs, and their copies;
- ``manifest.json``, read by ``geo.web.static.PrecompressedStatic`` when the server starts.
It also writes ``.br``/``.gz`` beside Leaflet's files in ``static/vendor/leaflet/``.

The first build takes about half a minute on two cores (brotli quality 11 over ~23 MB of
JavaScript); a rebuild after no change reuses every copy and the font subsets (a few seconds).
Streamlit is found on disk, never imported (only ``geo.ui`` imports it).
"""

from __future__ import annotations

import ast
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import re
import sys
import time
from pathlib import Path

from geo.core.compress import IMMUTABLE, REVALIDATE, write_siblings
from geo.core.i18n import DEFAULT_LANG
from geo.core.settings import DATA_DIR, ROOT
from geo.map.assets import LEAFLET_DIR, ensure_assets
from geo.web import fonts
from geo.web.precompress import MANIFEST_NAME, Asset, Tree, build_cache, streamlit_cache_control

CACHE_ENV = "RESILIENCE_WEB_CACHE"
COMPONENT_URL = "/component/streamlit_folium.st_folium"
FONT_URL = "/static/media"
_HASHED = re.compile(r"\.[0-9a-f]{8}\.")


def package_dir(name: str) -> Path | None:
    """Where an installed package lives, found without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def streamlit_static_dir() -> Path:
    """Streamlit's built frontend (what it serves at ``/``)."""
    package = package_dir("streamlit")
    if package is None or not (package / "static" / "index.html").is_file():
        raise FileNotFoundError("Streamlit's frontend is not installed (pip install -r requirements.txt)")
    return package / "static"


def folium_component_dir() -> Path | None:
    """The map component's built frontend (``streamlit_folium``), if installed."""
    package = package_dir("streamlit_folium")
    build = package / "frontend" / "build" if package else None
    return build if build is not None and build.is_dir() else None


def cache_dir() -> Path:
    """The cache of this Streamlit version (a Streamlit upgrade starts a fresh one)."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    return DATA_DIR / "cache" / "web" / f"streamlit-{importlib.metadata.version('streamlit')}"


def page_paths(app_script: Path) -> list[str]:
    """The pages' URL paths of ``app.py``'s ``PAGES`` table (script, title, icon, URL path):
    each is answered with the root document, as Streamlit's own fallback does."""
    tree = ast.parse(app_script.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "PAGES" for t in node.targets):
            return sorted({row[3] for row in ast.literal_eval(node.value)})
    return []


def _sources(root: Path) -> tuple[list[Path], list[Path]]:
    """(files searched for ``:material/…:`` marks, files whose string literals may be icon names)."""
    marks = [root / "app.py", *sorted((root / "pages").glob("*.py")),
             *sorted((root / "geo").rglob("*.py")), *sorted((root / "data").glob("**/*.toml"))]
    literals = [root / "app.py", *sorted((root / "pages").glob("*.py"))]
    return [f for f in marks if f.is_file()], [f for f in literals if f.is_file()]


def font_subsets(root: Path, media: Path, dest: Path) -> dict[str, bytes]:
    """Streamlit's fonts cut down (``geo.web.fonts``), kept in ``dest/fonts/`` and redone only
    when a font or the app's icon names change."""
    marks, literals = _sources(root)
    names = fonts.app_icon_names(marks, literals, fonts.known_icon_names(media))
    key = hashlib.sha256(json.dumps([sorted(names), importlib.metadata.version("streamlit"),
                                     importlib.metadata.version("fonttools")]).encode()).hexdigest()
    folder = dest / "fonts"
    stamp = folder / "key.json"
    if stamp.is_file():
        saved = json.loads(stamp.read_text(encoding="utf-8"))
        if saved["key"] == key and all((folder / n).is_file() for n in saved["files"]):
            return {n: (folder / n).read_bytes() for n in saved["files"]}
    subsets = fonts.subset_streamlit_fonts(media, names)
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in subsets.items():
        (folder / name).write_bytes(data)
    stamp.write_text(json.dumps({"key": key, "files": sorted(subsets)}), encoding="utf-8")
    return subsets


def build(root: Path = ROOT, dest: Path | None = None, with_fonts: bool = True) -> dict[str, Asset]:
    """Build (or refresh) the cache for the app at ``root``; the manifest (URL -> Asset)."""
    dest = dest or cache_dir()
    static = streamlit_static_dir()
    trees = [Tree(static, "/", streamlit_cache_control)]
    component = folium_component_dir()
    if component is not None:
        # only the component's hashed bundles may be cached for good
        trees.append(Tree(component, COMPONENT_URL,
                          lambda rel: IMMUTABLE if _HASHED.search(rel) else REVALIDATE))
    overrides = {}
    if with_fonts:
        subsets = font_subsets(root, static / "static" / "media", dest)
        overrides = {f"{FONT_URL}/{name}": (data, fonts.SUBSET_CACHE_CONTROL)
                     for name, data in subsets.items()}
    # the root document in the default language (its <html lang>); a page asked in another
    # language is not served from the cache (geo.web.static) but rewritten by the app
    index = (static / "index.html").read_bytes().replace(
        b'<html lang="en">', f'<html lang="{DEFAULT_LANG}">'.encode(), 1)
    overrides["/index.html"] = (index, streamlit_cache_control("index.html"))
    aliases = {"/": "/index.html", **{f"/{p}": "/index.html" for p in page_paths(root / "app.py")}}
    manifest = build_cache(trees, dest, overrides, aliases)
    ensure_assets()
    for name in ("leaflet.js", "leaflet.css"):
        write_siblings(LEAFLET_DIR / name)
    return manifest


def ensure_built() -> Path:
    """The cache folder, built first when it has no manifest (tests, benchmarks)."""
    dest = cache_dir()
    if not (dest / MANIFEST_NAME).is_file():
        build(dest=dest)
    return dest


def main() -> int:
    started = time.perf_counter()
    manifest = build()
    raw = sum(a.size for a in manifest.values())
    packed = sum(a.variant_sizes.get("br", a.size) for a in manifest.values())
    print(f"precompressed static files: {len(manifest)} URLs, {raw / 1e6:.1f} MB -> "
          f"{packed / 1e6:.1f} MB (brotli) in {cache_dir()} ({time.perf_counter() - started:.1f} s)",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

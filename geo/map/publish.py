"""Publishing the layers' light GeoJSON as static files the browser fetches and caches
(content-addressed under ``static/map/``, pruned when unused for a week).
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from geo.core.compress import MIN_SIZE, publish_siblings, touch_siblings
from geo.map.assets import STATIC_DIR, STATIC_URL

#: Where the layers' light GeoJSON is published for the browser (generated, git-ignored).
MAP_DATA_DIR = STATIC_DIR / "map"
MAP_DATA_URL = f"{STATIC_URL}/map"


PUBLISHED_MAX_AGE_S = 7 * 24 * 3600
_PRUNE_EVERY_S = 3600
_last_prune = 0.0


def publish_geojson(text: str, directory: Path = MAP_DATA_DIR, url: str = MAP_DATA_URL) -> str:
    """Write a layer's GeoJSON under ``static/`` (content-addressed, so a URL never changes
    meaning and the browser may cache it) and return its URL. Idempotent.

    Behaviour note: reusing a file marks it used (its modification time), which is what
    ``prune_published`` goes by; writing a new one prunes the folder at most once an hour.
    Its compressed copies (``<name>.json.gz``/``.br``, served by ``geo.web.static``) are written
    beside it and marked with it: a copy older than its file is never served.
    """
    global _last_prune
    name = hashlib.sha256(text.encode()).hexdigest()[:20] + ".json"
    path = directory / name
    try:
        os.utime(path)
        if not touch_siblings(path) and len(text) >= MIN_SIZE:
            # published before compressed copies existed (an older version of the app)
            publish_siblings(path, text.encode("utf-8"))
    except FileNotFoundError:
        directory.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        data = text.encode("utf-8")
        tmp.write_bytes(data)
        tmp.replace(path)
        publish_siblings(path, data)
        if time.time() - _last_prune > _PRUNE_EVERY_S:
            _last_prune = time.time()
            prune_published(directory)
    except OSError:  # there, but not ours to mark (another user's file): still served as is
        pass
    return f"{url}/{name}"


def prune_published(directory: Path = MAP_DATA_DIR, max_age_s: float = PUBLISHED_MAX_AGE_S,
                    now: float | None = None) -> int:
    """Remove the published layer files (and leftover temporary files) not used for
    ``max_age_s`` seconds: every filter, language and build leaves its own file, so the folder
    would otherwise only grow. Returns how many were removed."""
    now = time.time() if now is None else now
    removed = 0
    for path in directory.glob("*"):
        try:
            if path.is_file() and now - path.stat().st_mtime > max_age_s:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # another server process pruned it first
            continue
    return removed

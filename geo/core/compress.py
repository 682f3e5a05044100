"""Compressed copies of files (brotli, gzip): what is worth compressing, the copies' names, and
the copies written beside a file published while the app runs (a map layer file).

Serving them is ``geo.web.static``'s job; building the copies of Streamlit's own files is
``geo.web.precompress``'s. This module is low in the house so that ``geo.map.publish`` can call
``write_siblings`` when it publishes a layer.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import os
import threading
from collections.abc import Iterable
from pathlib import Path

try:  # PyPI ``brotli`` (pin it in requirements.txt); without it only gzip copies are made
    import brotli as _brotli
except ImportError:  # pragma: no cover - exercised only where brotli is missing
    _brotli = None

#: Suffixes worth compressing (woff2, png, jpg are compressed already).
COMPRESSIBLE = frozenset({".js", ".mjs", ".css", ".html", ".json", ".geojson", ".svg", ".txt",
                          ".map", ".xml", ".ttf", ".otf", ".wasm", ".ico", ".md"})
#: Smaller files are sent as they are (headers cost more than the saving).
MIN_SIZE = 1024
#: A compressed copy is kept only if it is at most this fraction of the original.
MAX_RATIO = 0.9
#: Cache-Control of content-hashed files (Streamlit's own value for its bundles).
IMMUTABLE = "public, immutable, max-age=31536000"
REVALIDATE = "no-cache"
#: Encodings in the order they are preferred when the client accepts several.
ENCODINGS = ("br", "gzip")
SUFFIX = {"br": ".br", "gzip": ".gz"}

MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
               ".css": "text/css; charset=utf-8", ".html": "text/html; charset=utf-8",
               ".json": "application/json", ".geojson": "application/geo+json",
               ".svg": "image/svg+xml", ".woff2": "font/woff2", ".woff": "font/woff",
               ".ttf": "font/ttf", ".otf": "font/otf", ".wasm": "application/wasm",
               ".map": "application/json", ".txt": "text/plain; charset=utf-8"}


def media_type(path: str | Path) -> str:
    """The Content-Type to send for ``path`` (by suffix)."""
    suffix = Path(path).suffix.lower()
    if suffix in MEDIA_TYPES:
        return MEDIA_TYPES[suffix]
    guessed, encoding = mimetypes.guess_type(str(path))
    return guessed if guessed and encoding is None else "application/octet-stream"


def brotli_available() -> bool:
    return _brotli is not None


def compress(data: bytes, encoding: str) -> bytes:
    """``data`` compressed with ``encoding`` (``"br"`` quality 11, ``"gzip"`` level 9, no mtime
    so the output is reproducible)."""
    if encoding == "gzip":
        return gzip.compress(data, compresslevel=9, mtime=0)
    if encoding == "br":
        if _brotli is None:
            raise RuntimeError("the brotli package is not installed")
        return _brotli.compress(data, quality=11)
    raise ValueError(f"unknown encoding {encoding!r}")


def variants(data: bytes, suffix: str, encodings: Iterable[str] = ENCODINGS) -> dict[str, bytes]:
    """The compressed copies worth keeping for a file of ``suffix``: none for an incompressible
    type, a file under ``MIN_SIZE`` or a copy larger than ``MAX_RATIO`` of the original."""
    if suffix.lower() not in COMPRESSIBLE or len(data) < MIN_SIZE:
        return {}
    out: dict[str, bytes] = {}
    for encoding in encodings:
        if encoding == "br" and _brotli is None:
            continue
        packed = compress(data, encoding)
        if len(packed) <= MAX_RATIO * len(data):
            out[encoding] = packed
    return out


def etag(data: bytes) -> str:
    """A strong validator of the identity bytes (the same for every encoding of them, which is
    allowed because the variants differ by Content-Encoding and carry ``Vary``)."""
    return '"' + hashlib.sha256(data).hexdigest()[:24] + '"'


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file renamed in place (readers never see
    half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def write_siblings(path: Path, data: bytes | None = None,
                   encodings: Iterable[str] = ENCODINGS) -> dict[str, Path]:
    """Write ``<path>.br`` / ``<path>.gz`` beside a file published at run time (a layer file),
    each atomically; the copies written. Call it after the file itself is in place: the
    middleware serves a copy only when it is not older than its file."""
    data = path.read_bytes() if data is None else data
    written: dict[str, Path] = {}
    for encoding, packed in variants(data, path.suffix, encodings).items():
        target = path.with_name(path.name + SUFFIX[encoding])
        write_atomic(target, packed)
        written[encoding] = target
    return written


def publish_siblings(path: Path, data: bytes) -> threading.Thread | None:
    """The copies of a file just published while the app runs: the gzip copy at once (a few ms
    for a layer file), the brotli copy (quality 11: ~150 ms for the largest layer) in a
    background thread, so the page that publishes the file does not wait for it (brotli
    releases the GIL). Returns that thread, or None when there is nothing to write."""
    write_siblings(path, data, ("gzip",))
    if _brotli is None or len(data) < MIN_SIZE or path.suffix.lower() not in COMPRESSIBLE:
        return None
    thread = threading.Thread(target=write_siblings, args=(path, data, ("br",)), daemon=True,
                              name=f"brotli {path.name}")
    thread.start()
    return thread


def touch_siblings(path: Path) -> int:
    """Mark the compressed copies of ``path`` used too (``publish_geojson`` marks the file it
    reuses, and the prune goes by modification time); how many there were."""
    touched = 0
    for suffix in SUFFIX.values():
        try:
            os.utime(path.with_name(path.name + suffix))
            touched += 1
        except FileNotFoundError:
            pass
    return touched

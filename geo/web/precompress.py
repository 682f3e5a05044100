"""Precompressed copies of static files, made once at build time, and the manifest that lists them.

Streamlit 1.67 sends its own frontend (``/static/...``, ~2.1 MB of JavaScript per page) and the
root document uncompressed on purpose, and gzips everything else (``/app/static/``,
``/component/``) again on every request. Here every compressible file gets a ``.br`` (brotli,
quality 11) and a ``.gz`` (gzip, level 9) copy, written once into a git-ignored cache directory
(never into site-packages), with a manifest that ``geo.web.static.PrecompressedStatic`` serves
from. Files written while the app runs (the map's layer files) get sibling copies from
``geo.core.compress`` at the moment they are published.

No Streamlit import: the caller passes the directories (``geo.web.assets`` finds Streamlit's
without importing it). The first build compresses in a pool of processes (brotli quality 11 over
~23 MB of JavaScript); a rebuild after no change reuses every copy (hashing only).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from geo.core.compress import IMMUTABLE, REVALIDATE, SUFFIX, etag, media_type, variants, write_atomic

MANIFEST_NAME = "manifest.json"


@dataclass(frozen=True)
class Asset:
    """One URL the middleware answers: its identity file, its compressed copies, its headers."""

    url: str
    identity: str
    media_type: str
    etag: str
    cache_control: str
    size: int
    variants: dict[str, str] = field(default_factory=dict)
    variant_sizes: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Tree:
    """A directory served under ``url_prefix`` (e.g. Streamlit's static dir under ``/``).

    ``cache_control(relative_path)`` gives the header for a file; ``include(relative_path)``
    filters what is put into the cache.
    """

    directory: Path
    url_prefix: str
    cache_control: Callable[[str], str]
    include: Callable[[str], bool] = lambda _relative: True


def streamlit_cache_control(relative: str) -> str:
    """Streamlit's own rule: HTML and ``manifest.json`` revalidate, hashed bundles are immutable."""
    return REVALIDATE if relative.endswith(".html") or relative == "manifest.json" else IMMUTABLE


def _compress_file(identity: str, url: str, dest: str) -> tuple[dict[str, str], dict[str, int]]:
    """Write the copies worth keeping of one file under ``dest`` (run in a worker process)."""
    data = Path(identity).read_bytes()
    paths, sizes = {}, {}
    for encoding, packed in variants(data, Path(identity).suffix).items():
        target = Path(dest) / (url.lstrip("/") + SUFFIX[encoding])
        write_atomic(target, packed)
        paths[encoding], sizes[encoding] = str(target), len(packed)
    return paths, sizes


def build_cache(trees: Iterable[Tree], dest: Path, overrides: Mapping[str, tuple[bytes, str]] = {},
                aliases: Mapping[str, str] = {}, workers: int | None = None) -> dict[str, Asset]:
    """Write compressed copies of every file of ``trees`` under ``dest`` and return the manifest.

    Parameters
    ----------
    trees
        Directories and the URL prefix they are served under.
    dest
        The cache directory (git-ignored); copies are ``dest/<url path>.br`` / ``.gz``.
        A copy already there for the same identity bytes (same ETag) is reused, so a second
        build after no change costs only hashing.
    overrides
        URL -> (bytes, cache_control): files served in place of the tree's file at that URL
        (the subset fonts); their identity bytes are written under ``dest`` too.
    aliases
        URL -> URL of an asset: the same file under another URL (``/carte`` -> ``/index.html``).
    workers
        Processes compressing at once (default: the machine's CPU count); 1 compresses here.

    Returns
    -------
    dict[str, Asset]
        By URL path. Also written to ``dest/manifest.json`` (``load_manifest`` reads it).
    """
    previous = load_manifest(dest) if (dest / MANIFEST_NAME).is_file() else {}
    found: list[tuple[str, Path, str, str, int]] = []  # url, identity, cache control, etag, size
    for tree in trees:
        root = tree.directory.resolve()
        prefix = "/" + tree.url_prefix.strip("/")
        prefix = "" if prefix == "/" else prefix
        for path in sorted(root.rglob("*")):
            if not path.is_file() or path.is_symlink():
                continue
            relative = path.relative_to(root).as_posix()
            url = f"{prefix}/{relative}"
            if not tree.include(relative) or url in overrides:
                continue
            data = path.read_bytes()
            found.append((url, path, tree.cache_control(relative), etag(data), len(data)))
    for url, (data, cache_control) in overrides.items():
        identity = dest / url.lstrip("/")
        if not identity.is_file() or identity.read_bytes() != data:
            write_atomic(identity, data)
        found.append((url, identity, cache_control, etag(data), len(data)))

    copies: dict[str, tuple[dict[str, str], dict[str, int]]] = {}
    todo = []
    for url, identity, _cache, tag, _size in found:
        old = previous.get(url)
        if old is not None and old.etag == tag and all(Path(p).is_file() for p in old.variants.values()):
            copies[url] = (dict(old.variants), dict(old.variant_sizes))
        else:
            todo.append((str(identity), url, str(dest)))
    workers = workers or os.cpu_count() or 1
    if todo and workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            done = pool.map(_compress_file, *zip(*todo, strict=True), chunksize=4)
            copies.update({url: result for (_i, url, _d), result in zip(todo, done, strict=True)})
    else:
        copies.update({job[1]: _compress_file(*job) for job in todo})

    manifest = {url: Asset(url, str(identity), media_type(identity), tag, cache_control, size,
                           *copies[url])
                for url, identity, cache_control, tag, size in found}
    for alias, target in aliases.items():
        if target in manifest:
            manifest[alias] = Asset(alias, **{k: v for k, v in asdict(manifest[target]).items()
                                              if k != "url"})
    save_manifest(dest, manifest)
    return manifest


def save_manifest(dest: Path, manifest: Mapping[str, Asset]) -> None:
    text = json.dumps({url: asdict(asset) for url, asset in sorted(manifest.items())},
                      ensure_ascii=False, indent=0)
    write_atomic(dest / MANIFEST_NAME, text.encode("utf-8"))


def load_manifest(dest: Path) -> dict[str, Asset]:
    """The manifest ``build_cache`` wrote (empty when there is none: everything is then served
    by Streamlit as before)."""
    path = dest / MANIFEST_NAME
    if not path.is_file():
        return {}
    raw = json.loads(path.read_text(encoding="utf-8"))
    assets = {url: Asset(**fields) for url, fields in raw.items()}
    # a file gone since the build (the virtual environment rebuilt, the cache half deleted) is
    # left to Streamlit rather than answered with an error
    return {url: asset for url, asset in assets.items()
            if all(Path(p).is_file() for p in (asset.identity, *asset.variants.values()))}

"""Serve precompressed static files in front of Streamlit.

An ASGI middleware given to ``st.App(middleware=[Middleware(PrecompressedStatic, ...)])``. User
middleware wraps Streamlit's own, so it sees a request first: for a GET/HEAD of a URL it knows it
answers with the best precompressed copy the client accepts (``br``, then ``gzip``, else the
identity file), with ``Content-Encoding``, ``Vary: Accept-Encoding``, ``Cache-Control`` and an
ETag per representation; everything else goes on to Streamlit untouched. Serving a copy is a
plain file send, like Streamlit's identity send: no compression happens per request.

URLs it knows:
- the manifest of ``build_cache`` (Streamlit's frontend ``/static/...``, the root document and
  the pages' paths, component files, the subset fonts), exact matches only, so no request path
  ever reaches the file system;
- files under directories given in ``sibling_roots`` (``/app/static/`` -> ``static/``) that have a
  ``.br``/``.gz`` beside them, no older than the file (layer files published at run time), and
  the JSON files there even without one (read whole: the app rewrites some while serving).

Range requests and other methods pass through (Streamlit answers them as before).
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import NamedTuple

import anyio
from starlette.datastructures import Headers
from starlette.responses import FileResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from geo.core.compress import ENCODINGS, IMMUTABLE, REVALIDATE, SUFFIX, media_type
from geo.core.i18n import DEFAULT_LANG
from geo.web.precompress import Asset

NOSNIFF = ("x-content-type-options", "nosniff")


class Found(NamedTuple):
    """What the middleware sends for a URL: the identity file, its copies and headers."""

    identity: str
    variants: Mapping[str, str]
    media_type: str
    etag: str
    cache_control: str
    extra_headers: Mapping[str, str]
    #: Files the app rewrites while serving (the room's live proposals): read whole at once, so
    #: a file replaced between its size and its bytes cannot send a length that does not match.
    mutable: bool = False


def parse_accept_encoding(header: str | None) -> dict[str, float]:
    """``Accept-Encoding`` as {coding: q}; malformed q-values count as 0 (not acceptable)."""
    accepted: dict[str, float] = {}
    for part in (header or "").split(","):
        token, _, params = part.strip().partition(";")
        token = token.strip().lower()
        if not token:
            continue
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        accepted[token] = q
    return accepted


def negotiate(header: str | None, available: Mapping[str, object]) -> str | None:
    """The encoding to send among ``available`` (``br``/``gzip``), or None for the identity
    file. The client's highest q wins, ties go to the order of ``ENCODINGS`` (brotli first);
    ``*`` covers codings the header does not name; no header means identity only."""
    accepted = parse_accept_encoding(header)
    best, best_q = None, 0.0
    for encoding in ENCODINGS:
        if encoding not in available:
            continue
        q = accepted.get(encoding, accepted.get("*", 0.0))
        if encoding == "gzip" and "x-gzip" in accepted and "gzip" not in accepted:
            q = accepted["x-gzip"]
        if q > best_q:
            best, best_q = encoding, q
    return best


def _etag_for(base: str, encoding: str | None) -> str:
    """A validator per representation: ``"<hash>"``, ``"<hash>-br"``, ``"<hash>-gzip"``."""
    return base if encoding is None else base[:-1] + f'-{encoding}"'


def _matches(if_none_match: str | None, tag: str) -> bool:
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    candidates = {c.strip().removeprefix("W/") for c in if_none_match.split(",")}
    return tag in candidates


def _file_is_regular(path: Path) -> os.stat_result | None:
    try:
        result = path.stat()
    except OSError:
        return None
    return result if stat.S_ISREG(result.st_mode) else None


class PrecompressedStatic:
    """ASGI middleware serving precompressed copies (see the module docstring).

    Parameters
    ----------
    app
        The wrapped application (Streamlit's middleware stack and routes).
    manifest
        URL path -> Asset, or a callable returning it (read once, on the first request).
    sibling_roots
        URL prefix -> directory whose files may have ``.br``/``.gz`` siblings.
    sibling_cache_control
        Relative path (under its root) -> Cache-Control for sibling-served files.
    base_url
        ``server.baseUrlPath`` without slashes ("" when the app is at the root).
    """

    def __init__(self, app: ASGIApp, manifest: Mapping[str, Asset] | Callable[[], Mapping[str, Asset]],
                 sibling_roots: Mapping[str, Path] | None = None,
                 sibling_cache_control: Callable[[str], str] = lambda _relative: REVALIDATE,
                 base_url: str = "") -> None:
        self.app = app
        self._manifest_source = manifest
        self._manifest: Mapping[str, Asset] | None = None if callable(manifest) else manifest
        self.sibling_roots = {("/" + prefix.strip("/") + "/"): Path(root).resolve()
                              for prefix, root in (sibling_roots or {}).items()}
        self.sibling_cache_control = sibling_cache_control
        self.base = "/" + base_url.strip("/") if base_url.strip("/") else ""

    @property
    def manifest(self) -> Mapping[str, Asset]:
        if self._manifest is None:
            self._manifest = self._manifest_source()  # type: ignore[operator]
        return self._manifest

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        path = self._route_path(scope)
        found = None if path is None or "range" in headers else self._lookup(path)
        if found is None:
            await self.app(scope, receive, send)
            return
        identity, variants, media, base_tag, cache_control, extra, mutable = found
        if media.startswith("text/html") and _other_language(scope.get("query_string", b"")):
            # the cached document says the default language: the app writes this one
            await self.app(scope, receive, send)
            return
        encoding = negotiate(headers.get("accept-encoding"), variants)
        tag = _etag_for(base_tag, encoding)
        response_headers = {"vary": "Accept-Encoding", "cache-control": cache_control,
                            "etag": tag, NOSNIFF[0]: NOSNIFF[1], **extra}
        if encoding is not None:
            response_headers["content-encoding"] = encoding
        if _matches(headers.get("if-none-match"), tag):
            response: Response = Response(status_code=304, headers=response_headers)
        else:
            file = variants[encoding] if encoding is not None else identity
            if mutable:
                try:
                    body = await anyio.to_thread.run_sync(Path(file).read_bytes)
                except OSError:  # removed meanwhile (pruned): Streamlit answers as before
                    await self.app(scope, receive, send)
                    return
                response = Response(body, media_type=media, headers=response_headers)
            else:
                response = FileResponse(file, media_type=media, headers=response_headers)
        await response(scope, receive, send)

    def _route_path(self, scope: Scope) -> str | None:
        path: str = scope.get("path", "")
        root_path: str = scope.get("root_path", "")
        for prefix in (root_path, self.base):
            if prefix and prefix != "/":
                if path == prefix:
                    path = "/"
                elif path.startswith(prefix + "/"):
                    path = path[len(prefix):]
        return path if path.startswith("/") and "\x00" not in path else None

    def _lookup(self, path: str) -> Found | None:
        asset = self.manifest.get(path)
        if asset is not None:
            return Found(asset.identity, asset.variants, asset.media_type, asset.etag,
                         asset.cache_control, {})
        for prefix, root in self.sibling_roots.items():
            if path.startswith(prefix):
                return self._sibling(root, path[len(prefix):])
        return None

    def _sibling(self, root: Path, relative: str) -> Found | None:
        """A file under ``root`` with fresh compressed siblings, or None (then Streamlit serves
        it as before). The relative path is checked segment by segment: no empty, ``.``,
        ``..``, hidden or backslash segment, and the resolved file must stay under ``root``."""
        parts = relative.split("/")
        if not relative or any(p in ("", ".", "..") or p.startswith(".") or "\\" in p
                               for p in parts):
            return None
        file = (root / relative).resolve()
        if not file.is_relative_to(root):
            return None
        identity_stat = _file_is_regular(file)
        if identity_stat is None:
            return None
        variants: dict[str, str] = {}
        for encoding in ENCODINGS:
            copy = file.with_name(file.name + SUFFIX[encoding])
            copy_stat = _file_is_regular(copy)
            if copy_stat is not None and copy_stat.st_mtime_ns >= identity_stat.st_mtime_ns:
                variants[encoding] = str(copy)
        # JSON files the app rewrites while serving (the room's live proposals) are sent whole
        # even without a fresh copy: Streamlit's own FileResponse would send the size of one
        # version and the bytes of the next (a truncated answer, seen under load)
        if not variants and file.suffix != ".json":
            return None
        # a validator from the identity file's stat: the copies are rewritten with it
        tag = f'"{identity_stat.st_mtime_ns:x}-{identity_stat.st_size:x}"'
        # Streamlit sends this header for its app static files: kept the same
        return Found(str(file), variants, media_type(file), tag, self.sibling_cache_control(relative),
                     {"access-control-allow-origin": "*"}, mutable=True)


def app_static_cache_control(immutable_prefixes: tuple[str, ...]) -> Callable[[str], str]:
    """Cache-Control of a file under the app's ``static/``: ``immutable`` under the given
    folders (content-addressed names, e.g. the map's layer files), else revalidate."""

    def cache_control(relative: str) -> str:
        return IMMUTABLE if relative.startswith(immutable_prefixes) else REVALIDATE

    return cache_control


_LANG_PARAM = re.compile(rb"(?:^|&)lang=([a-z]{2})(?:&|$)")


def _other_language(query: bytes) -> bool:
    """True when the query asks for a language other than the default (``?lang=en``)."""
    found = _LANG_PARAM.search(query or b"")
    return found is not None and found[1].decode() != DEFAULT_LANG

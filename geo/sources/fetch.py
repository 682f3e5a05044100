"""Getting the bytes of a source: from a local mirror of official exports, or online from the portal."""

from __future__ import annotations

import hashlib
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from geo.core.errors import SourceError
from geo.sources.registry import LayerSpec, Portal

USER_AGENT = "carte-resilience-paris20/0.1 (+ingest)"


@dataclass(frozen=True)
class RawSource:
    """The bytes of one source file and where they came from."""

    location: str
    data: bytes
    sha256: str
    retrieved_at: str
    name: str

    @property
    def suffix(self) -> str:
        return Path(self.name).suffix.lower()


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _raw(location: str, name: str, data: bytes) -> RawSource:
    return RawSource(location, data, hashlib.sha256(data).hexdigest(), _now(), name)


def read_mirror(spec: LayerSpec, mirror: Path, max_bytes: int) -> list[RawSource]:
    """Read every file of a layer from a local mirror directory.

    Raises
    ------
    SourceError
        When a file is missing, unreadable or absurdly large.
    """
    out = []
    for rel in spec.files:
        path = mirror / rel
        if not path.is_file():
            raise SourceError(spec.id, str(path), "file not found in the mirror")
        size = path.stat().st_size
        if size > max_bytes:
            raise SourceError(spec.id, str(path),
                              f"file is {size:,} bytes, above the {max_bytes:,}-byte limit")
        out.append(_raw(str(path), path.name, path.read_bytes()))
    return out


def download(url: str, layer: str, max_bytes: int, timeout: float = 30.0,
             retries: int = 3, backoff: float = 1.0) -> bytes:
    """GET ``url`` with a timeout and retries on network errors and 5xx answers.

    The body is read up to ``max_bytes`` + 1 so an absurdly large answer is refused without
    being held in memory whole.
    """
    last = "no attempt"
    for attempt in range(1, retries + 1):
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                data = response.read(max_bytes + 1)
            if len(data) > max_bytes:
                raise SourceError(layer, url, f"answer larger than the {max_bytes:,}-byte limit")
            return data
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code}"
            if exc.code < 500:
                break
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
            last = f"network error ({getattr(exc, 'reason', exc)})"
        if attempt < retries:
            time.sleep(backoff * attempt)
    raise SourceError(layer, url, f"download failed after {retries} attempt(s): {last}")


def read_online(spec: LayerSpec, portal: Portal, max_bytes: int,
                timeout: float = 30.0, retries: int = 3) -> list[RawSource]:
    """Fetch a layer's GeoJSON export from its portal (Opendatasoft Explore API v2.1)."""
    if not spec.online:
        raise SourceError(spec.id, spec.url, "no official export endpoint: mirror only")
    url = portal.export_url(spec.dataset_id, "geojson")
    data = download(url, spec.id, max_bytes, timeout=timeout, retries=retries)
    return [_raw(url, f"{spec.dataset_id}.geojson", data)]

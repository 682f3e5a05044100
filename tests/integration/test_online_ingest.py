"""The online path, without internet: the mirror served on loopback under the portals' URL scheme."""

from __future__ import annotations

import http.server
import threading
from pathlib import Path

import pytest

from geo.core.errors import SourceError
from geo.sources.build import SourceOptions, build
from geo.sources.fetch import download
from geo.sources.registry import load_registry
from geo.sources.store import load_layer, load_manifest

PREFIX = "/api/explore/v2.1/catalog/datasets/"


class PortalHandler(http.server.BaseHTTPRequestHandler):
    """Answers `<base>/api/explore/v2.1/catalog/datasets/<id>/exports/geojson` from the mirror."""

    files: dict[str, Path] = {}
    flaky: dict[str, int] = {}
    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server API)
        self.requests.append(self.path)
        path = self.path.split("?")[0]
        if not (path.startswith(PREFIX) and path.endswith("/exports/geojson")):
            self.send_error(404)
            return
        dataset = path[len(PREFIX):-len("/exports/geojson")]
        if self.flaky.get(dataset, 0) > 0:
            self.flaky[dataset] -= 1
            self.send_error(503)
            return
        file = self.files.get(dataset)
        if file is None:
            self.send_error(404)
            return
        data = file.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "application/geo+json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def portal(mirror):
    registry = load_registry()
    PortalHandler.files = {spec.dataset_id: mirror / spec.files[0]
                           for spec in registry.layers.values() if spec.online}
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), PortalHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_online_ingest_through_the_portal_url_scheme(portal, real_build, tmp_path):
    registry = load_registry()
    PortalHandler.requests.clear()
    PortalHandler.flaky = {"fontaines-a-boire": 1}  # first answer is a 503: retried
    options = SourceOptions(portal_bases={"paris": portal, "idf": portal}, retries=3, timeout=10)
    final = build(registry, options, tmp_path)
    online = load_manifest(final)
    offline = load_manifest(real_build)
    expected = {spec.id for spec in registry.layers.values() if spec.online}
    assert set(online["layers"]) == expected
    assert any("iris_population" in line for line in online["skipped"])
    for layer_id in expected:
        info = online["layers"][layer_id]
        assert info["sources"][0]["location"].startswith(portal + PREFIX), layer_id
        assert info["count_after_clip"] == offline["layers"][layer_id]["count_after_clip"], layer_id
        assert info["sources"][0]["sha256"] == offline["layers"][layer_id]["sources"][0]["sha256"]
    assert PortalHandler.requests.count(PREFIX + "fontaines-a-boire/exports/geojson") == 2
    assert len(load_layer("fountains", final)) == len(load_layer("fountains", real_build))


def test_unreachable_dataset_is_named(portal):
    with pytest.raises(SourceError, match=r"download failed after 1 attempt\(s\): HTTP 404"):
        download(portal + PREFIX + "nope/exports/geojson", "nope", 1000, retries=1)


def test_dead_portal_times_out_with_retries(tmp_path):
    with pytest.raises(SourceError, match="network error"):
        download("http://127.0.0.1:9/x", "demo", 1000, timeout=1, retries=2, backoff=0)

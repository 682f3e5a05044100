"""Unit tests of the precompressed cache (``geo.web.precompress``, ``geo.core.compress``) and of
the middleware serving it (``geo.web.static``), on synthetic files."""

from __future__ import annotations

import gzip
import os
import time
from pathlib import Path

import brotli
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from geo.core.compress import IMMUTABLE, REVALIDATE, publish_siblings, variants, write_siblings
from geo.web.precompress import Tree, build_cache, load_manifest
from geo.web.static import PrecompressedStatic, negotiate, parse_accept_encoding

JS = ("function f(a){return a+1}\n" * 400).encode()  # 10.4 KB, very compressible
CSS = b"body{color:red}"  # under MIN_SIZE: no copies


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "static"
    (root / "static" / "js").mkdir(parents=True)
    (root / "static" / "js" / "index.abc123.js").write_bytes(JS)
    (root / "static" / "css").mkdir()
    (root / "static" / "css" / "tiny.css").write_bytes(CSS)
    (root / "static" / "media").mkdir()
    (root / "static" / "media" / "font.woff2").write_bytes(os.urandom(5000))
    (root / "index.html").write_bytes(b"<!doctype html><title>x</title>" + b"<p>hello</p>" * 200)
    return root


def test_variants_skip_small_and_incompressible():
    assert variants(CSS, ".css") == {}
    assert variants(os.urandom(5000), ".woff2") == {}
    assert variants(os.urandom(5000), ".js") == {}  # random bytes do not shrink: no copy kept
    out = variants(JS, ".js")
    assert set(out) == {"br", "gzip"}
    assert gzip.decompress(out["gzip"]) == JS and brotli.decompress(out["br"]) == JS
    assert len(out["br"]) < len(out["gzip"]) < len(JS) / 10


def test_build_cache_manifest_and_reuse(tree: Path, tmp_path: Path):
    dest = tmp_path / "cache"
    manifest = build_cache([Tree(tree, "/", lambda rel: REVALIDATE if rel.endswith(".html")
                                 else IMMUTABLE)], dest, workers=2,
                           overrides={"/static/media/font.woff2": (b"subset" * 10, "public, max-age=60")},
                           aliases={"/carte": "/index.html"})
    js = manifest["/static/js/index.abc123.js"]
    assert js.cache_control == IMMUTABLE and js.media_type.startswith("text/javascript")
    assert Path(js.variants["br"]).read_bytes() == brotli.compress(JS, quality=11)
    assert Path(js.variants["br"]).is_relative_to(dest)  # never written beside the source
    assert manifest["/static/css/tiny.css"].variants == {}
    font = manifest["/static/media/font.woff2"]
    assert Path(font.identity).read_bytes() == b"subset" * 10 and font.cache_control.endswith("=60")
    assert manifest["/carte"].identity == manifest["/index.html"].identity
    assert manifest["/carte"].cache_control == REVALIDATE
    assert load_manifest(dest) == manifest
    # a second build reuses the copies (same files, untouched)
    stamp = Path(js.variants["br"]).stat().st_mtime_ns
    time.sleep(0.01)
    again = build_cache([Tree(tree, "/", lambda rel: IMMUTABLE)], dest)
    assert Path(again["/static/js/index.abc123.js"].variants["br"]).stat().st_mtime_ns == stamp


def test_accept_encoding_negotiation():
    both = {"br": 1, "gzip": 1}
    assert parse_accept_encoding("gzip;q=0.5, br") == {"gzip": 0.5, "br": 1.0}
    assert negotiate("gzip, deflate, br, zstd", both) == "br"
    assert negotiate("gzip, deflate", both) == "gzip"
    assert negotiate("br;q=0, gzip", both) == "gzip"
    assert negotiate("gzip;q=1, br;q=0.5", both) == "gzip"
    assert negotiate("*", both) == "br"
    assert negotiate("identity", both) is None
    assert negotiate(None, both) is None
    assert negotiate("", both) is None
    assert negotiate("br", {"gzip": 1}) is None
    assert negotiate("gzip;q=bogus", both) is None


def _app(manifest, sibling_root: Path | None = None) -> TestClient:
    async def fallback(request):
        return PlainTextResponse("from streamlit", headers={"x-downstream": "1"})

    app = Starlette(routes=[Route("/{path:path}", fallback)],
                    middleware=[Middleware(PrecompressedStatic, manifest=manifest,
                                           sibling_roots={"/app/static": sibling_root} if sibling_root else {},
                                           sibling_cache_control=lambda rel: IMMUTABLE
                                           if rel.startswith("map/") else REVALIDATE)])
    return TestClient(app)


def test_middleware_serves_precompressed(tree: Path, tmp_path: Path):
    manifest = build_cache([Tree(tree, "/", lambda rel: IMMUTABLE)], tmp_path / "cache",
                           aliases={"/": "/index.html"})
    client = _app(manifest)
    url = "/static/js/index.abc123.js"
    r = client.get(url, headers={"Accept-Encoding": "gzip, br"})
    assert r.status_code == 200 and r.headers["content-encoding"] == "br"
    assert r.headers["vary"] == "Accept-Encoding" and r.headers["cache-control"] == IMMUTABLE
    assert r.content == JS  # httpx decodes br (brotli installed)
    assert int(r.headers["content-length"]) == len(brotli.compress(JS, quality=11))
    r = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip" and r.content == JS
    # a client without Accept-Encoding gets the identity file
    r = client.get(url, headers={"Accept-Encoding": ""})
    assert "content-encoding" not in r.headers and r.content == JS
    assert r.headers["vary"] == "Accept-Encoding"
    # revalidation per representation
    tag = client.get(url, headers={"Accept-Encoding": "br"}).headers["etag"]
    assert tag.endswith('-br"')
    r = client.get(url, headers={"Accept-Encoding": "br", "If-None-Match": tag})
    assert r.status_code == 304 and r.content == b""
    r = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": tag})
    assert r.status_code == 200
    # HEAD: headers only
    r = client.head(url, headers={"Accept-Encoding": "br"})
    assert r.status_code == 200 and r.content == b"" and r.headers["content-encoding"] == "br"
    # the root document by its alias
    assert client.get("/", headers={"Accept-Encoding": "br"}).headers["content-encoding"] == "br"


def test_middleware_passes_through(tree: Path, tmp_path: Path):
    manifest = build_cache([Tree(tree, "/", lambda rel: IMMUTABLE)], tmp_path / "cache")
    client = _app(manifest)
    for url in ("/static/js/unknown.js", "/static/js/index.abc123.js.br", "/_stcore/health"):
        assert client.get(url).headers.get("x-downstream") == "1", url
    r = client.get("/static/js/index.abc123.js", headers={"Range": "bytes=0-10"})
    assert r.headers.get("x-downstream") == "1"  # ranges stay with Streamlit
    r = client.post("/static/js/index.abc123.js")
    assert r.status_code == 405 and "content-encoding" not in r.headers  # the app's own answer


def test_siblings_for_files_published_at_run_time(tmp_path: Path):
    static = tmp_path / "static"
    (static / "map").mkdir(parents=True)
    layer = static / "map" / "0123abcd.json"
    body = b'{"type":"FeatureCollection","features":[' + b'{"type":"Feature"},' * 300 + b"{}]}"
    layer.write_bytes(body)
    client = _app({}, static)
    # no copy yet: the plain file, read whole (never a size of one version and bytes of another)
    r = client.get("/app/static/map/0123abcd.json", headers={"Accept-Encoding": "gzip, br"})
    assert "x-downstream" not in r.headers and "content-encoding" not in r.headers and r.content == body
    write_siblings(layer)
    r = client.get("/app/static/map/0123abcd.json", headers={"Accept-Encoding": "gzip, br"})
    assert r.headers["content-encoding"] == "br" and r.content == body
    assert r.headers["cache-control"] == IMMUTABLE and r.headers["access-control-allow-origin"] == "*"
    assert r.headers["content-type"] == "application/json"
    # read whole (the app rewrites such files while serving): the length sent is the bytes sent
    assert int(r.headers["content-length"]) == len((static / "map" / "0123abcd.json.br").read_bytes())
    r = client.head("/app/static/map/0123abcd.json", headers={"Accept-Encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip" and r.content == b""
    # a file rewritten after its copies: the stale copies are not used
    time.sleep(0.01)
    layer.write_bytes(body + b" ")
    r = client.get("/app/static/map/0123abcd.json", headers={"Accept-Encoding": "gzip, br"})
    assert "content-encoding" not in r.headers and r.content == body + b" "
    # other kinds of files without a copy stay with Streamlit
    (static / "map" / "marker.png").write_bytes(b"\x89PNG" + b"0" * 2000)
    assert client.get("/app/static/map/marker.png").headers.get("x-downstream") == "1"


def test_sibling_lookup_refuses_paths_outside_the_root(tmp_path: Path):
    """Raw paths (an HTTP client would normalise ``..`` before sending)."""
    static = tmp_path / "static"
    (static / "map").mkdir(parents=True)
    body = b"[" + b"1," * 2000 + b"1]"
    for path in (tmp_path / "secret.json", static / ".hidden.json", static / "map" / "ok.json"):
        path.write_bytes(body)
        write_siblings(path)
    (static / "map" / "link.json").symlink_to(tmp_path / "secret.json")
    (static / "map" / "link.json.gz").symlink_to(tmp_path / "secret.json.gz")
    middleware = PrecompressedStatic(lambda *a: None, {}, {"/app/static": static})
    assert middleware._lookup("/app/static/map/ok.json") is not None
    for raw in ("/app/static/../secret.json", "/app/static/map/../../secret.json",
                "/app/static/.hidden.json", "/app/static/map//ok.json", "/app/static/map/./ok.json",
                "/app/static/map\\..\\..\\secret.json", "/app/static/", "/app/static/map",
                "/app/static/map/link.json"):
        assert middleware._lookup(raw) is None, raw


def test_manifest_leaves_out_files_gone_since_the_build(tree: Path, tmp_path: Path):
    manifest = build_cache([Tree(tree, "/", lambda rel: IMMUTABLE)], tmp_path / "cache", workers=1)
    Path(manifest["/index.html"].variants["br"]).unlink()
    loaded = load_manifest(tmp_path / "cache")
    assert "/index.html" not in loaded and "/static/js/index.abc123.js" in loaded


def test_published_file_gets_gzip_at_once_and_brotli_in_the_background(tmp_path: Path):
    layer = tmp_path / "layer.json"
    body = b'{"features":[' + b'{"type":"Feature"},' * 300 + b"{}]}"
    layer.write_bytes(body)
    thread = publish_siblings(layer, body)
    assert gzip.decompress((tmp_path / "layer.json.gz").read_bytes()) == body
    thread.join(timeout=30)
    assert brotli.decompress((tmp_path / "layer.json.br").read_bytes()) == body
    small = tmp_path / "small.json"
    small.write_bytes(b"{}")
    assert publish_siblings(small, b"{}") is None and not (tmp_path / "small.json.gz").exists()


def test_a_layer_file_published_before_compression_gets_its_copies_when_reused(tmp_path: Path):
    from geo.map.publish import publish_geojson

    text = '{"type":"FeatureCollection","features":[' + '{"type":"Feature"},' * 200 + "{}]}"
    url = publish_geojson(text, tmp_path, "/app/static/map")
    name = url.rsplit("/", 1)[1]
    for suffix in (".gz", ".br"):  # as an older version of the app left it: the file alone
        (tmp_path / (name + suffix)).unlink(missing_ok=True)
    assert publish_geojson(text, tmp_path, "/app/static/map") == url
    assert gzip.decompress((tmp_path / (name + ".gz")).read_bytes()).decode() == text

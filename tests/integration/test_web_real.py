"""The web side on the real build and the installed Streamlit: the join page's rules and pin map
read from the build (figures recomputed here), its weight, and the precompressed cache's manifest
(every page path of app.py, the main bundle, the subset fonts)."""

from __future__ import annotations

import gzip
import io
import re

import brotli
import geopandas as gpd
from fontTools.ttLib import TTFont
from starlette.applications import Starlette
from starlette.testclient import TestClient

from geo.core.compress import IMMUTABLE
from geo.participation.database import open_sqlite
from geo.participation.proposals import Workshop
from geo.participation.store import RateLimit
from geo.web import fonts
from geo.web.assets import _sources, cache_dir, ensure_built, page_paths, streamlit_static_dir
from geo.web.join import JoinContext, join_routes
from geo.web.join_data import current_pin_map, current_rules
from geo.web.precompress import load_manifest
from tests.conftest import ROOT
from tests.frame import registered_pages
from tests.staff import open_for_the_room


def test_join_rules_and_pin_map_from_the_real_build(real_build, tmp_path):
    rules = current_rules()
    arrondissements = gpd.read_parquet(real_build / "layers" / "arrondissements.parquet")
    assert rules.study_area.equals(arrondissements.loc[arrondissements["source_id"] == "75120",
                                                       "geometry"].iloc[0])
    assert len(rules.places) > 300 and all(rules.study_area.covers(
        gpd.points_from_xy([p.lon], [p.lat])[0]) for p in rules.places.values())
    pin_map = current_pin_map()
    svg = pin_map.svg.decode()
    quartiers = gpd.read_parquet(real_build / "layers" / "quartiers.parquet")
    names = set(quartiers.loc[quartiers["c_ar"].astype(str).str.endswith("20"), "name"])
    assert len(names) == 4 and all(f">{name}<" in svg for name in names)
    assert "Gambetta" in svg and "Porte de Bagnolet" in svg  # stations, by their names
    # the centre of the study area round-trips through the drawing's pixels
    centre = rules.study_area.representative_point()
    lon, lat = pin_map.frame.to_lonlat(*pin_map.frame.from_lonlat(centre.x, centre.y))
    assert abs(lon - centre.x) < 1e-5 and abs(lat - centre.y) < 1e-5

    store = open_sqlite(tmp_path / "p.sqlite3", RateLimit(6, 60))
    open_for_the_room(store, Workshop("a-2026-12-02", "Atelier", "2026-12-02"))
    ctx = JoinContext(store=lambda: store, rules=current_rules, pin_map=current_pin_map, secret=b"s" * 32)
    client = TestClient(Starlette(routes=join_routes(ctx)))
    page = client.get("/rejoindre/a-2026-12-02").content
    image = client.get(f"/rejoindre/carte.svg?v={pin_map.version}", headers={"Accept-Encoding": "br"})
    assert image.headers["content-encoding"] == "br"
    # what crosses the network, compressed: far under the 300 KB budget
    total = len(gzip.compress(page, 5)) + len(brotli.compress(pin_map.svg, quality=11))
    assert total < 40_000, total
    assert len(re.findall(r"<option value=\"[a-z_]+:", page.decode())) == len(rules.places)


def test_precompressed_cache_covers_every_page_and_the_bundles():
    ensure_built()
    manifest = load_manifest(cache_dir())
    paths = page_paths(ROOT / "app.py")
    assert sorted(paths) == sorted(registered_pages().values())
    for path in ["/", *(f"/{p}" for p in paths)]:
        assert manifest[path].identity == manifest["/index.html"].identity
        assert set(manifest[path].variants) == {"br", "gzip"}
    bundles = [url for url in manifest if re.fullmatch(r"/static/js/index\.[\w-]+\.js", url)]
    assert len(bundles) == 1 and manifest[bundles[0]].cache_control == IMMUTABLE
    assert manifest[bundles[0]].variant_sizes["br"] < manifest[bundles[0]].size / 3
    [icons] = [url for url in manifest if "/MaterialSymbols" in url]
    data = open(manifest[icons].identity, "rb").read()
    kept = set(fonts.icon_ligatures(TTFont(io.BytesIO(data))))
    every_icon = fonts.known_icon_names(streamlit_static_dir() / "static" / "media")
    app_icons = fonts.app_icon_names(*_sources(ROOT), known=every_icon)
    # every icon the app names (the pages' table, :material/…: marks) is in the subset
    assert {"map", "shield_person", "check_circle"} <= app_icons <= kept and len(data) < 80_000

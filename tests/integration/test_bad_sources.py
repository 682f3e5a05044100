"""Each kind of bad source stops the ingest with a clear message and leaves the previous build untouched."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from geo.core.errors import SourceError
from geo.sources.build import SourceOptions, build
from geo.sources.registry import load_registry

ROOT = Path(__file__).resolve().parents[2]
FOUNTAINS = "fontaines_a_boire/fontaines-a-boire.geojson"


def linked_mirror(mirror: Path, target: Path) -> Path:
    """A mirror of symlinks to the real files, so one file can be broken cheaply."""
    for path in mirror.rglob("*"):
        if path.is_file():
            link = target / path.relative_to(mirror)
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(path)
    return target


def replace(mirror: Path, rel: str, data: bytes) -> Path:
    path = mirror / rel
    path.unlink()
    path.write_bytes(data)
    return path


def snapshot(root: Path) -> tuple[str, str]:
    current = root / "current"
    return os.readlink(current), hashlib.sha256((current / "manifest.json").read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def good_root(mirror, tmp_path_factory):
    root = tmp_path_factory.mktemp("builds")
    build(load_registry(), SourceOptions(mirror=mirror), root)
    return root


def _fountains_doc(mirror: Path) -> dict:
    return json.loads((mirror / FOUNTAINS).read_text(encoding="utf-8"))


def truncated(mirror: Path) -> tuple[str, bytes]:
    return FOUNTAINS, (mirror / FOUNTAINS).read_bytes()[:50_000]


def not_utf8(mirror: Path) -> tuple[str, bytes]:
    text = (mirror / FOUNTAINS).read_text(encoding="utf-8").replace("RUE", "RUÉ", 1)
    return FOUNTAINS, text.encode("latin-1", errors="replace")


def wrong_crs(mirror: Path) -> tuple[str, bytes]:
    """Coordinates in Lambert-93 metres, but no CRS declared (read as lon/lat)."""
    from pyproj import Transformer

    to_l93 = Transformer.from_crs(4326, 2154, always_xy=True)
    doc = _fountains_doc(mirror)
    for feature in doc["features"]:
        feature["geometry"]["coordinates"] = list(to_l93.transform(*feature["geometry"]["coordinates"]))
    return FOUNTAINS, json.dumps(doc).encode()


def missing_field(mirror: Path) -> tuple[str, bytes]:
    doc = _fountains_doc(mirror)
    for feature in doc["features"]:
        feature["properties"].pop("gid", None)
    return FOUNTAINS, json.dumps(doc).encode()


def empty(mirror: Path) -> tuple[str, bytes]:
    return FOUNTAINS, b'{"type": "FeatureCollection", "features": []}'


def wrong_geometry(mirror: Path) -> tuple[str, bytes]:
    """Polygons where the registry expects points."""
    doc = _fountains_doc(mirror)
    for feature in doc["features"]:
        x, y = feature["geometry"]["coordinates"]
        ring = [[x, y], [x + 1e-4, y], [x + 1e-4, y + 1e-4], [x, y]]
        feature["geometry"] = {"type": "Polygon", "coordinates": [ring]}
    return FOUNTAINS, json.dumps(doc).encode()


@pytest.mark.parametrize("breaker, problem", [
    (truncated, "broken JSON"),
    (not_utf8, "not UTF-8"),
    (wrong_crs, "wrong or undeclared CRS"),
    (missing_field, "missing field for 'source_id'"),
    (empty, "empty layer"),
    (wrong_geometry, "geometry type"),
])
def test_bad_source_keeps_previous_build(mirror, good_root, tmp_path, breaker, problem):
    before = snapshot(good_root)
    broken = linked_mirror(mirror, tmp_path / "mirror")
    rel, data = breaker(mirror)
    path = replace(broken, rel, data)
    with pytest.raises(SourceError) as info:
        build(load_registry(), SourceOptions(mirror=broken), good_root)
    assert info.value.layer == "fountains"
    assert str(path) in str(info.value) and problem in str(info.value)
    assert snapshot(good_root) == before
    assert not list(good_root.glob(".tmp-build-*")), "a half-written build was left behind"


def test_absurdly_large_source_is_refused_before_reading(mirror, good_root, tmp_path, monkeypatch):
    before = snapshot(good_root)
    broken = linked_mirror(mirror, tmp_path / "mirror")
    big = broken / FOUNTAINS
    big.unlink()
    with big.open("wb") as handle:  # sparse file: huge on paper, nothing on disk
        handle.truncate(200_000_000)
    with pytest.raises(SourceError, match="above the 60,000,000-byte limit"):
        build(load_registry(), SourceOptions(mirror=broken), good_root)
    assert snapshot(good_root) == before


def test_ingest_command_reports_the_problem_and_exits_non_zero(mirror, good_root, tmp_path):
    before = snapshot(good_root)
    broken = linked_mirror(mirror, tmp_path / "mirror")
    replace(broken, *truncated(mirror))
    result = subprocess.run([sys.executable, "-m", "geo.ingest", "--mirror", str(broken),
                             "--build-root", str(good_root), "--quiet"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "ERROR: layer 'fountains'" in result.stderr and "broken JSON" in result.stderr
    assert "previous build (if any) is unchanged" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(good_root) == before


def test_unknown_study_area_is_a_clear_error(mirror, tmp_path):
    result = subprocess.run([sys.executable, "-m", "geo.ingest", "--mirror", str(mirror),
                             "--build-root", str(tmp_path), "--study-area", "75199", "--quiet"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "study area '75199' is not a Paris arrondissement" in result.stderr
    assert not (tmp_path / "current").exists()


def test_another_arrondissement_as_study_area(mirror, tmp_path):
    result = subprocess.run([sys.executable, "-m", "geo.ingest", "--mirror", str(mirror),
                             "--build-root", str(tmp_path), "--study-area", "75111", "--quiet"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "current" / "manifest.json").read_text())
    assert manifest["study_area"]["insee"] == "75111"
    # the 11e is in the PPRI: part of its sectors are in the study area
    assert manifest["layers"]["ppri"]["count_study_area"] > 0

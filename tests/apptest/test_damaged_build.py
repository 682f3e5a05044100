"""A damaged build degrades, never crashes: every page through the app's frame on copies of the
real build with one layer file truncated, a layer file changed, the manifest truncated, or a
layer every page needs truncated (as found: a pyarrow traceback with the server's paths on five
pages, and 9 pages of 10 broken by a truncated manifest)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.core.errors import BuildDamagedError, LayerDamagedError
from geo.sources import integrity, store
from tests.frame import registered_pages

ROOT = Path(__file__).resolve().parents[2]
PAGES = list(registered_pages())
#: Pages that read no layer: moderation, and the accessibility statement (which names the town
#: hall from the build when it can, and stands without it).
NO_DATA = ("pages/moderation.py", "pages/accessibility.py")


def damaged_copy(real_build: Path, root: Path, name: str, damage) -> Path:
    """A copy of the real build under ``root`` (its own build id, so no cache is shared with the
    real one), damaged by ``damage(directory)``, made current."""
    directory = root / f"build-{name}"
    shutil.copytree(real_build, directory)
    damage(directory)
    os.symlink(directory.name, root / "current")
    return directory


def truncate(relative: str):
    def damage(directory: Path) -> None:
        path = directory / relative
        path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 3])
    return damage


def flip_a_byte(directory: Path) -> None:
    """Same size, one byte changed in the middle: only the checksum tells."""
    path = directory / "layers" / "ehpad.parquet"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def run_page(page: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.switch_page(page)
    return at.run()


def shown(at: AppTest) -> str:
    return " ".join(e.value for kind in ("warning", "error", "info") for e in getattr(at, kind))


@pytest.fixture
def build_root(tmp_path, monkeypatch):
    root = tmp_path / "builds"
    root.mkdir()
    monkeypatch.setenv("RESILIENCE_BUILD_ROOT", str(root))
    monkeypatch.setenv("RESILIENCE_PROPOSALS_SQLITE", str(tmp_path / "p.sqlite3"))
    return root


def test_open_build_leaves_damaged_layers_out_by_name(real_build, build_root):
    damaged_copy(real_build, build_root, "t-unit", lambda d: (truncate("layers/fountains.parquet")(d),
                                                            flip_a_byte(d)))
    manifest = integrity.open_build()
    assert set(manifest["damaged"]) == {"fountains", "ehpad"}
    assert "fountains" not in manifest["layers"] and "libraries" in manifest["layers"]
    assert manifest["damaged"]["ehpad"]["problem"] == "checksum differs from the manifest"
    with pytest.raises(LayerDamagedError, match="fountains") as caught:
        store.load_layer("fountains")
    assert str(build_root) not in str(caught.value)  # no server path in what a page could show


@pytest.mark.parametrize("page", PAGES)
def test_a_truncated_layer_file_is_left_out_and_named_on_every_page(page, real_build, build_root):
    damaged_copy(real_build, build_root, "fountains", truncate("layers/fountains.parquet"))
    at = run_page(page)
    assert not at.exception, at.exception
    assert not at.error  # the page works with the other layers
    assert at.title or page == "pages/sheet.py"  # (the sheet opens on its picker)
    if page not in NO_DATA:
        assert "Fontaines à boire" in shown(at) and "endommagé" in shown(at)
    assert "Traceback" not in shown(at) and "pyarrow" not in shown(at)


@pytest.mark.parametrize("damage", ["manifest.json", "layers/quartiers.parquet"])
@pytest.mark.parametrize("page", PAGES)
def test_a_damaged_manifest_or_boundary_layer_gives_the_no_usable_build_page(page, damage,
                                                                            real_build, build_root):
    damaged_copy(real_build, build_root, damage.replace("/", "-"), truncate(damage))
    at = run_page(page)
    assert not at.exception, at.exception
    if page not in NO_DATA:
        assert "Aucune donnée utilisable" in shown(at)
        assert any("python -m geo.ingest" in block.value for block in at.html)


def test_a_manifest_that_is_json_but_not_a_manifest_is_damaged(real_build, build_root):
    def damage(directory: Path) -> None:
        (directory / "manifest.json").write_text(json.dumps({"layers": [1, 2]}))
    damaged_copy(real_build, build_root, "shape", damage)
    with pytest.raises(BuildDamagedError, match="manifest"):
        integrity.open_build()

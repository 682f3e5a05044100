"""The « Téléchargements » page through Streamlit's AppTest: choices, preview, download content.

The download button's bytes are caught where Streamlit stores them (its in-memory media store),
then opened with pyogrio like any downloaded file.
"""

from __future__ import annotations

import html
import io
import zipfile
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from pyproj import CRS
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from tests.frame import registered_pages

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "downloads.py")


@pytest.fixture
def served(monkeypatch) -> list[tuple[bytes, str, str]]:
    """Every (data, mime, filename) handed to Streamlit's media store during the test."""
    files: list[tuple[bytes, str, str]] = []
    original = MemoryMediaFileStorage.load_and_get_id

    def spy(self, path_or_data, mimetype, kind, filename=None):
        files.append((path_or_data, mimetype, filename))
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", spy)
    return files


def command(at: AppTest) -> str:
    """The command line the page shows (preformatted HTML, unescaped)."""
    [shown] = [html.unescape(block.value) for block in at.html if "python -m geo.export" in block.value]
    return shown


def built(real_build: Path, layer_id: str) -> gpd.GeoDataFrame:
    return gpd.read_parquet(real_build / "layers" / f"{layer_id}.parquet")


def run(lang: str | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    if lang:
        at.query_params["lang"] = lang
    return at.run()


def counts_table(at: AppTest) -> dict[str, int]:
    table = at.dataframe[0].value
    return dict(zip(table.iloc[:, 0], table.iloc[:, 1], strict=True))


def test_default_download_is_a_geopackage_with_the_previewed_count(real_build, served, tmp_path):
    at = run()
    assert not at.exception
    assert at.title[0].value == "Téléchargements"
    expected = len(built(real_build, "cool_facilities"))
    assert counts_table(at) == {"Îlots de fraîcheur : équipements et activités": expected}
    assert f"{expected} entités au total" in [m.value for m in at.markdown]
    assert len(at.dataframe[1].value) == 5

    button = at.get("download_button")[0]
    data, mime, filename = served[-1]
    assert filename.endswith("_epsg2154.gpkg") and filename in button.proto.label
    assert mime == "application/geopackage+sqlite3"
    path = tmp_path / filename
    path.write_bytes(data)
    assert pyogrio.read_info(path, layer="cool_facilities")["features"] == expected
    assert "export_provenance" in pyogrio.list_layers(path)[:, 0]
    assert "--layers cool_facilities --format gpkg --crs 2154" in command(at)


def test_filters_format_and_crs_change_preview_and_download(real_build, served, tmp_path):
    at = run()
    at.multiselect(key="export.layers").set_value(["cool_facilities", "fountains"]).run()
    at.multiselect(key="export.quartiers").set_value(["7512003"]).run()
    at.multiselect(key="export.kind.cool_facilities").set_value(["Brumisateur", "Lieux de culte"])
    at.selectbox(key="export.format").set_value("shp")
    at.radio(key="export.crs").set_value(4326).run()
    assert not at.exception and not at.error

    facilities, fountains = built(real_build, "cool_facilities"), built(real_build, "fountains")
    in_q = facilities["quartier"] == "7512003"
    expected = {"cool_facilities": int((in_q & facilities["kind"].isin(
        ["Brumisateur", "Lieux de culte"])).sum()),
        "fountains": int((fountains["quartier"] == "7512003").sum())}
    assert list(counts_table(at).values()) == list(expected.values())
    assert set(at.dataframe[1].value["Quartier"]) == {"Père-Lachaise"}

    data, mime, filename = served[-1]
    assert mime == "application/zip" and filename.endswith("_epsg4326_shp.zip")
    assert "quartier-7512003" in filename and "kind" in filename
    path = tmp_path / filename
    path.write_bytes(data)
    for layer_id, count in expected.items():
        read = pyogrio.read_dataframe(f"/vsizip/{path}/{layer_id}.shp")
        assert len(read) == count and CRS(read.crs).to_epsg() == 4326
        assert set(read["quartier_n"]) == {"Père-Lachaise"}
    readme = zipfile.ZipFile(io.BytesIO(data)).read("README.txt").decode("utf-8")
    assert "quartiers administratifs 7512003" in readme and "Brumisateur" in readme


def test_flood_distance_filter_matches_plain_geopandas(real_build, served):
    at = run()
    at.multiselect(key="export.layers").set_value(["sports"])
    at.checkbox(key="export.near_flood").check().run()  # enables the distance field
    at.number_input(key="export.distance").set_value(800).run()
    assert not at.exception and not at.error
    sports = built(real_build, "sports").to_crs(2154)
    zones = built(real_build, "ppri").to_crs(2154).union_all()
    expected = int((sports.distance(zones) <= 800).sum())
    assert 0 < expected < len(sports)
    assert list(counts_table(at).values()) == [expected]
    assert "flood800m" in served[-1][2]
    assert "--near-flood 800" in command(at)


def test_a_filter_matching_nothing_shows_a_message_and_no_download(real_build):
    at = run()
    at.multiselect(key="export.layers").set_value(["ppri"])
    at.multiselect(key="export.quartiers").set_value(["7512001"]).run()  # no flood zone in Belleville
    assert not at.exception
    assert "no feature matches" in at.error[0].value
    assert not at.get("download_button")


def test_no_layer_chosen_asks_for_one(real_build):
    at = run()
    at.multiselect(key="export.layers").set_value([]).run()
    assert not at.exception
    assert at.info[0].value == "Choisissez au moins une couche."
    assert not at.get("download_button")


def test_page_in_english_writes_an_english_readme(real_build, served):
    at = run("en")
    at.selectbox(key="export.format").set_value("geojson").run()
    assert not at.exception
    assert at.title[0].value == "Downloads"
    data = served[-1][0]
    readme = zipfile.ZipFile(io.BytesIO(data)).read("README.txt").decode("utf-8")
    assert readme.startswith("Risk and resilience map") and "no filter" in readme


def test_walk_target_choice_filters_and_is_in_the_command(real_build, served, tmp_path):
    at = run()
    at.multiselect(key="export.layers").set_value(["schools_maternelle"])
    at.radio(key="export.walk_target").set_value("inside").run()
    assert not at.exception and not at.error
    count = list(counts_table(at).values())[0]
    data, _, filename = served[-1]
    assert "walk-inside" in filename
    path = tmp_path / filename
    path.write_bytes(data)
    assert pyogrio.read_info(path, layer="schools_maternelle")["features"] == count
    table = pyogrio.read_dataframe(path, layer="export_provenance")
    assert "objectif de marche" in table["filter"].iloc[0]
    assert "--walk-target inside" in command(at)


def test_page_is_registered_in_the_app_and_the_readme(real_build):
    root = Path(PAGE).parents[1]
    assert registered_pages()["pages/downloads.py"] == "telechargements"
    assert "`pages/downloads.py`" in (root / "README.md").read_text(encoding="utf-8")
    at = AppTest.from_file(str(root / "app.py"), default_timeout=60).run()
    at.switch_page("pages/downloads.py").run()
    assert not at.exception
    assert at.title[0].value == "Téléchargements"
    assert at.get("download_button")

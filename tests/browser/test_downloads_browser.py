"""The « Téléchargements » page in a real browser: the button hands over a file that GDAL opens."""

from __future__ import annotations

import geopandas as gpd
import pyogrio
import pytest

from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser


def test_download_button_saves_the_previewed_geopackage(app_server, page, real_build, tmp_path):
    page.goto(f"{app_server.url}/telechargements")
    page.get_by_role("heading", name="Téléchargements").wait_for(timeout=30_000)
    expected = len(gpd.read_parquet(real_build / "layers" / "cool_facilities.parquet"))
    page.get_by_text(f"{expected} entités au total").wait_for(timeout=30_000)
    button = page.locator('[data-testid="stDownloadButton"] button')
    button.wait_for()
    button.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "downloads-page.png"), full_page=True)
    with page.expect_download(timeout=30_000) as info:
        button.click()
    download = info.value
    assert download.suggested_filename.startswith("paris20_cool_facilities_")
    assert download.suggested_filename.endswith("_epsg2154.gpkg")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert pyogrio.read_info(path, layer="cool_facilities")["features"] == expected
    assert pyogrio.read_info(path, layer="cool_facilities")["crs"] == "EPSG:2154"

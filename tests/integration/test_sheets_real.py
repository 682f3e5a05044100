"""The sheets on the real build: their figures recomputed here by another path, and their PDF made
on the server (WeasyPrint) — pages, map, chart titles, legend, and a QR code that zxing-cpp reads,
from the PDF page rendered as an image, as the live URL."""

from __future__ import annotations

import functools
import io
import re
import subprocess

import numpy as np
import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from geo.actions.loader import load_catalogue
from geo.analysis import exposure, refuge_figures
from geo.analysis.refuge_settings import TIERS, TIMES
from geo.reports import sheet_figures, sheet_view
from geo.reports.facility_doc import facility_document, live_state
from geo.reports.pdf import pdf_bytes
from geo.reports.quartier_doc import quartier_document
from geo.reports.sheet_common import SheetInputs
from geo.sources import store

ROOT_URL = "http://192.168.1.20:8501/"


@pytest.fixture(scope="module")
def result(real_build):
    return exposure.load(path=real_build)


@pytest.fixture(scope="module")
def inputs(real_build, result):
    manifest = store.load_manifest(real_build)

    @functools.cache
    def frame_of(layer_id: str):
        if layer_id in exposure.MAP_LAYERS:
            return exposure.map_layer(result, layer_id)
        return store.load_layer(layer_id, real_build)

    def make(lang: str) -> SheetInputs:
        return SheetInputs(result, manifest, {**manifest["layers"], **exposure.MAP_LAYERS}, frame_of,
                           {"ppri": ("B",)}, load_catalogue(), ROOT_URL, lang)
    return make


def test_the_walk_figures_of_a_quartier_agree_with_the_refuge_tables(result):
    refuges = result.refuges
    speed = refuges.settings.walk.default_speed_kmh
    for code in result.quartiers["quartier"]:
        walk = sheet_figures.quartier_walk(refuges, code, speed).set_index(["tier", "time"])
        n = refuges.n_pieces
        mine = (refuges.pieces["quartier"] == code).to_numpy()
        p75 = np.nan_to_num(refuges.pieces["p75"].to_numpy(float))[mine]
        for tier in TIERS:
            for time in TIMES:
                row = walk.loc[(tier, time)]
                table = refuge_figures.by_area(refuges, tier, time, speed, "quartier").set_index("code")
                assert row["share_within"] == pytest.approx(table.loc[code, "p75_share"])
                assert row["p75_outside"] == pytest.approx(table.loc[code, "p75_outside"])
                # the median: at least half of the people within it, less than half below it
                minutes = refuges.minutes(tier, time, speed)[:n][mine]
                assert p75[minutes <= row["median_min"]].sum() >= p75.sum() / 2
                assert p75[minutes < row["median_min"]].sum() < p75.sum() / 2


def test_capacity_and_position_figures(result):
    sites = result.shelter.sites
    for code in result.quartiers["quartier"]:
        need = sheet_figures.capacity_need(result, code)
        assert need.quartier_capacity == sites.loc[sites["quartier"].astype(str) == code, "capacity"].sum()
        assert need.capacity == sites["capacity"].sum()
    refuges = result.refuges
    fid = refuges.facilities.sort_values("fid")["fid"].iloc[0]
    position = sheet_figures.facility_position(refuges, fid, "refuge", 3.5).set_index("time")
    quartier = refuges.facilities.set_index("fid").loc[fid, "quartier"]
    others = refuges.facilities[refuges.facilities["quartier"] == quartier]["fid"]
    for time in TIMES:
        values = [refuge_figures.facility_minutes(refuges, other, 3.5).loc["refuge", time] for other in others]
        mine = refuge_figures.facility_minutes(refuges, fid, 3.5).loc["refuge", time]
        assert position.loc[time, "minutes"] == mine
        assert position.loc[time, "median"] == np.median(values)
        assert position.loc[time, "rank"] == 1 + sum(value > mine for value in values)
        assert position.loc[time, "count"] == len(values)


def pdf_text(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() for page in reader.pages)
    return reader, re.sub(r"\s+", " ", text).replace("\u202f", " ")


def qr_of_first_page(pdf: bytes, tmp_path) -> list[str]:
    path = tmp_path / "sheet.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "200", "-f", "1", "-l", "1", "-png", str(path), str(tmp_path / "page")],
                   check=True)
    return [found.text for found in zxingcpp.read_barcodes(Image.open(next(tmp_path.glob("page*.png"))))]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_quartier_sheet_makes_a_pdf_of_one_or_two_pages(inputs, result, tmp_path, lang):
    for code in result.quartiers["quartier"]:
        doc = quartier_document(inputs(lang), code, "night")
        reader, text = pdf_text(pdf_bytes(doc.html()))
        assert 1 <= len(reader.pages) <= 2, (code, len(reader.pages))
        titles = re.findall(r"<h3>([^<]+)</h3>", doc.html())
        for title in titles:  # the charts' titles and the legend, as text
            assert title.replace("&#x27;", "'").replace(" ", "") in text.replace(" ", ""), title
        assert ("0 250 m" in text or "0 500 m" in text) and " N " in text  # the map's scale bar and arrow
        assert all(not sha for sha in re.findall(r"\b[0-9a-f]{64}\b", text))  # no full checksum
    expected = sheet_view.live_url(ROOT_URL, sheet_view.quartier_state(code, "night"), lang)
    assert qr_of_first_page(pdf_bytes(doc.html()), tmp_path) == [expected]


def test_facility_sheets_make_a_one_page_pdf(inputs, result, tmp_path):
    fac = result.facilities.assign(length=result.facilities["name"].str.len())
    # per category the longest name; the largest host site (its flood section); a host-only site
    picked = [group.sort_values("length")["fid"].iloc[-1] for _, group in fac.groupby("category")]
    hosts = result.hosts.sort_values("capacity", ascending=False)
    picked += [hosts["fid"].iloc[0], hosts[~hosts["fid"].isin(fac["fid"])]["fid"].iloc[0]]
    for fid in picked:
        html = facility_document(inputs("fr"), fid, "day").html()
        reader, text = pdf_text(pdf_bytes(html))
        assert len(reader.pages) == 1, fid
        assert "Légende" in text and "Ce que fait la Ville" in text
    expected = sheet_view.live_url(ROOT_URL, live_state(result, picked[-1], "day"), "fr")
    assert qr_of_first_page(pdf_bytes(html), tmp_path) == [expected]

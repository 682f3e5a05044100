"""Sheets printed by Chromium (``page.pdf``, the browser's own print) and read back with pypdf: a
quartier sheet on 1–2 A4 pages and a facility sheet on one, each with its map (drawn, with its
legend), its chart titles, no app chrome; the QR code, read from the rendered page by zxing-cpp,
is the sheet's live URL; its short link leads there, and the live map draws per layer what the
printed map draws. « Télécharger le PDF » gives the same sheet made on the server."""

from __future__ import annotations

import io
import re
import subprocess

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from geo.analysis import exposure as analysis
from geo.reports import sheet_view
from tests.browser.leaflet_probe import map_frame, wait_counts
from tests.conftest import ARTIFACTS
from tests.sheet_html import parse

pytestmark = pytest.mark.browser

#: The printed map's background (#dddddd) as a PDF fill colour: the map is drawn as vectors.
MAP_FILL = ".8667 .8667 .8667 rg"


@pytest.fixture(scope="module")
def result(real_build):
    return analysis.load(path=real_build)


def open_sheet(page, url: str):
    page.goto(url)
    page.locator(".print-doc h1").wait_for(timeout=90_000)
    return parse(page.locator(".print-doc").evaluate("e => e.outerHTML"))


def print_pdf(page, name: str) -> tuple[PdfReader, str, bytes]:
    ARTIFACTS.mkdir(exist_ok=True)
    pdf = page.pdf(format="A4", print_background=True)
    (ARTIFACTS / f"{name}.pdf").write_bytes(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages)).replace("\u202f", " ")
    return reader, text, pdf


@pytest.fixture
def page(browser, request):
    """A page rendered at about 300 dpi (device scale 3): the QR code is read as a phone reads
    the printed sheet, not from a 96-dpi screen."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="fr-FR",
                                  device_scale_factor=3)
    page = context.new_page()
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"))
    context.close()


def read_qr(page) -> list[str]:
    """The QR code read by zxing-cpp from the page rendered for print."""
    page.emulate_media(media="print")
    image = Image.open(io.BytesIO(page.locator(".print-doc img.qr").screenshot(scale="device")))
    page.emulate_media(media="screen")
    return [found.text for found in zxingcpp.read_barcodes(image)]


def check_print(reader: PdfReader, text: str, sheet, pages: tuple[int, int]) -> None:
    assert pages[0] <= len(reader.pages) <= pages[1]
    assert sheet.headings[0][1] in text
    # the map: drawn as vectors (its background fill), its scale bar and north arrow, its legend
    assert MAP_FILL in reader.pages[0].get_contents().get_data().decode("latin-1")
    scale = re.search(r">(\d+ k?m)</text>", sheet.map_svg()).group(1)
    assert f"0 {scale}" in text and " N " in text
    legend = [title for level, title in sheet.headings if level == 3]
    assert "Légende" in legend
    for layer in ("Quartiers administratifs", "Espaces verts et assimilés", "Loin d'un refuge de chaleur ouvert"):
        assert layer in text
    # every chart's title (real text, not a picture of text)
    charts = [title for level, title in sheet.headings if level == 3 and title != "Légende"]
    assert charts
    flat = text.replace(" ", "")
    for title in charts:
        assert title.replace(" ", "") in flat
    # the print shows the sheet alone
    for chrome in ("Langue", "Télécharger le PDF", "Imprimer la fiche", "Moment de la journée (carte)"):
        assert chrome not in text


def test_quartier_sheet_prints_on_two_pages_with_map_charts_and_qr(app_server, page):
    sheet = open_sheet(page, f"{app_server.url}/fiche?quartier=7512001&time=night")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "sheet-quartier.png"))
    reader, text, _ = print_pdf(page, "sheet-quartier")
    check_print(reader, text, sheet, (1, 2))
    assert "Fiche quartier : Belleville" in text and "Refuges : Nuit (22 h – 6 h)" in text
    assert "Temps de marche médian des 75 ans et plus" in text
    assert "Fiche équipement" not in text  # the pickers are not printed

    expected = sheet_view.live_url(f"{app_server.url}/", sheet_view.quartier_state("7512001", "night"), "fr")
    assert read_qr(page) == [expected]
    short = f"{app_server.url}/v/7512001?t=night"
    assert short.replace("http://", "") in text.replace(" ", "") or short in text.replace(" ", "")

    # a short link to no sheet is a plain 404, never a redirect elsewhere
    assert page.request.get(f"{app_server.url}/v/nope", max_redirects=0).status == 404
    # the short link leads to the live map of that view, which draws what the sheet's map draws
    page.goto(short)
    page.wait_for_url(re.compile(r".*quartier=7512001.*"), timeout=60_000)
    assert page.url == expected
    counts = sheet.map_counts()
    drawn = wait_counts(map_frame(page), " && ".join(f"(c.{lid} || 0) === {n}" for lid, n in counts.items()))
    assert {lid: drawn.get(lid, 0) for lid in counts} == counts


def test_facility_sheet_prints_on_one_page(app_server, page, result):
    row = result.facilities[result.facilities["category"] == "elementaire"].sort_values("fid").iloc[0]
    sheet = open_sheet(page, f"{app_server.url}/fiche?fid={row['fid']}")
    page.screenshot(path=str(ARTIFACTS / "sheet-facility.png"))
    reader, text, _ = print_pdf(page, "sheet-facility")
    check_print(reader, text, sheet, (1, 1))
    assert row["name"] in text and "Écoles élémentaires" in text
    assert result.build_id in text.replace(" ", "")  # the build id may wrap in its column
    expected = sheet_view.live_url(f"{app_server.url}/", analysis_state(result, row["fid"]), "fr")
    assert read_qr(page) == [expected]


def analysis_state(result, fid: str):
    from geo.reports.facility_doc import live_state

    return live_state(result, fid, "day")


def test_the_pdf_button_gives_the_same_sheet_made_on_the_server(app_server, page, tmp_path):
    sheet = open_sheet(page, f"{app_server.url}/fiche?quartier=7512004")
    with page.expect_download(timeout=120_000) as download:
        page.get_by_role("button", name="Télécharger le PDF").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name.startswith("fiche-charonne-7512004") and path.suffix == ".pdf"
    reader = PdfReader(path)
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages)).replace("\u202f", " ")
    assert 1 <= len(reader.pages) <= 2 and "Fiche quartier : Charonne" in text
    assert "Capacité d'accueil face aux habitants des secteurs inondables voisins" in text
    # its QR code, read from the PDF's first page as an image, is the sheet's live URL
    subprocess.run(["pdftoppm", "-r", "200", "-f", "1", "-l", "1", "-png", str(path), str(tmp_path / "p")],
                   check=True)
    image = Image.open(next(tmp_path.glob("p*.png")))
    expected = sheet_view.live_url(f"{app_server.url}/", sheet_view.quartier_state("7512004"), "fr")
    assert [found.text for found in zxingcpp.read_barcodes(image)] == [expected]
    assert sheet.headings[0] == (1, "Fiche quartier : Charonne")

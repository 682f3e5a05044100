"""A facility sheet printed to PDF by Chromium: its figures are in the PDF, the app's chrome is not."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from geo.analysis import exposure as analysis
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def school(real_build):
    result = analysis.load(path=real_build)
    fac = result.facilities
    row = fac[(fac["category"] == "elementaire")].sort_values("fid").iloc[0]
    return row, result


def test_facility_sheet_prints_to_a_clean_pdf(app_server, page, school):
    row, result = school
    page.goto(f"{app_server.url}/fiche?fid={row['fid']}")
    page.get_by_role("heading", name=row["name"]).wait_for(timeout=60_000)
    page.get_by_text("Lieux frais les plus proches").wait_for()
    page.get_by_text("Sources", exact=True).wait_for()
    page.get_by_text("Actions de résilience liées").wait_for()
    # on screen, a print button (hidden when printing)
    page.frame_locator(".st-key-sheet-print iframe").get_by_text("Imprimer la fiche").wait_for()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "sheet-facility.png"), full_page=True)

    pdf = page.pdf(format="A4", print_background=True)
    (ARTIFACTS / "sheet-facility.pdf").write_bytes(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))

    assert row["name"] in text
    assert "Lieux frais les plus proches" in text
    # the nearest-places table prints as text: each kind with the name of its nearest place
    for kind in ("green", "facility", "fountain"):
        assert row[f"{kind}_name"] in text
    assert "Inondation" in text
    assert "Lieu frais compté le plus proche" in text and f"{row['best_min']:.1f} min".replace(".", ",") in text
    # the flood distance of the sheet, as computed by the analysis
    assert f"{row['zone_m']:,.0f} m".replace(",", " ") in text.replace("\u202f", " ")
    assert result.build_id in text
    assert "vol d'oiseau" in text or "vol d’oiseau" in text
    # the print layout hides the sidebar (language switch, navigation) and the pickers
    assert "Langue" not in text
    assert "Fiche équipement" not in text and "Imprimer la fiche" not in text
    assert len(reader.pages) <= 4

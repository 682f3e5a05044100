"""Details by fid, place search and the flood figures, on synthetic frames."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from geo.analysis.flood import flood_figures
from geo.map.details import feature_details, layer_of
from geo.map.search import fold, search
from geo.sources.registry import load_registry

XSS = "<img src=x onerror=alert(1)>"


def fountains() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"fid": ["fountains:1", "fountains:2"], "source_id": ["1", "2"],
         "name": ["Wallace", XSS], "kind": ["FONTNE_WALLACE", "FONTAINE_BOIS"],
         "address": ["RUE DES PYRENEES", ""], "c_ar": [20, 0], "quartier": ["7512003", ""],
         "quartier_name": ["Père-Lachaise", ""], "dispo": ["OUI", "NON"],
         "motif_ind": ["", "Travaux"]},
        geometry=[Point(2.39, 48.86), Point(2.40, 48.87)], crs="EPSG:4326")


def manifest() -> dict:
    return {"layers": {"fountains": {
        "title_fr": "Fontaines à boire", "title_en": "Drinking fountains", "status": "official",
        "publisher": "Eau de Paris", "url": "https://example.org/fountains", "licence": "ODbL",
        "attribution": "Eau de Paris",
        "sources": [{"retrieved_at": "2026-11-20T10:00:00Z", "sha256": "ab" * 32}]}}}


def test_details_have_readable_labels_and_provenance():
    spec = load_registry().layer("fountains")
    details = feature_details(fountains(), "fountains:1", spec, manifest(), "fr")
    attrs = dict(details.attributes)
    assert attrs["Nom"] == "Wallace"
    assert attrs["Type"] == "FONTNE_WALLACE"
    assert attrs["Adresse"] == "RUE DES PYRENEES"
    assert attrs["Quartier administratif"] == "Père-Lachaise"
    assert attrs["Arrondissement"] == "20"
    labels = {extra.source: extra.label_fr for extra in spec.extra}
    assert attrs[labels["dispo"]] == "OUI"
    assert labels["motif_ind"] not in attrs  # empty values are left out
    provenance = dict(details.provenance)
    assert "ODbL — Eau de Paris" in provenance.values()
    assert "https://example.org/fountains" in provenance.values()
    assert details.layer_title == spec.title_fr


def test_details_in_english_and_raw_text_kept_for_the_page_to_escape():
    spec = load_registry().layer("fountains")
    details = feature_details(fountains(), "fountains:2", spec, manifest(), "en")
    attrs = dict(details.attributes)
    assert attrs["Name"] == XSS
    assert attrs["Arrondissement"] == "outside Paris"
    assert attrs[next(e.label_en for e in spec.extra if e.source == "motif_ind")] == "Travaux"


def test_unknown_fid_gives_none():
    spec = load_registry().layer("fountains")
    assert feature_details(fountains(), "fountains:999", spec, manifest(), "fr") is None
    assert layer_of("fountains:12:3") == "fountains"


def test_fold_ignores_accents_case_and_abbreviations():
    assert fold("Saint-Blaise") == fold("st blaise") == "saint blaise"
    assert fold("Père-Lachaise") == "pere lachaise"
    assert fold(None) == ""


def test_search_matches_every_word_and_ranks_prefix_first():
    councils = gpd.GeoDataFrame(
        {"fid": ["c:1", "c:2", "c:3"], "name": ["SAINT-BLAISE", "Square Saint-Blaise", "Plaine"],
         "address": ["", "", ""]},
        geometry=[box(2.40, 48.85, 2.41, 48.86), Point(2.405, 48.855), box(2.41, 48.85, 2.42, 48.86)],
        crs="EPSG:4326")
    hits = search({"conseils_quartier": councils, "fountains": fountains()}, "st blaise")
    assert [hit.fid for hit in hits] == ["c:1", "c:2"]
    assert hits[0].bounds == pytest.approx((2.40, 48.85, 2.41, 48.86))
    assert [h.fid for h in search({"fountains": fountains()}, "pyrénées")] == ["fountains:1"]
    assert search({"fountains": fountains()}, "   ") == []


def test_flood_figures_measured_in_lambert93():
    x0, y0 = 655_000, 6_862_000
    area = gpd.GeoDataFrame({"fid": ["a"]}, geometry=[box(x0, y0, x0 + 1000, y0 + 1000)],
                            crs="EPSG:2154").to_crs("EPSG:4326")
    ppri = gpd.GeoDataFrame(
        {"fid": ["p:1", "p:2"], "kind": ["B", "V"], "quartier_name": ["Q1", "Q2"]},
        geometry=[box(x0 + 800, y0, x0 + 1200, y0 + 1000), box(x0 - 600, y0, x0 - 300, y0 + 10)],
        crs="EPSG:2154").to_crs("EPSG:4326")
    figures = flood_figures(area, ppri)
    assert figures.area_m2 == pytest.approx(1_000_000, rel=1e-3)
    assert figures.overlap_m2 == pytest.approx(200 * 1000, rel=1e-3)
    assert figures.overlap_share == pytest.approx(0.2, rel=1e-3)
    assert figures.distance_m == pytest.approx(0, abs=0.01)
    assert figures.nearest_zone == "B" and figures.sectors == 2

    far = flood_figures(area, ppri.iloc[[1]])
    assert far.overlap_m2 == pytest.approx(0, abs=1e-6)
    assert far.distance_m == pytest.approx(300, abs=0.5)
    assert (far.nearest_zone, far.nearest_quartier) == ("V", "Q2")


def test_flood_figures_refuse_missing_crs_or_empty_ppri():
    area = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)])
    with pytest.raises(ValueError):
        flood_figures(area, area)
    with pytest.raises(ValueError):
        flood_figures(area.set_crs("EPSG:2154"), gpd.GeoDataFrame(geometry=[], crs="EPSG:2154"))


def test_markdown_list_escapes_labels_and_values():
    from geo.map.details import markdown_list

    text = markdown_list((("Nom", XSS), ("Lien", "[x](javascript:alert(1))")))
    assert "<img" not in text and "&lt;img" in text
    assert "](javascript" not in text and "\\]\\(javascript" in text
    assert text.count("\n") == 1 and text.startswith("- **Nom** : ")

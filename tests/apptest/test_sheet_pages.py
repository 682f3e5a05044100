"""« Fiches » through Streamlit's AppTest on the real build: the printed map draws the features the
live map draws for the sheet's view (counts per layer, against the map page itself), the view
options in the URL, the annex, the figures recomputed here, the English sheet, unknown sheets and
hostile names."""

from __future__ import annotations

import re
from pathlib import Path
from unittest.mock import patch

import pytest
from streamlit.testing.v1 import AppTest

from geo.analysis import exposure as analysis
from geo.map.layers import PERIODS
from geo.reports import sheet_view
from geo.sources import store
from tests.apptest.test_map import FakeFolium, MapApp
from tests.buildcopy import rewrite_layer
from tests.sheet_html import from_app

ROOT = Path(__file__).resolve().parents[2]


def run(**params: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / "sheet.py"), default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


@pytest.fixture(scope="module")
def result(real_build: Path) -> analysis.Analysis:
    return analysis.load(path=real_build)


def live_map_counts(query: str) -> dict[str, int]:
    """What the map page draws for this query string: features per layer, read from the light
    GeoJSON it hands to the (patched) map component."""
    params = dict(part.split("=", 1) for part in query.split("&"))
    fake = FakeFolium()
    with patch("streamlit_folium.st_folium", fake):
        app = MapApp(fake)
        for key, value in params.items():
            app.at.query_params[key] = value
        app.run()
        assert not app.exception and not app.error
        layers = fake.layers()
    return {layer_id: len(data["features"]) for layer_id, data in layers.items()
            if layer_id not in ("highlight", "quartier")}


@pytest.mark.parametrize("code, period", [("7512001", "day"), ("7512004", "night")])
def test_the_quartier_sheets_map_draws_what_the_live_map_draws(code, period):
    sheet = from_app(run(quartier=code, time=period))
    link = sheet.image("Code QR")["alt"].split(": ", 1)[1]
    query = link.split("?", 1)[1]
    assert f"quartier={code}" in query and ("time=night" in query) == (period == "night")
    counts = sheet.map_counts()
    assert set(counts) == set(sheet_view.QUARTIER_LAYERS)
    assert counts == live_map_counts(query)
    assert counts["refuge_gap"] > 0 and counts["cool_facilities"] > 0


def test_the_facility_sheets_map_draws_what_the_live_map_draws(result):
    school = result.facilities[result.facilities["category"] == "college"].sort_values("fid").iloc[0]
    sheet = from_app(run(fid=school["fid"], time="evening"))
    query = sheet.image("Code QR")["alt"].split("?", 1)[1]
    assert f"sel={school['fid']}" in query and "z=16" in query and "time=evening" in query
    counts = sheet.map_counts()
    assert counts == live_map_counts(query)
    assert counts["colleges"] == len(store.load_layer("colleges"))


def test_the_quartier_sheet_reads_like_a_sheet(result, real_build):
    at = run(quartier="7512001")
    assert not at.exception and not at.error
    sheet = from_app(at)
    assert sheet.root == "article" and sheet.lang == "fr"
    levels = [level for level, _ in sheet.headings]
    assert levels[0] == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))  # in order
    titles = [text for _, text in sheet.headings]
    assert titles[0] == "Fiche quartier : Belleville"
    for expected in ("Carte", "Légende", "Chaleur : refuges à pied", "Inondation : accueillir les évacués",
                     "Ce que fait la Ville", "Sources"):
        assert expected in titles
    assert any(t.startswith("Temps de marche médian des 75 ans et plus") for t in titles)
    assert "Capacité d'accueil face aux habitants des secteurs inondables voisins" in titles
    # every image has a text alternative; the map's lists what it shows. The legend's symbols
    # are decorative (the layer's name is written beside each): an empty alt and an aria-hidden
    # SVG; every other image (map, charts, QR code) says what it shows
    assert all("alt" in img for img in sheet.images)
    decorative = [img for img in sheet.images if not img["alt"]]
    assert decorative and all('aria-hidden="true"' in img["svg"] and float(img["width"]) <= 40
                              for img in decorative)
    assert len(sheet.images) - len(decorative) >= 4  # map, QR code and at least two charts
    assert sheet.image("Carte de quartier Belleville").get("alt").count(" : ") >= 6
    # the quartier's people aged 75+: the IRIS of the quartier (INSEE 2022), summed here
    iris = store.load_layer("iris_population", real_build)
    people = iris.loc[iris["quartier"] == "7512001", "population_75_plus"].astype(float).sum()
    shown = float(re.search(r"(\d{1,3}(?: \d{3})*) habitants de 75 ans et plus", sheet.text).group(1).replace(" ", ""))
    assert shown == pytest.approx(people, rel=0.01)
    # capacity: the quartier's host sites, summed here from the sites
    sites = result.shelter.sites
    capacity = sites.loc[sites["quartier"].astype(str) == "7512001", "capacity"].sum()
    assert f"environ {capacity:,.0f} personnes".replace(",", " ") in sheet.text
    # provenance: compact, no full checksum, the build id
    manifest = store.load_manifest(real_build)
    assert manifest["build_id"] in sheet.text and "ODbL" in sheet.text
    for entry in manifest["layers"].values():
        for source in entry["sources"]:
            assert source["sha256"] not in sheet.text
    # the long lists are an annex, left out unless asked
    assert "Annexe : listes complètes" not in titles
    assert not any(row and row[0] == "Nom" for table in sheet.tables for row in table[:1])


def test_view_options_go_to_the_url_and_the_annex_holds_the_lists(result):
    at = run(quartier="7512002")
    at.radio(key="sheet.time").set_value("night").run()
    assert at.query_params["time"] == ["night"] or at.query_params["time"] == "night"
    assert "Refuges : Nuit (22 h – 6 h)" in from_app(at).text
    at.checkbox(key="sheet.annex").check().run()
    assert at.query_params["annexe"] in ("1", ["1"])
    sheet = from_app(at)
    assert "Annexe : listes complètes" in [text for _, text in sheet.headings]
    facilities = sheet.table_with("Nom")
    in_quartier = result.facilities[result.facilities["quartier"] == "7512002"]
    assert len(facilities) - 1 == len(in_quartier)
    at.radio(key="sheet.time").set_value(PERIODS[0]).run()
    assert "time" not in at.query_params


def test_a_facility_sheet_of_a_host_site(result):
    top = result.hosts.sort_values("capacity", ascending=False).iloc[0]
    sheet = from_app(run(fid=top["fid"]))
    assert "capacité estimée 484 personnes, rang 1 sur les 30 gymnases et salles du 20e" in sheet.text
    assert "Surface d'évolution 1 696 m²" in sheet.text and "Douches : oui" in sheet.text
    assert "Inondation : accueillir les évacués" in [text for _, text in sheet.headings]


def test_unknown_sheets_are_messages_and_the_picker_sets_the_url():
    at = run()
    assert not at.exception and at.info and at.title[0].value == "Fiches"
    at.selectbox(key="sheet.quartier").set_value("7512004").run()
    assert at.query_params["quartier"] in ("7512004", ["7512004"])
    assert from_app(at).headings[0] == (1, "Fiche quartier : Charonne")
    bad = run(fid="schools_maternelle:nope")
    assert not bad.exception
    assert "Aucune fiche" in bad.error[0].value and "nope" in bad.error[0].value
    assert not [e for e in bad.get("html") if 'class="print-doc"' in e.proto.body]


def test_the_sheet_in_english(result):
    sheet = from_app(run(quartier="7512003", lang="en"))
    assert sheet.lang == "en" and sheet.headings[0] == (1, "Quartier sheet: Père-Lachaise")
    assert "Map" in [text for _, text in sheet.headings]
    assert not re.search(r"\b(sheet|expo|refuges|host|map)\.[a-z_]+\.", sheet.text)  # every key translated
    assert sheet.image("QR code of the live map").get("alt").endswith("lang=en")


def test_hostile_names_are_text_on_the_sheets(real_build, tmp_path, monkeypatch):
    """A facility name holding HTML and markdown is printed as text, never interpreted."""
    import shutil

    hostile = "<img src=x onerror=alert(1)> **gras** [lien](http://evil.example)"
    copy = tmp_path / "build-hostile-names"  # its own build id, so nothing cached is reused
    shutil.copytree(real_build, copy)
    (tmp_path / "current").symlink_to(copy.name)
    schools = store.load_layer("schools_maternelle", copy)
    fid = schools.loc[schools["c_ar"] == 20, "fid"].iloc[0]
    schools.loc[schools["fid"] == fid, "name"] = hostile
    rewrite_layer(copy, "schools_maternelle", schools)  # with its checksum: not a damaged build
    monkeypatch.setenv("RESILIENCE_BUILD_ROOT", str(tmp_path))

    at = run(fid=fid)
    assert not at.exception and not at.error
    body = next(e.proto.body for e in at.get("html") if 'class="print-doc"' in e.proto.body)
    assert "<img src=x" not in body and "&lt;img src=x onerror=alert(1)&gt;" in body
    assert from_app(at).headings[0] == (1, f"Fiche équipement : {hostile}")
    quartier = schools.loc[schools["fid"] == fid, "quartier"].iloc[0]
    annex = run(quartier=quartier, annexe="1")
    body = next(e.proto.body for e in annex.get("html") if 'class="print-doc"' in e.proto.body)
    assert "<img src=x" not in body and hostile in from_app(annex).text

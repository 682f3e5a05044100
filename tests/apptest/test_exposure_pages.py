"""« Inondation », « Chaleur » and the sheets through Streamlit's AppTest, on the real build."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from streamlit.testing.v1 import AppTest

from geo.actions.loader import load_catalogue
from geo.analysis import exposure as analysis
from geo.core.text import escape_md
from geo.sources import store
from geo.sources.quirks import NOT_COOL_GREEN_TYPES
from tests.frame import registered_pages

ROOT = Path(__file__).resolve().parents[2]


def run(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / page), default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


@pytest.fixture(scope="module")
def result(real_build: Path) -> analysis.Analysis:
    return analysis.load(path=real_build)


def table(at: AppTest, column: str, index: int = 0):
    """The ``index``-th table of the page having ``column`` (plain dataframes carry no key)."""
    return [df.value for df in at.dataframe if column in df.value.columns][index]


def md_table(at: AppTest, first_header: str) -> list[list[str]]:
    """The body rows of the markdown table whose first header is ``first_header``."""
    text = next(m.value for m in at.markdown if m.value.startswith(f"| {first_header} |"))
    return [[cell.strip() for cell in line.strip().strip("|").split("|")]
            for line in text.splitlines()[2:]]


def test_flood_page_shows_distance_neighbours_and_hosts(real_build, result):
    at = run("flood.py")
    assert not at.exception and not at.error
    assert at.title[0].value.startswith("Inondation")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Distance à la zone inondable la plus proche"] == "882 m"
    assert metrics["Part de la zone d'étude en zone inondable"] == "0.0%"
    neighbours = table(at, "Part dans le PPRI (%)")
    shares = dict(zip(neighbours["Arrondissement"], neighbours["Part dans le PPRI (%)"], strict=True))
    assert shares["11 – Popincourt"] == 8.9 and shares["12 – Reuilly"] == 12.2
    hosts = table(at, "Distance à la zone inondable la plus proche (m)")
    assert len(hosts) == len(result.hosts)
    assert hosts["Distance à la zone inondable la plus proche (m)"].is_monotonic_increasing
    assert hosts["Fiche"].str.startswith("fiche?fid=").all()
    # the build id and the layers are named under the figures
    captions = " ".join(c.value for c in at.caption).replace("\\", "")
    assert store.load_manifest(real_build)["build_id"] in captions
    assert "PPRI" in captions


def test_flood_page_filters_host_categories(result):
    at = run("flood.py")
    at.multiselect(key="flood.categories").set_value(["gymnasium"]).run()
    hosts = table(at, "Distance à la zone inondable la plus proche (m)")
    assert set(hosts["Type"]) == {"Gymnase"}
    assert len(hosts) == int((result.hosts["category"] == "gymnasium").sum())


def test_heat_page_shows_shares_method_and_tables(result):
    at = run("heat.py")
    assert not at.exception and not at.error
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Surface de la zone d'étude dans la cible"] == f"{result.study_share:.1%}"
    fac = result.facilities
    assert metrics["Équipements dans la cible"] == f"{int(fac['within_target'].sum())} / {len(fac)}"
    captions = " ".join(c.value for c in at.caption).replace("\\", "")
    assert "vol d'oiseau" in captions and "1.3" in captions and "4.5 km/h" in captions
    quartiers = table(at, "Équipements hors cible")
    assert len(quartiers) == 4 and quartiers["Population (2022)"].sum() == 187_697
    kinds = table(at, "Compte pour la cible")
    assert list(kinds["Lieu frais"]) == ["espace vert frais", "équipement frais", "fontaine à boire"]
    assert "Données dérivées" in at.info[0].value
    creches = fac[fac["category"] == "creche"]
    by_type = next(c.value for c in at.caption if c.value.startswith("Dans la cible, par type"))
    assert f"Crèche (édition 2014) {int(creches['within_target'].sum())}/{len(creches)}" in by_type


def test_heat_page_filters_facilities(result):
    at = run("heat.py")
    at.multiselect(key="heat.categories").set_value(["creche"]).run()
    shown = table(at, "Fontaine (min)")
    creches = result.facilities[result.facilities["category"] == "creche"]
    assert len(shown) == len(creches) == 34  # mirror README: 34 crèches in the 2014 edition
    assert any("édition 2014" in c.value for c in at.caption)
    at.checkbox(key="heat.outside_only").check().run()
    outside = table(at, "Fontaine (min)")
    assert len(outside) == int((~creches["within_target"]).sum())
    assert (outside["Dans la cible"] == "non").all()


def test_heat_page_in_english():
    at = run("heat.py", lang="en")
    assert not at.exception
    assert at.title[0].value == "Heat: who is far from a cool place?"


def test_facility_sheet_by_url(real_build, result):
    school = result.facilities[result.facilities["category"] == "maternelle"].iloc[0]
    at = run("sheet.py", fid=school["fid"])
    assert not at.exception and not at.error
    assert at.title[0].value.replace("\\", "") == school["name"]
    nearest = md_table(at, "Lieu frais")
    assert [row[0] for row in nearest] == ["espace vert frais", "équipement frais", "fontaine à boire"]
    # independent check of the green-space distance on the built layers with plain shapely
    green = store.load_layer("green_spaces", real_build).to_crs("EPSG:2154")
    excluded = (*NOT_COOL_GREEN_TYPES, *result.settings.access.green_excluded_types)
    green = green[~green["type_ev"].isin(excluded)]
    points = store.load_layer("cool_green_points", real_build).to_crs("EPSG:2154")
    points = points[~points["location"].isin(excluded)]
    geoms = [*green.geometry.values, *points.geometry.values]
    point = gpd.GeoSeries([school.geometry], crs="EPSG:2154").iloc[0]
    expected = min(shapely.distance(point, g) for g in geoms)
    assert nearest[0][2] == f"{round(expected):,}".replace(",", "\u202f")
    minutes = expected * 1.3 / 75
    assert nearest[0][3] == f"{minutes:.1f}".replace(".", ",")  # French decimal comma
    text = " ".join(m.value for m in at.markdown)
    assert "Sources" in " ".join(s.value for s in at.header)
    assert "Écoles maternelles" in text
    assert "Actions de résilience liées" in [s.value for s in at.header]
    # provenance down to the checksum of each source file
    manifest = store.load_manifest(real_build)
    for source in manifest["layers"][school["layer"]]["sources"]:
        assert source["sha256"] in text
    # the actions the catalogue links to this school, each on its own line
    frame = store.load_layer(school["layer"], real_build)
    row = frame[frame["fid"] == school["fid"]].drop(columns="geometry").iloc[0].to_dict()
    links = load_catalogue().feature_links(school["layer"], row)
    assert links, "every school is concerned by at least one action"
    for link in links:
        assert f"**{escape_md(link.action.display_title('fr'))}**" in text


def test_quartier_sheet_by_url(result, real_build):
    at = run("sheet.py", quartier="7512001")
    assert not at.exception and not at.error
    assert at.title[0].value == "Quartier Belleville (7512001)"
    facilities = md_table(at, "Nom")
    in_quartier = result.facilities[result.facilities["quartier"] == "7512001"]
    assert len(facilities) == len(in_quartier) > 0
    assert all("](fiche?fid=" in row[0] for row in facilities)
    figures = md_table(at, "Surface à moins de 7 min d'un lieu frais")[0]
    iris = store.load_layer("iris_population", real_build)
    people = int(iris.loc[iris["quartier"] == "7512001", "population"].astype(int).sum())
    assert figures[2] == "**" + f"{people:,}".replace(",", "\u202f") + "**"
    assert figures[1] == f"**{int(in_quartier['within_target'].eq(False).sum())} / {len(in_quartier)}**"


def test_sheet_picker_sets_the_url_and_unknown_ids_are_messages():
    at = run("sheet.py")
    assert not at.exception and at.info
    at.selectbox(key="sheet.quartier").set_value("7512004").run()
    assert at.query_params["quartier"] == "7512004"
    assert at.title[0].value == "Quartier Charonne (7512004)"
    bad = run("sheet.py", fid="schools_maternelle:nope")
    assert not bad.exception
    assert "Aucune fiche" in bad.error[0].value and "nope" in bad.error[0].value
    assert [title.value for title in bad.title] == ["Fiches"]  # the page keeps its h1


def test_pages_are_registered_in_the_app_and_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for page in ("pages/flood.py", "pages/heat.py", "pages/sheet.py"):
        assert page in registered_pages()
        assert f"`{page}`" in readme


def test_map_gains_the_access_gap_layer(result):
    """The map lists the analyses' « access gap » layer; its GeoJSON holds every grid piece and
    facility whose walking time to a counted cool place exceeds the target."""
    import json

    from geo.map.geojson import layer_geojson
    from geo.map.layers import LAYERS

    at = AppTest.from_file(str(ROOT / "pages" / "map.py"), default_timeout=60)
    at.query_params["layers"] = "arrondissements,access_gap"
    at.run()
    at.run()  # the map's mount report: the page's first run draws the map alone
    assert not at.exception and not at.error
    assert at.checkbox(key="map.layer.access_gap").value is True
    assert "Manque d'accès" in at.checkbox(key="map.layer.access_gap").label
    target = result.settings.access.target_minutes
    expected = int((result.grid["best_min"] > target).sum() + (result.facilities["best_min"] > target).sum())
    layer = analysis.map_layer(result, "access_gap")
    features = json.loads(layer_geojson(layer, LAYERS["access_gap"]))["features"]
    assert len(features) == expected
    assert layer.crs == "EPSG:4326"


@pytest.mark.parametrize("page, params, heading", [
    ("flood.py", {}, "Flood: the 20e as a host territory"),
    ("sheet.py", {"quartier": "7512003"}, "Quartier Père-Lachaise (7512003)"),
])
def test_pages_in_english(page, params, heading):
    at = run(page, lang="en", **params)
    assert not at.exception and not at.error
    assert at.title[0].value.replace("\\", "") == heading
    text = " ".join(c.value for c in at.caption) + " ".join(m.value for m in at.markdown)
    assert "expo." not in text  # every string has its English text


def test_hostile_names_are_escaped_on_the_sheets(real_build, tmp_path, monkeypatch):
    """A facility name holding HTML and markdown is shown as text, never interpreted."""
    import shutil

    hostile = "<img src=x onerror=alert(1)> **gras** [lien](http://evil.example)"
    copy = tmp_path / "build-hostile-names"  # its own build id, so nothing cached is reused
    shutil.copytree(real_build, copy)
    (tmp_path / "current").symlink_to(copy.name)
    schools = store.load_layer("schools_maternelle", copy)
    fid = schools.loc[schools["c_ar"] == 20, "fid"].iloc[0]
    schools.loc[schools["fid"] == fid, "name"] = hostile
    schools.to_parquet(copy / "layers" / "schools_maternelle.parquet", index=False)
    monkeypatch.setenv("RESILIENCE_BUILD_ROOT", str(tmp_path))

    at = run("sheet.py", fid=fid)
    assert not at.exception and not at.error
    title = at.title[0].value
    assert "<img" not in title and "](http" not in title and "**gras**" not in title
    assert title.replace("\\", "").replace("&lt;", "<").replace("&gt;", ">") == hostile
    quartier = schools.loc[schools["fid"] == fid, "quartier"].iloc[0]
    sheet = run("sheet.py", quartier=quartier)
    table = " ".join(m.value for m in sheet.markdown if m.value.startswith("| "))
    assert "<img" not in table and "](http://evil" not in table


@pytest.mark.parametrize("params", [{}, {"fid": "schools_elementaire:nowhere"}])
def test_sheet_page_has_its_heading_without_a_sheet(real_build, params):
    """Every state of the page has an h1: before a choice and for an unknown place."""
    at = run("sheet.py", **params)
    assert not at.exception
    assert [t.value for t in at.title] == ["Fiches"]

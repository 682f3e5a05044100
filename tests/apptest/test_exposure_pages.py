"""« Inondation », « Chaleur » and the sheets through Streamlit's AppTest, on the real build."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from streamlit.testing.v1 import AppTest

from geo.actions.loader import load_catalogue
from geo.analysis import exposure as analysis
from geo.sources import store
from geo.sources.quirks import NOT_COOL_GREEN_TYPES
from tests.frame import registered_pages
from tests.md_tables import table, tables
from tests.sheet_html import from_app

ROOT = Path(__file__).resolve().parents[2]


def run(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / page), default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


@pytest.fixture(scope="module")
def result(real_build: Path) -> analysis.Analysis:
    return analysis.load(path=real_build)


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
    for category in ("sports_hall", "school", "mairie"):
        at.checkbox(key=f"flood.category.{category}").uncheck()
    at.run()
    hosts = table(at, "Distance à la zone inondable la plus proche (m)")
    assert set(hosts["Type"]) == {"Gymnase"}
    assert len(hosts) == int((result.hosts["category"] == "gymnasium").sum())


def test_heat_page_shows_shares_method_and_tables(result):
    at = run("heat.py")
    assert not at.exception and not at.error
    # the straight-line half is shown on demand (a lighter cold load, issue 13)
    assert not [t for t in tables(at) if "Compte pour la cible" in t.columns]
    assert not at.multiselect and not at.info
    at.toggle(key="heat.more").set_value(True).run()
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
    at.toggle(key="heat.more").set_value(True).run()
    at.multiselect(key="heat.categories").set_value(["creche"]).run()
    shown = table(at, "Fontaine (min)")
    creches = result.facilities[result.facilities["category"] == "creche"]
    assert len(shown) == len(creches) == 34  # mirror README: 34 crèches in the 2014 edition
    assert any("édition 2014" in c.value for c in at.caption)
    assert table(at, "Fontaine (min)")["Fiche"].str.startswith("fiche?fid=").all()
    at.checkbox(key="heat.outside_only").check().run()
    outside = int((~creches["within_target"]).sum())
    fac = result.facilities
    assert f"{outside} équipements affichés sur {len(fac)}." in [c.value for c in at.caption]
    if outside:
        assert len(table(at, "Fontaine (min)")) == outside
    else:  # every crèche within the straight-line target (as every facility here): said, no table
        assert not [t for t in tables(at) if "Fontaine (min)" in t.columns]
        assert "Aucune ligne." in [c.value for c in at.caption]


def test_heat_page_in_english():
    at = run("heat.py", lang="en")
    assert not at.exception
    assert at.title[0].value == "Heat: who lacks a real refuge, when, and where"


def test_facility_sheet_by_url(real_build, result):
    school = result.facilities[result.facilities["category"] == "maternelle"].iloc[0]
    at = run("sheet.py", fid=school["fid"])
    assert not at.exception and not at.error
    sheet = from_app(at)
    assert sheet.headings[0] == (1, f"Fiche équipement : {school['name']}")
    # independent check of the green-space distance on the built layers with plain shapely
    green = store.load_layer("green_spaces", real_build).to_crs("EPSG:2154")
    excluded = (*NOT_COOL_GREEN_TYPES, *result.settings.access.green_excluded_types)
    green = green[~green["type_ev"].isin(excluded)]
    points = store.load_layer("cool_green_points", real_build).to_crs("EPSG:2154")
    points = points[~points["location"].isin(excluded)]
    geoms = [*green.geometry.values, *points.geometry.values]
    point = gpd.GeoSeries([school.geometry], crs="EPSG:2154").iloc[0]
    expected = min(shapely.distance(point, g) for g in geoms)
    minutes = f"{expected * 1.3 / 75:.1f}".replace(".", ",")  # French decimal comma
    metres = f"{round(expected):,}".replace(",", " ")
    assert f"espace vert frais {school['green_name']}, {metres} m ({minutes} min)" in sheet.text
    assert "Écoles maternelles" in sheet.text  # the map's legend names the facility's layer
    assert "Ce que fait la Ville" in [text for _, text in sheet.headings]
    # the actions the catalogue links to this school
    frame = store.load_layer(school["layer"], real_build)
    row = frame[frame["fid"] == school["fid"]].drop(columns="geometry").iloc[0].to_dict()
    links = load_catalogue().feature_links(school["layer"], row)
    assert links, "every school is concerned by at least one action"
    for link in links:
        assert link.action.display_title("fr") in sheet.text


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


def test_flood_page_in_english():
    at = run("flood.py", lang="en")
    assert not at.exception and not at.error
    assert at.title[0].value.replace("\\", "") == "Flood: the 20e as a host territory"
    text = " ".join(c.value for c in at.caption) + " ".join(m.value for m in at.markdown)
    assert "expo." not in text  # every string has its English text

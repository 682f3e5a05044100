"""The flood host figures through Streamlit's AppTest on the real build: « Inondation » (capacity,
need, the chart and its table, lines at risk), the figures following a changed setting, the map
layers (sizes, details), the crue scenario's steps, the sheets and the downloads."""

from __future__ import annotations

import json
from pathlib import Path
from unittest.mock import patch

import geopandas as gpd
import pyarrow as pa
import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from geo.analysis import exposure as analysis
from geo.analysis import hosting_text
from geo.analysis.settings import ANALYSIS_FILE, load_settings
from geo.core.i18n import number
from geo.map.layers import LAYERS
from geo.map.report import FID_MARK
from geo.participation.database import open_sqlite
from geo.participation.proposals import Workshop
from geo.participation.store import RateLimit
from geo.sources import store
from geo.ui import analysis as analysis_ui
from tests.apptest.test_map import FakeFolium, MapApp, texts
from tests.md_tables import table
from tests.sheet_html import from_app
from tests.staff import open_for_the_room

ROOT = Path(__file__).resolve().parents[2]


def run(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / page), default_timeout=90)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def markdown(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown).replace("\\", "")


@pytest.fixture(scope="module")
def result(real_build: Path) -> analysis.Analysis:
    return analysis.load(path=real_build)


# --------------------------------------------------------------------------- « Inondation »
def test_flood_page_shows_capacity_need_cover_and_lines(result):
    at = run("flood.py")
    assert not at.exception and not at.error
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Capacité estimée (personnes)"] == "4\u202f938"
    assert metrics["Sites avec gymnase ou salle"] == "30"
    text = markdown(at)
    # the sentence of the issue, computed: 4 938 → « environ 4 900 », 46 % of the 11e, 19 % of the 12e
    assert "pourraient abriter environ 4\u202f900 personnes (3,5 m² par personne)" in text
    assert "46\u202f% des habitants des secteurs inondables du 11e" in text or \
        "46\u202f% de ceux du 11e" in text
    assert "19\u202f% de ceux du 12e" in text and "13\u202f% de l'ensemble des voisins" in text
    captions = " ".join(c.value for c in at.caption)
    assert "Sphere" in captions and "3,5 m²" in captions
    need = table(at, "Habitants en secteur inondable (estimation)").set_index("Arrondissement")
    assert need.loc["12 – Reuilly", "Habitants en secteur inondable (estimation)"] == 25775
    assert need.loc["12 – Reuilly", "dont 75 ans et plus"] == 1586
    hosts = table(at, "Sans douches")
    assert (hosts["Capacité (personnes)"] == "capacité inconnue").sum() == 87  # schools + mairie
    assert hosts.loc[hosts["Type"] == "Gymnase", "Capacité (personnes)"].ne("capacité inconnue").all()
    # lines at risk, labelled a derived indicator, with the distance setting shown
    assert "Indicateur dérivé" in at.info[0].value and "RATP" in at.info[0].value
    lines = table(at, "Ligne").set_index("Ligne")
    assert list(lines.index[lines["Stations à moins de 50 m d'un secteur"] > 0]) == \
        ["METRO 1", "METRO 3", "METRO 9", "METRO 11"]
    stations = table(at, "Lignes exposées").set_index("Station")
    assert stations.loc["Gambetta", "Lignes exposées"] == "METRO 3"


def test_the_chart_has_its_numbers_in_a_table_beside_it(result):
    at = run("flood.py")
    [chart] = at.get("vega_lite_chart")
    assert json.loads(chart.proto.spec)["title"] == \
        "Habitants des secteurs inondables et capacité d'accueil"
    # the chart's data travel as Arrow tables next to its spec
    datasets = [pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in chart.proto.datasets]
    bars = next(frame for frame in datasets if "residents" in frame.columns)
    rule = next(frame for frame in datasets if "capacity" in frame.columns)
    cover = result.shelter.cover
    assert list(bars["residents"]) == list(cover["residents"].round(0))
    assert rule["capacity"].iloc[0] == result.shelter.summary.capacity == 4938
    beside = table(at, "Couverture (%)")
    assert list(beside["Habitants en secteur"]) == list(cover["residents"].round(0))
    assert list(beside["dont 75 ans et +"]) == list(cover["residents_75_plus"].round(0))
    assert list(beside["Couverture (%)"]) == [264.8, 46.2, 19.2, "pas de secteur", 12.9]


def test_figures_on_the_page_follow_a_changed_setting(tmp_path):
    """data/analysis.toml with 5 m² per person and 10 m for the stations: the page's figures
    change accordingly (and go back with the file)."""
    text = ANALYSIS_FILE.read_text(encoding="utf-8")
    changed = tmp_path / "analysis.toml"
    changed.write_text(text.replace("m2_per_person = 3.5", "m2_per_person = 5.0")
                       .replace("near_m = 50.0", "near_m = 10.0"), encoding="utf-8")
    analysis_ui.analysis_settings.clear()
    try:
        with patch("geo.ui.analysis.load_settings", lambda: load_settings(changed)):
            at = run("flood.py")
        assert not at.exception
        metrics = {m.label: m.value for m in at.metric}
        expected = analysis.load(load_settings(changed)).shelter.summary.capacity
        assert expected < 4938 and metrics["Capacité estimée (personnes)"] == number(expected)
        assert "(5,0 m² par personne)" in markdown(at)
        lines = table(at, "Ligne").set_index("Ligne")
        assert list(lines.index[lines["Stations à moins de 10 m d'un secteur"] > 0]) == \
            ["METRO 1", "METRO 3", "METRO 9"]
    finally:
        analysis_ui.analysis_settings.clear()
    again = {m.label: m.value for m in run("flood.py").metric}
    assert again["Capacité estimée (personnes)"] == "4\u202f938"


# --------------------------------------------------------------------------- the map
def test_map_sizes_host_sites_by_capacity_and_shows_their_details(real_build, result):
    fake = FakeFolium()
    with patch("streamlit_folium.st_folium", fake):
        app = MapApp(fake)
        app.at.query_params["layers"] = "arrondissements,host_capacity,stations_at_risk"
        app.run()
        assert not app.exception
        sent = fake.layers()
        hosts = sent["host_capacity"]["features"]
        assert len(hosts) == len(result.hosts) == 117
        size = LAYERS["host_capacity"].size
        by_fid = {f["properties"]["f"]: f["properties"] for f in hosts}
        for row in result.hosts.itertuples():
            props = by_fid[f"host_capacity:{row.fid}"]
            assert props["r"] == size.radius(row.capacity)
            assert ("capacité inconnue" in props["k"]) == (row.capacity != row.capacity)
        assert len(sent["stations_at_risk"]["features"]) == len(result.transport.at_risk) == 22
        legend = " ".join(h.value for h in app.at.get("html"))
        assert "≥ 300" in legend and "capacité inconnue" in legend
        top = result.hosts.sort_values("capacity", ascending=False).iloc[0]
        fake.returns = {"last_object_clicked_tooltip": f"x{FID_MARK}host_capacity:{top['fid']}",
                        "last_object_clicked_count": 1}
        app.run()
        shown = texts(app.at).replace("\\", "")
        assert top["name"] in shown and "Capacité estimée (personnes)** : 484" in shown
        assert "données dérivées" in shown
        sports = store.load_manifest(real_build)["layers"]["sports"]["sources"][0]["sha256"]
        assert sports in shown


# --------------------------------------------------------------------------- the crue scenario
WORKSHOP = Workshop("atelier-crue-2026-11-26", "Atelier crue", "2026-11-26")


@pytest.fixture
def workshop(tmp_path, monkeypatch, real_build):
    path = tmp_path / "proposals.sqlite3"
    monkeypatch.setenv("RESILIENCE_PROPOSALS_SQLITE", str(path))
    monkeypatch.delenv("RESILIENCE_PROPOSALS_DATABASE_URL", raising=False)
    store = open_sqlite(path, RateLimit(100, 60))
    open_for_the_room(store, WORKSHOP, "crue-1910", 1)
    return store


@pytest.mark.parametrize(("step", "keys"), [
    ("1", ("distance_sentence",)), ("2", ("neighbour_shares_sentence", "lines_sentence")),
    ("3", ("need_sentence", "capacity_sentence"))])
def test_crue_steps_show_the_analysis_figures(workshop, result, step, keys):
    from geo.participation.auth import system_staff
    from geo.ui.room import room_stage

    # the facilitator steps the room: every screen of « Atelier » follows
    workshop.set_room(system_staff("facilitator-test"), WORKSHOP.slug, "crue-1910", int(step))
    with patch("streamlit_folium.st_folium", return_value={}):
        at = run("workshop.py")
    assert not at.exception
    text = markdown(at)
    for key in keys:
        assert getattr(hosting_text, key)(result, "fr") in text
    # the room's map draws the step's layers from the live data, analysis layers included
    drawn = [layer["id"] for layer in room_stage(workshop.room(), "fr")["layers"]]
    if step == "2":
        assert "stations_at_risk" in drawn
    if step == "3":
        assert "host_capacity" in drawn
    # the prose itself holds none of the figures any more
    assert "882 m de sa limite" not in at.markdown[0].value


# --------------------------------------------------------------------------- sheets
def test_facility_sheet_of_a_host_site_gives_capacity_rank_and_flags(result):
    top = result.hosts.sort_values("capacity", ascending=False).iloc[0]
    text = from_app(run("sheet.py", fid=top["fid"])).text
    assert "capacité estimée 484 personnes, rang 1 sur les 30 gymnases et salles du 20e" in text
    assert "Surface d'évolution 1 696 m²" in text and "Douches : oui" in text
    school = result.hosts[result.hosts["category"] == "school"].iloc[0]
    assert "capacité inconnue" in from_app(run("sheet.py", fid=school["fid"])).text


def test_quartier_sheet_gives_the_quartier_capacity(result):
    sheet = from_app(run("sheet.py", quartier="7512004"))
    expected = result.shelter.quartier_capacity("7512004")
    assert expected["capacity"] == 2596
    assert (f"{expected['sites']} gymnase(s) et salle(s) pouvant abriter environ "
            f"{number(expected['capacity'])} personnes").replace("\u202f", " ") in sheet.text
    # the capacity against need chart's table: the neighbours' residents and the cover
    cover = sheet.table_with("Habitants en secteur")
    assert [row[0] for row in cover[1:]] == ["10e", "11e", "12e", "19e", "Ensemble des voisins"]
    assert cover[3][3] == "19 %" and cover[4][3] == "pas de secteur"


# --------------------------------------------------------------------------- downloads
def test_downloads_offer_host_sites_and_stations_with_provenance(real_build, result, monkeypatch,
                                                               tmp_path):
    files = []
    original = MemoryMediaFileStorage.load_and_get_id

    def spy(self, data, mimetype, kind, filename=None):
        files.append((data, filename))
        return original(self, data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", spy)
    at = AppTest.from_file(str(ROOT / "pages" / "downloads.py"), default_timeout=90).run()
    at.multiselect(key="export.layers").set_value(["host_capacity", "stations_at_risk"]).run()
    assert not at.exception and not at.error
    data, name = files[-1]
    assert name.startswith("paris20_host_capacity-stations_at_risk_") and name.endswith(".gpkg")
    path = tmp_path / name
    path.write_bytes(data)
    hosts = gpd.read_file(path, layer="host_capacity")
    assert len(hosts) == 117 and hosts["capacity"].sum() == 4938
    assert hosts["capacity"].isna().sum() == 87  # unknown stays unknown, never 0
    assert {"no_showers", "no_step_free", "rank", "area_m2"} <= set(hosts.columns)
    stations = gpd.read_file(path, layer="stations_at_risk")
    assert sorted(set(stations["kind"])) == ["METRO 1", "METRO 11", "METRO 3", "METRO 9"]
    provenance = gpd.read_file(path, layer="export_provenance").set_index("layer")
    manifest = store.load_manifest(real_build)
    for layer_id, inputs in (("host_capacity", "sports"), ("stations_at_risk", "stations")):
        assert provenance.loc[layer_id, "status"] == "derived"
        for source in manifest["layers"][inputs]["sources"]:
            assert source["sha256"] in provenance.loc[layer_id, "sha256"]

"""The heat-refuge pages through Streamlit's AppTest on the real build: « Chaleur » (time switch,
tier, pace, charts with their tables, who, unreadable hours), « Refuges : planifier » (add a site,
see the gain, the URL carries it, suggest the k best), the map's time switch, the canicule steps
and the facility sheets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.analysis import exposure, refuge_figures, siteplan, tiers
from geo.core.i18n import number, t
from geo.map.geojson import layer_geojson
from geo.map.layers import LAYERS, select
from geo.participation.auth import system_staff
from geo.participation.database import open_sqlite
from geo.participation.proposals import Workshop
from geo.participation.store import RateLimit
from tests.frame import registered_pages
from tests.md_tables import having
from tests.md_tables import tables as md_tables
from tests.sheet_html import from_app
from tests.staff import open_for_the_room

ROOT = Path(__file__).resolve().parents[2]


def run(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / page), default_timeout=90)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


@pytest.fixture(scope="module")
def analysis(real_build: Path) -> exposure.Analysis:
    return exposure.load(path=real_build)


@pytest.fixture(scope="module")
def result(analysis):
    return analysis.refuges


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def pct(value: float) -> str:
    return f"{number(100 * value, 'fr', 1)} %"


def param(at: AppTest, key: str) -> str:
    value = at.query_params[key]
    return value[0] if isinstance(value, list) else value


def test_heat_page_time_switch_changes_the_figures_and_the_url(result):
    at = run("heat.py")
    assert not at.exception and not at.error
    assert at.radio(key="heat.time").value == "day" and at.radio(key="heat.speed").value == 3.5
    day = refuge_figures.headline(result, 3.5).set_index(["tier", "time"])
    shown = metrics(at)
    assert shown["Surface à moins de 7 min à pied"] == pct(day.loc[("refuge", "day"), "area_share"])
    assert shown["75 ans et plus à moins de 7 min"] == pct(day.loc[("refuge", "day"), "p75_share"])
    at.radio(key="heat.time").set_value("night").run()
    assert param(at, "time") == "night"
    night = metrics(at)
    assert night["75 ans et plus à moins de 7 min"] == pct(day.loc[("refuge", "night"), "p75_share"])
    outside = day.loc[("refuge", "night")]
    assert night["Crèches, écoles, EHPAD hors cible"] == \
        f"{int(outside['facilities_outside'])} / {int(outside['facilities'])}"
    at.radio(key="heat.speed").set_value(4.5)
    at.radio(key="heat.tier").set_value("relief").run()
    assert (param(at, "speed"), param(at, "tier")) == ("4.5", "relief")
    fast = refuge_figures.headline(result, 4.5).set_index(["tier", "time"]).loc[("relief", "night")]
    assert metrics(at)["Surface à moins de 7 min à pied"] == pct(fast["area_share"])
    captions = " ".join(c.value for c in at.caption)
    assert "graphe des rues de 2014" in captions and "fois la ligne droite en médiane" in captions


def test_heat_page_adopts_the_url_and_says_what_it_drops():
    at = run("heat.py", tier="any", time="evening", speed="4.5")
    assert (at.radio(key="heat.tier").value, at.radio(key="heat.time").value,
            at.radio(key="heat.speed").value) == ("any", "evening", 4.5)
    bad = run("heat.py", tier="castle", time="noon", speed="9")
    assert not bad.exception and bad.radio(key="heat.tier").value == "refuge"
    infos = " ".join(i.value for i in bad.info)
    assert "tier=castle" in infos and "time=noon" in infos and "speed=9" in infos


def test_heat_page_charts_have_their_numbers_in_a_table_beside(result):
    at = run("heat.py", time="night")
    charts = at.get("vega_lite_chart")
    assert len(charts) == 2
    specs = [json.loads(chart.proto.spec) for chart in charts]
    assert all("facet" in spec for spec in specs)  # small multiples, no colour legend to decode
    shown = md_tables(at)
    minutes = having(shown, "Temps de marche (min)", "Nuit")
    bands = refuge_figures.p75_by_minutes(result, "refuge", 3.5)
    night = bands[bands["time"] == "night"].set_index("band")["people"].round(0)
    assert minutes.set_index("Temps de marche (min)")["Nuit"].to_dict() == night.to_dict()
    per_quartier = having(shown, "Quartier", "Type de lieu", "Toutes")
    assert len(per_quartier) == 4 * 3
    shares = refuge_figures.quartier_shares(result, 3.5)
    night_refuges = shares[(shares["tier"] == "refuge") & (shares["time"] == "night")]
    rows = per_quartier[per_quartier["Type de lieu"] == t("refuges.tier_short.refuge", "fr")]
    assert dict(zip(rows["Quartier"], rows[t("refuges.time_short.night", "fr")], strict=True)) == {
        name: round(100 * share, 1) for name, share in zip(night_refuges["name"], night_refuges["area_share"],
                                                           strict=True)}


def test_heat_page_who_is_outside_per_area_and_unreadable_hours(result):
    at = run("heat.py", time="night")
    shown = md_tables(at)
    quartiers = having(shown, "Quartier", "75 ans et plus hors cible")
    expected = refuge_figures.by_area(result, "refuge", "night", 3.5, "quartier")
    assert list(quartiers["Quartier"]) == list(expected["name"])  # ranked, most people outside first
    councils = having(shown, "Conseil de quartier (2014)")
    assert len(councils) == len(refuge_figures.by_area(result, "refuge", "night", 3.5, "council"))
    facilities = having(shown, "Temps de marche (min)", "Fiche")
    assert len(facilities) == len(refuge_figures.facilities_outside(result, "refuge", "night", 3.5))
    unknown = having(shown, "Raison")
    assert len(unknown) == len(tiers.unknown_hours(result.places))
    assert unknown["Raison"].str.contains("« - » tous les jours").any()
    text = " ".join(m.value for m in at.markdown).replace("\\", "")
    assert "Ouverture nocturne en canicule" in text and "lci.fr 2124962" in text


def test_heat_page_in_english():
    at = run("heat.py", lang="en", time="night")
    assert not at.exception and not at.error
    assert at.title[0].value == "Heat: who lacks a real refuge, when, and where"
    text = " ".join(c.value for c in at.caption) + " ".join(m.value for m in at.markdown)
    assert "refuges." not in text and "Night (22:00 – 06:00)" in text


def test_planning_page_add_a_site_see_the_gain_and_the_url_carries_it(result):
    at = run("refuge_planning.py", time="night")
    assert not at.exception and not at.error
    offered = result.offered("night")
    options = at.multiselect(key="plan.sites").options
    assert len(options) == len(offered)
    site = offered[offered["kind"] == "gymnasium"]["fid"].iloc[0]
    at.multiselect(key="plan.sites").set_value([site]).run()
    assert param(at, "sites") == site
    plan = siteplan.make_plan(result, "refuge", "night", 3.5, [site])
    gain = plan.after["p75_inside"] - plan.before["p75_inside"]
    shown = metrics(at)["75 ans et plus à moins de 7 min"]
    assert shown == f"{number(plan.after['p75_inside'], 'fr')} ({pct(plan.after['p75_share'])})"
    assert gain > 0
    table = next(df.value for df in at.dataframe if "75 ans et plus gagnés" in df.value.columns)
    assert table["75 ans et plus gagnés"].iloc[0] == round(gain)
    assert at.get("download_button")


def test_planning_page_suggests_the_k_best_sites(result):
    at = run("refuge_planning.py", time="night", speed="4.5")
    at.button(key="plan.suggest").click().run()
    top = siteplan.suggest(result, "refuge", "night", 4.5, 5)
    assert at.multiselect(key="plan.sites").value == [fid for fid, _ in top]
    assert param(at, "sites") == ",".join(fid for fid, _ in top)
    table = next(df.value for df in at.dataframe if "75 ans et plus gagnés" in df.value.columns)
    assert table["75 ans et plus gagnés"].tolist() == [round(gain) for _, gain in top]


def test_planning_page_from_a_shared_url_and_a_site_not_offered_then(result):
    park = result.offered("night")
    park = park[park["kind"] == "park"]["fid"].iloc[0]
    at = run("refuge_planning.py", time="night", sites=f"{park},nope:1")
    assert at.multiselect(key="plan.sites").value == [park]
    assert any("sites=nope:1" in i.value.replace("\\", "") for i in at.info)
    at.radio(key="plan.time").set_value("day").run()  # a refuge park is open by day: no candidate
    assert at.multiselect(key="plan.sites").value == []
    assert any("pas candidats à ce moment" in i.value for i in at.info)
    assert "sites" not in at.query_params


def test_pages_registered_and_listed():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert registered_pages()["pages/refuge_planning.py"] == "refuges-planification"
    assert "`pages/refuge_planning.py`" in readme


def test_map_refuge_gap_layer_switches_with_the_time_of_day(analysis):
    at = AppTest.from_file(str(ROOT / "pages" / "map.py"), default_timeout=90)
    at.query_params["layers"] = "arrondissements,refuge_gap"
    at.query_params["time"] = "night"
    at.run()
    at.run()  # the map's mount report: the first run draws the map alone
    assert not at.exception and not at.error
    assert at.radio(key="map.time").value == "night"
    at.radio(key="map.time").set_value("evening").run()
    assert param(at, "time") == "evening"
    frame = exposure.map_layer(analysis, "refuge_gap")
    result = analysis.refuges
    for period in ("day", "evening", "night"):
        features = json.loads(layer_geojson(select(frame, LAYERS["refuge_gap"], period=period),
                                            LAYERS["refuge_gap"]))["features"]
        inside = result.within("refuge", period, result.settings.walk.default_speed_kmh)
        who = result.facilities["who"].to_numpy(bool)
        assert len(features) == int((~inside[:result.n_pieces]).sum() + (~inside[result.n_pieces:] & who).sum())
    bad = AppTest.from_file(str(ROOT / "pages" / "map.py"), default_timeout=90)
    bad.query_params["time"] = "noon"
    bad.run()
    bad.run()
    assert any("time=noon" in i.value for i in bad.info)


def test_canicule_steps_show_the_figures_of_their_time_of_day(result, analysis, tmp_path, monkeypatch):
    path = tmp_path / "proposals.sqlite3"
    monkeypatch.setenv("RESILIENCE_PROPOSALS_SQLITE", str(path))
    monkeypatch.delenv("RESILIENCE_PROPOSALS_DATABASE_URL", raising=False)
    monkeypatch.setenv("RESILIENCE_PUBLIC_URL", "http://127.0.0.1:8501/")
    store = open_sqlite(path, RateLimit(100, 60))
    open_for_the_room(store, Workshop("refuges-2026-12-02", "Refuges", "2026-12-02"), "canicule", 1)
    facilitator = system_staff("facilitator-test")
    head = refuge_figures.headline(result, 3.5).set_index(["tier", "time"])
    for step, time in (("1", "day"), ("2", "evening"), ("3", "night")):
        store.set_room(facilitator, "refuges-2026-12-02", "canicule", int(step))
        at = AppTest.from_file(str(ROOT / "pages" / "workshop.py"), default_timeout=90).run()
        assert not at.exception and not at.error
        text = " ".join(m.value for m in at.markdown)
        row = head.loc[("refuge", time)]
        assert f"{int(row['places'])} refuges ouverts à ce moment" in text, time
        assert f"{number(100 * row['p75_share'], 'fr')} % des personnes de 75 ans et plus" in text
        assert f"{number(row['p75_outside'], 'fr')} hors cible" in text
    # the night step: councils' night vulnerability from the analyses, not from the scenario text
    councils = analysis.councils
    low, high = number(councils["vulnn_note"].min(), "fr", 1), number(councils["vulnn_note"].max(), "fr", 1)
    assert f"de {low} à {high}" in text
    assert "5,7 à 6,8" not in " ".join(m.value for m in at.markdown[:3])


def test_facility_sheet_shows_the_refuge_minutes_by_time_of_day(result):
    fac = result.facilities
    row = fac[fac["category"] == "ehpad"].iloc[0]
    at = run("sheet.py", fid=row["fid"])
    assert not at.exception and not at.error
    sheet = from_app(at)
    assert "Chaleur : refuges à pied" in [text for _, text in sheet.headings]
    table = sheet.table_with("Ici")
    minutes = refuge_figures.facility_minutes(result, row["fid"], 3.5)
    for line, time in zip(table[1:], ("day", "evening", "night"), strict=True):
        value = minutes.loc["refuge", time]
        assert line[1] == ("aucun lieu ouvert" if value == float("inf") else f"{number(value, 'fr', 1)} min")

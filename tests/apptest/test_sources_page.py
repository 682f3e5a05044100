"""The « Sources et méthodes » page through Streamlit's AppTest (no browser)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.core.i18n import t
from geo.sources.store import load_manifest

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "sources.py")


def run(lang: str | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=30)
    if lang:
        at.query_params["lang"] = lang
    return at.run()


def test_sources_page_lists_every_layer_with_its_real_counts(real_build):
    manifest = load_manifest(real_build)
    at = run()
    assert not at.exception
    assert at.title[0].value == "Sources et méthodes"
    table = at.dataframe[0].value
    assert len(table) == len(manifest["layers"])
    by_title = table.set_index("layer")
    for info in manifest["layers"].values():
        row = by_title.loc[info["title_fr"]]
        assert row["clip"] == info["count_after_clip"]
        assert row["area"] == info["count_study_area"]
        assert row["licence"] == info["licence"]
    assert by_title.loc["Fontaines à boire", "area"] == 135
    assert "données dérivées" in by_title.loc[manifest["layers"]["iris_heat"]["title_fr"], "status"]
    text = " ".join(m.value for m in at.markdown)
    assert "Emprise de la crue de 1910" in text  # layers not found are said, not drawn
    assert "contributions d'habitants" in text  # the proposals layer is said not to be official


def test_sources_page_in_english(real_build):
    at = run("en")
    assert not at.exception
    assert at.title[0].value == "Sources and methods"
    assert "Drinking fountains" in set(at.dataframe[0].value["layer"])


def test_without_build_the_page_gives_the_command(tmp_path, monkeypatch):
    monkeypatch.setenv("RESILIENCE_BUILD_ROOT", str(tmp_path))
    at = run()
    assert not at.exception
    assert "Aucune donnée" in at.warning[0].value
    assert "python -m geo.ingest" in at.html[0].value


APP = str(Path(PAGE).parents[1] / "app.py")


def lang_switches(at: AppTest) -> list:
    return [radio for radio in at.sidebar.radio if radio.key == "app.lang"]


def test_app_frame_language_switch_on_the_map_comes_with_its_controls(real_build):
    """The home page (the map) draws the map alone on a session's first run; the language
    switch comes on the rerun the mounted map triggers, with the page's other controls."""
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert not lang_switches(at) and not at.checkbox
    at.run()  # the map's mount report
    assert at.sidebar.radio(key="app.lang").value == "fr"
    assert at.checkbox(key="map.layer.ppri").value is True
    at.sidebar.radio(key="app.lang").set_value("en").run()
    assert not at.exception
    assert at.query_params["lang"] == "en"
    assert at.title[0].value == t("map.title", "en") != t("map.title", "fr")


def test_app_frame_other_pages_show_the_language_switch_at_once(real_build):
    """(A fresh session's first request to another page is covered in a real browser:
    AppTest runs a page alone when switched to before the first run.)"""
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.session_state["map.first_run"] = True  # as if the map had not reported yet
    at.switch_page("pages/sources.py")
    at.run()
    assert not at.exception
    assert at.sidebar.radio(key="app.lang").value == "fr"
    assert at.title[0].value == "Sources et méthodes"


@pytest.mark.parametrize("lang", ["de", "<script>", ""])
def test_unknown_language_in_url_falls_back_to_french(real_build, lang):
    at = run(lang)
    assert not at.exception
    assert at.title[0].value == "Sources et méthodes"


@pytest.mark.parametrize(("lang", "origin"), [("fr", "miroir local des exports officiels"),
                                              ("en", "local mirror of the official exports")])
def test_the_build_origin_is_said_without_the_machines_paths(real_build, mirror, lang, origin):
    manifest = load_manifest(real_build)
    at = run(lang)
    assert not at.exception
    shown = " ".join(element.value for element in [*at.caption, *at.markdown])
    assert origin in shown
    assert str(mirror) not in shown and str(real_build.parent) not in shown
    # the manifest itself names source files inside the mirror, not where the mirror lies
    locations = [source["location"] for info in manifest["layers"].values()
                 for source in info["sources"]]
    assert manifest["mode"] == "mirror"
    assert all(not location.startswith("/") for location in locations)
    assert "ppri_plu_secteurs_risques/plu-secteurs-de-risques-delimites-par-le-ppri.geojson" in locations

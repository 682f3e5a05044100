"""The action panels of the map page (AppTest, ``st_folium`` patched): the actions of the visible
layers, and the selected feature's actions with the Oasis status."""

from __future__ import annotations

import html
import re
import tomllib
from pathlib import Path
from unittest.mock import patch

import pytest
from streamlit.testing.v1 import AppTest

from geo.sources.store import load_layer

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "pages" / "map.py")
ACTIONS = tomllib.loads((ROOT / "data" / "actions.toml").read_text(encoding="utf-8"))["action"]


def run(**params: str) -> AppTest:
    with patch("streamlit_folium.st_folium", lambda *args, **kwargs: {}):
        at = AppTest.from_file(PAGE, default_timeout=60)
        for key, value in params.items():
            at.query_params[key] = value
        at.run()
        at.run()  # the map's mount report: the page's first run draws the map alone
    assert not at.exception
    return at


def body(at: AppTest) -> str:
    return re.sub(r"\\(.)", r"\1", "\n".join(m.value for m in at.markdown)
                  + "\n".join(c.value for c in at.caption))


def titles_on(layers: set[str]) -> list[str]:
    return [entry["title"] for entry in ACTIONS
            if layers & {layer for link in entry.get("link", []) for layer in link["layers"]}]


def school(address: str) -> str:
    frame = load_layer("schools_elementaire")
    fid, = frame[(frame["c_ar"] == 20) & (frame["address"] == address)]["fid"]
    return fid


def test_side_panel_lists_the_actions_of_the_visible_layers(real_build):
    at = run(layers="ppri,fountains")
    expected = titles_on({"ppri", "fountains"})
    panel, = [e for e in at.expander if e.label.startswith("Actions de la Ville")]
    assert panel.label == f"Actions de la Ville sur les couches affichées ({len(expected)})"
    text = body(at)
    for entry in ACTIONS:
        if entry["title"] in expected:
            assert f"- [{entry['title']}](/actions-resilience?action={entry['id']}) — " in text
    assert "Cours Oasis" not in text


def test_selected_school_on_the_mairie_list_shows_oasis_done(real_build):
    at = run(layers="schools_elementaire", sel=school("14 RUE RIBLETTE"))
    text = body(at)
    assert "Ce que fait la Ville ici" in [h.value for h in at.subheader]
    line, = [line for line in text.splitlines()
             if line.startswith("- [Cours Oasis](/actions-resilience?action=cours-oasis) (*")]
    assert line.endswith("(*Résilience 2017*) — **:material/check_circle: Cour Oasis réalisée ou en cours "
                         "(liste de la mairie du 20e, 05/11/2024)**")
    assert ("- [Hébergement d'urgence des évacués dans les gymnases et les écoles]"
            "(/actions-resilience?action=hebergement-evacues) (*Dispositifs de crise*)") in text
    # Why, with the source, in the expander below.
    why, = [e for e in at.expander if e.label == "Pourquoi ces actions ici, et leurs sources"]
    reasons = html.unescape(why.get("html")[0].value)
    assert "<li><strong>Cours Oasis</strong> : Le programme Oasis concerne toutes les cours d'école" in reasons
    assert 'href="https://mairie18.paris.fr/pages/cour-oasis-31011"' in reasons


def test_selected_school_not_on_the_list_gets_oasis_without_status(real_build):
    at = run(layers="schools_elementaire", sel=school("42 RUE DE LA MARE"))
    line, = [line for line in body(at).splitlines()
             if line.startswith("- [Cours Oasis](/actions-resilience?action=cours-oasis) (*")]
    assert ":material/check_circle:" not in line


@pytest.mark.parametrize("lang, heading", [("fr", "Ce que fait la Ville ici"),
                                           ("en", "What the City does here")])
def test_feature_without_action_says_so(real_build, lang, heading):
    stations = load_layer("stations")
    fid = stations[stations["c_ar"] == 20]["fid"].iloc[0]
    at = run(layers="stations", sel=fid, lang=lang)
    assert heading in [h.value for h in at.subheader]
    if lang == "en":
        # The side panel's link to the Actions page keeps the language.
        assert "[All actions →](/actions-resilience?lang=en)" in body(at)
    none = {"fr": "Aucune action du catalogue n'est rattachée à cette entité.",
            "en": "No action of the catalogue is linked to this feature."}[lang]
    assert none in [c.value for c in at.caption]


def test_a_broken_catalogue_is_reported_and_the_map_still_works(real_build):
    from geo.core.errors import CatalogueError
    from geo.ui import actions as ui

    def broken(*args, **kwargs):
        raise CatalogueError("actions.toml: action #3 (x): unknown hazard 'tsunami'")

    ui._catalogue.clear()
    calls = []
    try:
        with patch("geo.ui.actions.load_catalogue", broken), \
                patch("streamlit_folium.st_folium", lambda *a, **k: calls.append(k) or {}):
            at = AppTest.from_file(PAGE, default_timeout=60)
            at.query_params["layers"] = "schools_elementaire"
            at.query_params["sel"] = school("14 RUE RIBLETTE")
            at.run()
            at.run()  # the map's mount report: the page's first run draws the map alone
    finally:
        ui._catalogue.clear()
    assert not at.exception
    assert calls, "the map was not drawn"
    errors = [e.value for e in at.error]
    assert len(errors) == 2 and all("unknown hazard 'tsunami'" in e for e in errors)
    assert "Écoles élémentaires" in body(at)  # the details of the feature are still there

"""The « Actions » page through AppTest, inside the app frame: filters, counts, map links."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from streamlit.testing.v1 import AppTest

from geo.map.layers import LAYERS
from geo.sources.store import load_layer

ROOT = Path(__file__).resolve().parents[2]
ACTIONS = tomllib.loads((ROOT / "data" / "actions.toml").read_text(encoding="utf-8"))["action"]


def run(lang: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if lang:
        at.query_params["lang"] = lang
    at.switch_page("pages/actions.py")
    return at.run()


def unescape(markdown: str) -> str:
    """Markdown as a reader sees it (backslash escapes removed)."""
    return re.sub(r"\\(.)", r"\1", markdown)


def titles(at: AppTest) -> list[str]:
    return [unescape(m.value[3:]) for m in at.markdown if m.value.startswith("## ")]


def links(at: AppTest, label: str = "") -> list[dict[str, str]]:
    """The query parameters of the page links (those with ``label``; default: the map links)."""
    wanted = label or ("See on the map" if at.session_state["app.lang"] == "en" else "Voir sur la carte")
    return [{key: values[0] for key, values in parse_qs(element.proto.query_string).items()}
            for element in at.get("page_link") if element.proto.label == wanted]


def text(at: AppTest) -> str:
    return unescape("\n".join(m.value for m in at.markdown) + "\n".join(c.value for c in at.caption))


def choose(at: AppTest, framework: str = "", axis: str = "", hazard: str = "") -> AppTest:
    at.selectbox(key="actions.framework").set_value(framework).run()
    if framework:
        at.selectbox(key="actions.axis").set_value(axis)
    else:
        assert at.selectbox(key="actions.axis").disabled
    at.selectbox(key="actions.hazard").set_value(hazard)
    return at.run()


@pytest.fixture(scope="module")
def whole(real_build) -> AppTest:
    return run()


def test_every_action_is_listed_with_a_title(whole):
    assert not whole.exception
    assert whole.title[0].value == "Ce que fait la Ville : les actions de résilience"
    assert f"{len(ACTIONS)} action(s) sur {len(ACTIONS)}" in [c.value for c in whole.caption]
    assert len(titles(whole)) == len(ACTIONS) > 30
    # An action with no layer the map draws has no map link; one with no layer at all says why.
    drawn = [entry for entry in ACTIONS
             if any(layer in LAYERS for link in entry.get("link", []) for layer in link["layers"])]
    assert len(links(whole)) == len(drawn)
    placed = [entry for entry in ACTIONS if entry.get("link")]
    assert text(whole).count("**Pas sur la carte**") == len(ACTIONS) - len(placed)
    assert text(whole).count("pas dessinée sur la carte") >= len(placed) - len(drawn) > 0


@pytest.mark.parametrize("framework, axis, hazard", [
    ("RS2017", "", ""), ("RS2017", "P1", ""), ("RS2017", "P1A", ""), ("", "", "heat"),
    ("OPS", "", "flood_indirect"), ("RS2024", "O1", "flood_direct"), ("M20", "", "runoff"),
])
def test_filters(real_build, framework, axis, hazard):
    at = choose(run(), framework, axis, hazard)
    expected = [entry["title"] for entry in ACTIONS
                if (not framework or entry["framework"] == framework)
                and (not axis or entry["axis"] == axis or entry["axis"].startswith(axis))
                and (not hazard or hazard in entry["hazards"])]
    assert titles(at) == expected
    assert f"{len(expected)} action(s) sur {len(ACTIONS)}" in [c.value for c in at.caption]
    if not expected:
        assert at.info[0].value == "Aucune action ne correspond à ces filtres."


def test_changing_framework_resets_the_axis(real_build):
    at = choose(run(), "RS2017", "P2")
    assert at.selectbox(key="actions.axis").value == "P2"
    at.selectbox(key="actions.framework").set_value("RS2024").run()
    assert at.selectbox(key="actions.axis").value == ""
    assert at.selectbox(key="actions.axis").options[1:] == [
        "Orientation 1 — Développer la culture du risque",
        "Orientation 2 — Renforcer les solidarités et l'entraide de proximité entre les Parisiens",
        "Orientation 3 — Engager des transformations urbaines",
        "Orientation 4 — Mobiliser l'administration parisienne et coopérer avec l'ensemble des "
        "acteurs pour agir à toutes les échelles"]


def schools_in_20e(layer_id: str) -> int:
    frame = load_layer(layer_id)
    arrs = load_layer("arrondissements")
    area = arrs[arrs["fid"] == "arrondissements:75120"].geometry.union_all()
    return int(frame.geometry.within(area).sum())


def test_oasis_counts_sites_and_map_link(real_build):
    at = choose(run(), "RS2017", "P2", "runoff")
    assert titles(at) == ["Cours Oasis"]
    body = text(at)
    for layer_id, title in [("schools_maternelle", "Écoles maternelles"),
                            ("schools_elementaire", "Écoles élémentaires"), ("colleges", "Collèges")]:
        assert f"- {title} — {schools_in_20e(layer_id)} entité(s) dans la zone d'étude" in body
    found, total, features = map(int, re.search(
        r"Cour Oasis réalisée ou en cours \(liste de la mairie du 20e, 05/11/2024\) : "
        r"(\d+) adresse\(s\) sur (\d+) retrouvée\(s\) dans les données \((\d+) entité\(s\)\)",
        body).groups())
    unmatched = body.split("Adresses de la liste non retrouvées dans les données : ")[1]
    unmatched = unmatched.splitlines()[0].split("; ")
    assert total == 20 and found + len(unmatched) == total and features >= found >= 18
    # The school data places the Tourelles school at 5/7, the mairie's list at 9.
    assert "École polyvalente, 9 rue des Tourelles" in unmatched
    sources = " ".join(h.value for h in at.get("html"))
    assert 'href="https://mairie20.paris.fr/pages/cour-oasis-22072"' in sources
    # the source in English is marked as such on the French page
    assert '<a href="https://www.preventionweb.net/go/61049" lang="en">' in sources
    link, = links(at)
    assert link == {"layers": "schools_maternelle,schools_elementaire,colleges"}
    # Each school of the list found in the data opens the map on it.
    school_links = [element.proto for element in at.get("page_link")
                    if element.proto.label != "Voir sur la carte"]
    assert len(school_links) == features
    for proto in school_links:
        params = {key: values[0] for key, values in parse_qs(proto.query_string).items()}
        frame = load_layer(params["layers"])
        row = frame[frame["fid"] == params["sel"]].iloc[0]
        assert row["c_ar"] == 20 and proto.label.endswith(f" → {row['name']}")
        street = proto.label.split(", ", 1)[1].split(" → ")[0].split()[-1]
        plain = unicodedata.normalize("NFKD", street.upper()).encode("ascii", "ignore").decode()
        assert re.sub(r"[^A-Z]", "", plain) in re.sub(r"[^A-Z]", "", row["address"])


def test_gymnasium_link_filters_types_and_english_keeps_lang(real_build):
    at = choose(run("en"), "OPS", "sauvegarde", "flood_indirect")
    assert titles(at) == ["Emergency accommodation of evacuees in gymnasiums and schools"]
    link, = links(at)
    assert link["layers"] == "sports,wifi_sites,schools_maternelle,schools_elementaire,colleges"
    assert link["types"] == "sports:Salle multisports (gymnase)"
    assert link["lang"] == "en"
    sports = load_layer("sports")
    gyms = int(((sports["c_ar"] == 20) & (sports["kind"] == "Salle multisports (gymnase)")).sum())
    assert f"- Sports facilities — {gyms} feature(s) in the study area" in text(at)
    assert len(at.get("page_link")) == 1


def test_single_linked_feature_opens_selected(real_build):
    at = choose(run(), "M20", "concertation", "social")
    assert titles(at) == ["Atelier éco-anxiété"]
    mairies = load_layer("mairies")
    fid, = mairies[mairies["c_ar"] == 20]["fid"]
    link, = links(at)
    assert link == {"layers": "mairies", "sel": fid}


def test_url_filters_are_read_checked_and_written_back(real_build):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params.update({"framework": "RS2017", "axis": "P2", "hazard": "nonsense"})
    at.switch_page("pages/actions.py")
    at.run()
    assert at.selectbox(key="actions.framework").value == "RS2017"
    assert at.selectbox(key="actions.axis").value == "P2"
    assert at.selectbox(key="actions.hazard").value == ""
    expected = [entry["title"] for entry in ACTIONS
                if entry["framework"] == "RS2017" and entry["axis"].startswith("P2")]
    assert titles(at) == expected
    # The chosen framework is described, with its sources.
    described = unescape(" ".join(c.value for c in at.caption))
    assert "délibération 2017 SG 40) : 35 actions réparties en 3 piliers" in described
    assert "(https://docslib.org/doc/418524/paris-resilience-strategy)" in described
    # The unknown hazard is dropped from the URL; a change is written to it.
    assert "hazard" not in at.query_params
    at.selectbox(key="actions.hazard").set_value("runoff").run()
    assert at.query_params["hazard"] == "runoff"
    assert titles(at) == [title for title in expected
                          if "runoff" in next(e for e in ACTIONS if e["title"] == title)["hazards"]]


def test_url_can_ask_for_one_action_then_show_all(real_build):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["action"] = "salles-rafraichies"
    at.switch_page("pages/actions.py")
    at.run()
    assert titles(at) == ["Salles rafraîchies dans chaque mairie d'arrondissement"]
    at.button(key="actions.show_all").click().run()
    assert len(titles(at)) == len(ACTIONS)
    assert "action" not in at.query_params


def test_a_broken_catalogue_is_shown_as_a_message(real_build):
    from unittest.mock import patch

    from geo.core.errors import CatalogueError
    from geo.ui import actions as ui

    def broken(*args, **kwargs):
        raise CatalogueError("actions.toml: action #2 (shelter): no source")

    ui._catalogue.clear()
    try:
        with patch("geo.ui.actions.load_catalogue", broken):
            at = run()
    finally:
        ui._catalogue.clear()
    assert not at.exception
    assert "actions.toml: action #2 (shelter): no source" in unescape(at.error[0].value)
    assert titles(at) == []


def test_english_page_keeps_the_official_french_title_marked_as_french(real_build):
    at = run("en")
    at.query_params["action"] = "cours-oasis"
    at.run()
    assert titles(at) == ["Oasis schoolyards"]
    shown = " ".join(h.value for h in at.get("html"))
    assert 'Official title: <q lang="fr">Cours Oasis</q>' in shown
    # the note on the official number in English, no French left in the card's texts
    assert "Listed first under pillar 2; number 10 is likely but inferred" in text(at)
    assert "Première action du pilier 2" not in text(at)
    # French source titles are marked as French on the English page
    assert '<a href="https://mairie20.paris.fr/pages/cour-oasis-22072" lang="fr">' in shown

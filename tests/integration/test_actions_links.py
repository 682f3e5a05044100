"""The action catalogue's links on the real build: schools, hazards vs layers, the 20e Oasis list."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import geopandas as gpd
import pytest

from geo.actions.loader import load_catalogue
from geo.sources.registry import load_registry
from geo.sources.store import load_all

ROOT = Path(__file__).resolve().parents[2]
FACTS = (ROOT.parent / "shared" / "research" / "resilience-actions-facts.md").resolve()
SCHOOL_LAYERS = ("schools_maternelle", "schools_elementaire", "colleges")

#: Which hazards can concern a layer of each theme, stated here independently of the catalogue:
#: a flood layer never carries a heat-only action, a cool place never a flood-only one, etc.
FITS = {
    "flood": {"flood_direct", "flood_indirect", "all_hazards"},
    "heat": {"heat", "runoff", "all_hazards"},
    "facilities": {"heat", "flood_indirect", "runoff", "all_hazards", "social"},
    "population": {"heat", "flood_direct", "flood_indirect", "all_hazards", "social"},
    "boundaries": {"heat", "flood_direct", "flood_indirect", "runoff", "all_hazards", "social"},
}


def plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


@pytest.fixture(scope="module")
def built(real_build):
    return load_all(real_build)[1]


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


@pytest.fixture(scope="module")
def arr20(built) -> object:
    arrs = built["arrondissements"]
    return arrs[arrs["source_id"].astype(str).str.endswith("75120")
                | (arrs["fid"] == "arrondissements:75120")].geometry.union_all()


def records(frame: gpd.GeoDataFrame) -> list[dict]:
    return frame.drop(columns=frame.geometry.name).to_dict("records")


@pytest.mark.parametrize("layer_id", SCHOOL_LAYERS)
def test_every_school_of_the_20e_gets_cours_oasis_and_evacuee_accommodation(built, catalogue, arr20,
                                                                            layer_id):
    frame = built[layer_id]
    # The schools of the 20e found geometrically, not through the pipeline's c_ar column.
    inside = frame[frame.geometry.within(arr20)]
    assert len(inside) > 5
    for row in records(inside):
        ids = {action.id for action in catalogue.for_feature(layer_id, row)}
        assert "cours-oasis" in ids, row["name"]
        assert "hebergement-evacues" in ids, row["name"]
    counts = catalogue.features_for_action("cours-oasis", built, c_ar=20)
    assert counts[layer_id] == len(inside)


def test_gymnasiums_and_town_halls_get_their_actions(built, catalogue):
    sports = built["sports"]
    gyms = sports[(sports["c_ar"] == 20) & (sports["kind"] == "Salle multisports (gymnase)")]
    others = sports[(sports["c_ar"] == 20) & (sports["kind"] != "Salle multisports (gymnase)")]
    assert len(gyms) > 0 and len(others) > 0
    assert all("hebergement-evacues" in {a.id for a in catalogue.for_feature("sports", row)}
               for row in records(gyms))
    assert not any("hebergement-evacues" in {a.id for a in catalogue.for_feature("sports", row)}
                   for row in records(others))
    # The source's precedent (Vignoles, December 2011) is told on that gymnasium only.
    for row in records(gyms):
        shelter, = [link for link in catalogue.feature_links("sports", row)
                    if link.action.id == "hebergement-evacues"]
        told = any("2011" in note.fr for note in shelter.notes)
        assert told == ("VIGNOLES" in row["name"].upper()), row["name"]
    town_hall, = records(built["mairies"][built["mairies"]["c_ar"] == 20])
    ids = {a.id for a in catalogue.for_feature("mairies", town_hall)}
    assert {"salles-rafraichies", "paris-qui-sauve", "tous-prepares-tous-proteges"} <= ids
    cool = built["cool_facilities"]
    cool_hall, = records(cool[(cool["c_ar"] == 20) & cool["name"].str.contains("MAIRIE", case=False)])
    assert {"salles-rafraichies", "paris-qui-sauve"} <= {
        a.id for a in catalogue.for_feature("cool_facilities", cool_hall)}
    for row in records(built["fountains"][built["fountains"]["c_ar"] == 20]):
        ids = {a.id for a in catalogue.for_feature("fountains", row)}
        assert {"plan-canicule", "ilot-fraicheur-7-minutes"} <= ids


def test_no_feature_is_linked_to_an_action_whose_hazard_does_not_fit_its_layer(built, catalogue):
    registry = load_registry()
    links = 0
    for layer_id, frame in built.items():
        theme = registry.layer(layer_id).theme
        for row in records(frame):
            for action in catalogue.for_feature(layer_id, row):
                links += 1
                assert FITS[theme] & set(action.hazards), (layer_id, row["fid"], action.id)
    assert links > 1000


def test_every_layer_level_link_fits_too(catalogue):
    registry = load_registry()
    for action in catalogue.actions:
        for layer_id in action.layers:
            assert FITS[registry.layer(layer_id).theme] & set(action.hazards), (action.id, layer_id)


def oasis_list_from_facts() -> list[tuple[str, str]]:
    """The mairie du 20e's Oasis yards as transcribed in the shared research notes."""
    text = FACTS.read_text(encoding="utf-8")
    block = text.split("Cours Oasis in the 20e", 1)[1].split("(20 entries)", 1)[0]
    block = " ".join(block.split())
    found = re.findall(r"(École (?:élémentaire|maternelle|polyvalente))[^,·]*, ([^·(]+?)\s*(?:·|\(|$)",
                       block)
    return [(level, address.strip().rstrip(".")) for level, address in found]


def test_the_catalogue_transcribes_the_mairie_list(catalogue):
    expected = oasis_list_from_facts()
    assert len(expected) == 20
    sites, = [item for item in catalogue.sites if item.id == "oasis-20e"]
    assert [(entry.level, entry.address_text) for entry in sites.entries] == expected


def numbers_of(text: str) -> set[int]:
    head = re.match(r"^\s*(\d+)(?:\s*-\s*(\d+))?", text)
    if not head:
        return set()
    first, last = int(head.group(1)), int(head.group(2) or head.group(1))
    return set(range(first, last + 1, 2)) if (last - first) % 2 == 0 else {first, last}


def street_word(address: str) -> str:
    """The most distinctive word of a street: its last one (MARYSE HILSZ → HILSZ)."""
    return re.sub(r"[^A-Z ]", " ", plain(address)).split()[-1]


def test_oasis_list_matches_the_school_data(built, catalogue):
    report = catalogue.match_sites("oasis-20e", built)
    levels = {"École élémentaire": ("schools_elementaire",), "École maternelle": ("schools_maternelle",),
              "École polyvalente": ("schools_maternelle", "schools_elementaire")}
    for match in report.matches:
        assert match.layer in levels[match.entry.level]
        assert street_word(match.entry.address_text) in plain(match.address)
        assert numbers_of(match.address) & numbers_of(match.entry.address_text), match
    # Independently: an entry is found exactly when some school of its level in the 20e has its
    # street word and one of its numbers.
    found_by_test = set()
    for level, address in oasis_list_from_facts():
        for layer_id in levels[level]:
            frame = built[layer_id]
            frame = frame[frame["c_ar"] == 20]
            if any(street_word(address) in plain(a) and numbers_of(a) & numbers_of(address)
                   for a in frame["address"]):
                found_by_test.add(address)
    found_by_code = {match.entry.address_text for match in report.matches}
    assert found_by_code == found_by_test
    assert {entry.address_text for entry in report.unmatched} == \
        {address for _, address in oasis_list_from_facts()} - found_by_test
    assert len(found_by_code) >= 18
    # Polyvalent schools appear in both school layers, each linked once.
    assert len(report.matches) == len({(m.layer, m.fid) for m in report.matches})
    # Every matched school shows the "done or under way" status in its feature links.
    for match in report.matches:
        row = next(r for r in records(built[match.layer]) if r["fid"] == match.fid)
        oasis, = [link for link in catalogue.feature_links(match.layer, row)
                  if link.action.id == "cours-oasis"]
        assert oasis.statuses


def test_night_parks_are_the_two_squares_the_source_names(built, catalogue):
    linked = {row["name"] for layer_id in ("cool_green_points", "green_spaces")
              for row in records(built[layer_id])
              if "parcs-ouverts-nuit" in {a.id for a in catalogue.for_feature(layer_id, row)}}
    assert linked
    assert all("SEVERINE" in plain(name) or "SALEL" in plain(name) for name in linked)
    assert any("SALEL" in plain(name) for name in linked) and any("SEVERINE" in plain(name)
                                                                     for name in linked)


def test_ppri_links_only_the_arrondissements_in_its_perimeter(built, catalogue):
    arrs = built["arrondissements"]
    linked = {int(row["c_ar"]) for row in records(arrs)
              if "ppri-paris" in {a.id for a in catalogue.for_feature("arrondissements", row)}}
    assert linked == set(range(1, 14)) | {15, 16}
    assert catalogue.features_for_action("ppri-paris", built, c_ar=20) == {"ppri": 0,
                                                                          "arrondissements": 0}


def test_no_dead_rule_every_selector_finds_features_in_the_build(built, catalogue):
    """A typo in a kind or a name pattern would silently link nothing: every value must exist."""
    for action in catalogue.actions:
        for rule in action.links:
            if rule.scope != "features":
                continue
            kinds_built = set().union(*(set(built[layer_id]["kind"]) for layer_id in rule.layers))
            assert rule.kinds <= kinds_built, (action.id, sorted(rule.kinds - kinds_built))
            matched = sum(1 for layer_id in rule.layers for row in records(built[layer_id])
                          if rule.matches(layer_id, row))
            assert matched > 0, (action.id, rule.layers)
            if rule.name_regex is not None:
                names = [name for layer_id in rule.layers for name in built[layer_id]["name"]]
                assert any(rule.name_regex.search(plain(name).replace("-", " ")) for name in names)

"""Export filters, selection and naming on small synthetic layers (explicit CRS, no build)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geo import export
from geo.core.errors import ExportError, UnknownLayerError

L93 = "EPSG:2154"
# A square flood zone in Lambert-93 (metres), near the Seine in Paris.
ZONE = box(652000, 6860000, 652100, 6860100)


def layer(rows: list[dict], crs: str = "EPSG:4326") -> gpd.GeoDataFrame:
    """A layer in the normalised schema; points given in Lambert-93, stored in ``crs``."""
    frame = gpd.GeoDataFrame(
        [{k: v for k, v in row.items() if k != "xy"} for row in rows],
        geometry=[Point(*row["xy"]) for row in rows], crs=L93)
    return frame.to_crs(crs)


@pytest.fixture
def facilities() -> gpd.GeoDataFrame:
    # Distances to ZONE (east edge x=652100): 0 (inside), 50, 150, 1000 m.
    return layer([
        {"fid": "f:1", "name": "Piscine A", "kind": "Piscine", "quartier": "7512001", "c_ar": 20,
         "xy": (652050, 6860050)},
        {"fid": "f:2", "name": "Brumisateur B", "kind": "Brumisateur", "quartier": "7512003",
         "c_ar": 20, "xy": (652150, 6860050)},
        {"fid": "f:3", "name": "Piscine C", "kind": "Piscine", "quartier": "7511104", "c_ar": 11,
         "xy": (652250, 6860050)},
        {"fid": "f:4", "name": "Église D", "kind": "Lieux de culte", "quartier": None, "c_ar": 0,
         "xy": (653100, 6860050)},
    ])


@pytest.fixture
def schools() -> gpd.GeoDataFrame:
    return layer([
        {"fid": "s:1", "name": "École du Père-Lachaise", "kind": "maternelle", "quartier": "7512003",
         "c_ar": 20, "xy": (652400, 6860050)},
        {"fid": "s:2", "name": "École Belleville", "kind": "maternelle", "quartier": "7512001",
         "c_ar": 20, "xy": (652080, 6860120)},
    ])


@pytest.fixture
def hazard() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"fid": ["ppri:1"]}, geometry=[ZONE], crs=L93).to_crs("EPSG:4326")


def names(selection: export.Selection, layer_id: str) -> list[str]:
    return selection.frames[layer_id]["name"].tolist()


def test_quartier_filter_keeps_the_chosen_quartiers_and_ignores_missing_codes(facilities):
    selection = export.select(["fac"], {"fac": facilities},
                              [export.QuartierFilter(frozenset({"7512001", "7511104"}))])
    assert names(selection, "fac") == ["Piscine A", "Piscine C"]
    assert selection.frames["fac"].crs == facilities.crs  # the store CRS is kept until writing


def test_kind_filter_applies_per_layer_and_leaves_other_layers_whole(facilities, schools):
    kinds = export.KindFilter({"fac": frozenset({"Piscine", "Lieux de culte"})})
    selection = export.select(["fac", "sch"], {"fac": facilities, "sch": schools}, [kinds])
    assert names(selection, "fac") == ["Piscine A", "Piscine C", "Église D"]
    assert len(selection.frames["sch"]) == 2


def test_kind_filter_rejects_a_type_the_layer_does_not_have(facilities):
    kinds = export.KindFilter({"fac": frozenset({"Piscine", "Pisicne"})})
    with pytest.raises(ExportError, match="no type 'Pisicne'.*Brumisateur"):
        export.select(["fac"], {"fac": facilities}, [kinds])


@pytest.mark.parametrize(("metres", "expected"), [
    (0, ["Piscine A"]),
    (100, ["Piscine A", "Brumisateur B"]),
    (200, ["Piscine A", "Brumisateur B", "Piscine C"]),
    (1000, ["Piscine A", "Brumisateur B", "Piscine C", "Église D"]),
])
def test_near_hazard_measures_metres_in_lambert93(facilities, hazard, metres, expected):
    # The layer is stored in lon/lat: a distance in degrees would keep everything or nothing.
    selection = export.select(["fac"], {"fac": facilities},
                              [export.NearHazardFilter(hazard, metres)])
    assert names(selection, "fac") == expected


def test_filters_combine_with_and(facilities, hazard):
    selection = export.select(["fac"], {"fac": facilities}, [
        export.NearHazardFilter(hazard, 200), export.QuartierFilter(frozenset({"7512003", "7511104"}))])
    assert names(selection, "fac") == ["Brumisateur B", "Piscine C"]


def test_area_filter_keeps_the_study_area_arrondissement(facilities):
    selection = export.select(["fac"], {"fac": facilities}, [export.AreaFilter(20)])
    assert names(selection, "fac") == ["Piscine A", "Brumisateur B"]


def test_a_layer_matching_nothing_is_reported_and_left_out(facilities, schools):
    selection = export.select(["fac", "sch"], {"fac": facilities, "sch": schools},
                              [export.QuartierFilter(frozenset({"7511104"}))])
    assert selection.counts == {"fac": 1, "sch": 0}
    assert list(selection.written) == ["fac"]
    assert selection.empty_layers == ("sch",)
    table = export.preview(selection).table
    assert table["layer"].tolist() == ["fac"] and table["name"].tolist() == ["Piscine C"]


def test_a_filter_matching_nothing_anywhere_is_an_error(facilities, schools):
    with pytest.raises(ExportError, match="no feature matches"):
        export.select(["fac", "sch"], {"fac": facilities, "sch": schools},
                      [export.QuartierFilter(frozenset({"7599999"}))])


def test_an_empty_layer_choice_is_an_error(facilities):
    with pytest.raises(ExportError, match="no layer chosen"):
        export.select([], {"fac": facilities})


class InsideBox:
    """A pluggable filter as another module would write one (e.g. a walking-access target)."""

    tag = "box"

    def __init__(self, bounds: tuple[float, float, float, float]) -> None:
        self.zone = box(*bounds)

    def describe(self, lang: str) -> str:
        return "inside the box"

    def mask(self, layer_id: str, frame: gpd.GeoDataFrame) -> pd.Series:
        assert frame.crs == L93  # filters measure in Lambert-93
        return frame.geometry.within(self.zone)


def test_pluggable_filters_receive_lambert93_and_are_described(facilities):
    plugged = InsideBox((652100, 6859000, 652300, 6861000))
    selection = export.select(["fac"], {"fac": facilities}, [plugged])
    assert names(selection, "fac") == ["Brumisateur B", "Piscine C"]
    assert selection.describe("en") == "inside the box"


def test_registered_filters_are_built_from_the_spec(facilities, monkeypatch):
    monkeypatch.setitem(export.filters._FILTER_FACTORIES, "box",
                        lambda value, loader: InsideBox(tuple(float(v) for v in value.split(","))))
    spec = export.ExportSpec(layers=("fac",), extra=(("box", "652100,6859000,652300,6861000"),))
    manifest = {"layers": {"fac": {}}, "study_area": {"insee": "75120"}}
    spec.validate(["fac"])
    filters = export.make_filters(spec, manifest, {"fac": facilities}.__getitem__)
    assert names(export.select(["fac"], {"fac": facilities}, filters), "fac") == \
        ["Brumisateur B", "Piscine C"]


@pytest.mark.parametrize(("spec", "error", "message"), [
    (export.ExportSpec(layers=("fac",), fmt="kml"), ExportError, "unknown format 'kml'"),
    (export.ExportSpec(layers=("fac",), crs=3857), ExportError, "unknown CRS 'EPSG:3857'"),
    (export.ExportSpec(layers=()), ExportError, "no layer chosen"),
    (export.ExportSpec(layers=("fac", "nope")), UnknownLayerError, "unknown layer 'nope'"),
    (export.ExportSpec(layers=("fac",), kinds=(("sch", "maternelle"),)), ExportError,
     "not selected"),
    (export.ExportSpec(layers=("fac",), near_flood_m=-5), ExportError, "zero or positive"),
    (export.ExportSpec(layers=("fac",), extra=(("nowhere", "x"),)), ExportError,
     "unknown filter 'nowhere'"),
])
def test_bad_specs_raise_clear_errors(spec, error, message):
    with pytest.raises(error, match=message):
        spec.validate(["fac", "sch"])


def test_shapefile_field_names_are_short_unique_and_predictable():
    columns = ["fid", "quartier_name", "Présence de douches", "st_area(shape)", "population",
               "population_0_14", "population_60_74", "2014", "Nom de l'équipement sportif"]
    mapping = export.shapefile_field_names(columns)
    assert mapping == {
        "fid": "fid", "quartier_name": "quartier_n", "Présence de douches": "presence_d",
        "st_area(shape)": "st_area_sh", "population": "population", "population_0_14": "populati_2",
        "population_60_74": "populati_3", "2014": "f_2014", "Nom de l'équipement sportif": "nom_de_l_e"}
    assert all(len(name) <= 10 and name.isascii() for name in mapping.values())
    assert export.shapefile_field_names(columns) == mapping  # deterministic


def test_file_name_says_area_layers_filter_date_crs_and_format(facilities):
    manifest = {"layers": {"fac": {}, "sch": {}, "other": {}}, "built_at": "2026-11-26T00:52:38+00:00",
                "study_area": {"insee": "75120"}}
    selection = export.select(["fac"], {"fac": facilities},
                              [export.QuartierFilter(frozenset({"7512001"}))])
    spec = export.ExportSpec(layers=("fac",), fmt="shp", crs=4326)
    assert export.file_name(spec, manifest, selection) == \
        "paris20_fac_quartier-7512001_2026-11-26_epsg4326_shp.zip"
    gpkg = export.ExportSpec(layers=("fac",))
    assert export.file_name(gpkg, manifest, selection).endswith("_epsg2154.gpkg")


def test_command_line_round_trips_through_the_parser():
    spec = export.ExportSpec(layers=("cool_facilities", "sports"), fmt="fgb", crs=4326,
                             quartiers=("7512001",), kinds=(("cool_facilities", "Lieux de culte"),),
                             near_flood_m=750, study_area_only=True, lang="en")
    argv = __import__("shlex").split(export.command_line(spec))[3:]
    args = export.parser().parse_args(argv)
    manifest = {"layers": {"cool_facilities": {}, "sports": {}}, "study_area": {"insee": "75120"}}
    assert export.spec_from_args(args, manifest) == spec


def test_walk_target_filter_uses_walking_time_to_the_nearest_cool_place():
    from geo.analysis.access import AccessSettings

    settings = AccessSettings(walking_speed_kmh=4.5, detour_factor=1.3, target_minutes=7.0)
    # 7 min at 75 m/min over a 1.3 detour: 403.8 m in a straight line.
    places = {"facility": gpd.GeoDataFrame(
        {"fid": ["c:1"], "name": ["Piscine"], "kind": ["Piscine"], "layer": ["cool_facilities"]},
        geometry=[Point(652000, 6860000)], crs=L93)}
    homes = layer([{"fid": f"h:{d}", "name": f"{d} m", "kind": "", "quartier": "", "c_ar": 20,
                    "xy": (652000 + d, 6860000)} for d in (100, 400, 410, 1000)])
    inside = export.WalkTargetFilter(places, settings, inside=True)
    outside = export.WalkTargetFilter(places, settings, inside=False)
    assert names(export.select(["h"], {"h": homes}, [inside]), "h") == ["100 m", "400 m"]
    assert names(export.select(["h"], {"h": homes}, [outside]), "h") == ["410 m", "1000 m"]
    assert "7 min" in inside.describe("fr") and inside.tag == "walk-inside"


def test_walk_target_is_registered_and_checks_its_value():
    assert export.WALK_TARGET in export.registered_filters()
    with pytest.raises(ExportError, match="inside, outside"):
        export.walk_target_filter("nearby", lambda layer_id: None)


def test_shapefile_readme_warns_about_texts_dbase_cuts(tmp_path):
    long_text = "é" * 130  # 260 bytes in UTF-8: over the 254 a dBase field holds
    frame = layer([{"fid": "f:1", "name": "Piscine", "kind": "Piscine", "quartier": "7512001",
                    "c_ar": 20, "horaires": long_text, "xy": (652000, 6860000)}])
    assert export.dbase_overflow(frame) == ["horaires"]
    assert export.dbase_overflow(frame.assign(horaires="court")) == []
    manifest = {"layers": {"fac": {"title_fr": "Îlots", "title_en": "Cool", "status": "official",
                                   "publisher": "Ville de Paris", "url": "https://example.org/d",
                                   "licence": "ODbL", "attribution": "Ville de Paris",
                                   "sources": [{"location": "/m/f.geojson", "sha256": "ab" * 32,
                                                "retrieved_at": "2026-11-26T00:00:00+00:00"}]}},
                "built_at": "2026-11-26T00:52:38+00:00", "build_id": "build-x",
                "study_area": {"insee": "75120", "name": "Ménilmontant"}}
    selection = export.select(["fac"], {"fac": frame})
    download = export.write(selection, export.ExportSpec(layers=("fac",), fmt="shp"), manifest)
    archive = __import__("zipfile").ZipFile(__import__("io").BytesIO(download.data))
    readme = archive.read("README.txt").decode("utf-8")
    assert "254 octets" in readme and "horaires" in readme
    (tmp_path / "d.zip").write_bytes(download.data)
    import pyogrio

    read = pyogrio.read_dataframe(f"/vsizip/{tmp_path / 'd.zip'}/fac.shp")
    assert len(read["horaires"].iloc[0].encode("utf-8")) <= 254  # what the warning is about
    assert read["name"].iloc[0] == "Piscine" and read.crs.to_epsg() == 2154

"""Reading, validating and normalising sources, on small synthetic inputs."""

from __future__ import annotations

import json

import geopandas as gpd
import pytest
from shapely.geometry import Point, Polygon, box

from geo.core.errors import SourceError
from geo.sources.fetch import _raw
from geo.sources.normalise import apply_schema, attach_admin, clip, repair, to_store_crs
from geo.sources.quirks import schools, wifi_kind
from geo.sources.readers import geo_shape_csv, read_geojson
from geo.sources.registry import ExtraField, LayerSpec
from geo.sources.validate import validate_source

IN_PARIS = (2.39, 48.86)  # a point of the 20e


def spec(**overrides) -> LayerSpec:
    base = dict(id="demo", title_fr="Démo", title_en="Demo", theme="facilities",
                publisher="Ville de Paris", portal="paris", url="https://opendata.paris.fr/",
                licence="ODbL", attribution="Ville de Paris", status="official",
                files=("demo/demo.geojson",), geometry="point", clip="buffer",
                fields={"source_id": ("gid",), "name": ("nom",)},
                extra=(ExtraField("etat", "État", "State"),), dataset_id="demo")
    base.update(overrides)
    return LayerSpec(**base)


def geojson(features: list[dict], crs: str | None = None) -> bytes:
    doc = {"type": "FeatureCollection", "features": features}
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    return json.dumps(doc, ensure_ascii=False).encode()


def feature(props: dict, coords=IN_PARIS) -> dict:
    return {"type": "Feature", "properties": props,
            "geometry": {"type": "Point", "coordinates": list(coords)}}


def test_truncated_geojson_names_layer_file_and_problem():
    data = geojson([feature({"gid": 1, "nom": "a"})])[:-10]
    with pytest.raises(SourceError) as info:
        read_geojson("demo", _raw("/mirror/demo.geojson", "demo.geojson", data))
    message = str(info.value)
    assert "layer 'demo'" in message and "/mirror/demo.geojson" in message
    assert "broken JSON" in message and "truncated" in message


def test_non_utf8_source_is_refused():
    data = geojson([feature({"gid": 1, "nom": "Père"})]).replace("Père".encode(), "Père".encode("latin-1"))
    with pytest.raises(SourceError, match="not UTF-8"):
        read_geojson("demo", _raw("demo.geojson", "demo.geojson", data))


def test_geo_shape_csv_quirk_builds_geometry_and_keeps_columns():
    shape = json.dumps({"type": "Point", "coordinates": list(IN_PARIS)}).replace('"', '""')
    text = f'\ufeffZONAGE;N_SQ;geo_shape\nB;12;"{shape}"\n'.encode()
    gdf = geo_shape_csv("demo", _raw("x.csv", "x.csv", text))
    assert list(gdf.columns) == ["ZONAGE", "N_SQ", "geometry"]
    assert gdf.crs.to_epsg() == 4326 and gdf.geometry.iloc[0].equals(Point(IN_PARIS))


def test_validation_refuses_empty_missing_field_wrong_type_and_wrong_crs():
    good = gpd.GeoDataFrame({"gid": ["1"], "nom": ["a"]}, geometry=[Point(IN_PARIS)], crs=4326)
    assert validate_source(spec(), good, "f") == ["optional fields missing: ['etat']"]
    with pytest.raises(SourceError, match="empty layer"):
        validate_source(spec(), good.iloc[0:0], "f")
    with pytest.raises(SourceError, match="missing field for 'name'"):
        validate_source(spec(), good.drop(columns="nom"), "f")
    poly = good.set_geometry([box(2.38, 48.85, 2.39, 48.86)])
    with pytest.raises(SourceError, match="geometry type"):
        validate_source(spec(), poly, "f")
    # Lambert-93 coordinates read as lon/lat (CRS lost): refused, not drawn in the ocean
    lambert = good.set_geometry([Point(656000, 6862000)])
    with pytest.raises(SourceError, match="wrong or undeclared CRS"):
        validate_source(spec(), lambert, "f")
    elsewhere = good.set_geometry([Point(4.83, 45.76)])  # Lyon
    with pytest.raises(SourceError, match="lie in Paris"):
        validate_source(spec(), elsewhere, "f")


def test_declared_lambert93_is_reprojected_to_lonlat():
    data = geojson([feature({"gid": 1, "nom": "a"}, coords=(656000.0, 6862000.0))],
                   crs="urn:ogc:def:crs:EPSG::2154")
    gdf = to_store_crs(read_geojson("demo", _raw("x.geojson", "x.geojson", data)), "demo", "x")
    assert gdf.crs.to_epsg() == 4326
    x, y = gdf.geometry.iloc[0].x, gdf.geometry.iloc[0].y
    assert 2.3 < x < 2.45 and 48.8 < y < 48.9


def test_source_without_crs_is_refused():
    gdf = gpd.GeoDataFrame({"gid": ["1"]}, geometry=[Point(IN_PARIS)])
    with pytest.raises(SourceError, match="no CRS"):
        to_store_crs(gdf, "demo", "x")


def test_repair_makes_self_intersecting_polygon_valid_and_polygonal():
    bowtie = Polygon([(2.38, 48.85), (2.39, 48.86), (2.39, 48.85), (2.38, 48.86), (2.38, 48.85)])
    gdf = gpd.GeoDataFrame({"a": [1, 2]}, geometry=[bowtie, None], crs=4326)
    fixed, warnings = repair(gdf, "polygon")
    assert len(fixed) == 1 and fixed.geometry.is_valid.all()
    assert set(fixed.geom_type) <= {"Polygon", "MultiPolygon"}
    # the two triangles of the bow-tie, each 0.01 × 0.005 / 2
    assert fixed.geometry.iloc[0].area == pytest.approx(2 * 0.01 * 0.005 / 2, rel=1e-9)
    assert warnings == ["1 invalid geometry repaired (make_valid)"]


def test_schema_keeps_official_id_and_makes_unique_fids():
    gdf = gpd.GeoDataFrame({"gid": ["7", "7", "9"], "nom": ["<b>a</b>", "b", "c"],
                            "etat": ["ok", "ko", "ok"], "junk": [1, 2, 3]},
                           geometry=[Point(IN_PARIS)] * 3, crs=4326)
    out = apply_schema(spec(), gdf)
    assert list(out["fid"]) == ["demo:7", "demo:7~2", "demo:9"]
    assert list(out["source_id"]) == ["7", "7", "9"]
    assert "junk" not in out.columns and list(out["etat"]) == ["ok", "ko", "ok"]
    assert out["name"].iloc[0] == "<b>a</b>"  # stored as published; escaped when rendered


def test_schema_without_official_id_uses_a_stable_hash():
    gdf = gpd.GeoDataFrame({"nom": ["a", "b"]}, geometry=[Point(IN_PARIS), Point(2.4, 48.87)], crs=4326)
    no_id = spec(fields={"name": ("nom",)})
    first, second = apply_schema(no_id, gdf), apply_schema(no_id, gdf.iloc[::-1])
    assert set(first["fid"]) == set(second["fid"]) and first["fid"].is_unique


def test_attach_admin_and_clip_with_synthetic_areas():
    arrs = gpd.GeoDataFrame({"c_ar_num": [1, 2]}, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=4326)
    quartiers = gpd.GeoDataFrame({"source_id": ["q1", "q2"], "name": ["Nord", "Sud"]},
                                 geometry=[box(1, 0.5, 2, 1), box(1, 0, 2, 0.5)], crs=4326)
    gdf = gpd.GeoDataFrame({"fid": ["a", "b", "c"]},
                           geometry=[Point(0.5, 0.5), Point(1.5, 0.75), Point(5, 5)], crs=4326)
    out = attach_admin(gdf, arrs, quartiers)
    assert list(out["c_ar"]) == [1, 2, 0]
    assert list(out["quartier_name"]) == ["", "Nord", ""]
    with pytest.raises(ValueError, match="CRS mismatch"):
        attach_admin(gdf.to_crs(3857), arrs, quartiers)


def test_clip_keeps_whole_features_that_touch_the_region():
    # Lambert-93 region around a point of the 20e; one polygon crosses its edge, one is far away
    pts = gpd.GeoDataFrame({"fid": ["near", "far"]},
                           geometry=[box(2.39, 48.86, 2.40, 48.87), box(2.25, 48.83, 2.26, 48.84)],
                           crs=4326)
    region = pts.to_crs(2154).geometry.iloc[0].centroid.buffer(300)
    out = clip(pts, region)
    assert list(out["fid"]) == ["near"]
    assert out.geometry.iloc[0].equals(pts.geometry.iloc[0])  # not cut


def test_schools_quirk_keeps_the_latest_school_year():
    label = "Type d'établissement - Année scolaire"
    rows = [feature({label: f"MATERNELLES (année scolaire {y})", "Libellé établissement": n,
                     "Année scolaire": ""}) for y, n in
            (("2024/2025", "A"), ("2025/2026", "A"), ("2025/2026", "B"), ("2023/2024", "C"))]
    school_spec = spec(fields={"name": ("Libellé établissement",), "year": (label,)})
    gdf, warnings = schools(school_spec, [_raw("x.geojson", "x.geojson", geojson(rows))])
    assert sorted(gdf["Libellé établissement"]) == ["A", "B"]
    assert set(gdf[label]) == {"2025-2026"}
    assert "2 of 4 rows" in warnings[0]


@pytest.mark.parametrize("name, kind", [
    ("MAIRIE DU 20 EME", "Mairie"), ("BIBLIOTHEQUE SORBIER", "Bibliothèque"),
    ("GYMNASE VIGNOLES EST", "Gymnase"), ("CENTRE SPORTIF LOUIS LUMIERE", "Centre sportif"),
    ("JARDIN GARE DE CHARONNE", "Parc ou jardin"), ("KIOSQUE", "Autre site municipal"),
])
def test_wifi_site_type_from_name(name, kind):
    assert wifi_kind(name) == kind

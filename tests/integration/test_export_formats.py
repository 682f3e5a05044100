"""Every download format written from the real build, read back by pyogrio and by GDAL's own
``ogrinfo`` (Debian gdal-bin) as an outside client.

Expected figures are computed here with plain geopandas on the built GeoParquet files, not with
``geo.export.engine``'s own filter code.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from pyproj import CRS

from geo import __version__, export

LAYERS = ("cool_facilities", "green_spaces", "sports")
QUARTIERS = ("7512001", "7512003")  # Belleville, Père-Lachaise
EXTENSION = {"shp": "shp", "geojson": "geojson", "fgb": "fgb", "csv": "vrt", "csv-xy": "vrt"}


def built(real_build: Path, layer_id: str) -> gpd.GeoDataFrame:
    return gpd.read_parquet(real_build / "layers" / f"{layer_id}.parquet")


def manifest_of(real_build: Path) -> dict:
    manifest = json.loads((real_build / "manifest.json").read_text(encoding="utf-8"))
    manifest["build_id"] = real_build.name
    return manifest


def ogrinfo(*args: str) -> str:
    result = subprocess.run(["ogrinfo", "-ro", *args], capture_output=True, text=True,
                            encoding="utf-8", check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


def ogrinfo_summary(path: str) -> dict[str, tuple[int, int | None]]:
    """Layer name → (feature count, EPSG code of the layer's CRS) as ``ogrinfo -so -al`` prints."""
    summary = {}
    for block in ogrinfo("-so", "-al", path).split("Layer name: ")[1:]:
        name = block.splitlines()[0].strip()
        count = int(re.search(r"Feature Count: (\d+)", block).group(1))
        # The CRS's own identifier closes its WKT, just before the axis-mapping line.
        epsg = re.search(r'ID\["EPSG",(\d+)\]\]\s*\nData axis', block)
        summary[name] = (count, int(epsg.group(1)) if epsg else None)
    return summary


def layer_paths(download: export.Download, fmt: str, tmp_path: Path) -> dict[str, str]:
    """Where pyogrio and ogrinfo open each layer of a download (zips opened in place, as QGIS does)."""
    file = tmp_path / download.filename
    file.write_bytes(download.data)
    if fmt == "gpkg":
        return {layer_id: str(file) for layer_id, n in download.counts.items() if n}
    return {layer_id: f"/vsizip/{file}/{layer_id}.{EXTENSION[fmt]}"
            for layer_id, n in download.counts.items() if n}


def expected_frames(real_build: Path) -> dict[str, gpd.GeoDataFrame]:
    return {layer_id: (lambda f: f[f["quartier"].isin(QUARTIERS)])(built(real_build, layer_id))
            for layer_id in LAYERS}


@pytest.mark.parametrize("crs", [2154, 4326])
@pytest.mark.parametrize("fmt", list(export.FORMATS))
def test_every_format_reads_back_with_pyogrio_and_ogrinfo(real_build, tmp_path, fmt, crs):
    manifest = manifest_of(real_build)
    spec = export.ExportSpec(layers=LAYERS, fmt=fmt, crs=crs, quartiers=QUARTIERS)
    shown = export.preview(export.prepare(spec, manifest))
    download = export.run(spec, manifest)
    expected = expected_frames(real_build)

    assert shown.counts == {layer_id: len(frame) for layer_id, frame in expected.items()}
    assert download.counts == shown.counts and all(shown.counts.values())
    assert download.filename.startswith("paris20_cool_facilities-green_spaces-sports_quartier-")
    assert f"_epsg{crs}" in download.filename

    paths = layer_paths(download, fmt, tmp_path)
    for layer_id, path in paths.items():
        want = expected[layer_id].to_crs(epsg=crs).sort_values("fid").reset_index(drop=True)
        read = pyogrio.read_dataframe(path, layer=layer_id if fmt == "gpkg" else None)
        if fmt == "shp":
            read = read.rename(columns={v: k for k, v in export.shapefile_field_names(
                [c for c in want.columns if c != "geometry"]).items()})
        read = read.sort_values("fid").reset_index(drop=True)

        assert len(read) == shown.counts[layer_id]
        assert CRS(read.crs).to_epsg() == crs
        for column in ("fid", "name", "kind", "quartier_name", "address"):
            assert read[column].fillna("").tolist() == want[column].fillna("").tolist(), column
        assert read["c_ar"].astype(int).tolist() == want["c_ar"].tolist()
        assert "Père-Lachaise" in set(read["quartier_name"])
        assert shapely.is_valid(read.geometry.to_numpy()).all()
        tolerance = 1e-3 if crs == 2154 else 1e-8
        if fmt == "csv-xy":
            # Points themselves, or a point inside each area.
            assert read.geom_type.eq("Point").all()
            inside = want.to_crs(2154).buffer(1e-3).contains(read.to_crs(2154).geometry)
            assert inside.all()
        else:
            gap = shapely.hausdorff_distance(read.geometry.to_numpy(), want.geometry.to_numpy())
            assert np.nanmax(gap) < tolerance

    summary = {}
    for path in sorted(set(paths.values())):
        summary.update(ogrinfo_summary(path))
    for layer_id in paths:
        assert summary[layer_id] == (shown.counts[layer_id], crs), layer_id
        dump = ogrinfo("-al", "-q", paths[layer_id], *([layer_id] if fmt == "gpkg" else []))
        assert "Père-Lachaise" in dump


def test_geopackage_holds_every_layer_and_a_provenance_table(real_build, tmp_path):
    manifest = manifest_of(real_build)
    spec = export.ExportSpec(layers=tuple(manifest["layers"]))
    download = export.run(spec, manifest)
    assert download.filename == f"paris20_all-layers_{manifest['built_at'][:10]}_epsg2154.gpkg"
    path = tmp_path / download.filename
    path.write_bytes(download.data)

    summary = ogrinfo_summary(str(path))
    assert summary.pop(export.PROVENANCE_TABLE)[1] is None  # non-spatial
    assert summary == {layer_id: (info["count_after_clip"], 2154)
                       for layer_id, info in manifest["layers"].items()}

    table = pyogrio.read_dataframe(path, layer=export.PROVENANCE_TABLE).set_index("layer")
    assert set(table.index) == set(manifest["layers"])
    for layer_id, info in manifest["layers"].items():
        row = table.loc[layer_id]
        assert row["sha256"] == " | ".join(s["sha256"] for s in info["sources"])
        assert row["licence"] == info["licence"] and row["attribution"] == info["attribution"]
        assert row["retrieved_at"].startswith(info["sources"][0]["retrieved_at"])
        assert row["features"] == info["count_after_clip"]
        assert row["app_version"] == __version__ and row["crs"] == "EPSG:2154"
        assert row["filter"].startswith("aucun filtre")
    assert table.loc["cool_facilities", "title"] == "Îlots de fraîcheur : équipements et activités"
    contents = ogrinfo("-sql", "SELECT table_name, identifier, description FROM gpkg_contents",
                       str(path))
    assert "Îlots de fraîcheur : équipements et activités" in contents
    assert "ODbL" in contents


def test_filters_on_real_data_match_plain_geopandas(real_build, tmp_path):
    """Flood distance (Lambert-93) and facility types, against an independent computation."""
    manifest = manifest_of(real_build)
    zones = built(real_build, "ppri").to_crs(2154).union_all()
    sports = built(real_build, "sports")
    facilities = built(real_build, "cool_facilities")
    kinds = ("Piscine", "Bains-douches")
    spec = export.ExportSpec(layers=("sports", "cool_facilities"), fmt="gpkg", near_flood_m=1000,
                             kinds=tuple(("cool_facilities", k) for k in kinds))
    download = export.run(spec, manifest)

    near = lambda frame: frame.to_crs(2154).distance(zones) <= 1000  # noqa: E731
    expected = {"sports": int(near(sports).sum()),
                "cool_facilities": int((near(facilities) & facilities["kind"].isin(kinds)).sum())}
    assert download.counts == expected
    assert 0 < expected["sports"] < len(sports)
    path = tmp_path / download.filename
    path.write_bytes(download.data)
    assert "flood1000m" in download.filename
    summary = ogrinfo_summary(str(path))
    assert {k: summary[k][0] for k in expected if expected[k]} == {k: v for k, v in expected.items() if v}
    table = pyogrio.read_dataframe(path, layer=export.PROVENANCE_TABLE)
    assert "1000 m" in table["filter"].iloc[0] and "Piscine" in table["filter"].iloc[0]


def test_zipped_downloads_carry_readme_provenance_and_field_mapping(real_build, tmp_path):
    manifest = manifest_of(real_build)
    spec = export.ExportSpec(layers=("sports", "iris_population"), fmt="shp", lang="en")
    download = export.run(spec, manifest)
    archive = zipfile.ZipFile(io.BytesIO(download.data))
    names = set(archive.namelist())
    for layer_id in spec.layers:
        assert {f"{layer_id}.{ext}" for ext in ("shp", "shx", "dbf", "prj", "cpg")} <= names
        assert archive.read(f"{layer_id}.cpg").decode().strip().upper() in ("UTF-8", "UTF8")
    readme = archive.read("README.txt").decode("utf-8")
    for layer_id in spec.layers:
        info = manifest["layers"][layer_id]
        assert info["attribution"] in readme and info["licence"] in readme
        assert all(s["sha256"] in readme for s in info["sources"])
    assert "ODbL" in readme and __version__ in readme and "EPSG:2154" in readme
    # The documented mapping matches the dBase fields actually written.
    (tmp_path / download.filename).write_bytes(download.data)
    fields = list(pyogrio.read_info(f"/vsizip/{tmp_path / download.filename}/sports.shp")["fields"])
    assert all(len(name) <= 10 for name in fields)
    assert "presence_d ← Présence de douches" in readme
    assert "presence_d" in fields
    assert "populati_2 ← population_0_14" in readme
    rows = list(csv.DictReader(io.StringIO(archive.read("provenance.csv").decode("utf-8"))))
    assert [row["layer"] for row in rows] == list(spec.layers)
    assert rows[0]["features"] == str(manifest["layers"]["sports"]["count_after_clip"])



def test_walk_target_filter_on_real_data_splits_every_layer(real_build):
    """Inside + outside = all; inside matches distances measured here to the cool places."""
    from geo.analysis import access
    from geo.analysis.settings import load_settings
    from geo.core.errors import ExportError

    manifest = manifest_of(real_build)
    settings = load_settings().access
    places = access.cool_places({layer_id: built(real_build, layer_id) for layer_id in
                                 ("green_spaces", "cool_green_points", "cool_facilities", "fountains")},
                                settings.green_excluded_types)
    counted = gpd.GeoSeries(
        [places[kind].union_all() for kind in settings.target_kinds], crs=2154).union_all()
    layers = ("schools_maternelle", "ehpad", "equipements_2014")
    download = export.run(export.ExportSpec(layers=layers, extra=(("walk-target", "inside"),)), manifest)
    for layer_id in layers:
        frame = built(real_build, layer_id).to_crs(2154)
        walk_min = frame.distance(counted) * settings.detour_factor / settings.metres_per_minute
        assert download.counts[layer_id] == int((walk_min <= settings.target_minutes).sum())
    try:
        outside = export.run(export.ExportSpec(layers=layers, extra=(("walk-target", "outside"),)),
                             manifest).counts
    except ExportError as exc:  # every feature of these layers is within the target
        assert "no feature matches" in str(exc)
        outside = dict.fromkeys(layers, 0)
    assert all(download.counts[k] + outside[k] == len(built(real_build, k)) for k in layers)
    assert "walk-inside" in download.filename

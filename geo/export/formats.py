"""The download formats: GDAL drivers, how each layer is written (GeoPackage 1.2, GeoJSON,
Shapefile with a fixed field-name rule, FlatGeobuf, CSV with a VRT), and the CRS offered.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd
import pyogrio

if TYPE_CHECKING:
    from geo.export.spec import ExportSpec


SHAPEFILE_FIELD_MAX = 10
#: Bytes a dBase text field holds: longer Shapefile values are cut (said in the README).
DBASE_TEXT_MAX = 254


@dataclass(frozen=True)
class FormatSpec:
    """One download format: the GDAL driver and how the download is packaged."""

    key: str
    driver: str
    extension: str
    label_fr: str
    label_en: str

    @property
    def zipped(self) -> bool:
        """Every format but GeoPackage goes in a zip with its README (one file per layer)."""
        return self.key != "gpkg"

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_fr


FORMATS: dict[str, FormatSpec] = {spec.key: spec for spec in (
    FormatSpec("gpkg", "GPKG", "gpkg", "GeoPackage (toutes les couches dans un fichier)",
               "GeoPackage (all layers in one file)"),
    FormatSpec("geojson", "GeoJSON", "geojson", "GeoJSON (zip)", "GeoJSON (zip)"),
    FormatSpec("shp", "ESRI Shapefile", "shp", "Shapefile (zip)", "Shapefile (zip)"),
    FormatSpec("fgb", "FlatGeobuf", "fgb", "FlatGeobuf (zip)", "FlatGeobuf (zip)"),
    FormatSpec("csv", "CSV", "csv", "CSV, géométrie en WKT (zip)", "CSV, WKT geometry (zip)"),
    FormatSpec("csv-xy", "CSV", "csv", "CSV, colonnes de coordonnées (zip)",
               "CSV, coordinate columns (zip)"),
)}
CRS_NAMES: dict[int, str] = {2154: "RGF93 v1 / Lambert-93", 4326: "WGS 84 (longitude, latitude)"}
DEFAULT_FORMAT = "gpkg"
DEFAULT_CRS = 2154


def shapefile_field_names(columns: Sequence[str]) -> dict[str, str]:
    """Predictable dBase field names (at most 10 ASCII characters, unique, case-insensitive).

    Rule: accents removed, lower case, every run of other characters becomes ``_``, first 10
    characters; a name already taken gets ``_2``, ``_3``… on its first 8 characters (in column
    order). E.g. ``Présence de douches`` → ``presence_d``, ``population_0_14`` after
    ``population`` → ``populati_2``.
    """
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for column in columns:
        ascii_name = unicodedata.normalize("NFKD", column).encode("ascii", "ignore").decode()
        base = re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_") or "field"
        if base[0].isdigit():
            base = f"f_{base}"
        name = base[:SHAPEFILE_FIELD_MAX]
        number = 1
        while name in taken:
            number += 1
            suffix = f"_{number}"
            name = base[:SHAPEFILE_FIELD_MAX - len(suffix)] + suffix
        taken.add(name)
        mapping[column] = name
    return mapping


def dbase_overflow(frame: pd.DataFrame) -> list[str]:
    """Text columns with a value longer than a dBase field holds (the Shapefile cuts them)."""
    cut = []
    for column in frame.columns:
        if column == frame.geometry.name or frame[column].dtype.kind in "biufcmM":
            continue
        sizes = frame[column].dropna().astype(str).str.encode("utf-8").str.len()
        if bool((sizes > DBASE_TEXT_MAX).any()):
            cut.append(column)
    return cut


def _vrt(layer_id: str, csv_name: str, spec: ExportSpec, xy: tuple[str, str] | None) -> str:
    """A GDAL virtual layer beside a CSV, so QGIS and GDAL open it with its geometry and CRS."""
    geometry = (f'<GeometryField encoding="PointFromColumns" x="{xy[0]}" y="{xy[1]}"/>' if xy
                else '<GeometryField encoding="WKT" field="WKT"/>')
    return (f'<OGRVRTDataSource>\n  <OGRVRTLayer name="{layer_id}">\n'
            f'    <SrcDataSource relativeToVRT="1">{csv_name}</SrcDataSource>\n'
            f'    <SrcLayer>{layer_id}</SrcLayer>\n'
            f'    <LayerSRS>EPSG:{spec.crs}</LayerSRS>\n    {geometry}\n'
            f'  </OGRVRTLayer>\n</OGRVRTDataSource>\n')


def _xy_columns(crs: int) -> tuple[str, str]:
    return ("lon", "lat") if crs == 4326 else ("x", "y")


def write_layer(frame: gpd.GeoDataFrame, layer_id: str, spec: ExportSpec, directory: Path,
                 manifest: dict) -> list[Path]:
    """Write one layer in the spec's format; returns the files written (for the zip)."""
    fmt = spec.format_spec()
    if fmt.key == "gpkg":
        path = directory / "export.gpkg"
        info = manifest["layers"][layer_id]
        pyogrio.write_dataframe(
            frame, path, layer=layer_id, driver="GPKG",
            # GeoPackage 1.2: opened by every QGIS/ArcGIS in use (GDAL's default is now 1.4).
            dataset_options={"VERSION": "1.2"},
            # The project's own `fid` column is text: GDAL's integer primary key gets another name.
            layer_options={"FID": "gpkg_fid", "SPATIAL_INDEX": "YES"},
            layer_metadata={"IDENTIFIER": info["title_en"] if spec.lang == "en" else info["title_fr"],
                            "DESCRIPTION": f"{info['publisher']} — {info['licence']} — "
                                           f"© {info['attribution']} — {info['url']}"})
        return [path]
    if fmt.key == "shp":
        path = directory / f"{layer_id}.shp"
        names = shapefile_field_names([c for c in frame.columns if c != "geometry"])
        with warnings.catch_warnings():
            # Texts cut to the dBase limit are listed in the README (dbase_overflow).
            warnings.filterwarnings("ignore", message=".*has been truncated to 254", category=RuntimeWarning)
            pyogrio.write_dataframe(frame.rename(columns=names), path, driver=fmt.driver,
                                    layer_options={"ENCODING": "UTF-8"})
        return [path.with_suffix(ext) for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg")]
    if fmt.key in ("geojson", "fgb"):
        path = directory / f"{layer_id}.{fmt.extension}"
        pyogrio.write_dataframe(frame, path, layer=layer_id, driver=fmt.driver)
        return [path]
    path = directory / f"{layer_id}.csv"
    options = {"CREATE_CSVT": "YES", "WRITE_BOM": "YES"}
    xy = None
    if fmt.key == "csv-xy":
        xy = _xy_columns(spec.crs)
        points = frame.geometry.where(frame.geom_type == "Point", frame.geometry.representative_point())
        table = pd.DataFrame(frame.drop(columns="geometry"))
        table[xy[0]], table[xy[1]] = points.x.to_numpy(), points.y.to_numpy()
        pyogrio.write_dataframe(table, path, layer=layer_id, driver="CSV", layer_options=options)
    else:
        pyogrio.write_dataframe(frame, path, layer=layer_id, driver="CSV",
                                layer_options={**options, "GEOMETRY": "AS_WKT"})
    vrt = directory / f"{layer_id}.vrt"
    vrt.write_text(_vrt(layer_id, path.name, spec, xy), encoding="utf-8")
    return [path, path.with_suffix(".csvt"), vrt]


@contextmanager
def no_fsync() -> Iterator[None]:
    """SQLite without fsync while writing the GeoPackage: the file is temporary and read back
    whole once closed, and the syncs make up most of the write time on a busy disk."""
    previous = pyogrio.get_gdal_config_option("OGR_SQLITE_SYNCHRONOUS")
    pyogrio.set_gdal_config_options({"OGR_SQLITE_SYNCHRONOUS": "OFF"})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({"OGR_SQLITE_SYNCHRONOUS": previous})

"""Parsing source bytes into GeoDataFrames, with clear messages for broken files."""

from __future__ import annotations

import io
import json
import warnings

import geopandas as gpd
import pandas as pd
import pyogrio
import pyogrio.errors
import shapely
from shapely.geometry import shape

from geo.core.errors import SourceError
from geo.sources.fetch import RawSource


def _text(layer: str, raw: RawSource) -> str:
    try:
        return raw.data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(layer, raw.location,
                          f"not UTF-8 text (invalid byte at offset {exc.start})") from None


def read_geojson(layer: str, raw: RawSource) -> gpd.GeoDataFrame:
    """Read a GeoJSON document; every property is kept (as read by GDAL).

    Raises
    ------
    SourceError
        When the bytes are not UTF-8, not JSON (e.g. a truncated download) or not GeoJSON.
    """
    text = _text(layer, raw)
    stripped = text.lstrip()
    if not stripped.startswith("{"):
        raise SourceError(layer, raw.location, "not a GeoJSON document")
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(layer, raw.location,
                          f"broken JSON at line {exc.lineno} column {exc.colno} "
                          "(truncated or corrupt file?)") from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            gdf = pyogrio.read_dataframe(io.BytesIO(text.encode("utf-8")), use_arrow=True)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError,
            pyogrio.errors.FieldError, pyogrio.errors.GeometryError, pyogrio.errors.FeatureError,
            pyogrio.errors.CRSError, ValueError) as exc:
        raise SourceError(layer, raw.location, f"GDAL cannot read it as GeoJSON ({exc})") from None
    if not isinstance(gdf, gpd.GeoDataFrame) or "geometry" not in gdf:
        raise SourceError(layer, raw.location, "no geometry in the file")
    return gdf


def read_csv(layer: str, raw: RawSource, sep: str | None = None) -> pd.DataFrame:
    """Read a CSV table as text columns (separator sniffed: Paris Data exports use ';')."""
    text = _text(layer, raw).lstrip("\ufeff")
    if sep is None:
        head = text.split("\n", 1)[0]
        sep = ";" if head.count(";") > head.count(",") else ","
    try:
        return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise SourceError(layer, raw.location, f"unreadable CSV ({exc})") from None


def geo_shape_csv(layer: str, raw: RawSource) -> gpd.GeoDataFrame:
    """Paris Data CSV export whose ``geo_shape`` column holds GeoJSON geometry text."""
    table = read_csv(layer, raw)
    column = next((c for c in table.columns if c.lower().replace(" ", "_") == "geo_shape"), None)
    if column is None:
        raise SourceError(layer, raw.location, "CSV has no 'geo_shape' column")
    geoms = []
    for i, text in enumerate(table[column]):
        if not text:
            geoms.append(None)
            continue
        try:
            geoms.append(shape(json.loads(text)))
        except (json.JSONDecodeError, ValueError, TypeError, KeyError):
            raise SourceError(layer, raw.location, f"row {i + 2}: unreadable geo_shape") from None
    return gpd.GeoDataFrame(table.drop(columns=[column]), geometry=geoms, crs="EPSG:4326")


def read_any(layer: str, raw: RawSource) -> gpd.GeoDataFrame:
    """Read a geographic source file by its extension (GeoJSON, or CSV with ``geo_shape``)."""
    if raw.suffix in (".geojson", ".json"):
        return read_geojson(layer, raw)
    if raw.suffix == ".csv":
        return geo_shape_csv(layer, raw)
    raise SourceError(layer, raw.location, f"unsupported file type '{raw.suffix}'")


def points_from_lonlat(frame: pd.DataFrame, lon: str, lat: str, layer: str,
                       location: str) -> gpd.GeoDataFrame:
    """Points from two text columns; rows with missing coordinates are dropped by the caller."""
    try:
        x = pd.to_numeric(frame[lon].replace("", None))
        y = pd.to_numeric(frame[lat].replace("", None))
    except (KeyError, ValueError) as exc:
        raise SourceError(layer, location, f"bad coordinate columns ({exc})") from None
    points = shapely.points(x.to_numpy(float), y.to_numpy(float))
    points[(x.isna() | y.isna()).to_numpy()] = None
    return gpd.GeoDataFrame(frame, geometry=points, crs="EPSG:4326")

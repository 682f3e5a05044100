"""Normalisation: explicit CRS, repaired geometry, the project's schema, admin attachment, clipping."""

from __future__ import annotations

import hashlib
from typing import NamedTuple

import geopandas as gpd
import pandas as pd
import shapely

from geo.core.errors import SourceError
from geo.core.settings import METRIC_CRS, STORE_CRS
from geo.sources.registry import LayerSpec

#: Topological dimension of each registry geometry (what ``make_valid`` output keeps).
_DIMENSIONS = {"point": 0, "line": 1, "polygon": 2}
#: Columns every built layer has, in this order, before its kept official fields.
BASE_COLUMNS = ("fid", "source_id", "name", "kind", "address", "c_ar", "quartier", "quartier_name")


class StudyArea(NamedTuple):
    """The arrondissement studied, and the two clipping regions derived from it (EPSG:2154)."""

    insee: str
    name: str
    geometry: shapely.Geometry
    buffer_region: shapely.Geometry
    neighbours_region: shapely.Geometry


def to_store_crs(gdf: gpd.GeoDataFrame, layer: str, location: str) -> gpd.GeoDataFrame:
    """Give the layer its explicit storage CRS (EPSG:4326), reprojecting if needed.

    A source without a CRS is refused: guessing it is how a layer ends up in the Atlantic.
    """
    if gdf.crs is None:
        raise SourceError(layer, location, "no CRS declared")
    if gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs(STORE_CRS)
    return gdf


def repair(gdf: gpd.GeoDataFrame, geometry: str) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Drop empty geometries and repair invalid ones with ``make_valid``.

    ``make_valid`` can return a GeometryCollection mixing polygons and lines; only the parts of
    the layer's dimension are kept, so a polygon layer stays polygonal.
    """
    warnings = []
    keep = ~(gdf.geometry.isna() | gdf.geometry.is_empty)
    gdf = gdf[keep].copy()
    invalid = ~gdf.geometry.is_valid
    if invalid.any():
        dim = _DIMENSIONS[geometry]
        fixed = shapely.make_valid(gdf.geometry[invalid].values)
        fixed = [shapely.get_parts(g)[shapely.get_dimensions(shapely.get_parts(g)) == dim]
                 for g in fixed]
        union = [shapely.union_all(parts) if len(parts) else None for parts in fixed]
        gdf.loc[invalid, "geometry"] = gpd.GeoSeries(union, index=gdf.index[invalid], crs=gdf.crs)
        warnings.append(f"{int(invalid.sum())} invalid geometr{'y' if invalid.sum() == 1 else 'ies'} "
                        "repaired (make_valid)")
        gdf = gdf[~(gdf.geometry.isna() | gdf.geometry.is_empty)]
    collections = gdf.geom_type == "GeometryCollection"
    if collections.any():
        dim = _DIMENSIONS[geometry]
        gdf.loc[collections, "geometry"] = [
            shapely.union_all([p for p in shapely.get_parts(g) if shapely.get_dimensions(p) == dim])
            for g in gdf.geometry[collections]]
    return gdf, warnings


def _stable_id(name: str, geom: shapely.Geometry) -> str:
    text = f"{name}|{shapely.to_wkt(geom, rounding_precision=6)}"
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


def _text(series: pd.Series) -> pd.Series:
    return series.astype("string").fillna("").str.strip()


def apply_schema(spec: LayerSpec, gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Map the official fields onto the normalised schema and keep the registry's extra fields.

    The official id is kept as ``source_id`` (a stable hash of name and geometry when the dataset
    has none), and ``fid`` = ``<layer>:<source_id>`` is unique within the layer.
    """
    out = pd.DataFrame(index=gdf.index)
    for normalised in ("source_id", "name", "kind", "address", "year"):
        column = next((c for c in spec.fields.get(normalised, ()) if c in gdf.columns), None)
        if column is not None:
            out[normalised] = _text(gdf[column]).str.replace(r"\.0$", "", regex=True) \
                if normalised == "source_id" else _text(gdf[column])
        elif normalised != "year":
            out[normalised] = ""
    if "type_site" in gdf.columns:
        out["kind"] = _text(gdf["type_site"])
    if spec.fields.get("source_id") is None:
        out["source_id"] = [_stable_id(n, g) for n, g in zip(out["name"], gdf.geometry, strict=True)]
    ids = out["source_id"].where(out["source_id"] != "", "row")
    dup = ids.groupby(ids).cumcount()
    out["fid"] = spec.id + ":" + ids + dup.map(lambda n: "" if n == 0 else f"~{n + 1}")
    for extra in spec.extra:
        if extra.source in gdf.columns and extra.source not in out.columns:
            out[extra.source] = _text(gdf[extra.source])
    return gpd.GeoDataFrame(out, geometry=gdf.geometry.values, crs=gdf.crs).reset_index(drop=True)


def attach_admin(gdf: gpd.GeoDataFrame, arrondissements: gpd.GeoDataFrame,
                 quartiers: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Attach each feature to its arrondissement (``c_ar``) and quartier by spatial join.

    A polygon is attached through its representative point (always inside it); a feature
    outside Paris gets ``c_ar`` 0 and an empty quartier.
    """
    for other in (arrondissements, quartiers):
        if other.crs != gdf.crs:
            raise ValueError(f"CRS mismatch: {gdf.crs} vs {other.crs}")
    points = gpd.GeoDataFrame(geometry=gdf.geometry.representative_point(), crs=gdf.crs)
    arr = gpd.sjoin(points, arrondissements[["c_ar_num", "geometry"]], how="left",
                    predicate="within")
    arr = arr[~arr.index.duplicated()]
    qu = gpd.sjoin(points, quartiers[["source_id", "name", "geometry"]], how="left",
                   predicate="within")
    qu = qu[~qu.index.duplicated()]
    gdf = gdf.copy()
    gdf["c_ar"] = arr["c_ar_num"].fillna(0).astype("int64").values
    gdf["quartier"] = qu["source_id"].fillna("").astype(str).values
    gdf["quartier_name"] = qu["name"].fillna("").astype(str).values
    ordered = [c for c in BASE_COLUMNS if c in gdf.columns]
    rest = [c for c in gdf.columns if c not in ordered and c != "geometry"]
    return gdf[ordered + rest + ["geometry"]]


def study_area(arrondissements: gpd.GeoDataFrame, insee: str, buffer_m: float,
               neighbours_buffer_m: float) -> StudyArea:
    """The study area from the normalised arrondissements layer (``source_id`` = INSEE code)."""
    metric = arrondissements.to_crs(METRIC_CRS)
    match = metric[metric["source_id"] == insee]
    if match.empty:
        known = ", ".join(sorted(metric["source_id"]))
        raise SourceError("arrondissements", "settings",
                          f"study area '{insee}' is not a Paris arrondissement ({known})")
    area = match.geometry.iloc[0]
    touching = metric[metric.geometry.intersects(area.buffer(1.0))]
    return StudyArea(insee=insee, name=str(match["name"].iloc[0]), geometry=area,
                     buffer_region=area.buffer(buffer_m),
                     neighbours_region=shapely.union_all(touching.geometry.values).buffer(
                         neighbours_buffer_m))


def clip(gdf: gpd.GeoDataFrame, region: shapely.Geometry | None) -> gpd.GeoDataFrame:
    """Keep the features that intersect ``region`` (EPSG:2154), whole: official outlines are
    never cut, so areas and downloads stay those of the publisher."""
    if region is None:
        return gdf
    metric = gdf.geometry.to_crs(METRIC_CRS)
    tree = shapely.STRtree(metric.values)
    hits = tree.query(region, predicate="intersects")
    return gdf.iloc[sorted(hits)].reset_index(drop=True)

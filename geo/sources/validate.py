"""Checks a parsed source must pass before it can replace anything in the build."""

from __future__ import annotations

import geopandas as gpd
import numpy as np

from geo.core.errors import SourceError
from geo.core.settings import PARIS_BBOX
from geo.sources.registry import LayerSpec

_EXPECTED = {
    "point": {"Point", "MultiPoint"},
    "polygon": {"Polygon", "MultiPolygon"},
    "line": {"LineString", "MultiLineString"},
}

#: Below this share of features inside Paris, the layer is taken as mislocated (wrong CRS...).
MIN_SHARE_IN_PARIS = 0.01


def validate_source(spec: LayerSpec, gdf: gpd.GeoDataFrame, location: str) -> list[str]:
    """Check a parsed source (already in EPSG:4326); return warnings, raise on a bad source.

    Checks: not empty; every mapped normalised field present; geometry types as the registry
    says; coordinates that are lon/lat and fall in Paris.

    Raises
    ------
    SourceError
        Naming the layer, the file and the problem.
    """
    warnings: list[str] = []
    if len(gdf) == 0:
        raise SourceError(spec.id, location, "empty layer (no feature)")
    for normalised, candidates in spec.fields.items():
        if not any(name in gdf.columns for name in candidates):
            raise SourceError(spec.id, location,
                              f"missing field for '{normalised}' (expected one of {list(candidates)})")
    missing_extra = [e.source for e in spec.extra if e.source not in gdf.columns]
    if missing_extra:
        warnings.append(f"optional fields missing: {missing_extra}")
    geoms = gdf.geometry
    present = geoms[~(geoms.isna() | geoms.is_empty)]
    if len(present) == 0:
        raise SourceError(spec.id, location, "no feature has a geometry")
    if len(present) < len(gdf):
        warnings.append(f"{len(gdf) - len(present)} feature(s) without geometry left out")
    types = set(present.geom_type.unique())
    unexpected = types - _EXPECTED[spec.geometry] - {"GeometryCollection"}
    if unexpected:
        raise SourceError(spec.id, location,
                          f"geometry type {sorted(unexpected)} where {spec.geometry} was expected")
    minx, miny, maxx, maxy = present.total_bounds
    if not (-180 <= minx <= 180 and -90 <= miny <= 90 and -180 <= maxx <= 180 and -90 <= maxy <= 90):
        raise SourceError(spec.id, location,
                          f"coordinates are not longitude/latitude (bounds {minx:.0f}, {miny:.0f}, "
                          f"{maxx:.0f}, {maxy:.0f}): wrong or undeclared CRS")
    points = present.representative_point()
    x0, y0, x1, y1 = PARIS_BBOX
    inside = np.asarray((points.x >= x0) & (points.x <= x1) & (points.y >= y0) & (points.y <= y1))
    share = float(inside.mean())
    if share < MIN_SHARE_IN_PARIS:
        raise SourceError(spec.id, location,
                          f"only {share:.1%} of the features lie in Paris: wrong CRS or wrong dataset")
    if share < 1.0:
        warnings.append(f"{int((~inside).sum())} feature(s) outside Paris")
    return warnings

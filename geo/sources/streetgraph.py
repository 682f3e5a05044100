"""Reading the street graph of the mirror (Google Hash Code 2014 « Street View routing » file).

The file is plain text, not GeoJSON: a header ``N M T C S`` (junctions, segments, then contest
parameters), ``N`` lines ``lat lon`` (WGS 84) and ``M`` lines ``u v D cost_s length_m``. It
becomes one LineString per segment in EPSG:4326 so that the build treats it like any other
layer (validated, checksummed, clipped, written as GeoParquet with its provenance). The walking
analysis (``geo.analysis.walkgraph``) rebuilds the junctions from the segments' ends.

Quirks (``PROVENANCE.md`` of the mirror): the published ``length_m`` runs about 1.30× the
straight distance between the two junctions even on straight streets, so lengths are
recomputed (in Lambert-93) and the published one is kept for information only; ``D`` is the
one-way flag for cars, kept as ``oneway`` and ignored for walking.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer

from geo.core.errors import SourceError
from geo.core.settings import METRIC_CRS, STORE_CRS
from geo.sources.fetch import RawSource


def _numbers(layer: str, raw: RawSource, lines: list[str], dtype: type, columns: int,
             first_line: int) -> np.ndarray:
    """The rows of ``lines`` as a (len, columns) array; a bad row is named by its line number."""
    try:
        table = np.array([row.split() for row in lines], dtype=dtype)
    except ValueError:
        for offset, row in enumerate(lines):
            try:
                np.array(row.split(), dtype=dtype)
            except ValueError:
                raise SourceError(layer, raw.location,
                                  f"line {first_line + offset}: not numbers ({row[:40]!r})") from None
        raise
    if table.ndim != 2 or table.shape[1] < columns:
        bad = next(i for i, row in enumerate(lines) if len(row.split()) < columns)
        raise SourceError(layer, raw.location,
                          f"line {first_line + bad}: expected {columns} values, got {lines[bad]!r}")
    return table[:, :columns]


def read_street_graph(layer: str, raw: RawSource) -> gpd.GeoDataFrame:
    """One LineString per segment (EPSG:4326) with ``segment`` (``u-v``), ``u``, ``v``,
    ``length_m`` (recomputed in Lambert-93), ``published_length_m`` and ``oneway`` (0/1).

    Raises
    ------
    SourceError
        When the bytes are not ASCII text, the header is not numbers, the counts do not match
        the file, a row is not numbers or a segment names a junction that does not exist.
    """
    try:
        text = raw.data.decode("ascii")
    except UnicodeDecodeError as exc:
        raise SourceError(layer, raw.location, f"not a text file (byte {exc.start})") from None
    lines = [line for line in text.splitlines() if line.strip()]
    try:
        n, m = (int(value) for value in lines[0].split()[:2])
    except (IndexError, ValueError):
        raise SourceError(layer, raw.location, "line 1: the header 'N M …' is not two counts") from None
    if n <= 1 or m <= 0 or len(lines) != 1 + n + m:
        raise SourceError(layer, raw.location,
                          f"the header announces {n} junctions and {m} segments, the file holds "
                          f"{len(lines) - 1} lines (truncated or not this format?)")
    nodes = _numbers(layer, raw, lines[1:1 + n], float, 2, 2)
    segments = _numbers(layer, raw, lines[1 + n:], float, 5, 2 + n)
    ends = segments[:, :2].astype(np.int64)
    if ends.min() < 0 or ends.max() >= n or not np.array_equal(ends, segments[:, :2]):
        raise SourceError(layer, raw.location, f"a segment names a junction outside 0..{n - 1}")
    lat, lon = nodes[:, 0], nodes[:, 1]
    if not (np.all(np.abs(lat) <= 90) and np.all(np.abs(lon) <= 180)):
        raise SourceError(layer, raw.location, "junction coordinates are not latitude/longitude")
    x, y = Transformer.from_crs(STORE_CRS, METRIC_CRS, always_xy=True).transform(lon, lat)
    u, v = ends[:, 0], ends[:, 1]
    lines_ll = shapely.linestrings(np.stack([np.column_stack([lon[u], lat[u]]),
                                             np.column_stack([lon[v], lat[v]])], axis=1))
    return gpd.GeoDataFrame({
        "segment": [f"{a}-{b}" for a, b in zip(u, v, strict=True)],
        "u": u, "v": v,
        "length_m": np.round(np.hypot(x[u] - x[v], y[u] - y[v]), 2),
        "published_length_m": segments[:, 4],
        "oneway": (segments[:, 2] == 1).astype(np.int64),
    }, geometry=lines_ll, crs=STORE_CRS)


def published_length_ratio(graph: gpd.GeoDataFrame) -> float:
    """Median published / recomputed length over the segments longer than 1 m (the quirk)."""
    ok = graph["length_m"].astype(float) > 1.0
    ratio = graph.loc[ok, "published_length_m"].astype(float) / graph.loc[ok, "length_m"].astype(float)
    return float(ratio.median()) if len(ratio) else float("nan")

"""Downloads for planners: filtered layers in GIS formats and coordinate systems, with provenance.

One engine for the « Téléchargements » page and the command ``python -m geo.export``:

1. :class:`ExportSpec` — a plain, hashable request (layers, filters, format, CRS, language);
2. :func:`make_filters` / :func:`select` — the filters, applied per layer (measures in Lambert-93);
3. :func:`preview` — counts per layer and a small table, before anything is written;
4. :func:`write` — the bytes of the download, written by GDAL (pyogrio), with the provenance inside:
   a non-spatial ``export_provenance`` table in a GeoPackage, a ``README.txt`` and a
   ``provenance.csv`` in every zip. Every format except GeoPackage is delivered as a zip (one file
   per layer), so a single-layer GeoJSON, CSV or FlatGeobuf download carries its README too.

Filters are pluggable: anything with ``tag``, ``describe(lang)`` and ``mask(layer_id, frame)`` is a
:class:`FeatureFilter`; :func:`register_filter` makes a named one available to the spec (and so to
the command's ``--filter NAME=VALUE`` and to the page).
"""

from __future__ import annotations

import io
import shlex
import tempfile
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from geo.core.errors import ExportError
from geo.core.i18n import DEFAULT_LANG, t
from geo.core.settings import METRIC_CRS
from geo.export.filters import (
    WALK_TARGET,
    AreaFilter,
    FeatureFilter,
    KindFilter,
    NearHazardFilter,
    QuartierFilter,
    make_registered,
)
from geo.export.formats import no_fsync, shapefile_field_names, write_layer
from geo.export.readme import file_name, provenance_csv, provenance_records, readme
from geo.export.spec import Download, ExportSpec, Selection
from geo.sources import store

HAZARD_LAYER = "ppri"
#: Rows per layer shown by the preview table.
PREVIEW_ROWS = 5
PREVIEW_COLUMNS = ("name", "kind", "address", "quartier_name")
PROVENANCE_TABLE = "export_provenance"


def make_filters(spec: ExportSpec, manifest: dict,
                 loader: Callable[[str], gpd.GeoDataFrame]) -> tuple[FeatureFilter, ...]:
    """The filters a spec asks for, in a fixed order (area, quartier, type, flood, extra)."""
    filters: list[FeatureFilter] = []
    if spec.study_area_only:
        filters.append(AreaFilter(int(manifest["study_area"]["insee"]) - 75100))
    if spec.quartiers:
        filters.append(QuartierFilter(frozenset(spec.quartiers)))
    if spec.kinds:
        grouped: dict[str, set[str]] = {}
        for layer_id, kind in spec.kinds:
            grouped.setdefault(layer_id, set()).add(kind)
        filters.append(KindFilter({k: frozenset(v) for k, v in grouped.items()}))
    if spec.near_flood_m is not None:
        filters.append(NearHazardFilter(loader(HAZARD_LAYER), float(spec.near_flood_m)))
    for name, value in spec.extra:
        filters.append(make_registered(name, value, loader))
    return tuple(filters)


def select(layers: Sequence[str], frames: Mapping[str, gpd.GeoDataFrame],
           filters: Sequence[FeatureFilter] = ()) -> Selection:
    """Apply every filter to every layer (a feature is kept when all filters keep it).

    Raises
    ------
    ExportError
        When no layer is chosen or when no feature of any layer is left.
    """
    if not layers:
        raise ExportError("no layer chosen: choose at least one layer")
    selected: dict[str, gpd.GeoDataFrame] = {}
    for layer_id in layers:
        frame = frames[layer_id]
        if frame.crs is None:
            raise ExportError(f"layer '{layer_id}' has no CRS")
        keep = np.ones(len(frame), dtype=bool)
        if filters and len(frame):
            metric = frame.to_crs(METRIC_CRS)
            for feature_filter in filters:
                keep &= feature_filter.mask(layer_id, metric).reindex(frame.index).to_numpy(bool)
        selected[layer_id] = frame.loc[keep]
    selection = Selection(selected, tuple(filters))
    if not selection.written:
        raise ExportError(f"no feature matches the filter ({selection.describe('en')}) "
                          f"in the layers {', '.join(layers)}")
    return selection


@dataclass(frozen=True)
class Preview:
    counts: dict[str, int]
    table: pd.DataFrame


def preview(selection: Selection, rows_per_layer: int = PREVIEW_ROWS) -> Preview:
    """Feature counts per layer and the first rows of each layer (layer, name, type, address, quartier)."""
    parts = [pd.DataFrame({"layer": layer_id, **{c: frame[c].to_numpy() if c in frame else None
                                                 for c in PREVIEW_COLUMNS}}, index=frame.index)
             .head(rows_per_layer) for layer_id, frame in selection.written.items()]
    return Preview(selection.counts, pd.concat(parts, ignore_index=True))


def write(selection: Selection, spec: ExportSpec, manifest: dict,
          exported_at: str | None = None) -> Download:
    """The download's bytes: the selected layers in the spec's format and CRS, with provenance."""
    fmt = spec.format_spec()
    exported_at = exported_at or datetime.now(UTC).isoformat(timespec="seconds")
    filename = file_name(spec, manifest, selection)
    records = provenance_records(manifest, selection, spec, exported_at)
    with tempfile.TemporaryDirectory(prefix="export-") as tmp, no_fsync():
        directory = Path(tmp)
        written: dict[str, list[Path]] = {}
        field_maps: dict[str, dict[str, str]] = {}
        for layer_id, frame in selection.written.items():
            out = frame.to_crs(epsg=spec.crs)
            written[layer_id] = write_layer(out, layer_id, spec, directory, manifest)
            if fmt.key == "shp":
                field_maps[layer_id] = shapefile_field_names(
                    [c for c in frame.columns if c != "geometry"])
        if fmt.key == "gpkg":
            path = directory / "export.gpkg"
            pyogrio.write_dataframe(pd.DataFrame(records), path, layer=PROVENANCE_TABLE, driver="GPKG",
                                    layer_metadata={"DESCRIPTION": t("export.readme.licence_note",
                                                                     spec.lang)})
            return Download(filename, "application/geopackage+sqlite3", path.read_bytes(),
                            selection.counts, selection.empty_layers)
        files = {layer_id: ", ".join(p.name for p in paths) for layer_id, paths in written.items()}
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("README.txt", readme(manifest, selection, spec, filename, exported_at,
                                                  files, field_maps))
            archive.writestr("provenance.csv", provenance_csv(records))
            for paths in written.values():
                for path in paths:
                    archive.write(path, path.name)
        return Download(filename, "application/zip", buffer.getvalue(), selection.counts,
                        selection.empty_layers)


def run(spec: ExportSpec, manifest: dict | None = None,
        loader: Callable[[str], gpd.GeoDataFrame] | None = None,
        exported_at: str | None = None) -> Download:
    """Validate, select and write: the whole export of one spec against the current build."""
    manifest = manifest if manifest is not None else store.load_manifest()
    return write(prepare(spec, manifest, loader), spec, manifest, exported_at)


def prepare(spec: ExportSpec, manifest: dict,
            loader: Callable[[str], gpd.GeoDataFrame] | None = None) -> Selection:
    """Validate a spec and select its features (what :func:`preview` shows and :func:`write` writes)."""
    loader = loader or store.load_layer
    spec.validate(list(manifest["layers"]))
    return select(spec.layers, {layer_id: loader(layer_id) for layer_id in spec.layers},
                  make_filters(spec, manifest, loader))


def command_line(spec: ExportSpec) -> str:
    """The command that makes the same download (shown by the page)."""
    parts = ["python -m geo.export", f"--layers {','.join(spec.layers)}", f"--format {spec.fmt}",
             f"--crs {spec.crs}"]
    if spec.quartiers:
        parts.append(f"--quartier {','.join(spec.quartiers)}")
    parts += [f"--kind {shlex.quote(f'{layer_id}={kind}')}" for layer_id, kind in spec.kinds]
    if spec.near_flood_m is not None:
        parts.append(f"--near-flood {spec.near_flood_m:g}")
    if spec.study_area_only:
        parts.append("--study-area-only")
    parts += [f"--walk-target {value}" if name == WALK_TARGET
              else f"--filter {shlex.quote(f'{name}={value}')}" for name, value in spec.extra]
    if spec.lang != DEFAULT_LANG:
        parts.append(f"--lang {spec.lang}")
    return " ".join(parts)

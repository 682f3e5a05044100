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

import argparse
import csv
import io
import re
import shlex
import sys
import tempfile
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS

from geo import __version__, access, store
from geo.access import AccessSettings
from geo.errors import ExportError, ResilienceError, UnknownLayerError
from geo.i18n import DEFAULT_LANG, LANGS, t
from geo.provenance import layer_provenance
from geo.settings import METRIC_CRS

#: The hazard layer the distance filter measures to (Seine PPRI sectors).
HAZARD_LAYER = "ppri"
#: Rows per layer shown by the preview table.
PREVIEW_ROWS = 5
PREVIEW_COLUMNS = ("name", "kind", "address", "quartier_name")
PROVENANCE_TABLE = "export_provenance"
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


class FeatureFilter(Protocol):
    """A filter of the features of one layer.

    ``mask`` receives the layer in Lambert-93 (EPSG:2154), so distances are in metres, and
    returns one boolean per row, aligned on the frame's index.
    """

    tag: str

    def describe(self, lang: str) -> str: ...

    def mask(self, layer_id: str, frame: gpd.GeoDataFrame) -> pd.Series: ...


@dataclass(frozen=True)
class QuartierFilter:
    """Features whose administrative quartier (column ``quartier``, INSEE code) is one of ``codes``."""

    codes: frozenset[str]
    tag: str = "quartier"

    def describe(self, lang: str) -> str:
        return t("export.filter.quartier", lang, codes=", ".join(sorted(self.codes)))

    def mask(self, layer_id: str, frame: gpd.GeoDataFrame) -> pd.Series:
        return frame["quartier"].isin(self.codes).fillna(False).astype(bool)


@dataclass(frozen=True)
class AreaFilter:
    """Features attached to the study-area arrondissement (column ``c_ar``)."""

    arrondissement: int
    tag: str = "area"

    def describe(self, lang: str) -> str:
        return t("export.filter.area", lang, number=self.arrondissement)

    def mask(self, layer_id: str, frame: gpd.GeoDataFrame) -> pd.Series:
        return frame["c_ar"] == self.arrondissement


@dataclass(frozen=True)
class KindFilter:
    """Per layer, features whose type (column ``kind``) is one of the chosen values.

    Layers without a choice are kept whole. A chosen value the layer does not have is an error
    (a typo must not silently give an empty file).
    """

    kinds: Mapping[str, frozenset[str]]
    tag: str = "kind"

    def describe(self, lang: str) -> str:
        parts = [f"{layer_id}: {', '.join(sorted(values))}" for layer_id, values in self.kinds.items()]
        return t("export.filter.kind", lang, kinds="; ".join(parts))

    def mask(self, layer_id: str, frame: gpd.GeoDataFrame) -> pd.Series:
        wanted = self.kinds.get(layer_id)
        if not wanted:
            return pd.Series(True, index=frame.index)
        known = set(frame["kind"].dropna().unique())
        unknown = sorted(wanted - known)
        if unknown:
            raise ExportError(
                f"layer '{layer_id}' has no type {', '.join(repr(u) for u in unknown)}; "
                f"its types: {', '.join(sorted(known)) or '(none)'}")
        return frame["kind"].isin(wanted).fillna(False).astype(bool)


@dataclass(frozen=True)
class NearHazardFilter:
    """Features within ``distance_m`` metres (Lambert-93) of a hazard zone (0 = touching it)."""

    hazard: gpd.GeoDataFrame = field(repr=False, compare=False)
    distance_m: float
    tag: str = "flood"

    def describe(self, lang: str) -> str:
        return t("export.filter.flood", lang, metres=f"{self.distance_m:g}")

    def mask(self, layer_id: str, frame: gpd.GeoDataFrame) -> pd.Series:
        if frame.crs is None or not CRS(frame.crs).equals(CRS(METRIC_CRS)):
            raise ExportError(f"layer '{layer_id}' must be in {METRIC_CRS} to measure distances")
        zones = self.hazard.to_crs(METRIC_CRS).geometry.to_numpy()
        tree = shapely.STRtree(zones)
        hits = tree.query(frame.geometry.to_numpy(), predicate="dwithin", distance=self.distance_m)
        keep = np.zeros(len(frame), dtype=bool)
        keep[np.unique(hits[0])] = True
        return pd.Series(keep, index=frame.index)


#: A named pluggable filter: ``factory(value, loader)`` builds it from the spec's text value.
FilterFactory = Callable[[str, Callable[[str], gpd.GeoDataFrame]], FeatureFilter]
_FILTER_FACTORIES: dict[str, FilterFactory] = {}


def register_filter(name: str, factory: FilterFactory) -> None:
    """Make a filter available by name (``ExportSpec.extra`` and the command's ``--filter``)."""
    _FILTER_FACTORIES[name] = factory


def registered_filters() -> tuple[str, ...]:
    return tuple(sorted(_FILTER_FACTORIES))


@dataclass(frozen=True)
class WalkTargetFilter:
    """Features inside (or outside) the cool-place walking target of ``geo.access``.

    A feature is inside when its estimated walk to the nearest counted cool place is at most the
    target (Plan Climat: 7 minutes); points are measured from themselves, areas from a point inside.
    """

    places: Mapping[str, gpd.GeoDataFrame] = field(repr=False, compare=False)
    settings: AccessSettings
    inside: bool = True

    @property
    def tag(self) -> str:
        return "walk-inside" if self.inside else "walk-outside"

    def describe(self, lang: str) -> str:
        key = "export.filter.walk_inside" if self.inside else "export.filter.walk_outside"
        return t(key, lang, minutes=f"{self.settings.target_minutes:g}")

    def mask(self, layer_id: str, frame: gpd.GeoDataFrame) -> pd.Series:
        within = access.within_target(frame, self.places, self.settings)
        return within if self.inside else ~within


WALK_TARGET = "walk-target"
WALK_TARGET_VALUES = ("inside", "outside")


def walk_target_filter(value: str, loader: Callable[[str], gpd.GeoDataFrame]) -> WalkTargetFilter:
    """``walk-target=inside|outside`` with the analysis settings of ``data/analysis.toml``."""
    if value not in WALK_TARGET_VALUES:
        raise ExportError(f"walk-target must be one of {', '.join(WALK_TARGET_VALUES)}, not '{value}'")
    from geo.analysis import load_settings  # the analysis module is heavier: only when asked

    settings = load_settings().access
    layers = {layer_id: loader(layer_id)
              for layer_ids in access.COOL_LAYERS.values() for layer_id in layer_ids}
    return WalkTargetFilter(access.cool_places(layers, settings.green_excluded_types), settings,
                            inside=value == "inside")


register_filter(WALK_TARGET, walk_target_filter)


@dataclass(frozen=True)
class ExportSpec:
    """A download request in plain, hashable values (a page's cache key, a command's arguments).

    ``kinds`` holds (layer id, type) pairs; ``extra`` holds (registered filter name, value) pairs.
    """

    layers: tuple[str, ...]
    fmt: str = DEFAULT_FORMAT
    crs: int = DEFAULT_CRS
    quartiers: tuple[str, ...] = ()
    kinds: tuple[tuple[str, str], ...] = ()
    near_flood_m: float | None = None
    study_area_only: bool = False
    extra: tuple[tuple[str, str], ...] = ()
    lang: str = DEFAULT_LANG

    def format_spec(self) -> FormatSpec:
        if self.fmt not in FORMATS:
            raise ExportError(f"unknown format '{self.fmt}'; choose one of: {', '.join(FORMATS)}")
        return FORMATS[self.fmt]

    def validate(self, known_layers: Sequence[str]) -> None:
        """Raise the project's errors for a request that cannot be served."""
        self.format_spec()
        if self.crs not in CRS_NAMES:
            raise ExportError(f"unknown CRS 'EPSG:{self.crs}'; choose one of: "
                              + ", ".join(f"EPSG:{code}" for code in CRS_NAMES))
        if not self.layers:
            raise ExportError("no layer chosen: choose at least one layer")
        for layer_id in self.layers:
            if layer_id not in known_layers:
                raise UnknownLayerError(layer_id)
        for layer_id, _ in self.kinds:
            if layer_id not in self.layers:
                raise ExportError(f"a type filter names layer '{layer_id}', which is not selected")
        if self.near_flood_m is not None and self.near_flood_m < 0:
            raise ExportError("the distance to a flood zone must be zero or positive (metres)")
        for name, _ in self.extra:
            if name not in _FILTER_FACTORIES:
                raise ExportError(f"unknown filter '{name}'; available: "
                                  f"{', '.join(registered_filters()) or '(none)'}")


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
        filters.append(_FILTER_FACTORIES[name](value, loader))
    return tuple(filters)


@dataclass(frozen=True)
class Selection:
    """The selected features of each requested layer (store CRS), in the requested order."""

    frames: dict[str, gpd.GeoDataFrame]
    filters: tuple[FeatureFilter, ...]

    @property
    def counts(self) -> dict[str, int]:
        return {layer_id: len(frame) for layer_id, frame in self.frames.items()}

    @property
    def written(self) -> dict[str, gpd.GeoDataFrame]:
        """The layers that go in the file: those with at least one feature."""
        return {layer_id: frame for layer_id, frame in self.frames.items() if len(frame)}

    @property
    def empty_layers(self) -> tuple[str, ...]:
        return tuple(layer_id for layer_id, frame in self.frames.items() if not len(frame))

    def describe(self, lang: str) -> str:
        return " ; ".join(f.describe(lang) for f in self.filters) or t("export.filter.none", lang)


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


@dataclass(frozen=True)
class Download:
    """The bytes of one download and what a page or a command says about them."""

    filename: str
    mime: str
    data: bytes
    counts: dict[str, int]
    empty_layers: tuple[str, ...]


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


def area_tag(manifest: dict) -> str:
    """``paris20`` for the study area 75120."""
    return f"paris{manifest['study_area']['insee'][-2:]}"


def file_name(spec: ExportSpec, manifest: dict, selection: Selection) -> str:
    """What the file holds: study area, layers, filters, data date, CRS, format.

    E.g. ``paris20_cool_facilities-fountains_quartier-7512001_2026-11-26_epsg2154.gpkg``.
    """
    layers = list(selection.written)
    if set(layers) == set(manifest["layers"]):
        layer_part = "all-layers"
    elif len(layers) <= 3:
        layer_part = "-".join(layers)
    else:
        layer_part = f"{len(layers)}-layers"
    tags = []
    for feature_filter in selection.filters:
        if isinstance(feature_filter, QuartierFilter) and len(feature_filter.codes) <= 2:
            tags.append("quartier-" + "-".join(sorted(feature_filter.codes)))
        elif isinstance(feature_filter, NearHazardFilter):
            tags.append(f"flood{feature_filter.distance_m:g}m")
        else:
            tags.append(feature_filter.tag)
    fmt = spec.format_spec()
    parts = [area_tag(manifest), layer_part, *tags, manifest["built_at"][:10], f"epsg{spec.crs}"]
    stem = re.sub(r"[^A-Za-z0-9_.+-]+", "-", "_".join(parts))
    return f"{stem}.gpkg" if fmt.key == "gpkg" else f"{stem}_{fmt.key}.zip"


def provenance_records(manifest: dict, selection: Selection, spec: ExportSpec,
                       exported_at: str) -> list[dict[str, object]]:
    """One row per written layer: sources, dates, licence, attribution, checksums, filter, version."""
    rows = []
    for layer_id, frame in selection.written.items():
        info = manifest["layers"][layer_id]
        sources = info["sources"]
        rows.append({
            "layer": layer_id,
            "title": info["title_en"] if spec.lang == "en" else info["title_fr"],
            "status": info["status"],
            "publisher": info["publisher"],
            "dataset_url": info["url"],
            "licence": info["licence"],
            "attribution": info["attribution"],
            "source_files": " | ".join(Path(s["location"]).name for s in sources),
            "retrieved_at": " | ".join(s["retrieved_at"] for s in sources),
            "sha256": " | ".join(s["sha256"] for s in sources),
            "features": len(frame),
            "filter": selection.describe(spec.lang),
            "crs": f"EPSG:{spec.crs}",
            "app_version": __version__,
            "build_id": manifest.get("build_id", ""),
            "exported_at": exported_at,
        })
    return rows


def readme(manifest: dict, selection: Selection, spec: ExportSpec, filename: str, exported_at: str,
           files: Mapping[str, str], field_maps: Mapping[str, dict[str, str]]) -> str:
    """The README.txt of a zipped download, in the request's language."""
    lang = spec.lang
    fmt = spec.format_spec()
    area = manifest["study_area"]
    lines = [
        t("export.readme.title", lang, area=area["name"], insee=area["insee"]),
        "=" * 72,
        "",
        f"{t('export.readme.file', lang)}: {filename}",
        f"{t('export.readme.format', lang)}: {fmt.label(lang)}",
        f"{t('export.readme.crs', lang)}: EPSG:{spec.crs} ({CRS_NAMES[spec.crs]})",
        f"{t('export.readme.filter', lang)}: {selection.describe(lang)}",
        f"{t('export.readme.exported', lang)}: {exported_at}",
        f"{t('export.readme.version', lang)}: {__version__} — "
        f"{t('export.readme.build', lang)} {manifest.get('build_id', '')} ({manifest['built_at']})",
        "",
        t("export.readme.licence_note", lang),
        "",
    ]
    if fmt.key == "csv-xy":
        lines += [t("export.readme.csv_xy", lang), ""]
    elif fmt.key == "csv":
        lines += [t("export.readme.csv_wkt", lang), ""]
    lines += [t("export.readme.layers", lang), "-" * 72]
    for layer_id, frame in selection.written.items():
        lines.append("")
        lines.append(f"[{layer_id}] {files[layer_id]} — {len(frame)} {t('export.readme.features', lang)}")
        for label, value in layer_provenance(manifest, layer_id, lang).items():
            lines.append(f"  {label}: {value}")
        if layer_id in field_maps:
            lines.append(f"  {t('export.readme.fields', lang)}:")
            lines += [f"    {short:<10} ← {original}" for original, short in field_maps[layer_id].items()]
            cut = dbase_overflow(frame)
            if cut:
                lines.append("  " + t("export.readme.truncated", lang, fields=", ".join(cut),
                                      limit=DBASE_TEXT_MAX))
    if selection.empty_layers:
        lines += ["", t("export.readme.empty", lang, layers=", ".join(selection.empty_layers))]
    return "\n".join(lines) + "\n"


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


def _write_layer(frame: gpd.GeoDataFrame, layer_id: str, spec: ExportSpec, directory: Path,
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


def _provenance_csv(rows: list[dict[str, object]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


@contextmanager
def _no_fsync() -> Iterator[None]:
    """SQLite without fsync while writing the GeoPackage: the file is temporary and read back
    whole once closed, and the syncs make up most of the write time on a busy disk."""
    previous = pyogrio.get_gdal_config_option("OGR_SQLITE_SYNCHRONOUS")
    pyogrio.set_gdal_config_options({"OGR_SQLITE_SYNCHRONOUS": "OFF"})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({"OGR_SQLITE_SYNCHRONOUS": previous})


def write(selection: Selection, spec: ExportSpec, manifest: dict,
          exported_at: str | None = None) -> Download:
    """The download's bytes: the selected layers in the spec's format and CRS, with provenance."""
    fmt = spec.format_spec()
    exported_at = exported_at or datetime.now(UTC).isoformat(timespec="seconds")
    filename = file_name(spec, manifest, selection)
    records = provenance_records(manifest, selection, spec, exported_at)
    with tempfile.TemporaryDirectory(prefix="export-") as tmp, _no_fsync():
        directory = Path(tmp)
        written: dict[str, list[Path]] = {}
        field_maps: dict[str, dict[str, str]] = {}
        for layer_id, frame in selection.written.items():
            out = frame.to_crs(epsg=spec.crs)
            written[layer_id] = _write_layer(out, layer_id, spec, directory, manifest)
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
            archive.writestr("provenance.csv", _provenance_csv(records))
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


# --------------------------------------------------------------------------- command line

def _split(values: Sequence[str] | None) -> list[str]:
    return [item.strip() for value in values or () for item in value.split(",") if item.strip()]


def _kind_pairs(values: Sequence[str] | None, layers: Sequence[str]) -> tuple[tuple[str, str], ...]:
    pairs = []
    for value in values or ():
        layer_id, sep, kind = value.partition("=")
        if not sep:
            if len(layers) != 1:
                raise ExportError(f"--kind '{value}': with several layers, write LAYER=TYPE "
                                  "(e.g. cool_facilities=Piscine)")
            layer_id, kind = layers[0], value
        pairs.append((layer_id.strip(), kind.strip()))
    return tuple(pairs)


def parser() -> argparse.ArgumentParser:
    formats = ", ".join(f"{key} ({spec.label_en})" for key, spec in FORMATS.items())
    p = argparse.ArgumentParser(
        prog="python -m geo.export",
        description="Export filtered layers of the current data build as a GIS file with its "
                    "provenance (sources, dates, licences and attribution, SHA-256, filter, app version).",
        epilog="Example: python -m geo.export --layers cool_facilities,fountains --format gpkg "
               "--crs 2154 --quartier 7512001 --out exports/. Exit status: 0 written, 2 bad request.")
    p.add_argument("--layers", action="append", metavar="ID[,ID…]",
                   help="layer ids, comma-separated or repeated ('all' = every layer); see --list")
    p.add_argument("--format", default=DEFAULT_FORMAT, metavar="FORMAT",
                   help=f"one of: {formats}. Default: {DEFAULT_FORMAT}. Every format but gpkg is a "
                        "zip (one file per layer + README.txt + provenance.csv)")
    p.add_argument("--crs", default=str(DEFAULT_CRS), metavar="EPSG",
                   help="2154 (Lambert-93, default) or 4326 (WGS 84 lon/lat); 'EPSG:' prefix allowed")
    p.add_argument("--quartier", action="append", metavar="CODE[,CODE…]",
                   help="keep features of these administrative quartiers (INSEE code, e.g. 7512001)")
    p.add_argument("--kind", action="append", metavar="[LAYER=]TYPE",
                   help="keep features of this type (column 'kind') in LAYER; repeat for several "
                        "types; LAYER= may be left out when one layer is exported")
    p.add_argument("--near-flood", type=float, metavar="METRES",
                   help="keep features within this distance of a PPRI flood-risk sector "
                        "(Lambert-93 metres; 0 = touching)")
    p.add_argument("--study-area-only", action="store_true",
                   help="keep only features of the study-area arrondissement (column c_ar)")
    p.add_argument("--walk-target", choices=WALK_TARGET_VALUES,
                   help="keep features inside (or outside) the cool-place walking target (Plan Climat: "
                        "a cool place within 7 minutes' walk; settings in data/analysis.toml)")
    p.add_argument("--filter", action="append", metavar="NAME=VALUE",
                   help="a registered extra filter (available: "
                        f"{', '.join(registered_filters()) or 'none yet'})")
    p.add_argument("--lang", default=DEFAULT_LANG, choices=LANGS, help="language of the README")
    p.add_argument("--out", metavar="PATH",
                   help="output file, or a directory (existing, or ending with /) for the descriptive "
                        "default name (default: current directory)")
    p.add_argument("--list", action="store_true", help="list the layers and their types, then exit")
    return p


def _crs_code(text: str) -> int:
    value = text.upper().removeprefix("EPSG:")
    if not value.isdigit():
        raise ExportError(f"unknown CRS '{text}'; choose 2154 or 4326")
    return int(value)


def spec_from_args(args: argparse.Namespace, manifest: dict) -> ExportSpec:
    layers = _split(args.layers)
    if layers == ["all"]:
        layers = list(manifest["layers"])
    extra = []
    for value in args.filter or ():
        name, sep, arg = value.partition("=")
        if not sep:
            raise ExportError(f"--filter '{value}': write NAME=VALUE")
        extra.append((name.strip(), arg.strip()))
    if args.walk_target:
        extra.append((WALK_TARGET, args.walk_target))
    return ExportSpec(layers=tuple(layers), fmt=args.format.lower(), crs=_crs_code(args.crs),
                      quartiers=tuple(_split(args.quartier)), kinds=_kind_pairs(args.kind, layers),
                      near_flood_m=args.near_flood, study_area_only=args.study_area_only,
                      extra=tuple(extra), lang=args.lang)


def _list(manifest: dict) -> str:
    lines = []
    for layer_id, info in manifest["layers"].items():
        lines.append(f"{layer_id:<22} {info['count_after_clip']:>5}  {info['title_en']}")
        kinds = sorted(set(store.load_layer(layer_id)["kind"].dropna()) - {""})
        if kinds and len(kinds) <= 40:
            lines.append(f"{'':<29}types: {' | '.join(kinds)}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        manifest = store.load_manifest()
        if args.list:
            print(_list(manifest))
            return 0
        spec = spec_from_args(args, manifest)
        download = run(spec, manifest)
    except ResilienceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    out = Path(args.out) if args.out else Path.cwd()
    if out.is_dir() or (args.out or "").endswith(("/", "\\")):
        out.mkdir(parents=True, exist_ok=True)
        out = out / download.filename
    out.write_bytes(download.data)
    for layer_id, count in download.counts.items():
        print(f"{layer_id:<22} {count:>6} features")
    if download.empty_layers:
        print(f"warning: no feature matched in {', '.join(download.empty_layers)} (left out)",
              file=sys.stderr)
    print(f"written {out} ({len(download.data):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Building the local store: every layer read, validated, normalised, clipped, then swapped in atomically.

Layout (under ``data/build/``, git-ignored)::

    build-<timestamp>/layers/<layer>.parquet   GeoParquet, EPSG:4326
    build-<timestamp>/layers/<layer>.paris.parquet   the Paris features of a ``keep_paris`` layer
    build-<timestamp>/manifest.json            provenance and counts per layer
    current -> build-<timestamp>               symlink the app reads, replaced atomically

A new build is written in a hidden temporary directory, renamed, and only then does ``current``
point at it: the app never sees a half-written build, and a failed build leaves the previous
one untouched.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd

from geo import __version__
from geo.core.errors import ResilienceError, SourceError
from geo.core.settings import METRIC_CRS
from geo.sources.fetch import RawSource, read_mirror, read_online
from geo.sources.integrity import file_entry
from geo.sources.normalise import (
    StudyArea,
    apply_schema,
    attach_admin,
    clip,
    repair,
    study_area,
    to_store_crs,
)
from geo.sources.quirks import parse
from geo.sources.registry import LayerSpec, Registry
from geo.sources.store import PARIS_SUFFIX
from geo.sources.validate import validate_source

KEEP_BUILDS = 3
#: Layers built first: every other layer is attached to them.
ADMIN_LAYERS = ("arrondissements", "quartiers")


@dataclass(frozen=True)
class SourceOptions:
    """Where to read sources: a mirror directory, or the portals (with optional base overrides)."""

    mirror: Path | None = None
    portal_bases: dict[str, str] = field(default_factory=dict)
    timeout: float = 30.0
    retries: int = 3


@dataclass
class LayerResult:
    spec: LayerSpec
    gdf: gpd.GeoDataFrame
    raws: list[RawSource]
    count_source: int
    count_normalised: int
    warnings: list[str]
    seconds: float
    #: the layer's Paris features before clipping, for a layer whose spec says ``keep_paris``
    paris: gpd.GeoDataFrame | None = None


Progress = Callable[[int, int, str, str], None]


def _fetch(spec: LayerSpec, registry: Registry, options: SourceOptions) -> list[RawSource]:
    limit = registry.settings.max_source_bytes
    if options.mirror is not None:
        return read_mirror(spec, options.mirror, limit)
    portal = registry.portals.get(spec.portal)
    if portal is None:
        raise SourceError(spec.id, spec.url, "no official export endpoint: mirror only")
    if spec.portal in options.portal_bases:
        portal = type(portal)(portal.id, portal.name, options.portal_bases[spec.portal].rstrip("/"))
    return read_online(spec, portal, limit, timeout=options.timeout, retries=options.retries)


def process_layer(spec: LayerSpec, raws: list[RawSource]) -> tuple[gpd.GeoDataFrame, int, list[str]]:
    """Parse, validate and normalise one layer (no admin attachment, no clipping)."""
    gdf, warnings = parse(spec, raws)
    count = len(gdf)
    gdf = to_store_crs(gdf, spec.id, raws[0].location)
    warnings += validate_source(spec, gdf, raws[0].location)
    gdf, repaired = repair(gdf, spec.geometry)
    return apply_schema(spec, gdf), count, warnings + repaired


def _region(spec: LayerSpec, area: StudyArea):
    return {"none": None, "buffer": area.buffer_region,
            "neighbours": area.neighbours_region}[spec.clip]


def collect(registry: Registry, options: SourceOptions,
            progress: Progress | None = None) -> tuple[dict[str, LayerResult], StudyArea, list[str]]:
    """Read and normalise every layer; layers that only exist in the mirror are skipped online.

    Raises
    ------
    SourceError
        For the first broken source (the whole build stops: nothing is replaced).
    """
    specs = sorted(registry.layers.values(), key=lambda s: s.id not in ADMIN_LAYERS)
    results: dict[str, LayerResult] = {}
    skipped: list[str] = []
    admin: dict[str, gpd.GeoDataFrame] = {}
    area: StudyArea | None = None
    for index, spec in enumerate(specs, start=1):
        if progress:
            progress(index, len(specs), spec.id, "reading")
        started = time.perf_counter()
        if options.mirror is None and not spec.online:
            skipped.append(f"{spec.id}: no official export endpoint (mirror only), not built online")
            if progress:
                progress(index, len(specs), spec.id, "skipped (mirror only)")
            continue
        raws = _fetch(spec, registry, options)
        gdf, count, warnings = process_layer(spec, raws)
        if spec.id == "arrondissements":
            gdf["c_ar_num"] = gdf["source_id"].astype(int) - 75100
            admin["arrondissements"] = gdf
            area = study_area(gdf, registry.settings.study_area, registry.settings.buffer_m,
                              registry.settings.neighbours_buffer_m)
        if spec.id == "quartiers":
            admin["quartiers"] = gdf
        if area is None or (spec.id not in ADMIN_LAYERS and len(admin) < len(ADMIN_LAYERS)):
            raise ResilienceError("the admin layers must be built before the others")
        count_normalised = len(gdf)
        if spec.id not in ADMIN_LAYERS:
            gdf = attach_admin(gdf, admin["arrondissements"], admin["quartiers"])
        paris = gdf[gdf["c_ar"] > 0].reset_index(drop=True) if spec.keep_paris else None
        gdf = clip(gdf, _region(spec, area))
        if gdf.empty:
            warnings.append("no feature in the study area")
        results[spec.id] = LayerResult(spec, gdf, raws, count, count_normalised, warnings,
                                       time.perf_counter() - started, paris)
        if progress:
            progress(index, len(specs), spec.id, f"{count_normalised} → {len(gdf)} features")
    if area is None or len(admin) < len(ADMIN_LAYERS):
        raise ResilienceError("the admin layers (arrondissements, quartiers) could not be built")
    for layer_id in ADMIN_LAYERS:
        # the admin layers themselves are attached once both exist
        result = results[layer_id]
        result.gdf = attach_admin(result.gdf.drop(columns="c_ar_num", errors="ignore"),
                                  admin["arrondissements"], admin["quartiers"])
    return results, area, skipped


def _public_location(location: str, options: SourceOptions) -> str:
    """A source file's location as the manifest keeps it: relative to the mirror, or its URL."""
    if options.mirror is None:
        return location
    try:
        return Path(location).resolve().relative_to(Path(options.mirror).resolve()).as_posix()
    except ValueError:
        return Path(location).name


def _manifest(results: dict[str, LayerResult], area: StudyArea, options: SourceOptions,
              skipped: list[str]) -> dict:
    built_at = datetime.now(UTC).replace(microsecond=0).isoformat()
    # Where the build came from, without this machine's paths: "mirror" or "online"; a mirror
    # file is named by its path inside the mirror, an online one by its URL.
    mode = "mirror" if options.mirror else "online"
    bounds = gpd.GeoSeries([area.buffer_region], crs=METRIC_CRS).to_crs("EPSG:4326").total_bounds
    layers = {}
    for layer_id, result in results.items():
        spec = result.spec
        layers[layer_id] = {
            "id": layer_id, "title_fr": spec.title_fr, "title_en": spec.title_en,
            "theme": spec.theme, "group": spec.group, "status": spec.status,
            "publisher": spec.publisher, "dataset_id": spec.dataset_id, "url": spec.url,
            "licence": spec.licence, "attribution": spec.attribution,
            "note_fr": spec.note_fr, "note_en": spec.note_en,
            "sources": [{"location": _public_location(r.location, options), "sha256": r.sha256,
                         "retrieved_at": r.retrieved_at, "bytes": len(r.data)}
                        for r in result.raws],
            "count_source": result.count_source,
            "count_before_clip": result.count_normalised,
            "count_after_clip": len(result.gdf),
            "count_study_area": int((result.gdf["c_ar"] == int(area.insee) - 75100).sum()),
            "warnings": result.warnings,
            "seconds": round(result.seconds, 3),
        }
        if result.paris is not None:
            # same sources and checksums as the clipped layer: only the extent differs
            layers[layer_id]["count_paris"] = len(result.paris)
    return {
        "app_version": __version__, "built_at": built_at, "mode": mode,
        "study_area": {"insee": area.insee, "name": area.name,
                       "area_km2": round(area.geometry.area / 1e6, 4),
                       "bounds": [round(float(v), 6) for v in bounds]},
        "skipped": skipped, "layers": layers,
    }


def write_build(results: dict[str, LayerResult], area: StudyArea, options: SourceOptions,
                skipped: list[str], root: Path) -> Path:
    """Write a complete build aside, then point ``current`` at it atomically."""
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-build-", dir=root))
    try:
        (tmp / "layers").mkdir()
        for layer_id, result in results.items():
            result.gdf.to_parquet(tmp / "layers" / f"{layer_id}.parquet", index=False)
            if result.paris is not None:
                result.paris.to_parquet(tmp / "layers" / f"{layer_id}{PARIS_SUFFIX}.parquet",
                                        index=False)
        manifest = _manifest(results, area, options, skipped)
        for layer_id, entry in manifest["layers"].items():  # checked when the app opens it
            entry["file"] = file_entry(tmp / "layers" / f"{layer_id}.parquet", tmp)
        (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1),
                                           encoding="utf-8")
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        final = root / f"build-{stamp}"
        os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    link = root / f".current-{stamp}"
    os.symlink(final.name, link)
    os.replace(link, root / "current")
    _prune(root, keep=final)
    return final


def _prune(root: Path, keep: Path) -> None:
    builds = sorted(p for p in root.glob("build-*") if p.is_dir())
    for old in builds[:-KEEP_BUILDS]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)


def build(registry: Registry, options: SourceOptions, root: Path,
          progress: Progress | None = None) -> Path:
    """Run a full build and swap it in; raise (leaving the previous build) on any bad source."""
    results, area, skipped = collect(registry, options, progress)
    return write_build(results, area, options, skipped, root)

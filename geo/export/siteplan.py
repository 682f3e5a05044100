"""A refuge planning scenario as a download: the chosen sites with the gain of each, the scenario's
settings and the provenance of every layer the analysis used.

Two formats, written like the other downloads (``geo.export.formats``): a GeoPackage 1.2 (layer
``refuge_plan_sites`` in Lambert-93, non-spatial tables ``planning_scenario`` and
``export_provenance``), or a zip of CSV files (UTF-8 with a BOM, ``sites.csv`` with a WKT
geometry in Lambert-93 and ``lon``/``lat`` of a point inside each site, ``scenario.csv``,
``provenance.csv``).
"""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geo import __version__
from geo.analysis.refuges import REFUGE_LAYERS, RefugeAnalysis
from geo.analysis.siteplan import SUGGEST_TIE_BREAK, SUGGEST_WEIGHT, Plan
from geo.core.errors import ExportError
from geo.core.i18n import t
from geo.core.settings import METRIC_CRS, STORE_CRS
from geo.export.formats import no_fsync
from geo.export.spec import Download

FORMATS = ("gpkg", "csv")
SITES_LAYER = "refuge_plan_sites"
SITE_COLUMNS = ["rank", "fid", "kind", "name", "quartier_name", "gain_p75", "alone_p75",
                "gain_facilities", "gain_area_m2", "facilities"]


def provenance_rows(manifest: dict, lang: str, exported_at: str) -> list[dict[str, object]]:
    """One row per layer of the build the refuge analysis reads (as the downloads' table)."""
    rows = []
    for layer_id in REFUGE_LAYERS:
        info = manifest["layers"].get(layer_id)
        if info is None:
            continue
        sources = info["sources"]
        rows.append({"layer": layer_id, "title": info["title_en"] if lang == "en" else info["title_fr"],
                     "status": info["status"], "publisher": info["publisher"], "dataset_url": info["url"],
                     "licence": info["licence"], "attribution": info["attribution"],
                     "source_files": " | ".join(Path(s["location"]).name for s in sources),
                     "retrieved_at": " | ".join(s["retrieved_at"] for s in sources),
                     "sha256": " | ".join(s["sha256"] for s in sources),
                     "app_version": __version__, "build_id": manifest.get("build_id", ""),
                     "exported_at": exported_at})
    return rows


def scenario_rows(plan: Plan, result: RefugeAnalysis, manifest: dict, lang: str) -> list[dict[str, str]]:
    """The scenario's settings and totals, as (item, value) rows."""
    walk = result.settings.walk
    items = [
        ("study_area", f"{manifest['study_area']['name']} ({manifest['study_area']['insee']})"),
        ("tier", t(f"refuges.tier.{plan.tier}", lang)), ("time", t(f"refuges.time.{plan.time}", lang)),
        ("speed_kmh", f"{plan.speed_kmh:g}"), ("target_minutes", f"{result.target_minutes:g}"),
        ("target_m", f"{plan.target_m:.0f}"),
        ("method", t(f"refuges.method_name.{result.method}", lang)),
        ("snap", walk.snap), ("fallback_detour_factor", f"{walk.fallback_detour_factor:g}"),
        ("reference_day", result.settings.tiers.reference_day),
        ("min_open_minutes", str(result.settings.tiers.min_open_minutes)),
        ("suggest", f"greedy maximal coverage on {SUGGEST_WEIGHT}, ties {SUGGEST_TIE_BREAK}"),
        ("p75_inside_before", f"{plan.before['p75_inside']:.0f}"),
        ("p75_inside_after", f"{plan.after['p75_inside']:.0f}"),
        ("p75_total", f"{plan.before['p75_total']:.0f}"),
        ("facilities_outside_before", f"{plan.before['facilities_outside']:.0f}"),
        ("facilities_outside_after", f"{plan.after['facilities_outside']:.0f}"),
        ("build_id", manifest.get("build_id", "")), ("app_version", __version__),
    ]
    return [{"item": item, "value": value} for item, value in items]


def _sites_frame(plan: Plan) -> gpd.GeoDataFrame:
    sites = plan.sites
    frame = gpd.GeoDataFrame(pd.DataFrame(sites.drop(columns="geometry"))[SITE_COLUMNS]
                             if len(sites) else pd.DataFrame(columns=SITE_COLUMNS),
                             geometry=gpd.GeoSeries(sites.geometry.values, crs=sites.crs), crs=sites.crs)
    frame["gain_p75"] = frame["gain_p75"].astype(float).round(1)
    frame["alone_p75"] = frame["alone_p75"].astype(float).round(1)
    frame["gain_area_m2"] = frame["gain_area_m2"].astype(float).round(0)
    return frame.to_crs(METRIC_CRS)


def _csv(rows: list[dict[str, object]] | pd.DataFrame) -> bytes:
    frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows)
    out = io.StringIO()
    frame.to_csv(out, index=False, quoting=csv.QUOTE_MINIMAL)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def file_name(plan: Plan, manifest: dict, fmt: str) -> str:
    """E.g. ``paris20_refuge-plan_refuge-night-3.5kmh_3-sites_2026-12-02.gpkg``."""
    stem = (f"paris{manifest['study_area']['insee'][-2:]}_refuge-plan_{plan.tier}-{plan.time}-"
            f"{plan.speed_kmh:g}kmh_{len(plan.sites)}-sites_{manifest['built_at'][:10]}")
    return f"{stem}.gpkg" if fmt == "gpkg" else f"{stem}_csv.zip"


def write_plan(plan: Plan, result: RefugeAnalysis, manifest: dict, fmt: str, lang: str,
               exported_at: str | None = None) -> Download:
    """The scenario's download (``fmt``: "gpkg" or "csv").

    Raises
    ------
    ExportError
        For an unknown format or a scenario without any site.
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown format '{fmt}' for a planning scenario: one of {FORMATS}")
    if not len(plan.sites):
        raise ExportError("no site chosen: nothing to export")
    exported_at = exported_at or datetime.now(UTC).isoformat(timespec="seconds")
    sites = _sites_frame(plan)
    scenario = scenario_rows(plan, result, manifest, lang)
    provenance = provenance_rows(manifest, lang, exported_at)
    name = file_name(plan, manifest, fmt)
    counts = {SITES_LAYER: len(sites)}
    if fmt == "gpkg":
        with tempfile.TemporaryDirectory(prefix="plan-") as tmp, no_fsync():
            path = Path(tmp) / "plan.gpkg"
            pyogrio.write_dataframe(sites, path, layer=SITES_LAYER, driver="GPKG",
                                    dataset_options={"VERSION": "1.2"},
                                    layer_options={"FID": "gpkg_fid", "SPATIAL_INDEX": "YES"},
                                    layer_metadata={"IDENTIFIER": t("refuges.plan.export_title", lang)})
            pyogrio.write_dataframe(pd.DataFrame(scenario), path, layer="planning_scenario", driver="GPKG")
            pyogrio.write_dataframe(pd.DataFrame(provenance), path, layer="export_provenance", driver="GPKG")
            return Download(name, "application/geopackage+sqlite3", path.read_bytes(), counts, ())
    table = pd.DataFrame(sites.drop(columns="geometry"))
    table["wkt_epsg2154"] = sites.geometry.to_wkt(rounding_precision=1)
    inside = sites.geometry.representative_point().to_crs(STORE_CRS)
    table["lon"], table["lat"] = inside.x.round(6), inside.y.round(6)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("sites.csv", _csv(table))
        archive.writestr("scenario.csv", _csv(scenario))
        archive.writestr("provenance.csv", _csv(provenance))
    return Download(name, "application/zip", buffer.getvalue(), counts, ())

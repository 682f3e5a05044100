"""What travels with a download: its descriptive file name, the provenance table (one row per
layer) and the README.txt of a zip, in French or English.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from pathlib import Path

from geo import __version__
from geo.core.i18n import t
from geo.export.filters import NearHazardFilter, QuartierFilter
from geo.export.formats import CRS_NAMES, DBASE_TEXT_MAX, dbase_overflow
from geo.export.spec import ExportSpec, Selection
from geo.sources.provenance import layer_provenance


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
        info = manifest["layers"][layer_id]
        if info.get("derived_from"):  # computed by the analyses: the method and settings used
            note = info["note_en" if lang == "en" else "note_fr"]
            lines.append(f"  {t('host.readme_method', lang)}: {note}")
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


def provenance_csv(rows: list[dict[str, object]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()

"""The workshop report's downloads, with their provenance: its figures as CSV, and a GeoPackage
holding the approved proposals (points, Lambert-93 EPSG:2154, what planners' GIS use in Paris),
the figures and a ``provenance`` table.

What is left out on purpose: first names, the role next to a proposal (roles are counts only),
comments not approved by a moderator, pending or hidden proposals. The provenance names the
participants' contributions (not official, with a checksum of the proposals exported) and the
build's layers the report's map uses (publisher, dataset, licence, retrieval date, checksum).
"""

from __future__ import annotations

import csv
import hashlib
import io
import tempfile
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geo import __version__
from geo.core.i18n import t
from geo.participation.layer import proposals_frame
from geo.participation.report import WorkshopReport
from geo.reports.workshop_doc import MAP_LAYERS, ReportInputs, hazard_label, role_label

PROVENANCE_FIELDS = ("dataset", "publisher", "licence", "status", "url", "retrieved_at", "sha256",
                     "app_version", "build_id", "made_at")
#: A spreadsheet runs a cell starting with these as a formula: such text is prefixed with '.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def file_name(report: WorkshopReport, extension: str) -> str:
    """``compte-rendu-<slug>.<ext>`` (the slug is ASCII: checked when the workshop was made)."""
    return f"compte-rendu-{report.workshop.slug}.{extension}"


def figures(report: WorkshopReport, inputs: ReportInputs, lang: str) -> list[tuple[str, str, str, object]]:
    """The report's figures as rows (section, key, label, value): what the CSV holds."""
    rows: list[tuple[str, str, str, object]] = [
        ("workshop", "participants", t("report.kf_participants", lang), report.participants),
        ("workshop", "received", t("report.kf_received", lang), report.received),
        ("workshop", "approved", t("report.kf_approved", lang), len(report.approved)),
        ("workshop", "evaluations", t("report.kf_evaluations", lang), report.evaluations)]
    for status, count in sorted(report.by_status.items()):
        rows.append(("status", status, t(f"proposals.status.{status}", lang), count))
    for r in report.roles:
        key, label = r.role or "not_said", role_label(r.role, lang)
        rows += [("role_participants", key, label, r.participants),
                 ("role_proposals", key, label, r.proposals),
                 ("role_evaluations", key, label, r.evaluations)]
    rows += [("hazard", h or "none", hazard_label(h, lang), n)
             for h, n in report.by_hazard]
    rows += [("category", c, t(f"proposals.category.{c}", lang), n) for c, n in report.by_category]
    rows += [("action", a or "none", inputs.actions.get(a, {}).get(lang, a) if a else
              t("report.no_action", lang), n) for a, n in report.by_action]
    for result in report.results:
        for value, count in result.counts.items():
            rows.append((f"evaluation:{result.question.id}", str(value),
                         result.question.label(value, lang), count))
        if result.mean is not None:
            rows.append((f"evaluation:{result.question.id}", "mean", t("report.mean", lang),
                         round(result.mean, 2)))
    for index, comment in enumerate(report.comments, start=1):
        rows.append(("comment", str(index), t("report.comments", lang), comment))
    for scenario, step, shown_at in report.steps:
        rows.append(("step", f"{scenario}:{step}", shown_at, step))
    return rows


def _proposals(report: WorkshopReport, inputs: ReportInputs, lang: str) -> gpd.GeoDataFrame:
    """The approved proposals for planners: no first name, no role."""
    frame = proposals_frame([(p, 0) for p in report.approved], inputs.layer("quartiers"), lang=lang)
    by_id = {p.id: p for p in report.approved}
    ids = [int(fid.split(":")[1]) for fid in frame["fid"]]
    out = gpd.GeoDataFrame({
        "id": ids,
        "created_at": [by_id[i].created_at for i in ids],
        "category": [by_id[i].category for i in ids],
        "hazard": [by_id[i].hazard for i in ids],
        "action_id": [by_id[i].action_id for i in ids],
        "action_title": [inputs.actions.get(by_id[i].action_id, {}).get(lang) if by_id[i].action_id
                         else None for i in ids],
        "place_name": [inputs.place_names.get(by_id[i].place) if by_id[i].place else None for i in ids],
        "quartier": list(frame["quartier"]),
        "text": [by_id[i].text for i in ids],
    }, geometry=list(frame.geometry), crs=frame.crs)
    return out.to_crs(2154)


def provenance_rows(report: WorkshopReport, inputs: ReportInputs, lang: str) -> list[dict[str, object]]:
    """One row for the participants' contributions, one per build layer the map uses."""
    w = report.workshop
    digest = hashlib.sha256("\n".join(f"{p.id}|{p.category}|{p.hazard}|{p.action_id}|{p.lon}|{p.lat}|"
                                      f"{p.text}" for p in report.approved).encode()).hexdigest()
    build = inputs.manifest.get("build_id", "")
    rows = [{"dataset": f"{w.name} ({w.date})", "publisher": t("report.publisher", lang),
             "licence": t("report.licence", lang), "status": "participatory", "url": "",
             "retrieved_at": w.closed_at or "", "sha256": digest, "app_version": __version__,
             "build_id": build, "made_at": inputs.made_at}]
    for layer_id in MAP_LAYERS:
        info = inputs.manifest["layers"].get(layer_id)
        if info is None:
            continue
        rows.append({"dataset": info["title_en" if lang == "en" else "title_fr"],
                     "publisher": info["publisher"], "licence": info["licence"],
                     "status": info["status"], "url": info["url"],
                     "retrieved_at": " | ".join(s["retrieved_at"] for s in info["sources"]),
                     "sha256": " | ".join(s["sha256"] for s in info["sources"]),
                     "app_version": __version__, "build_id": build, "made_at": inputs.made_at})
    return rows


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


def to_csv(report: WorkshopReport, inputs: ReportInputs, lang: str) -> bytes:
    """The figures (section, key, label, value), then the provenance rows (section
    ``provenance``); UTF-8 with a byte-order mark for spreadsheets; formulas neutralised."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("workshop", "workshop_date", "section", "key", "label", "value"))
    w = report.workshop
    for row in figures(report, inputs, lang):
        writer.writerow([_cell(w.name), w.date, *(_cell(v) for v in row)])
    for record in provenance_rows(report, inputs, lang):
        for key in PROVENANCE_FIELDS:
            writer.writerow([_cell(w.name), w.date, "provenance", key, _cell(record["dataset"]),
                             _cell(record[key])])
    return out.getvalue().encode("utf-8")


def to_geopackage(report: WorkshopReport, inputs: ReportInputs, lang: str) -> bytes:
    """A GeoPackage 1.2: ``proposals`` (points, EPSG:2154), ``figures`` and ``provenance``."""
    w = report.workshop
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "report.gpkg"
        pyogrio.write_dataframe(
            _proposals(report, inputs, lang), path, layer="proposals", driver="GPKG",
            dataset_options={"VERSION": "1.2"}, layer_options={"FID": "gpkg_fid"},
            layer_metadata={"IDENTIFIER": t("report.map_title", lang),
                            "DESCRIPTION": f"{w.name} ({w.date}) — {t('report.licence', lang)}"})
        table = pd.DataFrame(figures(report, inputs, lang),
                             columns=["section", "key", "label", "value"]).astype({"value": str})
        pyogrio.write_dataframe(table, path, layer="figures", driver="GPKG", append=True)
        pyogrio.write_dataframe(pd.DataFrame(provenance_rows(report, inputs, lang)), path,
                                layer="provenance", driver="GPKG", append=True)
        return path.read_bytes()


def read_back(data: bytes) -> Mapping[str, pd.DataFrame]:
    """The GeoPackage's layers read back (for checks): layer name → frame."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "report.gpkg"
        path.write_bytes(data)
        return {name: pyogrio.read_dataframe(path, layer=name)
                for name, _ in pyogrio.list_layers(path)}

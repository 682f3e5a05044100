"""Exporting a workshop's approved proposals as GeoJSON and CSV for the strategy team.

The workshop's name and date are in the file name and in the content (a ``workshop`` member of
the GeoJSON, two columns of the CSV). No client token leaves the database; the optional first
name is the only personal datum and is exported as typed.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping

from geo.core.errors import ExportError
from geo.participation.proposals import Proposal, Workshop

FIELDS = ("id", "created_at", "category", "hazard", "action_id", "text", "first_name", "place",
          "place_name", "duplicates_merged", "lon", "lat")
#: A spreadsheet runs a cell starting with these as a formula: such text is prefixed with '.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def export_filename(workshop: Workshop, extension: str) -> str:
    """``propositions-<slug>-<date>.<ext>`` (the slug already ends with the date when made here)."""
    if extension not in ("geojson", "csv"):
        raise ExportError(f"unknown export format '{extension}'")
    slug = workshop.slug if workshop.slug.endswith(workshop.date) else \
        f"{workshop.slug}-{workshop.date}"
    return f"propositions-{slug}.{extension}"


def _properties(proposal: Proposal, merged: int,
                place_names: Mapping[str, str]) -> dict[str, object]:
    return {"id": proposal.id, "created_at": proposal.created_at, "category": proposal.category,
            "hazard": proposal.hazard, "action_id": proposal.action_id, "text": proposal.text,
            "first_name": proposal.first_name, "place": proposal.place,
            "place_name": place_names.get(proposal.place) if proposal.place else None,
            "duplicates_merged": merged}


def to_geojson(workshop: Workshop, approved: list[tuple[Proposal, int]],
               place_names: Mapping[str, str] | None = None) -> str:
    """A FeatureCollection (EPSG:4326 points) with the workshop's name and date;
    ``place_names`` (fid → name) names the places chosen instead of a pin."""
    features = [{"type": "Feature", "id": proposal.id,
                 "geometry": {"type": "Point", "coordinates": [proposal.lon, proposal.lat]},
                 "properties": _properties(proposal, merged, place_names or {})}
                for proposal, merged in approved]
    collection = {"type": "FeatureCollection", "name": f"{workshop.name} ({workshop.date})",
                  "workshop": {"slug": workshop.slug, "name": workshop.name,
                               "date": workshop.date},
                  "features": features}
    return json.dumps(collection, ensure_ascii=False, indent=1)


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


def to_csv(workshop: Workshop, approved: list[tuple[Proposal, int]],
           place_names: Mapping[str, str] | None = None) -> str:
    """CSV (UTF-8 with a byte-order mark, comma) with ``workshop`` and ``workshop_date`` columns
    on every row. The mark is what tells Excel the file is UTF-8 (without it the accents come
    out garbled), as in the layer downloads.

    Text that a spreadsheet would run as a formula (``=HYPERLINK(…)``) is prefixed with ``'``.
    """
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("workshop", "workshop_date", *FIELDS))
    for proposal, merged in approved:
        row = {**_properties(proposal, merged, place_names or {}), "lon": proposal.lon,
               "lat": proposal.lat}
        writer.writerow([_cell(workshop.name), workshop.date,
                         *(_cell(row[name]) for name in FIELDS)])
    return out.getvalue()

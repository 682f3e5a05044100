"""Provenance of the layers the flood host analyses compute (``host_capacity``,
``stations_at_risk``): a manifest-like entry per layer, so the map's details panel and the
downloads show them like a built layer, labelled « données dérivées », with the publisher, licence
and SHA-256 of every source file they are computed from, and the settings used.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo.analysis.hosting import HOST_LAYER, MAP_LAYERS, STATIONS_LAYER
from geo.analysis.settings import AnalysisSettings
from geo.core.i18n import number, t
from geo.core.text import plain_text
from geo.map.details import Details
from geo.sources.provenance import layer_provenance

#: The built layers each derived layer is computed from (their sources travel with it).
INPUTS = {
    HOST_LAYER: ("sports", "wifi_sites", "schools_maternelle", "schools_elementaire", "colleges",
                 "mairies", "ppri"),
    STATIONS_LAYER: ("stations", "ppri"),
}
#: Columns of a derived layer shown in the details panel, in order (i18n ``host.field.<col>``).
FIELDS = {
    HOST_LAYER: ("name", "kind", "address", "quartier_name", "capacity", "rank", "area_m2",
                 "no_showers", "no_step_free", "toilets", "heating", "manager", "zone_m"),
    STATIONS_LAYER: ("name", "kind", "zone_m", "inside", "c_ar"),
}


def _unique(values: list[str]) -> str:
    return " ; ".join(dict.fromkeys(v for v in values if v))


def derived_entry(manifest: dict, layer_id: str, settings: AnalysisSettings,
                  frame: gpd.GeoDataFrame, c_ar: int) -> dict:
    """A manifest layer entry for the derived layer ``layer_id`` (``frame``: its features):
    titles, status « derived », the publishers, addresses, licences, attributions and source
    files (with their SHA-256) of the built layers it comes from, and a note giving the method
    and the settings used."""
    inputs = [manifest["layers"][layer] for layer in INPUTS[layer_id] if layer in manifest["layers"]]
    note = {lang: t(f"host.layer_note.{layer_id}", lang,
                    m2=number(settings.shelter.m2_per_person, lang, 1),
                    near=number(settings.transport.near_m, lang), area=f"{c_ar}e")
            for lang in ("fr", "en")}
    in_area = int((frame["c_ar"] == c_ar).sum()) if "c_ar" in frame.columns else len(frame)
    return {
        "id": layer_id, "title_fr": MAP_LAYERS[layer_id]["title_fr"],
        "title_en": MAP_LAYERS[layer_id]["title_en"], "theme": "flood", "group": "",
        "status": "derived",
        "publisher": t("host.layer_publisher", "fr", publishers=_unique([i["publisher"] for i in inputs])),
        "dataset_id": "", "url": _unique([i["url"] for i in inputs]).replace(" ; ", " | "),
        "licence": _unique([i["licence"] for i in inputs]),
        "attribution": _unique([i["attribution"] for i in inputs]),
        "note_fr": note["fr"], "note_en": note["en"],
        "sources": [source for info in inputs for source in info["sources"]],
        "count_source": len(frame), "count_before_clip": len(frame), "count_after_clip": len(frame),
        "count_study_area": in_area, "warnings": [], "seconds": 0.0,
        "derived_from": [info["id"] for info in inputs],
    }


def _value(column: str, value: object, lang: str) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return t("host.unknown", lang) if column == "capacity" else ""
    if isinstance(value, bool) or column in ("no_showers", "no_step_free", "inside", "toilets"):
        text = str(value).strip().lower()
        return t("expo.yes" if text in ("true", "1", "oui") else "expo.no", lang) if text else ""
    if column == "kind" and value in ("gymnasium", "sports_hall", "school", "mairie"):
        return t(f"expo.category.{value}", lang)
    if column in ("capacity", "rank", "area_m2", "zone_m"):
        return number(float(value), lang, 1 if column == "zone_m" and float(value) < 100 else 0)
    return plain_text(value)


def derived_details(frame: gpd.GeoDataFrame, fid: str, entry: dict, lang: str) -> Details | None:
    """What the map's details panel shows for a feature of a derived layer (``entry``:
    :func:`derived_entry`), or ``None`` for a fid the layer does not hold."""
    rows = frame[frame["fid"] == fid]
    if rows.empty:
        return None
    row = rows.iloc[0]
    layer_id = entry["id"]
    attributes = []
    for column in FIELDS[layer_id]:
        if column in row.index:
            text = _value(column, row[column], lang)
            if text:
                attributes.append((t(f"host.field.{column}", lang), text))
    return Details(fid=fid, layer_id=layer_id, layer_title=entry["title_en" if lang == "en" else "title_fr"],
                   status="derived", attributes=tuple(attributes),
                   provenance=tuple(layer_provenance({"layers": {layer_id: entry}}, layer_id, lang).items()),
                   note=entry["note_en" if lang == "en" else "note_fr"])

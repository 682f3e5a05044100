"""What the map shows about one feature (looked up by fid on the server) and the place search.

Pure (no Streamlit). Values are returned as plain text: the page escapes them where it renders.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from geo.i18n import t
from geo.provenance import layer_provenance
from geo.registry import LayerSpec
from geo.text import escape_md

#: Normalised columns shown in the details panel, in this order (the i18n key is map.field.<col>).
NORMALISED = ("name", "kind", "address", "quartier_name", "c_ar", "source_id", "year")


@dataclass(frozen=True)
class Details:
    """One feature: its layer, readable attributes (label, value) and the layer's provenance."""

    fid: str
    layer_id: str
    layer_title: str
    status: str
    attributes: tuple[tuple[str, str], ...]
    provenance: tuple[tuple[str, str], ...]
    note: str = ""


def layer_of(fid: str) -> str:
    """The layer id part of a fid (``"<layer>:<source_id>"``)."""
    return fid.split(":", 1)[0]


def _text(value: object) -> str:
    if value is None or (not isinstance(value, (list, tuple, dict)) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def feature_details(frame: gpd.GeoDataFrame, fid: str, spec: LayerSpec, manifest: dict,
                    lang: str) -> Details | None:
    """Every attribute of the feature ``fid`` with readable labels, or ``None`` if the layer
    holds no such feature (a stale link). Empty values are left out."""
    rows = frame[frame["fid"] == fid]
    if rows.empty:
        return None
    row = rows.iloc[0]
    attributes: list[tuple[str, str]] = []
    for column in NORMALISED:
        if column in row.index:
            value = _text(row[column])
            if column == "c_ar" and value == "0":
                value = t("map.outside_paris", lang)
            if value:
                attributes.append((t(f"map.field.{column}", lang), value))
    for extra in spec.extra:
        if extra.source in row.index:
            value = _text(row[extra.source])
            if value:
                attributes.append((extra.label_en if lang == "en" else extra.label_fr, value))
    info = manifest["layers"][spec.id]
    return Details(fid=fid, layer_id=spec.id, layer_title=spec.title(lang), status=info["status"],
                   attributes=tuple(attributes),
                   provenance=tuple(layer_provenance(manifest, spec.id, lang).items()),
                   note=spec.note(lang))


def markdown_list(pairs: tuple[tuple[str, str], ...]) -> str:
    """``- **label** : value`` lines, every text escaped for Streamlit markdown."""
    return "\n".join(f"- **{escape_md(label)}** : {escape_md(value)}" for label, value in pairs)


def fold(text: object) -> str:
    """Lower case without accents, hyphens or apostrophes: « Saint-Blaise » ~ « st blaise »."""
    raw = unicodedata.normalize("NFKD", _text(text)).encode("ascii", "ignore").decode().lower()
    for char in "-'’_.,()":
        raw = raw.replace(char, " ")
    words = ["saint" if word == "st" else "sainte" if word == "ste" else word
             for word in raw.split()]
    return " ".join(words)


@dataclass(frozen=True)
class Hit:
    fid: str
    layer_id: str
    name: str
    address: str
    lon: float
    lat: float
    bounds: tuple[float, float, float, float]


def search(frames: Mapping[str, gpd.GeoDataFrame], query: str, limit: int = 12) -> list[Hit]:
    """Features whose name or address contains every word of ``query`` (accents and case
    ignored); names starting with the query come first. ``frames``: layer id → built layer."""
    words = fold(query).split()
    if not words:
        return []
    scored: list[tuple[int, int, Hit]] = []
    for order, (layer_id, frame) in enumerate(frames.items()):
        names = frame["name"].map(fold)
        addresses = frame["address"].map(fold) if "address" in frame else names.map(lambda _: "")
        haystack = names + " " + addresses
        mask = pd.Series(True, index=frame.index)
        for word in words:
            mask &= haystack.str.contains(word, regex=False)
        for index in frame.index[mask]:
            row = frame.loc[index]
            geom = row.geometry
            point = geom.representative_point()
            rank = 0 if names[index].startswith(" ".join(words)) else 1
            scored.append((rank, order, Hit(
                fid=row["fid"], layer_id=layer_id, name=_text(row["name"]),
                address=_text(row.get("address")), lon=point.x, lat=point.y,
                bounds=tuple(float(v) for v in geom.bounds))))
    scored.sort(key=lambda item: (item[0], item[1], item[2].name))
    return [hit for _, _, hit in scored[:limit]]

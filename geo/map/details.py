"""What the map shows about one feature, looked up by fid on the server: readable attributes and
the layer's provenance.

Pure (no Streamlit). Values are returned as plain text: the page escapes them where it renders.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd

from geo.core.i18n import t
from geo.core.text import escape_md, plain_text
from geo.sources.provenance import layer_provenance
from geo.sources.registry import LayerSpec

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
            value = plain_text(row[column])
            if column == "c_ar" and value == "0":
                value = t("map.outside_paris", lang)
            if value:
                attributes.append((t(f"map.field.{column}", lang), value))
    for extra in spec.extra:
        if extra.source in row.index:
            value = plain_text(row[extra.source])
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

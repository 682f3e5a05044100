"""The map's place search: names and addresses of the built layers matched without accents or case."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from geo.core.text import plain_text


def fold(text: object) -> str:
    """Lower case without accents, hyphens or apostrophes: « Saint-Blaise » ~ « st blaise »."""
    raw = unicodedata.normalize("NFKD", plain_text(text)).encode("ascii", "ignore").decode().lower()
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
                fid=row["fid"], layer_id=layer_id, name=plain_text(row["name"]),
                address=plain_text(row.get("address")), lon=point.x, lat=point.y,
                bounds=tuple(float(v) for v in geom.bounds))))
    scored.sort(key=lambda item: (item[0], item[1], item[2].name))
    return [hit for _, _, hit in scored[:limit]]

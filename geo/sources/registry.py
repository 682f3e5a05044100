"""The source registry: typed view of ``data/sources.toml``."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from geo.core.errors import RegistryError, UnknownLayerError
from geo.core.settings import SOURCES_FILE

THEMES = ("boundaries", "flood", "heat", "facilities", "population", "network")
STATUSES = ("official", "derived", "old")
CLIPS = ("none", "buffer", "neighbours")
GEOMETRIES = ("point", "polygon", "line")
NORMALISED_FIELDS = ("source_id", "name", "kind", "address", "year")


@dataclass(frozen=True)
class ExtraField:
    """An official field kept as it is, with its readable labels."""

    source: str
    label_fr: str
    label_en: str


@dataclass(frozen=True)
class LayerSpec:
    """One layer of the registry: where it comes from and how it is normalised."""

    id: str
    title_fr: str
    title_en: str
    theme: str
    publisher: str
    portal: str
    url: str
    licence: str
    attribution: str
    status: str
    files: tuple[str, ...]
    geometry: str
    clip: str
    fields: dict[str, tuple[str, ...]]
    extra: tuple[ExtraField, ...]
    dataset_id: str = ""
    parser: str = ""
    group: str = ""
    note_fr: str = ""
    note_en: str = ""
    #: the build also keeps the layer's Paris features, unclipped, next to the clipped layer
    #: (``<id>.paris.parquet``): an analysis that needs the whole city reads them, while the map
    #: and the downloads keep the clipped layer
    keep_paris: bool = False

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" else self.title_fr

    def note(self, lang: str) -> str:
        return self.note_en if lang == "en" else self.note_fr

    @property
    def online(self) -> bool:
        """True when the layer can be fetched from an official portal export."""
        return self.portal != "none" and bool(self.dataset_id)


@dataclass(frozen=True)
class Portal:
    id: str
    name: str
    base: str

    def export_url(self, dataset_id: str, fmt: str = "geojson") -> str:
        """Opendatasoft Explore API v2.1 export endpoint of a dataset."""
        return f"{self.base}/api/explore/v2.1/catalog/datasets/{dataset_id}/exports/{fmt}"


@dataclass(frozen=True)
class Settings:
    study_area: str
    buffer_m: float
    neighbours_buffer_m: float
    max_source_bytes: int


@dataclass(frozen=True)
class MissingLayer:
    """A layer the product would use but that no obtainable source holds."""

    title_fr: str
    title_en: str
    reason_fr: str
    reason_en: str


@dataclass(frozen=True)
class Registry:
    settings: Settings
    portals: dict[str, Portal]
    layers: dict[str, LayerSpec] = field(default_factory=dict)
    missing: tuple[MissingLayer, ...] = ()

    def layer(self, layer_id: str) -> LayerSpec:
        try:
            return self.layers[layer_id]
        except KeyError:
            raise UnknownLayerError(layer_id) from None

    def by_theme(self, theme: str) -> list[LayerSpec]:
        return [spec for spec in self.layers.values() if spec.theme == theme]


def _require(entry: dict, key: str, where: str) -> object:
    if key not in entry or entry[key] in ("", None):
        raise RegistryError(f"{where}: missing '{key}'")
    return entry[key]


def _parse_layer(entry: dict, portals: dict[str, Portal], index: int) -> LayerSpec:
    where = f"layer #{index + 1} ({entry.get('id', '?')})"
    for key in ("id", "title_fr", "title_en", "theme", "publisher", "url", "licence",
                "attribution", "status", "files", "geometry", "clip", "portal"):
        _require(entry, key, where)
    checks = (("theme", THEMES), ("status", STATUSES), ("clip", CLIPS), ("geometry", GEOMETRIES))
    for key, allowed in checks:
        if entry[key] not in allowed:
            raise RegistryError(f"{where}: {key} '{entry[key]}' not in {allowed}")
    if entry["portal"] != "none" and entry["portal"] not in portals:
        raise RegistryError(f"{where}: unknown portal '{entry['portal']}'")
    fields = entry.get("fields", {})
    unknown = set(fields) - set(NORMALISED_FIELDS)
    if unknown:
        raise RegistryError(f"{where}: unknown normalised fields {sorted(unknown)}")
    if not isinstance(entry.get("keep_paris", False), bool):
        raise RegistryError(f"{where}: keep_paris must be true or false")
    extra = []
    for item in entry.get("extra", []):
        if len(item) != 3:
            raise RegistryError(f"{where}: extra field {item!r} needs [source, label_fr, label_en]")
        extra.append(ExtraField(*item))
    return LayerSpec(
        id=entry["id"], title_fr=entry["title_fr"], title_en=entry["title_en"],
        theme=entry["theme"], publisher=entry["publisher"], portal=entry["portal"],
        url=entry["url"], licence=entry["licence"], attribution=entry["attribution"],
        status=entry["status"], files=tuple(entry["files"]), geometry=entry["geometry"],
        clip=entry["clip"], fields={k: tuple(v) for k, v in fields.items()}, extra=tuple(extra),
        dataset_id=entry.get("dataset_id", ""), parser=entry.get("parser", ""),
        group=entry.get("group", ""), note_fr=entry.get("note_fr", ""),
        note_en=entry.get("note_en", ""), keep_paris=entry.get("keep_paris", False),
    )


def parse_registry(text: str, source: str = "sources.toml") -> Registry:
    """Parse and check a registry document.

    Raises
    ------
    RegistryError
        With the file and the entry at fault.
    """
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"{source}: not valid TOML ({exc})") from exc
    raw = doc.get("settings", {})
    try:
        settings = Settings(
            study_area=str(os.environ.get("RESILIENCE_STUDY_AREA", raw["study_area"])),
            buffer_m=float(raw["buffer_m"]),
            neighbours_buffer_m=float(raw["neighbours_buffer_m"]),
            max_source_bytes=int(raw["max_source_bytes"]),
        )
    except KeyError as exc:
        raise RegistryError(f"{source}: [settings] misses {exc}") from exc
    portals = {pid: Portal(pid, p["name"], p["base"].rstrip("/"))
               for pid, p in doc.get("portals", {}).items()}
    layers: dict[str, LayerSpec] = {}
    for index, entry in enumerate(doc.get("layer", [])):
        spec = _parse_layer(entry, portals, index)
        if spec.id in layers:
            raise RegistryError(f"{source}: duplicate layer id '{spec.id}'")
        layers[spec.id] = spec
    if not layers:
        raise RegistryError(f"{source}: no [[layer]] entry")
    try:
        missing = tuple(MissingLayer(m["title_fr"], m["title_en"], m["reason_fr"], m["reason_en"])
                        for m in doc.get("missing", []))
    except KeyError as exc:
        raise RegistryError(f"{source}: a [[missing]] entry misses {exc}") from exc
    return Registry(settings=settings, portals=portals, layers=layers, missing=missing)


@lru_cache(maxsize=4)
def _load(path: Path, study_area_env: str | None) -> Registry:
    return parse_registry(path.read_text(encoding="utf-8"), source=str(path))


def load_registry(path: Path = SOURCES_FILE) -> Registry:
    """The registry of ``data/sources.toml`` (cached; the env override is part of the key)."""
    return _load(path, os.environ.get("RESILIENCE_STUDY_AREA"))

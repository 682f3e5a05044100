"""Loading ``data/actions.toml``: every entry parsed and checked (ids, frameworks, axes, hazards,
layers of the registry, sources, rules); a bad entry raises :class:`CatalogueError` naming the
file, the entry and the problem.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from geo.actions.addresses import parse_address
from geo.actions.catalogue import Catalogue
from geo.actions.model import (
    HAZARDS,
    NORMALISED_COLUMNS,
    SCOPES,
    Action,
    Axis,
    Framework,
    Hazard,
    LinkRule,
    SiteEntry,
    SiteList,
    Source,
    Text,
    value_key,
)
from geo.core.errors import CatalogueError
from geo.core.settings import ACTIONS_FILE
from geo.sources.registry import THEMES, Registry, load_registry

_ACTION_KEYS = {"id", "title", "title_en", "paraphrase", "framework", "axis", "official_no",
                "official_no_note", "official_no_note_en", "hazards", "description_fr",
                "description_en", "sources", "unplaced_fr", "unplaced_en", "link"}
_LINK_KEYS = {"layers", "scope", "kind", "name_regex", "addresses", "fields", "note_fr", "note_en"}
_SITES_KEYS = {"id", "action", "status_fr", "status_en", "c_ar", "sources", "levels", "entries"}
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_FRAMEWORK_ID = re.compile(r"^[A-Z][A-Z0-9]*$")


class _Checker:
    """Raises CatalogueError with the file and the entry at fault."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, problem: str) -> CatalogueError:
        return CatalogueError(f"{self.source}: {where}: {problem}")

    def text(self, entry: Mapping, key: str, where: str, required: bool = True) -> str:
        value = entry.get(key, "")
        if not isinstance(value, str):
            raise self.fail(where, f"'{key}' must be a string")
        if required and not value.strip():
            raise self.fail(where, f"missing '{key}'")
        return value.strip()

    def strings(self, entry: Mapping, key: str, where: str) -> tuple[str, ...]:
        value = entry.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(where, f"'{key}' must be a list of non-empty strings")
        return tuple(value)

    def unknown_keys(self, entry: Mapping, allowed: set[str], where: str) -> None:
        unknown = sorted(set(entry) - allowed)
        if unknown:
            raise self.fail(where, f"unknown key(s) {unknown}")

    def sources(self, entry: Mapping, where: str) -> tuple[Source, ...]:
        raw = entry.get("sources")
        if not isinstance(raw, list) or not raw:
            raise self.fail(where, "no source: every entry needs at least one in 'sources'")
        sources = []
        for item in raw:
            if not isinstance(item, dict) or set(item) - {"label", "url", "lang"}:
                raise self.fail(where, f"source {item!r} must be {{ label = ..., url = ..., lang = ... }}")
            label = self.text(item, "label", f"{where}, source")
            url = self.text(item, "url", f"{where}, source '{label}'", required=False)
            if url and not url.startswith(("https://", "http://")):
                raise self.fail(where, f"source '{label}': url '{url}' is not an http(s) address")
            lang = item.get("lang", "fr")
            if lang not in ("fr", "en"):
                raise self.fail(where, f"source '{label}': lang '{lang}' is not 'fr' or 'en'")
            sources.append(Source(label, url, lang))
        return tuple(sources)


def _parse_hazards(doc: dict, check: _Checker) -> dict[str, Hazard]:
    raw = doc.get("hazards", {})
    hazards = {}
    for hazard_id, entry in raw.items():
        where = f"hazard '{hazard_id}'"
        if hazard_id not in HAZARDS:
            raise check.fail(where, f"unknown hazard (known: {', '.join(HAZARDS)})")
        themes = check.strings(entry, "themes", where)
        bad = sorted(set(themes) - set(THEMES))
        if bad or not themes:
            raise check.fail(where, f"themes {bad or themes} not among the layer themes {THEMES}")
        hazards[hazard_id] = Hazard(hazard_id, Text(check.text(entry, "label_fr", where),
                                                    check.text(entry, "label_en", where)),
                                    frozenset(themes))
    missing = [hazard for hazard in HAZARDS if hazard not in hazards]
    if missing:
        raise check.fail("[hazards]", f"hazard(s) {missing} not described")
    return hazards


def _parse_frameworks(doc: dict, check: _Checker) -> dict[str, Framework]:
    frameworks: dict[str, Framework] = {}
    for index, entry in enumerate(doc.get("framework", [])):
        where = f"framework #{index + 1} ({entry.get('id', '?')})"
        framework_id = check.text(entry, "id", where)
        if not _FRAMEWORK_ID.match(framework_id):
            raise check.fail(where, "id must be upper-case letters and digits")
        if framework_id in frameworks:
            raise check.fail(where, f"duplicate framework id '{framework_id}'")
        axes: dict[str, Axis] = {}
        for axis_entry in entry.get("axis", []):
            axis_where = f"{where}, axis '{axis_entry.get('id', '?')}'"
            axis_id = check.text(axis_entry, "id", axis_where)
            if axis_id in axes:
                raise check.fail(axis_where, "duplicate axis id")
            parent = check.text(axis_entry, "parent", axis_where, required=False)
            if parent and parent not in axes:
                raise check.fail(axis_where, f"parent axis '{parent}' is not defined before it")
            official = axis_entry.get("official", True)
            if not isinstance(official, bool):
                raise check.fail(axis_where, "'official' must be true or false")
            axes[axis_id] = Axis(axis_id, Text(check.text(axis_entry, "title_fr", axis_where),
                                               check.text(axis_entry, "title_en", axis_where)),
                                 parent, official)
        if not axes:
            raise check.fail(where, "no axis")
        frameworks[framework_id] = Framework(
            framework_id, Text(check.text(entry, "title_fr", where), check.text(entry, "title_en", where)),
            Text(check.text(entry, "description_fr", where), check.text(entry, "description_en", where)),
            check.sources(entry, where), axes,
            Text(check.text(entry, "short_fr", where), check.text(entry, "short_en", where)))
    if not frameworks:
        raise check.fail("[[framework]]", "no framework")
    return frameworks


def _parse_link(entry: dict, action_id: str, hazards: tuple[str, ...], index: int,
                catalogue_hazards: dict[str, Hazard], registry: Registry,
                check: _Checker) -> LinkRule:
    where = f"action '{action_id}', link #{index + 1}"
    check.unknown_keys(entry, _LINK_KEYS, where)
    layers = check.strings(entry, "layers", where)
    if not layers:
        raise check.fail(where, "'layers' is empty")
    for layer_id in layers:
        if layer_id not in registry.layers:
            raise check.fail(where, f"layer '{layer_id}' is not in the source registry")
        theme = registry.layers[layer_id].theme
        if not any(theme in catalogue_hazards[hazard].themes for hazard in hazards):
            raise check.fail(where, f"no hazard of the action ({', '.join(hazards)}) fits layer "
                                    f"'{layer_id}' (theme '{theme}')")
    scope = entry.get("scope", "features")
    if scope not in SCOPES:
        raise check.fail(where, f"scope '{scope}' not in {SCOPES}")
    kinds = frozenset(check.strings(entry, "kind", where))
    regex = None
    if "name_regex" in entry:
        pattern = check.text(entry, "name_regex", where)
        try:
            # Names are matched folded (upper case, no accents, punctuation as spaces).
            regex = re.compile(pattern, re.IGNORECASE)
        except re.error as exc:
            raise check.fail(where, f"name_regex '{pattern}' does not compile ({exc})") from exc
    addresses = []
    for text in check.strings(entry, "addresses", where):
        address = parse_address(text)
        if not address.numbers or not address.street:
            raise check.fail(where, f"address '{text}' has no house number or no street")
        addresses.append(address)
    raw_fields = entry.get("fields", {})
    if not isinstance(raw_fields, dict):
        raise check.fail(where, "'fields' must be a table { column = [values] }")
    fields = {}
    for column, values in raw_fields.items():
        allowed = set(NORMALISED_COLUMNS)
        for layer_id in layers:
            allowed |= {extra.source for extra in registry.layers[layer_id].extra}
        if column not in allowed:
            raise check.fail(where, f"field '{column}' is not a column of {', '.join(layers)}")
        if not isinstance(values, list) or not values:
            raise check.fail(where, f"field '{column}' needs a non-empty list of values")
        fields[column] = frozenset(value_key(value) for value in values)
    selectors = kinds or regex is not None or addresses or fields
    if scope == "layer" and selectors:
        raise check.fail(where, "a scope = \"layer\" link takes no feature selector")
    return LinkRule(layers, scope, kinds, regex, tuple(addresses), fields,
                    Text(check.text(entry, "note_fr", where), check.text(entry, "note_en", where)))


def _parse_action(entry: dict, index: int, frameworks: dict[str, Framework],
                  hazards: dict[str, Hazard], registry: Registry, check: _Checker) -> Action:
    where = f"action #{index + 1} ({entry.get('id', '?')})"
    check.unknown_keys(entry, _ACTION_KEYS, where)
    action_id = check.text(entry, "id", where)
    if not _ID.match(action_id):
        raise check.fail(where, "id must be lower-case letters, digits and dashes")
    framework = check.text(entry, "framework", where)
    if framework not in frameworks:
        raise check.fail(where, f"unknown framework '{framework}' (known: {', '.join(frameworks)})")
    axis = check.text(entry, "axis", where)
    if axis not in frameworks[framework].axes:
        raise check.fail(where, f"unknown axis '{axis}' of framework '{framework}' "
                                f"(known: {', '.join(frameworks[framework].axes)})")
    action_hazards = check.strings(entry, "hazards", where)
    if not action_hazards:
        raise check.fail(where, "no hazard")
    for hazard in action_hazards:
        if hazard not in hazards:
            raise check.fail(where, f"unknown hazard '{hazard}' (known: {', '.join(HAZARDS)})")
    paraphrase = entry.get("paraphrase", False)
    if not isinstance(paraphrase, bool):
        raise check.fail(where, "'paraphrase' must be true or false")
    links = tuple(_parse_link(link, action_id, action_hazards, number, hazards, registry, check)
                  for number, link in enumerate(entry.get("link", [])))
    unplaced = Text(check.text(entry, "unplaced_fr", where, required=False),
                    check.text(entry, "unplaced_en", where, required=False))
    if not links and not (unplaced.fr and unplaced.en):
        raise check.fail(where, "no link: say why in 'unplaced_fr' and 'unplaced_en'")
    # English pages show the English title and notes, with the official French title beside
    title, title_en = check.text(entry, "title", where), check.text(entry, "title_en", where)
    note = Text(check.text(entry, "official_no_note", where, required=False),
                check.text(entry, "official_no_note_en", where, required=False))
    if bool(note.fr) != bool(note.en):
        raise check.fail(where, "'official_no_note' and 'official_no_note_en' go together")
    return Action(
        id=action_id, title=title, title_en=title_en,
        framework=framework, axis=axis, hazards=action_hazards,
        description=Text(check.text(entry, "description_fr", where),
                         check.text(entry, "description_en", where)),
        sources=check.sources(entry, where), links=links, paraphrase=paraphrase,
        official_no=check.text(entry, "official_no", where, required=False),
        official_no_note=note,
        unplaced=unplaced)


def _parse_sites(entry: dict, index: int, actions: dict[str, Action], registry: Registry,
                 check: _Checker) -> SiteList:
    where = f"sites #{index + 1} ({entry.get('id', '?')})"
    check.unknown_keys(entry, _SITES_KEYS, where)
    action = check.text(entry, "action", where)
    if action not in actions:
        raise check.fail(where, f"unknown action '{action}'")
    levels_raw = entry.get("levels", {})
    if not isinstance(levels_raw, dict) or not levels_raw:
        raise check.fail(where, "'levels' must map each level label to layer ids")
    levels = {}
    for label, layers in levels_raw.items():
        layers = check.strings({"layers": layers}, "layers", f"{where}, level '{label}'")
        for layer_id in layers:
            if layer_id not in registry.layers:
                raise check.fail(where, f"level '{label}': layer '{layer_id}' is not in the source registry")
            if layer_id not in actions[action].feature_layers:
                raise check.fail(where, f"level '{label}': layer '{layer_id}' is not linked to "
                                        f"action '{action}'")
        levels[label] = layers
    c_ar = entry.get("c_ar")
    if not isinstance(c_ar, int) or not 1 <= c_ar <= 20:
        raise check.fail(where, "'c_ar' must be an arrondissement number (1-20)")
    entries = []
    for number, item in enumerate(entry.get("entries", [])):
        item_where = f"{where}, entry #{number + 1}"
        if not isinstance(item, dict) or set(item) - {"level", "address", "name"}:
            raise check.fail(item_where, "an entry is { level, address, name (optional) }")
        level = check.text(item, "level", item_where)
        if level not in levels:
            raise check.fail(item_where, f"unknown level '{level}' (known: {', '.join(levels)})")
        text = check.text(item, "address", item_where)
        address = parse_address(text)
        if not address.numbers or not address.street:
            raise check.fail(item_where, f"address '{text}' has no house number or no street")
        entries.append(SiteEntry(level, text, address, check.text(item, "name", item_where, False)))
    if not entries:
        raise check.fail(where, "no entry")
    if len(set(entries)) != len(entries):
        raise check.fail(where, "an entry is listed twice")
    return SiteList(check.text(entry, "id", where), action,
                    Text(check.text(entry, "status_fr", where), check.text(entry, "status_en", where)),
                    c_ar, check.sources(entry, where), levels, tuple(entries))


def parse_catalogue(text: str, registry: Registry, source: str = "actions.toml") -> Catalogue:
    """Parse and check a catalogue document against the source registry.

    Raises
    ------
    CatalogueError
        With the file, the entry and the problem.
    """
    check = _Checker(source)
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{source}: not valid TOML ({exc})") from exc
    unknown = sorted(set(doc) - {"hazards", "framework", "action", "sites"})
    if unknown:
        raise check.fail("top level", f"unknown table(s) {unknown}")
    hazards = _parse_hazards(doc, check)
    frameworks = _parse_frameworks(doc, check)
    actions: dict[str, Action] = {}
    for index, entry in enumerate(doc.get("action", [])):
        action = _parse_action(entry, index, frameworks, hazards, registry, check)
        if action.id in actions:
            raise check.fail(f"action #{index + 1} ({action.id})", f"duplicate action id '{action.id}'")
        actions[action.id] = action
    if not actions:
        raise check.fail("[[action]]", "no action")
    sites: list[SiteList] = []
    for index, entry in enumerate(doc.get("sites", [])):
        site_list = _parse_sites(entry, index, actions, registry, check)
        if any(item.id == site_list.id for item in sites):
            raise check.fail(f"sites #{index + 1}", f"duplicate site list id '{site_list.id}'")
        sites.append(site_list)
    themes = {layer_id: spec.theme for layer_id, spec in registry.layers.items()}
    return Catalogue(frameworks, hazards, tuple(actions.values()), tuple(sites), themes)


def _read(path: Path, registry: Registry) -> Catalogue:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogueError(f"{path}: cannot be read ({exc.strerror})") from exc
    return parse_catalogue(text, registry, source=str(path))


@lru_cache(maxsize=4)
def _load_default(path: Path, mtime_ns: int) -> Catalogue:
    return _read(path, load_registry())


def load_catalogue(path: Path = ACTIONS_FILE, registry: Registry | None = None) -> Catalogue:
    """The catalogue of ``path``, checked against ``registry`` (default: data/sources.toml).

    Behaviour note: with the default registry the result is cached per file and modification
    time; with an explicit registry the file is parsed on every call.
    """
    path = Path(path)
    if registry is not None:
        return _read(path, registry)
    try:
        mtime = path.stat().st_mtime_ns
    except OSError as exc:
        raise CatalogueError(f"{path}: cannot be read ({exc.strerror})") from exc
    return _load_default(path, mtime)

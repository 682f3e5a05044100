"""The resilience action catalogue (``data/actions.toml``) and its links to layers and features.

The catalogue is data: frameworks and their axes, hazards with the layer themes they can concern,
actions with their sources, and linking rules (layer → actions; feature → actions by layer and
attributes). Everything is checked at load; a bad entry raises :class:`CatalogueError` naming the
file, the entry and the problem.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

import geopandas as gpd

from geo.addresses import Address, fold, parse_address
from geo.errors import CatalogueError
from geo.registry import THEMES, Registry, load_registry
from geo.settings import ACTIONS_FILE

HAZARDS = ("heat", "flood_direct", "flood_indirect", "runoff", "all_hazards", "social")
SCOPES = ("features", "layer")
#: Row fields a rule may test besides the layer's own official fields.
NORMALISED_COLUMNS = ("fid", "source_id", "name", "kind", "address", "c_ar", "quartier",
                      "quartier_name", "year")

_ACTION_KEYS = {"id", "title", "title_en", "paraphrase", "framework", "axis", "official_no",
                "official_no_note", "hazards", "description_fr", "description_en", "sources",
                "unplaced_fr", "unplaced_en", "link"}
_LINK_KEYS = {"layers", "scope", "kind", "name_regex", "addresses", "fields", "note_fr", "note_en"}
_SITES_KEYS = {"id", "action", "status_fr", "status_en", "c_ar", "sources", "levels", "entries"}
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_FRAMEWORK_ID = re.compile(r"^[A-Z][A-Z0-9]*$")


@dataclass(frozen=True)
class Text:
    """A text in French and English."""

    fr: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" and self.en else self.fr


@dataclass(frozen=True)
class Source:
    label: str
    url: str = ""


@dataclass(frozen=True)
class Hazard:
    id: str
    label: Text
    themes: frozenset[str]


@dataclass(frozen=True)
class Axis:
    """An axis of a framework; ``official`` is False for a grouping made by the project."""

    id: str
    title: Text
    parent: str = ""
    official: bool = True


@dataclass(frozen=True)
class Framework:
    id: str
    title: Text
    description: Text
    sources: tuple[Source, ...]
    axes: dict[str, Axis]
    short: Text = Text("", "")


@dataclass(frozen=True)
class LinkRule:
    """Which layers (and, for ``scope="features"``, which of their features) an action concerns.

    Behaviour note: every selector given must hold (kinds, name pattern, addresses, fields); a rule
    with no selector links every feature of its layers.
    """

    layers: tuple[str, ...]
    scope: str = "features"
    kinds: frozenset[str] = frozenset()
    #: Matched against the folded name (upper case, no accents, punctuation as spaces).
    name_regex: re.Pattern[str] | None = None
    addresses: tuple[Address, ...] = ()
    fields: Mapping[str, frozenset[str]] = field(default_factory=dict)
    note: Text = Text("", "")

    def matches(self, layer_id: str, row: Mapping[str, object]) -> bool:
        if self.scope != "features" or layer_id not in self.layers:
            return False
        if self.kinds and str(row.get("kind", "")) not in self.kinds:
            return False
        if self.name_regex is not None and not self.name_regex.search(fold(row.get("name", ""))):
            return False
        if self.addresses:
            address = parse_address(str(row.get("address", "")))
            if not any(address.matches(wanted) for wanted in self.addresses):
                return False
        return all(_value_key(row.get(column)) in allowed for column, allowed in self.fields.items())


@dataclass(frozen=True)
class Action:
    id: str
    title: str
    title_en: str
    framework: str
    axis: str
    hazards: tuple[str, ...]
    description: Text
    sources: tuple[Source, ...]
    links: tuple[LinkRule, ...] = ()
    paraphrase: bool = False
    official_no: str = ""
    official_no_note: str = ""
    unplaced: Text = Text("", "")

    def display_title(self, lang: str) -> str:
        return self.title_en if lang == "en" and self.title_en else self.title

    @property
    def layers(self) -> tuple[str, ...]:
        """Every layer the action concerns, in the catalogue's order."""
        return tuple(dict.fromkeys(layer for link in self.links for layer in link.layers))

    @property
    def feature_layers(self) -> tuple[str, ...]:
        """The layers some of whose features are linked (not only as context)."""
        return tuple(dict.fromkeys(layer for link in self.links if link.scope == "features"
                                   for layer in link.layers))


@dataclass(frozen=True)
class SiteEntry:
    level: str
    address_text: str
    address: Address
    name: str = ""

    def label(self) -> str:
        name = f" {self.name}" if self.name else ""
        return f"{self.level}{name}, {self.address_text}"


@dataclass(frozen=True)
class SiteList:
    """A published list of the places where an action is done (e.g. the 20e's Oasis yards)."""

    id: str
    action: str
    status: Text
    c_ar: int
    sources: tuple[Source, ...]
    levels: Mapping[str, tuple[str, ...]]
    entries: tuple[SiteEntry, ...]

    def entries_for(self, layer_id: str, row: Mapping[str, object]) -> list[SiteEntry]:
        """The entries of the list that designate this feature (same level, same address)."""
        if _value_key(row.get("c_ar")) != str(self.c_ar):
            return []
        address = parse_address(str(row.get("address", "")))
        return [entry for entry in self.entries
                if layer_id in self.levels[entry.level] and entry.address.matches(address)]

    @property
    def layers(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(layer for layers in self.levels.values() for layer in layers))


@dataclass(frozen=True)
class SiteMatch:
    entry: SiteEntry
    layer: str
    fid: str
    name: str
    address: str


@dataclass(frozen=True)
class SiteReport:
    """How a published list matched the built layers: matches, and entries found nowhere."""

    sites: SiteList
    matches: tuple[SiteMatch, ...]
    unmatched: tuple[SiteEntry, ...]


@dataclass(frozen=True)
class FeatureLink:
    """An action linked to one feature, with why (rule notes) and its status (site lists)."""

    action: Action
    notes: tuple[Text, ...]
    statuses: tuple[Text, ...] = ()


def _value_key(value: object) -> str:
    """Comparable form of a field value: 20, 20.0 and "20" are the same."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


class Catalogue:
    """The loaded catalogue: frameworks, hazards, actions, site lists, and the link queries."""

    def __init__(self, frameworks: dict[str, Framework], hazards: dict[str, Hazard],
                 actions: tuple[Action, ...], sites: tuple[SiteList, ...],
                 layer_themes: Mapping[str, str]) -> None:
        self.frameworks = frameworks
        self.hazards = hazards
        self.actions = actions
        self.sites = sites
        self.layer_themes = dict(layer_themes)
        self._by_id = {action.id: action for action in actions}

    def action(self, action_id: str) -> Action:
        try:
            return self._by_id[action_id]
        except KeyError:
            raise CatalogueError(f"unknown action '{action_id}'") from None

    def axis(self, action: Action) -> Axis:
        return self.frameworks[action.framework].axes[action.axis]

    def hazard_fits(self, hazard: str, layer_id: str) -> bool:
        """True when ``hazard`` can concern a layer of that layer's theme."""
        return self.layer_themes.get(layer_id) in self.hazards[hazard].themes

    def for_layer(self, layer_id: str) -> list[Action]:
        """The actions concerning a layer (through its features or as context)."""
        return [action for action in self.actions if layer_id in action.layers]

    def for_layers(self, layer_ids: Iterable[str]) -> list[Action]:
        wanted = set(layer_ids)
        return [action for action in self.actions if wanted.intersection(action.layers)]

    def feature_links(self, layer_id: str, row: Mapping[str, object]) -> list[FeatureLink]:
        """The actions linked to one feature (``row``: a built layer's row as a mapping)."""
        links = []
        for action in self.actions:
            notes = tuple(rule.note for rule in action.links if rule.matches(layer_id, row))
            if not notes:
                continue
            statuses = tuple(sites.status for sites in self.sites if sites.action == action.id
                             and sites.entries_for(layer_id, row))
            links.append(FeatureLink(action, notes, statuses))
        return links

    def for_feature(self, layer_id: str, row: Mapping[str, object]) -> list[Action]:
        return [link.action for link in self.feature_links(layer_id, row)]

    def linked_features(self, action_id: str, layers: Mapping[str, gpd.GeoDataFrame],
                        c_ar: int | None = None) -> dict[str, list[str]]:
        """The fids of the features an action is linked to, per layer (``c_ar``: that arrondissement only).

        Layers linked only as context (``scope="layer"``) hold no linked feature and are left out,
        and so are layers absent from ``layers`` (not built).
        """
        action = self.action(action_id)
        linked: dict[str, list[str]] = {}
        for layer_id in action.feature_layers:
            frame = layers.get(layer_id)
            if frame is None:
                continue
            linked[layer_id] = [str(row["fid"]) for row in _rows(frame, c_ar)
                                if any(rule.matches(layer_id, row) for rule in action.links)]
        return linked

    def links_in_area(self, layers: Mapping[str, gpd.GeoDataFrame],
                      c_ar: int | None = None) -> dict[str, dict[str, list[str]]]:
        """:meth:`linked_features` of every action at once (each layer turned into rows once)."""
        wanted = {layer_id for action in self.actions for layer_id in action.feature_layers}
        rows = {layer_id: _rows(layers[layer_id], c_ar) for layer_id in wanted if layer_id in layers}
        return {action.id: {layer_id: [str(row["fid"]) for row in rows[layer_id]
                                       if any(rule.matches(layer_id, row) for rule in action.links)]
                            for layer_id in action.feature_layers if layer_id in rows}
                for action in self.actions}

    def features_for_action(self, action_id: str, layers: Mapping[str, gpd.GeoDataFrame],
                            c_ar: int | None = None) -> dict[str, int]:
        """How many features of each layer an action is linked to (see :meth:`linked_features`)."""
        return {layer_id: len(fids)
                for layer_id, fids in self.linked_features(action_id, layers, c_ar).items()}

    def match_sites(self, sites_id: str, layers: Mapping[str, gpd.GeoDataFrame]) -> SiteReport:
        """Match a published list against the built layers; report the entries found nowhere."""
        sites = next((item for item in self.sites if item.id == sites_id), None)
        if sites is None:
            raise CatalogueError(f"unknown site list '{sites_id}'")
        matches: list[SiteMatch] = []
        for layer_id in sites.layers:
            frame = layers.get(layer_id)
            if frame is None:
                continue
            for row in _rows(frame, sites.c_ar):
                for entry in sites.entries_for(layer_id, row):
                    matches.append(SiteMatch(entry, layer_id, str(row["fid"]), str(row["name"]),
                                             str(row["address"])))
        found = {match.entry for match in matches}
        unmatched = tuple(entry for entry in sites.entries if entry not in found)
        return SiteReport(sites, tuple(matches), unmatched)

    def filter(self, framework: str | None = None, axis: str | None = None,
               hazard: str | None = None) -> list[Action]:
        """Actions of a framework, an axis (a parent axis includes its children) and a hazard."""
        kept = []
        for action in self.actions:
            if framework and action.framework != framework:
                continue
            if axis and axis not in (action.axis, self.axis(action).parent):
                continue
            if hazard and hazard not in action.hazards:
                continue
            kept.append(action)
        return kept


def _rows(frame: gpd.GeoDataFrame, c_ar: int | None) -> list[dict[str, object]]:
    columns = [column for column in frame.columns if column != frame.geometry.name]
    table = frame[columns]
    if c_ar is not None:
        table = table[table["c_ar"] == c_ar]
    return table.to_dict("records")


def map_params(action: Action, lang: str = "fr", drawable: Collection[str] | None = None,
               kinds: Mapping[str, Collection[str]] | None = None,
               linked: Mapping[str, list[str]] | None = None) -> dict[str, str]:
    """The map's URL query parameters that open it on the action's layers (empty: nothing to show).

    Parameters
    ----------
    drawable
        Layer ids the map can draw (others are left out); ``None``: every layer of the action.
    kinds
        For the layers whose types the map can filter, the types they hold: a layer whose every
        feature link selects by kind opens filtered to those kinds (``types`` parameter).
    linked
        The action's linked fids per layer (:meth:`Catalogue.linked_features`): when exactly one
        feature is linked, the map opens with it selected (``sel``).
    """
    layers = [layer for layer in action.layers if drawable is None or layer in drawable]
    if not layers:
        return {}
    params = {"layers": ",".join(layers)}
    types = []
    for layer in layers:
        rules = [rule for rule in action.links if layer in rule.layers]
        if kinds is None or layer not in kinds or not all(
                rule.scope == "features" and rule.kinds for rule in rules):
            continue
        wanted = sorted(set().union(*(rule.kinds for rule in rules)) & set(kinds[layer]))
        if wanted:
            types.append(f"{layer}:{'|'.join(wanted)}")
    if types:
        params["types"] = ";".join(types)
    fids = [fid for layer, layer_fids in (linked or {}).items() if layer in layers
            for fid in layer_fids]
    if len(fids) == 1:
        params["sel"] = fids[0]
    if lang == "en":
        params["lang"] = "en"
    return params


def map_url(params: Mapping[str, str]) -> str:
    """Relative link to the map (the app's default page) with these parameters."""
    return "/?" + urlencode(dict(params), safe=",:;|")


@dataclass(frozen=True)
class Filters:
    """What the « Actions » page shows: filters, or one action (``action``), shareable in its URL."""

    framework: str = ""
    axis: str = ""
    hazard: str = ""
    action: str = ""

    def params(self) -> dict[str, str]:
        """The URL query parameters of these filters (empty values left out)."""
        return {key: value for key, value in vars(self).items() if value}


FILTER_PARAMS = ("framework", "axis", "hazard", "action")


def parse_filters(params: Mapping[str, object], catalogue: Catalogue) -> Filters:
    """The filters a URL asks for; unknown values are dropped (never raises)."""
    values = {key: str(params.get(key, "") or "").strip() for key in FILTER_PARAMS}
    framework = values["framework"] if values["framework"] in catalogue.frameworks else ""
    axes = catalogue.frameworks[framework].axes if framework else {}
    return Filters(framework=framework, axis=values["axis"] if values["axis"] in axes else "",
                   hazard=values["hazard"] if values["hazard"] in catalogue.hazards else "",
                   action=values["action"] if values["action"] in catalogue._by_id else "")


# --- Loading and validation -------------------------------------------------------------------


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
            if not isinstance(item, dict) or set(item) - {"label", "url"}:
                raise self.fail(where, f"source {item!r} must be {{ label = ..., url = ... }}")
            label = self.text(item, "label", f"{where}, source")
            url = self.text(item, "url", f"{where}, source '{label}'", required=False)
            if url and not url.startswith(("https://", "http://")):
                raise self.fail(where, f"source '{label}': url '{url}' is not an http(s) address")
            sources.append(Source(label, url))
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
        fields[column] = frozenset(_value_key(value) for value in values)
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
    return Action(
        id=action_id, title=check.text(entry, "title", where),
        title_en=check.text(entry, "title_en", where, required=False),
        framework=framework, axis=axis, hazards=action_hazards,
        description=Text(check.text(entry, "description_fr", where),
                         check.text(entry, "description_en", where)),
        sources=check.sources(entry, where), links=links, paraphrase=paraphrase,
        official_no=check.text(entry, "official_no", where, required=False),
        official_no_note=check.text(entry, "official_no_note", where, required=False),
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


def summary(catalogue: Catalogue, layers: Mapping[str, gpd.GeoDataFrame],
            c_ar: int | None) -> list[dict[str, object]]:
    """Per framework: actions, actions placed on the map, link rules, linked features (study area)."""
    linked = catalogue.links_in_area(layers, c_ar)
    rows = []
    for framework_id in catalogue.frameworks:
        actions = [action for action in catalogue.actions if action.framework == framework_id]
        rows.append({
            "framework": framework_id,
            "actions": len(actions),
            "placed": sum(1 for action in actions if action.links),
            "rules": sum(len(action.links) for action in actions),
            "feature_rules": sum(1 for action in actions for rule in action.links
                                 if rule.scope == "features"),
            "layer_links": sum(len(action.layers) for action in actions),
            "feature_links": sum(len(fids) for action in actions
                                 for fids in linked[action.id].values()),
        })
    return rows


def main(argv: list[str] | None = None) -> int:
    """``python -m geo.actions``: check the catalogue, print its figures on the current build."""
    import argparse

    from geo import store
    from geo.errors import ResilienceError

    parser = argparse.ArgumentParser(description="Check data/actions.toml and print its figures.")
    parser.add_argument("--file", type=Path, default=ACTIONS_FILE)
    args = parser.parse_args(argv)
    try:
        catalogue = load_catalogue(args.file)
        manifest, layers = store.load_all()
    except ResilienceError as exc:
        print(f"error: {exc}")
        return 1
    c_ar = int(manifest["study_area"]["insee"][-2:])
    rows = summary(catalogue, layers, c_ar)
    header = ("framework", "actions", "placed", "rules", "feature_rules", "layer_links",
              "feature_links")
    print(f"{args.file}: valid — {len(catalogue.actions)} actions; links counted in "
          f"arrondissement {c_ar}")
    print("  ".join(f"{name:>13}" for name in header))
    for row in rows:
        print("  ".join(f"{row[name]!s:>13}" for name in header))
    print("  ".join(f"{value!s:>13}" for value in
                    ["total", *(sum(row[name] for row in rows) for name in header[1:])]))
    for sites in catalogue.sites:
        report = catalogue.match_sites(sites.id, layers)
        print(f"{sites.id}: {len(sites.entries) - len(report.unmatched)}/{len(sites.entries)} "
              f"entries found ({len(report.matches)} features); not found: "
              + ("; ".join(entry.label() for entry in report.unmatched) or "none"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

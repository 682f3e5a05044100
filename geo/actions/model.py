"""What the action catalogue is made of: texts, sources, hazards, frameworks and axes, actions,
their linking rules, published site lists, and the links found for a feature.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from geo.actions.addresses import Address, fold, parse_address

HAZARDS = ("heat", "flood_direct", "flood_indirect", "runoff", "all_hazards", "social")
SCOPES = ("features", "layer")
#: Row fields a rule may test besides the layer's own official fields.
NORMALISED_COLUMNS = ("fid", "source_id", "name", "kind", "address", "c_ar", "quartier",
                      "quartier_name", "year")


@dataclass(frozen=True)
class Text:
    """A text in French and English."""

    fr: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" and self.en else self.fr


@dataclass(frozen=True)
class Source:
    """A public source: its label (the document's title as published), its address and the
    label's language (pages in the other language mark it, WCAG 3.1.2)."""

    label: str
    url: str = ""
    lang: str = "fr"


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
        return all(value_key(row.get(column)) in allowed for column, allowed in self.fields.items())


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
    official_no_note: Text = Text("", "")
    unplaced: Text = Text("", "")

    def display_title(self, lang: str) -> str:
        """The title in ``lang``: the English one on English pages, else the official French
        title (``title``, kept beside the English one where both are shown)."""
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
        if value_key(row.get("c_ar")) != str(self.c_ar):
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


def value_key(value: object) -> str:
    """Comparable form of a field value: 20, 20.0 and "20" are the same."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)

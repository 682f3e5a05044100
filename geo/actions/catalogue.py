"""The loaded action catalogue and its queries: actions per layer or feature, the features an
action is linked to, published site lists matched against the build, filters.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import geopandas as gpd

from geo.actions.model import Action, Axis, FeatureLink, Framework, Hazard, SiteList, SiteMatch, SiteReport
from geo.core.errors import CatalogueError


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

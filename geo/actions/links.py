"""Links between the « Actions » page and the map: the map URL that opens on an action's layers and
features, and the page's own shareable filters.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from geo.actions.catalogue import Catalogue
from geo.actions.model import Action


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

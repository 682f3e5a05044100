"""The map's shareable state: what the URL query parameters say, parsed, checked and written back.

Parameters (other pages build links with them, keep the names):

``layers``   comma-separated ids of the layers that are on (``layers=`` means none);
``sel``      fid of the selected feature;
``quartier`` INSEE code of an administrative quartier (e.g. ``7512001``), which filters and zooms;
``basemap``  ``none`` | ``ign`` | ``osm``;
``lat``, ``lon``, ``z``  the view;
``types``    type filters, ``<layer>:<type>|<type>;<layer>:<type>``;
``time``     time of day of the layers drawn per time of day: ``day`` | ``evening`` | ``night``.

Behaviour note: parsing never raises. Whatever is unknown or malformed is dropped, the rest of
the state falls back to the default view, and a short notice per problem is returned for the
page to show: at most ``MAX_NOTICES``, each value cut to ``NOTICE_VALUE_MAX`` characters, then
one notice counting the rest (a link with 20,000 unknown layer ids printed 20,000 notices).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace

from geo.map.layers import PERIODS

BASEMAPS = ("none", "ign", "osm")
#: Offline-safe: a workshop room without internet shows the same map.
DEFAULT_BASEMAP = "none"
#: Parameters of other parts of the app, passed through untouched.
FOREIGN_PARAMS = frozenset({"lang"})
MAP_PARAMS = frozenset({"layers", "sel", "quartier", "basemap", "lat", "lon", "z", "types", "time"})
DEFAULT_PERIOD = PERIODS[0]
#: Bounds of a sensible view on Paris (lon/lat) and zoom range of the map.
VIEW_BOUNDS = (2.0, 48.6, 2.7, 49.1)
ZOOM_RANGE = (10, 19)
COORD_DECIMALS = 5
MAX_NOTICES = 5
NOTICE_VALUE_MAX = 60


@dataclass(frozen=True)
class Notice:
    """One problem found in the URL: the parameter, the value as given, the reason key."""

    param: str
    value: str
    reason: str


@dataclass(frozen=True)
class MapState:
    """What the map shows. ``types`` maps a layer id to the types kept (absent: all types;
    never empty)."""

    layers: tuple[str, ...]
    basemap: str = DEFAULT_BASEMAP
    sel: str | None = None
    quartier: str | None = None
    lat: float | None = None
    lon: float | None = None
    z: int | None = None
    types: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    period: str = DEFAULT_PERIOD

    @property
    def has_view(self) -> bool:
        return self.lat is not None and self.lon is not None and self.z is not None

    def with_view(self, lat: float, lon: float, z: int) -> MapState:
        return replace(self, lat=round(lat, COORD_DECIMALS), lon=round(lon, COORD_DECIMALS),
                       z=int(z))


def _first(value: object) -> str:
    """A query value as one string (Streamlit gives the last value; dicts may hold lists)."""
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else ""
    return str(value)


def _number(text: str) -> float | None:
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def parse(params: Mapping[str, object], known_layers: Collection[str],
          default_layers: tuple[str, ...], known_quartiers: Collection[str] = (),
          known_types: Mapping[str, Collection[str]] | None = None
          ) -> tuple[MapState, list[Notice]]:
    """The state a URL asks for, and the notices about what had to be dropped.

    Parameters
    ----------
    params
        The query parameters (``st.query_params`` or any mapping of str to str or list).
    known_layers
        Layer ids the map can draw; others are dropped with a notice.
    default_layers
        Layers on when the URL has no ``layers`` parameter.
    known_quartiers
        Valid quartier codes (empty: any 7-digit code is accepted).
    known_types
        For each filterable layer, the types it holds (``None``: any type is accepted).
    """
    notices: list[Notice] = []
    values = {key: _first(value) for key, value in params.items()}
    for key, value in values.items():
        if key not in MAP_PARAMS and key not in FOREIGN_PARAMS:
            notices.append(Notice(key, value, "unknown_param"))

    layers = default_layers
    if "layers" in values:
        asked = [item.strip() for item in values["layers"].split(",") if item.strip()]
        kept = []
        for item in asked:
            if item not in known_layers:
                notices.append(Notice("layers", item, "unknown_layer"))
            elif item not in kept:
                kept.append(item)
        layers = tuple(kept) if kept or not asked else default_layers

    basemap = values.get("basemap", DEFAULT_BASEMAP).strip().lower()
    if basemap not in BASEMAPS:
        notices.append(Notice("basemap", values["basemap"], "bad_basemap"))
        basemap = DEFAULT_BASEMAP

    quartier = values.get("quartier", "").strip() or None
    if quartier is not None:
        valid = quartier.isdigit() and len(quartier) == 7
        if not valid or (known_quartiers and quartier not in known_quartiers):
            notices.append(Notice("quartier", values["quartier"], "bad_quartier"))
            quartier = None

    sel = values.get("sel", "").strip() or None
    if sel is not None and (":" not in sel or len(sel) > 200
                            or sel.split(":", 1)[0] not in known_layers):
        notices.append(Notice("sel", values["sel"], "bad_sel"))
        sel = None

    lat = lon = z = None
    view_keys = [key for key in ("lat", "lon", "z") if key in values]
    if view_keys:
        lat_n, lon_n, z_n = (_number(values.get(key, "")) for key in ("lat", "lon", "z"))
        west, south, east, north = VIEW_BOUNDS
        ok = (lat_n is not None and lon_n is not None and z_n is not None
              and south <= lat_n <= north and west <= lon_n <= east
              and ZOOM_RANGE[0] <= z_n <= ZOOM_RANGE[1] and z_n == int(z_n))
        if ok:
            lat, lon, z = round(lat_n, COORD_DECIMALS), round(lon_n, COORD_DECIMALS), int(z_n)
        else:
            shown = "&".join(f"{key}={values[key]}" for key in view_keys)
            notices.append(Notice("view", shown, "bad_view"))

    types: dict[str, tuple[str, ...]] = {}
    for chunk in filter(None, (part.strip() for part in values.get("types", "").split(";"))):
        layer, sep, rest = chunk.partition(":")
        if not sep or layer not in known_layers:
            notices.append(Notice("types", chunk, "bad_types"))
            continue
        wanted = [item for item in rest.split("|") if item]
        allowed = None if known_types is None else known_types.get(layer)
        if known_types is not None and allowed is None:
            notices.append(Notice("types", chunk, "bad_types"))
            continue
        bad = [item for item in wanted if allowed is not None and item not in allowed]
        for item in bad:
            notices.append(Notice("types", f"{layer}:{item}", "bad_types"))
        kept = tuple(item for item in wanted if item not in bad)
        if kept:  # no type kept means no filter
            types[layer] = kept

    period = values.get("time", DEFAULT_PERIOD).strip().lower() or DEFAULT_PERIOD
    if period not in PERIODS:
        notices.append(Notice("time", values["time"], "bad_time"))
        period = DEFAULT_PERIOD

    state = MapState(layers=layers, basemap=basemap, sel=sel, quartier=quartier,
                     lat=lat, lon=lon, z=z, types=types, period=period)
    return state, _bounded(notices)


def _bounded(notices: list[Notice]) -> list[Notice]:
    """The first notices, values shortened, and one ``more`` notice counting the others."""
    shown = [replace(n, param=_short(n.param), value=_short(n.value))
             for n in notices[:MAX_NOTICES]]
    if len(notices) > MAX_NOTICES:
        shown.append(Notice("…", str(len(notices) - MAX_NOTICES), "more"))
    return shown


def _short(text: str) -> str:
    return text if len(text) <= NOTICE_VALUE_MAX else text[:NOTICE_VALUE_MAX - 1] + "…"


def to_params(state: MapState) -> dict[str, str]:
    """The query parameters that reopen ``state`` (every map parameter, in a stable order)."""
    params = {"layers": ",".join(state.layers), "basemap": state.basemap}
    if state.quartier:
        params["quartier"] = state.quartier
    if state.sel:
        params["sel"] = state.sel
    if state.types:
        params["types"] = ";".join(f"{layer}:{'|'.join(kinds)}"
                                   for layer, kinds in sorted(state.types.items()))
    if state.period != DEFAULT_PERIOD:
        params["time"] = state.period
    if state.has_view:
        params.update(lat=f"{state.lat:.{COORD_DECIMALS}f}", lon=f"{state.lon:.{COORD_DECIMALS}f}",
                      z=str(state.z))
    return params


#: Session-state keys of the map page's widgets (``map.layer.<id>``, ``map.types.<id>``, ...).
WIDGET_PREFIXES = ("map.layer.", "map.types.", "map.quartier", "map.basemap", "map.time")


def chosen_types(last: MapState, widgets: Mapping[str, object],
                 kinds: Mapping[str, Collection[str]]) -> dict[str, tuple[str, ...]]:
    """Per filterable layer, the types its picker holds: the widget's value where the session
    holds one, else the last state's filter (empty: no filter)."""
    return {lid: tuple(widgets.get(f"map.types.{lid}", last.types.get(lid, ()))) for lid in kinds}


def from_widgets(last: MapState, widgets: Mapping[str, object], available: Sequence[str],
                 kinds: Mapping[str, Collection[str]], sel: str | None,
                 view: tuple[float, float, int] | None) -> MapState:
    """This run's state: the widgets' values where the session holds them (``widgets``, e.g.
    ``st.session_state``), else the last run's state (widgets not drawn yet, or dropped by an
    interrupted rerun). A type filter holding every type of its layer is no filter."""
    types = {lid: picked for lid, picked in chosen_types(last, widgets, kinds).items()
             if picked and set(picked) != set(kinds[lid])}
    return MapState(
        layers=tuple(lid for lid in available if widgets.get(f"map.layer.{lid}", lid in last.layers)),
        basemap=str(widgets.get("map.basemap", last.basemap)), sel=sel,
        quartier=str(widgets.get("map.quartier", last.quartier or "")) or None, types=types,
        period=str(widgets.get("map.time", last.period)),
        **(dict(zip(("lat", "lon", "z"), view, strict=True)) if view else {}))

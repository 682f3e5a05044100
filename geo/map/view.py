"""The map's folium pieces: layer definitions and styles, light GeoJSON, the offline base map.

Pure (no Streamlit). What goes to the browser is kept small: geometry simplified in Lambert-93
to what a screen shows, coordinates rounded to ~1 m, and per feature only the fid and the
tooltip's HTML (escaped here). The details of a feature come from the server on click
(``geo.mapdetails``).

Adding a layer to the map is one entry in ``LAYERS`` (and its id in the registry/build).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from jinja2 import Template

from geo.assets import LEAFLET_CSS, LEAFLET_JS, STATIC_DIR, STATIC_URL
from geo.i18n import t
from geo.settings import METRIC_CRS, STORE_CRS
from geo.text import escape_html

#: Separator between the tooltip's visible text and the feature id: clicks are read from the
#: tooltip's text (streamlit-folium returns it), the fid is what follows the last separator.
FID_MARK = "\u241f"
#: Douglas-Peucker tolerance in metres: below a pixel up to zoom 16 at Paris' latitude.
SIMPLIFY_M = 1.5
COORD_DECIMALS = 5
FAMILIES = ("boundaries", "flood", "heat", "facilities", "participation")
#: Where the layers' light GeoJSON is published for the browser (generated, git-ignored).
MAP_DATA_DIR = STATIC_DIR / "map"
MAP_DATA_URL = f"{STATIC_URL}/map"


@dataclass(frozen=True)
class ColourScale:
    """A stepped colour scale over a numeric field: ``colours[i]`` for ``breaks[i-1] <= v < breaks[i]``."""

    field: str
    breaks: tuple[float, ...]
    colours: tuple[str, ...]
    label_fr: str
    label_en: str

    def colour(self, value: float) -> str | None:
        if value is None or not math.isfinite(value):
            return None
        return self.colours[int(np.searchsorted(self.breaks, value, side="right"))]

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_fr

    def steps(self) -> list[tuple[str, str]]:
        """(colour, range text) per step, for a legend."""
        edges = ["", *(f"{b:g}" for b in self.breaks), ""]
        out = []
        for i, colour in enumerate(self.colours):
            low, high = edges[i], edges[i + 1]
            text = f"< {high}" if not low else (f"≥ {low}" if not high else f"{low} – {high}")
            out.append((colour, text))
        return out


@dataclass(frozen=True)
class LayerDef:
    """How one built layer is drawn on the map.

    ``filter_types``: the layer's ``kind`` values can be filtered; ``filter_quartier``: the
    quartier filter applies to it; ``interactive``: hover tooltip and click details.
    """

    id: str
    family: str
    colour: str
    fill: float = 0.0
    weight: float = 1.5
    radius: float = 0.0
    dash: str = ""
    scale: ColourScale | None = None
    #: colour per ``kind`` value (e.g. PPRI zone B / V), others keep ``colour``
    kind_colours: tuple[tuple[str, str], ...] = ()
    filter_types: bool = False
    filter_quartier: bool = True
    interactive: bool = True

    @property
    def is_point(self) -> bool:
        return self.radius > 0

    def style(self) -> dict[str, object]:
        style: dict[str, object] = {"color": self.colour, "weight": self.weight,
                                    "opacity": 0.9, "fillColor": self.colour,
                                    "fillOpacity": self.fill, "fill": self.fill > 0}
        if self.dash:
            style["dashArray"] = self.dash
        return style


HEAT_SCALE = ColourScale("avg_heat_score", (5.0, 6.5, 8.0, 9.0),
                         ("#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"),
                         "Score moyen de chaleur (0-10)", "Mean heat score (0-10)")
CQ_SCALE = ColourScale("vulnj_note", (4.0, 5.0, 5.5, 6.0, 6.5),
                       ("#fef0d9", "#fdd49e", "#fdbb84", "#fc8d59", "#e34a33", "#b30000"),
                       "Vulnérabilité à la chaleur de jour (note)",
                       "Daytime heat vulnerability (score)")
DRIAS_SCALE = ColourScale("temperature", (24.3, 24.45, 24.6),
                          ("#fdd0a2", "#fd8d3c", "#e6550d", "#a63603"),
                          "Température moyenne d'été 2075 (°C)", "Mean summer temperature 2075 (°C)")

_LAYER_LIST = (
    LayerDef("arrondissements", "boundaries", "#222222", weight=2.5, filter_quartier=False),
    LayerDef("quartiers", "boundaries", "#555555", weight=1.5, dash="6 4", filter_quartier=False),
    LayerDef("conseils_quartier", "boundaries", "#7b3294", weight=1.2, dash="2 4",
             filter_quartier=False),
    LayerDef("ppri", "flood", "#2166ac", fill=0.45, weight=0.8, filter_quartier=False,
             kind_colours=(("B", "#2166ac"), ("V", "#1a9850"))),
    LayerDef("iris_heat", "heat", "#de2d26", fill=0.55, weight=0.4, scale=HEAT_SCALE),
    LayerDef("cq_climate", "heat", "#e34a33", fill=0.5, weight=0.6, scale=CQ_SCALE),
    LayerDef("drias_2075", "heat", "#e6550d", fill=0.35, weight=0.6, scale=DRIAS_SCALE),
    LayerDef("green_spaces", "heat", "#31a354", fill=0.5, weight=0.5, filter_types=True),
    LayerDef("protected_green", "heat", "#a1d99b", fill=0.5, weight=0.5),
    LayerDef("cool_facilities", "heat", "#0571b0", fill=0.85, radius=6, filter_types=True),
    LayerDef("cool_green_points", "heat", "#1b7837", fill=0.85, radius=5, filter_types=True),
    LayerDef("fountains", "heat", "#4eb3d3", fill=0.9, radius=4, filter_types=True),
    # computed by geo.analysis (cells and facilities outside the cool-place walking target)
    LayerDef("access_gap", "heat", "#d7301f", fill=0.35, weight=0.6, radius=7, interactive=False),
    LayerDef("schools_maternelle", "facilities", "#f781bf", fill=0.9, radius=5),
    LayerDef("schools_elementaire", "facilities", "#e7298a", fill=0.9, radius=5),
    LayerDef("colleges", "facilities", "#980043", fill=0.9, radius=5),
    LayerDef("libraries", "facilities", "#8c510a", fill=0.9, radius=6, filter_types=True),
    LayerDef("mairies", "facilities", "#000000", fill=0.9, radius=8),
    LayerDef("wifi_sites", "facilities", "#6a51a3", fill=0.9, radius=4),
    LayerDef("sports", "facilities", "#ff7f00", fill=0.85, radius=4, filter_types=True),
    LayerDef("stations", "facilities", "#4d4d4d", fill=0.9, radius=5, filter_types=True),
    LayerDef("ehpad", "facilities", "#b2182b", fill=0.9, radius=6, filter_types=True),
    LayerDef("equipements_2014", "facilities", "#878787", fill=0.7, radius=3.5,
             filter_types=True),
    # approved workshop proposals, read from the proposals database (geo.proposal_layer)
    LayerDef("proposals", "participation", "#ff7f00", fill=0.9, radius=7),
)
#: The map's layers, by id, in drawing order (polygons below points).
LAYERS: dict[str, LayerDef] = {layer.id: layer for layer in _LAYER_LIST}
#: On when the URL says nothing: the study area, its quartiers, flood zones and cool places.
DEFAULT_LAYERS = ("arrondissements", "quartiers", "ppri", "cool_facilities")


def family_layers(family: str, available: Iterable[str] | None = None) -> list[LayerDef]:
    """The layers of one family, in drawing order, optionally only those the build holds."""
    keep = None if available is None else set(available)
    return [layer for layer in LAYERS.values()
            if layer.family == family and (keep is None or layer.id in keep)]


def _check_crs(frame: gpd.GeoDataFrame) -> None:
    if frame.crs is None or not frame.crs.equals(STORE_CRS):
        raise ValueError(f"expected a frame in {STORE_CRS}, got {frame.crs}")


def select(frame: gpd.GeoDataFrame, layer: LayerDef, types: Sequence[str] | None = None,
           quartier: str | None = None) -> gpd.GeoDataFrame:
    """The features a view shows: the type filter (``None``: all types) and the quartier filter."""
    mask = pd.Series(True, index=frame.index)
    if types is not None and layer.filter_types:
        mask &= frame["kind"].isin(list(types))
    if quartier and layer.filter_quartier:
        mask &= frame["quartier"].astype(str) == quartier
    return frame[mask]


def _round_coords(coords: np.ndarray) -> np.ndarray:
    return np.round(coords, COORD_DECIMALS)


def light_geometry(frame: gpd.GeoDataFrame, simplify_m: float = SIMPLIFY_M) -> gpd.GeoSeries:
    """Geometries simplified in Lambert-93 (topology kept) and rounded to ~1 m, back in lon/lat."""
    _check_crs(frame)
    metric = frame.geometry.to_crs(METRIC_CRS)
    if simplify_m > 0:
        metric = metric.simplify(simplify_m, preserve_topology=True)
    back = metric.to_crs(STORE_CRS)
    return gpd.GeoSeries(shapely.transform(back.values, _round_coords), index=frame.index,
                         crs=STORE_CRS)


def feature_properties(name: object, kind: object, fid: object) -> dict[str, str]:
    """What the tooltip of one feature needs, every text HTML-escaped: ``n`` name (absent:
    the layer title is shown), ``k`` type or value, ``f`` fid."""
    properties = {"f": escape_html(fid)}
    if name not in (None, ""):
        properties["n"] = escape_html(name)
    if kind not in (None, ""):
        properties["k"] = escape_html(kind)
    return properties


def status_tag(status: str, lang: str) -> str:
    """« données dérivées » / « édition ancienne » for a layer that is not official, else ""."""
    return "" if status == "official" else t(f"map.{status}_tag", lang)


def layer_title(entry: Mapping[str, str], lang: str, tagged: bool = True) -> str:
    """A layer's title from its manifest entry, with its status tag unless ``tagged`` is off."""
    plain = entry["title_en"] if lang == "en" else entry["title_fr"]
    tag = status_tag(entry["status"], lang) if tagged else ""
    return f"{plain} — {tag}" if tag else plain


@dataclass(frozen=True)
class MapReport:
    """What the map's last report changes: a new click (its tooltip and count, and the fid it
    carries) and a new view (``None`` when unchanged)."""

    click: tuple[str, int] | None = None
    fid: str | None = None
    view: tuple[float, float, int] | None = None


def read_report(out: Mapping[str, object] | None, last_click: tuple | None,
                view: tuple[float, float, int]) -> MapReport:
    """Decode ``st_folium``'s return value against the last click seen and the view asked.

    The click count tells a new click on the same feature (e.g. after its details were closed)
    from the same report coming back on a rerun.
    """
    out = out or {}
    click = (out.get("last_object_clicked_tooltip"), out.get("last_object_clicked_count"))
    new_click = click if click[0] and click != last_click else None
    center, zoom = out.get("center"), out.get("zoom")
    new_view = None
    if center and zoom:
        reported = (round(center["lat"], COORD_DECIMALS), round(center["lng"], COORD_DECIMALS), int(zoom))
        new_view = reported if reported != tuple(view) else None
    return MapReport(new_click, fid_from_tooltip(new_click[0]) if new_click else None, new_view)


def impose_view(target: tuple[float, float, int],
                last: tuple[float, float, float] | None) -> tuple[float, float, float]:
    """The ``center``/``zoom`` to give ``st_folium`` so that the map moves to ``target``.

    streamlit-folium moves the map only when these differ from the last ones it was given, so
    the page passes them only for moves the app decides (a quartier, a search hit, a link), never
    the view the user reported (passing it back, one run late, pulls the map back while the user
    is still moving it). When the app asks again for the view it asked last (the user has moved
    away since), a nudge far below a pixel (1e-7 degree, 1e-6 zoom level, which Leaflet snaps to
    the whole level) makes the values differ.
    """
    if last is None or tuple(float(v) for v in last) != tuple(float(v) for v in target):
        return target
    return (target[0] + 1e-7, target[1], target[2] + 1e-6)


def fid_from_tooltip(text: str | None) -> str | None:
    """The fid carried by a tooltip's text as streamlit-folium returns it (``None`` if absent)."""
    if not text or FID_MARK not in text:
        return None
    fid = text.rsplit(FID_MARK, 1)[1].strip()
    return fid or None


def _number(value: object) -> float:
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    return float(number) if pd.notna(number) else math.nan


def layer_geojson(frame: gpd.GeoDataFrame, layer: LayerDef, lang: str = "fr",
                  simplify_m: float = SIMPLIFY_M) -> str:
    """The layer as a compact GeoJSON string: per feature only the tooltip's escaped texts
    (``feature_properties``), ``c`` (fill colour of scaled layers) and the geometry.
    Safe to embed in a ``<script>``."""
    geometry = light_geometry(frame, 0 if layer.is_point else simplify_m)
    features = []
    for (_, row), geom in zip(frame.iterrows(), geometry.values, strict=True):
        if geom is None or geom.is_empty:
            continue
        properties: dict[str, object] = {}
        if layer.interactive:
            kind = row.get("kind", "")
            if layer.scale is not None:
                value = _number(row.get(layer.scale.field))
                kind = "" if math.isnan(value) else f"{layer.scale.label(lang)} : {value:.1f}"
            properties.update(feature_properties(row.get("name"), kind, row["fid"]))
        colour = dict(layer.kind_colours).get(str(row.get("kind", "")))
        if layer.scale is not None:
            colour = layer.scale.colour(_number(row.get(layer.scale.field)))
        if colour:
            properties["c"] = colour
        features.append({"type": "Feature", "properties": properties,
                         "geometry": shapely.geometry.mapping(geom)})
    text = json.dumps({"type": "FeatureCollection", "features": features},
                      ensure_ascii=False, separators=(",", ":"))
    return text.replace("</", "<\\/")


def _js_string(text: str) -> str:
    """A JS string literal, safe inside a ``<script>``."""
    return json.dumps(text, ensure_ascii=False).replace("</", "<\\/")


class GeoJsonLayer(MacroElement):
    """A GeoJSON layer drawn with one fixed style (or a per-feature fill colour ``c``), circle
    markers for points (canvas when the map prefers it) and a sticky tooltip built from the
    escaped ``n``/``k``/``f`` properties: name (else the layer title), type, hidden fid.

    ``source`` is either inline GeoJSON or the URL of a published file (``publish_geojson``):
    the browser fetches it once and caches it, so Streamlit's reruns, which resend every
    component argument, carry a URL instead of the data.
    Lighter than ``folium.GeoJson``: no per-feature style map, no embedded property table.
    """

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.geoJSON({{ this.inline }}, {
    interactive: {{ this.interactive }},
    style: function (f) {
        var s = {{ this.style }};
        if (f.properties.c) { s.fillColor = f.properties.c; s.color = f.properties.c; }
        return s;
    },
    pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, {radius: {{ this.radius }}});
    },
    onEachFeature: function (f, layer) {
        var p = f.properties;
        if (p.f) {
            layer.bindTooltip("<b>" + (p.n || {{ this.title }}) + "</b>" + (p.k ? "<br>" + p.k : "")
                + {{ this.status }} + {{ this.fid_span }} + p.f + "</span>", {sticky: true});
        }
    }
}).addTo({{ this._parent.get_name() }});
// One canvas draws every layer and a click goes to the topmost feature under the pointer, so
// the stacking must follow the layers' order, not the order in which their files arrive
// (a late polygon layer would otherwise cover the points and take their clicks).
window.__layerStack = (window.__layerStack || []).concat(
    [{order: {{ this.order }}, layer: {{ this.get_name() }}}]);
window.__restack = function () {
    window.__layerStack = window.__layerStack.filter(function (e) { return e.layer._map; });
    window.__layerStack.sort(function (a, b) { return a.order - b.order; })
        .forEach(function (e) { e.layer.bringToFront(); });
};
{% if this.url %}
if (window.__reportGate) { window.__reportGate.start(); }
fetch({{ this.url }}).then(function (r) { return r.json(); }).then(function (d) {
    {{ this.get_name() }}.addData(d);
    window.__restack();
}).finally(function () { if (window.__reportGate) { window.__reportGate.done(); } });
{% else %}
window.__restack();
{% endif %}
{% endmacro %}
""")

    def __init__(self, source: str, layer: LayerDef, title: str = "", status_label: str = "") -> None:
        super().__init__()
        self._name = "GeoJsonLayer"
        is_url = not source.lstrip().startswith("{")
        self.inline = "null" if is_url else source
        self.url = _js_string(source) if is_url else ""
        self.title = _js_string(escape_html(title))
        self.status = _js_string(f"<br><i>{escape_html(status_label)}</i>" if status_label else "")
        self.fid_span = _js_string(f'<span class="fid" style="display:none">{FID_MARK}')
        self.style = json.dumps(layer.style())
        self.radius = layer.radius or 5
        self.interactive = "true" if layer.interactive else "false"
        self.order = DRAW_ORDER.get(layer.id, len(DRAW_ORDER))


#: A published layer file unused for this long is removed; the next run that needs it writes it
#: again (content-addressed: same name, same content).
PUBLISHED_MAX_AGE_S = 7 * 24 * 3600
_PRUNE_EVERY_S = 3600
_last_prune = 0.0


def publish_geojson(text: str, directory: Path = MAP_DATA_DIR, url: str = MAP_DATA_URL) -> str:
    """Write a layer's GeoJSON under ``static/`` (content-addressed, so a URL never changes
    meaning and the browser may cache it) and return its URL. Idempotent.

    Behaviour note: reusing a file marks it used (its modification time), which is what
    ``prune_published`` goes by; writing a new one prunes the folder at most once an hour.
    """
    global _last_prune
    name = hashlib.sha256(text.encode()).hexdigest()[:20] + ".json"
    path = directory / name
    try:
        os.utime(path)
    except FileNotFoundError:
        directory.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
        if time.time() - _last_prune > _PRUNE_EVERY_S:
            _last_prune = time.time()
            prune_published(directory)
    except OSError:  # there, but not ours to mark (another user's file): still served as is
        pass
    return f"{url}/{name}"


def prune_published(directory: Path = MAP_DATA_DIR, max_age_s: float = PUBLISHED_MAX_AGE_S,
                    now: float | None = None) -> int:
    """Remove the published layer files (and leftover temporary files) not used for
    ``max_age_s`` seconds: every filter, language and build leaves its own file, so the folder
    would otherwise only grow. Returns how many were removed."""
    now = time.time() if now is None else now
    removed = 0
    for path in directory.glob("*"):
        try:
            if path.is_file() and now - path.stat().st_mtime > max_age_s:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # another server process pruned it first
            continue
    return removed


def feature_group(layer_id: str, source: str, title: str,
                  status_label: str = "") -> folium.FeatureGroup:
    """One map layer as a feature group (what ``st_folium(feature_group_to_add=...)`` takes).
    ``source``: inline GeoJSON or its published URL; ``status_label`` marks derived and old
    layers in every tooltip."""
    group = folium.FeatureGroup(name=layer_id)
    GeoJsonLayer(source, LAYERS[layer_id], title, status_label).add_to(group)
    return group


HIGHLIGHTS = {
    "highlight": LayerDef("highlight", "boundaries", "#00e5ff", weight=4, radius=11,
                          interactive=False),
    "quartier": LayerDef("quartier", "boundaries", "#7b3294", weight=4, interactive=False),
}


#: Stacking order on the map: the layers in drawing order (polygons below points), then the
#: highlights on top.
DRAW_ORDER = {layer_id: index for index, layer_id in enumerate([*LAYERS, *HIGHLIGHTS])}


def highlight_group(geojson: str | None, name: str = "highlight") -> folium.FeatureGroup:
    """What is highlighted, drawn on top and never interactive: the selected feature
    (``"highlight"``) or the quartier filtered on (``"quartier"``)."""
    group = folium.FeatureGroup(name=name)
    if geojson:
        GeoJsonLayer(geojson, HIGHLIGHTS[name]).add_to(group)
    return group


def highlight_geojson(frame: gpd.GeoDataFrame) -> str:
    """Geometries only (no properties) of what is highlighted."""
    geometry = light_geometry(frame, SIMPLIFY_M)
    features = [{"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(g)}
                for g in geometry.values if g is not None and not g.is_empty]
    return json.dumps({"type": "FeatureCollection", "features": features},
                      separators=(",", ":"))


class ReportGate(MacroElement):
    """Holds the map's first report to Streamlit until its first layers are drawn.

    streamlit-folium reports the view as soon as the map is mounted; the page reruns on that
    report to draw its controls, and that rerun competes with the iframe for the browser's main
    thread while the layers are still being fetched and drawn. The first report is kept until
    every layer fetch started by then has finished and the next frame (the one showing the
    layers) has been painted, or ``max_wait_ms`` passes (``idle_ms`` when no layer is on); later
    reports go through at once. Once per iframe: reruns do not reset it.
    """

    _template = Template("""
{% macro script(this, kwargs) %}
(function () {
    var S = window.Streamlit;
    if (window.__reportGate || !S || !S.setComponentValue) { return; }
    var send = S.setComponentValue.bind(S), held = null, open = false;
    function release() {
        if (open) { return; }
        open = true;
        if (held !== null) { send(held); held = null; }
    }
    var gate = window.__reportGate = {pending: 0, started: false, release: release,
        start: function () { gate.pending += 1; gate.started = true; },
        // after the frame that paints the new layers: the rerun waits for the first picture
        done: function () {
            gate.pending -= 1;
            if (gate.pending <= 0) {
                requestAnimationFrame(function () { requestAnimationFrame(release); });
            }
        }};
    S.setComponentValue = function (value) {
        if (open) { return send(value); }
        held = value;
    };
    setTimeout(function () { if (!gate.started) { release(); } }, {{ this.idle_ms }});
    setTimeout(release, {{ this.max_wait_ms }});
})();
{% endmacro %}
""")

    def __init__(self, idle_ms: int = 800, max_wait_ms: int = 4000) -> None:
        super().__init__()
        self._name = "ReportGate"
        self.idle_ms = idle_ms
        self.max_wait_ms = max_wait_ms


class OfflineMap(folium.Map):
    """A ``folium.Map`` whose only assets are Leaflet's JS and CSS served by the app itself.

    Folium's defaults point at public CDNs (and jQuery, Bootstrap, Font Awesome); streamlit-folium
    loads every element's ``default_js``/``default_css`` into its iframe, so they are replaced.
    """

    default_js = [("leaflet", LEAFLET_JS)]
    default_css = [("leaflet_css", LEAFLET_CSS)]


@dataclass(frozen=True)
class Basemap:
    id: str
    url: str
    attribution: str
    max_zoom: int


BASEMAP_TILES = {
    "ign": Basemap(
        "ign",
        "https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
        "&LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2&STYLE=normal&TILEMATRIXSET=PM"
        "&FORMAT=image/png&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}",
        '&copy; <a href="https://www.ign.fr/">IGN</a> — Plan IGN v2 (Géoplateforme)', 19),
    "osm": Basemap("osm", "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                   '&copy; <a href="https://www.openstreetmap.org/copyright">'
                   "OpenStreetMap</a> contributors", 19),
}


def base_map(center: tuple[float, float], zoom: int, basemap: str = "none") -> folium.Map:
    """The map the layers are added to: identical between reruns for a given basemap, so
    streamlit-folium keeps it mounted (layers, view and selection change in place)."""
    fmap = OfflineMap(location=list(center), zoom_start=zoom, tiles=None, prefer_canvas=True,
                      control_scale=True, min_zoom=11, max_zoom=19)
    ReportGate().add_to(fmap)
    tiles = BASEMAP_TILES.get(basemap)
    if tiles is not None:
        folium.TileLayer(tiles.url, attr=tiles.attribution, name=tiles.id,
                         max_zoom=tiles.max_zoom).add_to(fmap)
    return fmap


def zoom_for_bounds(bounds: Sequence[float], width_px: int = 640, height_px: int = 600,
                    max_zoom: int = 17) -> int:
    """The largest Web-Mercator zoom at which ``(west, south, east, north)`` fits the size."""
    west, south, east, north = bounds

    def merc_y(lat: float) -> float:
        rad = math.radians(lat)
        return math.log(math.tan(math.pi / 4 + rad / 2))

    for zoom in range(max_zoom, 0, -1):
        world = 256 * 2 ** zoom
        width = (east - west) / 360 * world
        height = (merc_y(north) - merc_y(south)) / (2 * math.pi) * world
        if width <= width_px and height <= height_px:
            return zoom
    return 1


def view_for_bounds(bounds: Sequence[float], point_zoom: int = 17) -> tuple[float, float, int]:
    """(lat, lon, zoom) showing ``(west, south, east, north)`` whole; a point gets ``point_zoom``."""
    west, south, east, north = (float(v) for v in bounds)
    zoom = point_zoom if (west, south) == (east, north) else zoom_for_bounds((west, south, east, north))
    return (round((south + north) / 2, COORD_DECIMALS), round((west + east) / 2, COORD_DECIMALS),
            zoom)


@dataclass(frozen=True)
class LegendEntry:
    layer_id: str
    title: str
    colour: str
    shape: str
    status: str
    dashed: bool = False
    steps: tuple[tuple[str, str], ...] = ()
    scale_label: str = ""


def legend(layer_ids: Iterable[str], titles: dict[str, str], statuses: dict[str, str],
           lang: str, kinds: dict[str, Iterable[str]] | None = None) -> list[LegendEntry]:
    """One legend entry per visible layer (drawing order), with the colour steps of scaled ones.
    ``kinds``: the kinds a layer holds in the build; a layer coloured by kind lists only those
    (the PPRI layer around the 20e holds zone B sectors only, so zone V is not in its legend)."""
    wanted = set(layer_ids)
    entries = []
    for layer in LAYERS.values():
        if layer.id not in wanted:
            continue
        shape = "point" if layer.is_point else ("area" if layer.fill else "line")
        steps = tuple(layer.scale.steps()) if layer.scale else ()
        if layer.kind_colours:
            held = set((kinds or {}).get(layer.id, dict(layer.kind_colours)))
            steps = tuple((colour, f"{t('map.zone', lang)} {kind}")
                          for kind, colour in layer.kind_colours if kind in held)
        entries.append(LegendEntry(layer.id, titles.get(layer.id, layer.id), layer.colour, shape,
                                   statuses.get(layer.id, "official"), bool(layer.dash), steps,
                                   layer.scale.label(lang) if layer.scale else ""))
    return entries


def _text_colour(background: str) -> str:
    """Black or white, whichever reads better on ``background`` (#rrggbb)."""
    red, green, blue = (int(background[i:i + 2], 16) for i in (1, 3, 5))
    return "#000" if 0.299 * red + 0.587 * green + 0.114 * blue > 150 else "#fff"


def legend_html(entries: Sequence[LegendEntry], lang: str) -> str:
    """The legend as small HTML (titles escaped; status labels for derived and old layers)."""
    rows = []
    for entry in entries:
        if entry.shape == "point":
            swatch = (f'<span style="display:inline-block;width:11px;height:11px;'
                      f'border-radius:50%;background:{entry.colour};margin-right:6px"></span>')
        elif entry.shape == "area":
            swatch = (f'<span style="display:inline-block;width:14px;height:10px;'
                      f'background:{entry.colour};opacity:.7;margin-right:6px"></span>')
        else:
            line = "dashed" if entry.dashed else "solid"
            swatch = (f'<span style="display:inline-block;width:14px;height:0;'
                      f'border-top:2px {line} {entry.colour};margin-right:6px;'
                      f'vertical-align:middle"></span>')
        status = ""
        if entry.status != "official":
            status = f' <i style="color:#8a5a00">({escape_html(t(f"status.{entry.status}", lang))})</i>'
        rows.append(f'<div style="margin:2px 0">{swatch}{escape_html(entry.title)}{status}</div>')
        if entry.steps:
            cells = "".join(
                f'<span style="display:inline-block;padding:1px 6px;margin:1px;background:{colour};'
                f'color:{_text_colour(colour)}">{escape_html(text)}</span>'
                for colour, text in entry.steps)
            label = f"{escape_html(entry.scale_label)}<br>" if entry.scale_label else ""
            rows.append(f'<div style="margin:0 0 4px 18px">{label}{cells}</div>')
    return f'<div class="map-legend" style="font-size:0.85em">{"".join(rows)}</div>'

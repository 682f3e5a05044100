"""The folium elements the map is made of, with the JavaScript they inject: a light GeoJSON layer
(canvas markers, escaped sticky tooltips, stacking in drawing order), the highlight groups, and
the gate that holds the map's first report until its layers are drawn.
"""

from __future__ import annotations

import json
from dataclasses import replace

import folium
from branca.element import MacroElement
from jinja2 import Template

from geo.core.text import escape_html
from geo.map.layers import DRAW_ORDER, HALO_WEIGHT, HIGHLIGHTS, LAYERS, LayerDef
from geo.map.report import FID_MARK


def _js_string(text: str) -> str:
    """A JS string literal, safe inside a ``<script>``."""
    return json.dumps(text, ensure_ascii=False).replace("</", "<\\/")


class GeoJsonLayer(MacroElement):
    """A GeoJSON layer drawn with one fixed style (or a per-feature fill colour ``c``), the
    layer's symbol for points (``geo.map.symbols``, on the canvas when the map prefers it) and a
    sticky tooltip built from the escaped ``n``/``k``/``f`` properties: name (else the layer
    title), type, hidden fid. A highlight draws points as rings, with its own style.

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
        var s = f.geometry.type === "Point" ? {{ this.point_style }} : {{ this.style }};
        if (f.properties.c) {
            s.fillColor = f.properties.c;
            {% if this.kind_outline %}s.color = f.properties.c;{% endif %}
        }
        return s;
    },
    pointToLayer: function (f, latlng) {
        // the layer's symbol (geo.map.symbols), drawn on the shared canvas like a circle marker;
        // a layer sized by a field gives each feature its radius (r)
        return (L.shapeMarker || L.circleMarker)(latlng, {radius: f.properties.r || {{ this.radius }},
                                                          shape: {{ this.shape }}});
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
        highlight = layer.id in HIGHLIGHTS
        style = {**layer.style(), "highlight": True} if highlight else layer.style()
        self.style = json.dumps(style)
        self.point_style = self.style if highlight else json.dumps(layer.point_style())
        self.kind_outline = bool(layer.kind_colours)
        self.shape = json.dumps("circle" if highlight else layer.shape)
        self.radius = layer.radius or 5
        self.interactive = "true" if layer.interactive else "false"
        self.order = DRAW_ORDER.get(layer.id, len(DRAW_ORDER))


def feature_group(layer_id: str, source: str, title: str,
                  status_label: str = "") -> folium.FeatureGroup:
    """One map layer as a feature group (what ``st_folium(feature_group_to_add=...)`` takes).
    ``source``: inline GeoJSON or its published URL; ``status_label`` marks derived and old
    layers in every tooltip."""
    group = folium.FeatureGroup(name=layer_id)
    GeoJsonLayer(source, LAYERS[layer_id], title, status_label).add_to(group)
    return group


def highlight_group(geojson: str | None, name: str = "highlight") -> folium.FeatureGroup:
    """What is highlighted, drawn on top and never interactive: the selected feature
    (``"highlight"``) or the quartier filtered on (``"quartier"``), as a black line over a wider
    white halo (one of the two contrasts with whatever is underneath)."""
    group = folium.FeatureGroup(name=name)
    if geojson:
        ring = HIGHLIGHTS[name]
        halo = replace(ring, colour=ring.halo, weight=HALO_WEIGHT, dash="", halo="")
        GeoJsonLayer(geojson, halo).add_to(group)
        GeoJsonLayer(geojson, ring).add_to(group)
    return group


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

"""Pieces of the workshop view (pure, no Streamlit): the participants' link and its QR code, and
the proposals drawn on the map.

The QR code is made locally by ``segno`` (no web service). The room's map fetches its proposals
from the app's route ``/live/<slug>.json`` (``geo.ui.live``): approved ones, with no first name,
while the workshop is open; the pending ones too when the facilitator shows everything live and
the request carries the room screen's token. Texts are HTML-escaped here (a participant's
``<script>`` is shown, never run). Nothing is written under ``static/`` any more: the public
file it replaces (``static/proposals/<slug>.json``, pending proposals and first names, served
with ``Access-Control-Allow-Origin: *`` and never removed) is deleted by
:func:`remove_legacy_live_files`.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

import segno
from jinja2 import Template

from geo.core.text import escape_html
from geo.map.assets import STATIC_DIR
from geo.map.elements import GeoJsonLayer
from geo.map.layers import LAYERS, LayerDef
from geo.participation.clientaddr import server_secret
from geo.participation.hosts import PUBLIC_URL_ENV
from geo.participation.proposals import Proposal

__all__ = ["PUBLIC_URL_ENV", "LIVE_ROUTE", "participants_url", "qr_png", "proposals_geojson",
           "live_url", "screen_token", "remove_legacy_live_files", "room_layer_spec",
           "LiveProposalsLayer"]
#: The form's URL path (``url_path`` of pages/propose.py in app.py).
PROPOSE_PATH = "proposer"
#: The light join page's URL path (``geo.web.join``): what the QR code opens.
JOIN_PATH = "rejoindre"
#: How the proposals are drawn: large red dots, visible from the back of the room.
PROPOSALS_LAYER = LayerDef("proposals", "facilities", "#d7191c", fill=0.9, weight=2, radius=9)
TOOLTIP_TEXT_MAX = 160
#: The route the room's map fetches its proposals from (``geo.ui.live``).
LIVE_ROUTE = "/live"
#: Where earlier versions published the room's proposals as public files.
LEGACY_LIVE_DIR = STATIC_DIR / "proposals"


def participants_url(base_url: str, workshop: str, lang: str = "fr") -> str:
    """The light join page of one workshop: ``<scheme>://<host>[/<prefix>]/rejoindre/<workshop>``
    (``?lang=en`` in English): what the QR code and the room's screen show.

    ``base_url`` is where the app is reached (``st.context.url`` or ``RESILIENCE_PUBLIC_URL``);
    its own path (a page name) is dropped, a path prefix ending with ``/`` is kept.
    """
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"not an http(s) address: {base_url!r}")
    prefix = parts.path if parts.path.endswith("/") else parts.path.rsplit("/", 1)[0] + "/"
    query = {"lang": lang} if lang != "fr" else {}
    return urlunsplit((parts.scheme, parts.netloc, f"{prefix}{JOIN_PATH}/{quote(workshop)}",
                       urlencode(query), ""))


def qr_png(url: str, scale: int = 8) -> bytes:
    """The QR code of ``url`` as a PNG (error correction M, quiet zone kept for scanners)."""
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def proposals_geojson(proposals: Sequence[Proposal], labels: dict[str, str],
                      room: dict | None = None) -> str:
    """Proposals as light GeoJSON for ``GeoJsonLayer``: ``n`` the category label, ``k`` the text
    (shortened), ``f`` ``proposal:<id>``; every text escaped. Safe inside a ``<script>``. No
    first name: this is served to anyone who can reach the app. ``room``: the room's step for
    :class:`LiveProposalsLayer` (a foreign member of the FeatureCollection)."""
    features = []
    for proposal in proposals:
        text = proposal.text if len(proposal.text) <= TOOLTIP_TEXT_MAX else \
            proposal.text[:TOOLTIP_TEXT_MAX - 1] + "…"
        features.append({"type": "Feature",
                         "properties": {"n": escape_html(labels.get(proposal.category,
                                                                    proposal.category)),
                                        "k": escape_html(text),
                                        "f": escape_html(f"proposal:{proposal.id}")},
                         "geometry": {"type": "Point",
                                      "coordinates": [proposal.lon, proposal.lat]}})
    collection = {"type": "FeatureCollection", "features": features}
    if room is not None:
        collection["room"] = room
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    return text.replace("</", "<\\/")


def screen_token(workshop: str, secret: bytes | None = None) -> str:
    """The room screen's token for one workshop (a keyed hash): with it, the live route also
    serves the pending proposals when the facilitator shows everything live. Only pages showing
    the room's screen put it in their map's URL."""
    key = server_secret() if secret is None else secret
    return hmac.new(key, f"screen:{workshop}".encode(), hashlib.sha256).hexdigest()[:24]


def live_url(workshop: str, token: str = "") -> str:
    """The URL the room's map fetches a workshop's proposals from (a checked slug)."""
    return f"{LIVE_ROUTE}/{workshop}.json" + (f"?t={token}" if token else "")


def remove_legacy_live_files(workshop: str | None = None, directory: Path = LEGACY_LIVE_DIR
                             ) -> int:
    """Delete the public live files earlier versions wrote (one workshop's, or all of them);
    how many were removed."""
    if workshop is None:
        count = len(list(directory.glob("*"))) if directory.is_dir() else 0
        shutil.rmtree(directory, ignore_errors=True)
        return count
    path = directory / f"{workshop}.json"
    try:
        path.unlink()
    except FileNotFoundError:
        return 0
    return 1


def room_layer_spec(layer_id: str, url: str, title: str) -> dict:
    """What the room's map needs to draw one layer of a scenario step by itself (the same
    style, radius, stacking order and escaped tooltip title as ``GeoJsonLayer``)."""
    element = GeoJsonLayer(url, LAYERS[layer_id], title)
    return {"id": layer_id, "url": url, "title": escape_html(title), "style": LAYERS[layer_id].style(),
            "radius": element.radius, "order": element.order,
            "interactive": LAYERS[layer_id].interactive}


class LiveProposalsLayer(GeoJsonLayer):
    """The proposals, fetched by the map itself from ``url`` every ``interval_s`` seconds, and
    the room's step: when the answer holds a ``room`` member (``view``: lat, lon, zoom;
    ``layers``: :func:`room_layer_spec` entries), the map moves to the view and shows exactly
    those layers, each fetched once from its published URL.

    The map is then never re-sent by Streamlit: neither a new proposal nor a new step re-runs
    the page on the screens that follow the room. One timer per URL and page, even if the
    script is evaluated again. ``window.__workshopProposals`` holds the number of proposals
    drawn, ``window.__roomLayers`` the ids of the step's layers drawn.
    """

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.geoJSON(null, {
    style: function (f) { return {{ this.style }}; },
    pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, {radius: {{ this.radius }}});
    },
    onEachFeature: function (f, layer) {
        var p = f.properties;
        layer.bindTooltip("<b>" + (p.n || {{ this.title }}) + "</b>" + (p.k ? "<br>" + p.k : "")
            + {{ this.fid_span }} + p.f + "</span>", {sticky: true});
    }
}).addTo({{ this._parent.get_name() }});
(function () {
    var map = {{ this._parent.get_name() }}, layer = {{ this.get_name() }};
    var url = {{ this.url }}, last = null, lastView = null, drawn = {};
    window.__layerStack = window.__layerStack || [];
    window.__restack = window.__restack || function () {
        window.__layerStack = window.__layerStack.filter(function (e) { return e.layer._map; });
        window.__layerStack.sort(function (a, b) { return a.order - b.order; })
            .forEach(function (e) { e.layer.bringToFront(); });
    };
    function stepLayer(spec) {
        var drawnLayer = L.geoJSON(null, {
            interactive: spec.interactive,
            style: function (f) {
                var s = Object.assign({}, spec.style);
                if (f.properties.c) { s.fillColor = f.properties.c; s.color = f.properties.c; }
                return s;
            },
            pointToLayer: function (f, latlng) { return L.circleMarker(latlng, {radius: spec.radius}); },
            onEachFeature: function (f, l) {
                var p = f.properties;
                if (p.f) {
                    l.bindTooltip("<b>" + (p.n || spec.title) + "</b>" + (p.k ? "<br>" + p.k : "")
                        + {{ this.fid_span }} + p.f + "</span>", {sticky: true});
                }
            }
        }).addTo(map);
        window.__layerStack.push({order: spec.order, layer: drawnLayer});
        fetch(spec.url).then(function (r) { return r.json(); }).then(function (d) {
            drawnLayer.addData(d);
            window.__restack();
            layer.bringToFront();
        }).catch(function () {});
        return drawnLayer;
    }
    function follow(room) {
        var view = JSON.stringify(room.view);
        if (view !== lastView) { lastView = view; map.setView([room.view[0], room.view[1]], room.view[2]); }
        var wanted = {};
        room.layers.forEach(function (spec) { wanted[spec.id + " " + spec.url] = spec; });
        Object.keys(drawn).forEach(function (key) {
            if (!wanted[key]) { map.removeLayer(drawn[key]); delete drawn[key]; }
        });
        Object.keys(wanted).forEach(function (key) {
            if (!drawn[key]) { drawn[key] = stepLayer(wanted[key]); }
        });
        window.__roomLayers = Object.keys(drawn).map(function (key) { return key.split(" ")[0]; });
    }
    function load() {
        fetch(url, {cache: "no-store"})
            .then(function (r) { return r.ok ? r.text() : null; })
            .then(function (text) {
                if (text === null || text === last) { return; }
                last = text;
                var data = JSON.parse(text);
                if (data.room) { follow(data.room); }
                layer.clearLayers();
                layer.addData(data);
                layer.bringToFront();
                window.__workshopProposals = layer.getLayers().length;
            })
            .catch(function () {});
    }
    window.__workshopTimers = window.__workshopTimers || {};
    clearInterval(window.__workshopTimers[url]);
    window.__workshopTimers[url] = setInterval(load, {{ this.interval_ms }});
    load();
})();
{% endmacro %}
""")

    def __init__(self, url: str, title: str, interval_s: float) -> None:
        super().__init__(url, PROPOSALS_LAYER, title)
        self.interval_ms = int(interval_s * 1000)

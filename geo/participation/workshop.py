"""Pieces of the workshop view (pure, no Streamlit): the participants' link and its QR code, and
the proposals drawn on the map.

The QR code is made locally by ``segno`` (no web service). Proposals go to the browser with
their texts HTML-escaped here (a participant's ``<script>`` is shown, never run).
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

import segno
from jinja2 import Template

from geo.core.compress import write_siblings
from geo.core.text import escape_html
from geo.map.assets import STATIC_DIR, STATIC_URL
from geo.map.elements import GeoJsonLayer
from geo.map.layers import LayerDef
from geo.participation.proposals import Proposal

PUBLIC_URL_ENV = "RESILIENCE_PUBLIC_URL"
#: The full form's URL path (``url_path`` of pages/propose.py in app.py).
PROPOSE_PATH = "proposer"
#: The light join page's URL path (``geo.web.join``): what the QR code opens.
JOIN_PATH = "rejoindre"
#: How the proposals are drawn: large red dots, visible from the back of the room.
PROPOSALS_LAYER = LayerDef("proposals", "facilities", "#d7191c", fill=0.9, weight=2, radius=9)
TOOLTIP_TEXT_MAX = 160
#: Where the room's proposals are published for the map to fetch (``static/`` is served).
LIVE_DIR = STATIC_DIR / "proposals"
LIVE_URL = f"{STATIC_URL}/proposals"


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


def proposals_geojson(proposals: Sequence[Proposal], labels: dict[str, str]) -> str:
    """Proposals as light GeoJSON for ``GeoJsonLayer``: ``n`` the category label, ``k`` the text
    (shortened), ``f`` ``proposal:<id>``; every text escaped. Safe inside a ``<script>``."""
    features = []
    for proposal in proposals:
        text = proposal.text if len(proposal.text) <= TOOLTIP_TEXT_MAX else \
            proposal.text[:TOOLTIP_TEXT_MAX - 1] + "…"
        if proposal.first_name:
            text = f"{text} — {proposal.first_name}"
        features.append({"type": "Feature",
                         "properties": {"n": escape_html(labels.get(proposal.category,
                                                                    proposal.category)),
                                        "k": escape_html(text),
                                        "f": escape_html(f"proposal:{proposal.id}")},
                         "geometry": {"type": "Point",
                                      "coordinates": [proposal.lon, proposal.lat]}})
    text = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False,
                      separators=(",", ":"))
    return text.replace("</", "<\\/")


def publish_live(workshop: str, geojson: str, directory: Path = LIVE_DIR,
                 url: str = LIVE_URL) -> str:
    """Write a workshop's proposals where the map fetches them (``<slug>.json``, replaced
    atomically, only when they changed, with a gzip copy beside it for ``geo.web.static``); the
    URL. ``workshop`` is a checked slug."""
    path = directory / f"{workshop}.json"
    try:
        unchanged = path.read_text(encoding="utf-8") == geojson
    except OSError:
        unchanged = False
    if not unchanged:
        directory.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        data = geojson.encode("utf-8")
        tmp.write_bytes(data)
        tmp.replace(path)
        write_siblings(path, data, ("gzip",))  # level 9 on a few KB: well under a millisecond
    return f"{url}/{workshop}.json"


class LiveProposalsLayer(GeoJsonLayer):
    """The proposals, fetched by the map itself from ``url`` every ``interval_s`` seconds.

    The map is then never re-sent to show a new proposal: a Streamlit re-run of the page is
    needed only when the facilitator changes step. One timer per URL and page, even if the
    script is evaluated again. ``window.__workshopProposals`` holds the number drawn.
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
    var layer = {{ this.get_name() }}, url = {{ this.url }}, last = null;
    function load() {
        fetch(url, {cache: "no-store"})
            .then(function (r) { return r.ok ? r.text() : null; })
            .then(function (text) {
                if (text === null || text === last) { return; }
                last = text;
                layer.clearLayers();
                layer.addData(JSON.parse(text));
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


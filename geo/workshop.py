"""Pieces of the workshop view (pure, no Streamlit): the participants' link and its QR code, and
the proposals drawn on the map.

The QR code is made locally by ``segno`` (no web service). Proposals go to the browser with
their texts HTML-escaped here (a participant's ``<script>`` is shown, never run).
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from urllib.parse import urlencode, urlsplit, urlunsplit

import folium
import segno

from geo.mapview import GeoJsonLayer, LayerDef
from geo.proposals import Proposal
from geo.text import escape_html

PUBLIC_URL_ENV = "RESILIENCE_PUBLIC_URL"
#: The form's URL path (``url_path`` of pages/propose.py in app.py).
PROPOSE_PATH = "proposer"
#: How the proposals are drawn: large red dots, visible from the back of the room.
PROPOSALS_LAYER = LayerDef("proposals", "facilities", "#d7191c", fill=0.9, weight=2, radius=9)
TOOLTIP_TEXT_MAX = 160


def participants_url(base_url: str, workshop: str, lang: str = "fr") -> str:
    """The form's address for one workshop: ``<scheme>://<host>[/<prefix>]/proposer?workshop=…``.

    ``base_url`` is where the app is reached (``st.context.url`` or ``RESILIENCE_PUBLIC_URL``);
    its own path (a page name) is dropped, a path prefix ending with ``/`` is kept.
    """
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"not an http(s) address: {base_url!r}")
    prefix = parts.path if parts.path.endswith("/") else parts.path.rsplit("/", 1)[0] + "/"
    query = {"workshop": workshop, **({"lang": lang} if lang != "fr" else {})}
    return urlunsplit((parts.scheme, parts.netloc, prefix + PROPOSE_PATH, urlencode(query), ""))


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


def proposals_group(proposals: Sequence[Proposal], labels: dict[str, str],
                    title: str) -> folium.FeatureGroup:
    """The proposals as one feature group (for ``st_folium(feature_group_to_add=…)``)."""
    group = folium.FeatureGroup(name="proposals")
    GeoJsonLayer(proposals_geojson(proposals, labels), PROPOSALS_LAYER, title).add_to(group)
    return group


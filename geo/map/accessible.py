"""What makes the map's frame usable without a pointer and readable by assistive technology: the
frame's language (the page's), a named region around the map (its keys in the name), a focus
ring that shows on any background, localised zoom buttons, and pinch zoom left to the browser.

Pure (no Streamlit): a folium element added by ``geo.map.basemap.base_map``.
"""

from __future__ import annotations

import json

from branca.element import MacroElement
from jinja2 import Template

from geo.core.i18n import LANGS, t

#: Folium's map template asks the browser to forbid zooming the page (WCAG 1.4.4 / 1.4.10:
#: pinch zoom must stay possible); ``geo.map.basemap.OfflineMap`` writes this one instead.
VIEWPORT_FOLIUM = "maximum-scale=1.0, user-scalable=no"
VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1.0" />'

#: A two-tone ring (black outside, white inside) drawn over the map's panes: one of the two
#: contrasts with any basemap or layer underneath (WCAG 2.4.7, 1.4.11).
FOCUS_CSS = """
.leaflet-container:focus, .leaflet-container:focus-visible { outline: 3px solid #000;
    outline-offset: -3px; }
.leaflet-container:focus-visible::after { content: ""; position: absolute; inset: 3px;
    border: 2px solid #fff; pointer-events: none; z-index: 1000; }
.leaflet-bar a:focus-visible, .leaflet-control a:focus-visible { outline: 3px solid #000;
    outline-offset: 1px; box-shadow: 0 0 0 5px #fff; }
"""


class AccessibleMap(MacroElement):
    """Adds the frame's language, the map's region and name, the focus ring and localised
    zoom buttons to a folium map (once, on the base map).

    The language is read from the page around the frame (same origin) and followed when it
    changes, so the map's script is the same in both languages: switching language keeps the
    mounted map (streamlit-folium remounts a map whose script changed)."""

    _template = Template("""
{% macro header(this, kwargs) %}
<style>{{ this.css }}</style>
{% endmacro %}
{% macro script(this, kwargs) %}
(function () {
    var map = {{ this._parent.get_name() }}, box = map.getContainer(), texts = {{ this.texts }};
    function pageLang() {
        try { return window.parent.document.documentElement.lang; } catch (e) { return ""; }
    }
    function apply() {
        var lang = texts[pageLang()] ? pageLang() : "fr", text = texts[lang];
        document.documentElement.lang = lang;
        document.title = text.label;
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", text.label + ". " + text.keys);
        var zoom = map.zoomControl;
        if (zoom) {
            [[zoom._zoomInButton, text.zoom_in], [zoom._zoomOutButton, text.zoom_out]]
                .forEach(function (pair) {
                    pair[0].title = pair[1];
                    pair[0].setAttribute("aria-label", pair[1]);
                });
        }
    }
    apply();
    try {
        new MutationObserver(apply).observe(window.parent.document.documentElement,
                                            {attributes: true, attributeFilter: ["lang"]});
    } catch (e) { /* a page of another origin: French, as the app's default */ }
})();
{% endmacro %}
""")

    def __init__(self) -> None:
        super().__init__()
        self._name = "AccessibleMap"
        self.css = FOCUS_CSS
        self.texts = json.dumps({lang: {name: t(f"map.{key}", lang) for name, key in
                                        (("label", "frame_label"), ("keys", "keys"),
                                         ("zoom_in", "zoom_in"), ("zoom_out", "zoom_out"))}
                                 for lang in LANGS}, ensure_ascii=False).replace("</", "<\\/")

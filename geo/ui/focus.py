"""Moving the keyboard focus after a change the user asked for, and saying it (WCAG 2.4.3,
4.1.3): after a search or list pick the focus goes to the « Détails » heading and a polite live
region announces what is shown; closing the details puts the focus back on the map.

A small script in the page (``st.html(..., unsafe_allow_javascript=True)``) does it once per
request: each request carries a new number, so the element's body changes and the script runs
again. The message is the app's own text; it is written with ``textContent``.
"""

from __future__ import annotations

import itertools
import json

import streamlit as st

_REQUESTS = itertools.count(1)
#: The map's drawing area inside its frame (streamlit-folium's iframe, same origin).
MAP_FRAME = 'iframe[src*="streamlit_folium.st_folium"]'
MAP_INSIDE = ".leaflet-container"
_JS = """(function () {
var request = @REQUEST@, tries = 0;
function region() {
    var el = document.getElementById("a11y-live");
    if (!el) {
        el = document.createElement("div");
        el.id = "a11y-live";
        el.setAttribute("role", "status");
        el.setAttribute("aria-live", "polite");
        el.style.cssText = "position:absolute;width:1px;height:1px;overflow:hidden;"
            + "clip-path:inset(50%);white-space:nowrap";
        (document.querySelector('[data-testid="stMain"]') || document.body).appendChild(el);
    }
    return el;
}
function target() {
    var found = document.querySelector(request.selector);
    if (found && request.inside) {
        try { found = found.contentDocument.querySelector(request.inside); } catch (e) { found = null; }
    }
    return found;
}
function go() {
    var el = target();
    if (!el) { if (tries++ < 600) { requestAnimationFrame(go); } return; }
    if (!el.hasAttribute("tabindex")) { el.setAttribute("tabindex", "-1"); }
    el.focus({preventScroll: true});
    el.scrollIntoView({block: "nearest"});
    var live = region();
    live.textContent = "";
    setTimeout(function () { live.textContent = request.message; }, 150);
}
go();
})();"""


def request_focus(selector: str, message: str, inside: str = "") -> None:
    """Move the focus to the element ``selector`` (or, with ``inside``, to that element of the
    frame ``selector``) once it is on the page, and announce ``message``."""
    request = {"n": next(_REQUESTS), "selector": selector, "inside": inside, "message": message}
    body = _JS.replace("@REQUEST@", json.dumps(request, ensure_ascii=False).replace("</", "<\\/"))
    st.html(f"<script>{body}</script>", unsafe_allow_javascript=True)

"""What every page gets from the frame: its own title and language (WCAG 3.1.1, 2.4.2), the
page styles and a small page script for what Streamlit itself writes (its English names
translated or marked, the map frame's title, tables that must scroll), and the middleware that
puts the language in the first HTML (plain ASGI).

What Streamlit 1.67 does (read in its frontend bundle, checked in Chromium):
- ``index.html`` is static and says ``<html lang="en">``; no API sets ``lang``.
- ``document.title``: each ``st.set_page_config(page_title=...)`` message sets it, and calls may
  come after ``st.navigation``; ``app.py`` sets ``document_title(page.title, lang)`` once the
  page is known, so each page has its own title and in-session page switches follow.
- ``lang``: ``app.py`` runs :func:`lang_script` through ``st.html(...,
  unsafe_allow_javascript=True)`` (main document, no iframe, 0 px high; it runs again when the
  language changes). It acts once the session has run the script; :class:`HtmlLangMiddleware`
  (installed in ``geo.ui.asgi``) makes the first HTML already right (``?lang=en`` links, French
  by default), so there is no « en » window. Cost: one bytes replace on the ~2 KB index document
  per page load; static assets, websocket and ``_stcore`` are untouched.
- The page script re-applies itself after Streamlit re-renders (a throttled MutationObserver);
  it is left out of the map's first run, which draws the map alone (``app.py``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import streamlit as st

from geo.core.i18n import DEFAULT_LANG, LANGS, t

#: Paths whose responses are never the app's HTML document.
_SKIP_PREFIXES = ("/_stcore/", "/static/", "/app/static/", "/media/", "/component/")
_LANG_PARAM = re.compile(r"(?:^|&)lang=([a-z]{2})(?:&|$)")
_HTML_TAG = b'<html lang="en">'

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def document_title(page_title: str, lang: str) -> str:
    """« <page> — Résilience Paris 20e » (the app name alone when the page has no title)."""
    name = t("app.name", lang)
    page_title = " ".join(str(page_title or "").split())
    return f"{page_title} — {name}" if page_title and page_title != name else name


def lang_script(lang: str) -> str:
    """A ``<script>`` for ``st.html(..., unsafe_allow_javascript=True)``: sets the document's
    language, and keeps Streamlit's own fixed strings right for it (:data:`STREAMLIT_STRINGS`:
    translated when French; any other English text of Streamlit's chrome is marked
    ``lang="en"``, WCAG 3.1.2) and the map frames' titles meaningful. Only known codes and the
    app's own strings are written (nothing from the URL reaches the script)."""
    code = lang if lang in LANGS else DEFAULT_LANG
    strings = {selector: {"attr": attr, "text": t(key, code)}
               for selector, (attr, key) in STREAMLIT_STRINGS.items()}
    labels = {}
    for key in ARIA_LABELS.values():  # either language's text → this page's
        labels |= {t(key, "fr"): t(key, code), t(key, "en"): t(key, code)}
    prefixes = [[t(key, "en"), t(key, "fr"), t(key, code)] for key in ARIA_PREFIXES]
    config = json.dumps({"lang": code, "strings": strings, "english": ENGLISH_CHROME,
                         "labels": labels, "prefixes": prefixes,
                         "frameTitle": t("map.frame_label", code)}, ensure_ascii=False)
    return "<script>" + _PAGE_JS.replace("@CONFIG@", config.replace("</", "<\\/")) + "</script>"


#: Streamlit's fixed strings the app translates: selector → (attribute or "" for the text, key).
STREAMLIT_STRINGS = {
    '[data-testid="stSkipToContent"]': ("", "a11y.skip"),
    '[data-testid="stSidebarCollapseButton"] button': ("aria-label", "a11y.sidebar_collapse"),
    '[data-testid="stExpandSidebarButton"]': ("aria-label", "a11y.sidebar_expand"),
    '[data-testid="stSidebarNav"]': ("aria-label", "a11y.nav"),
    '[data-testid="stSidebar"]': ("aria-label", "a11y.sidebar"),
}
#: Names (``aria-label``) Streamlit gives its buttons and lists in English, translated on the
#: page: the English text → its key (the English text of the key is Streamlit's own).
ARIA_LABELS = {"Link to heading": "a11y.aria.heading_link", "Show/hide columns": "a11y.aria.columns",
               "Search": "a11y.aria.search", "Fullscreen": "a11y.aria.fullscreen",
               "Download as CSV": "a11y.aria.csv", "Selected values": "a11y.aria.selected",
               "Open": "a11y.aria.open", "Clear all": "a11y.aria.clear_all",
               "Increment": "a11y.aria.increment", "Decrement": "a11y.aria.decrement"}
#: Names made of a fixed start and a value (« Remove École maternelle »).
ARIA_PREFIXES = ("a11y.aria.remove",)
#: Streamlit's fixed English strings the app cannot set (Streamlit 1.67), and where they show:
#: listed in the accessibility statement.
STREAMLIT_ENGLISH: tuple[tuple[str, dict[str, str]], ...] = (
    ("No results", {"fr": "liste déroulante filtrée sans résultat",
                    "en": "drop-down list filtered to nothing"}),
    ("No options to select", {"fr": "liste déroulante vide", "en": "empty drop-down list"}),
    ("Show/hide columns, Download as CSV, Search, Fullscreen",
     {"fr": "bulles d'aide de la barre d'outils des grilles de données (le nom des boutons, lu "
            "par les lecteurs d'écran, est traduit)",
      "en": "tooltips of the data grids' toolbar (the buttons' names, read by screen readers, "
            "are translated)"}),
    ("Copy to clipboard", {"fr": "bloc de commande (téléchargements)",
                           "en": "command block (downloads)"}),
    ("Choose date, Selected Date", {"fr": "champ de date (écran d'atelier)",
                                    "en": "date field (workshop screen)"}),
)
#: Streamlit's chrome left in English (no API sets it): marked ``lang="en"`` on French pages.
ENGLISH_CHROME = ('[data-testid="stInputInstructions"]', '[data-testid="stToolbar"]',
                  '[data-testid="stStatusWidget"]', '[data-testid="stElementToolbar"]',
                  '[data-baseweb="select"] [title="Clear all"]', '[aria-label="Clear all"]',
                  '[data-testid="stNumberInputStepDown"]', '[data-testid="stNumberInputStepUp"]',
                  '[data-testid="stCodeCopyButton"]')
_PAGE_JS = """(function () {
var config = @CONFIG@, state = window.__pageMeta = window.__pageMeta || {};
state.config = config;
document.documentElement.lang = config.lang;
function fix() {
    state.pending = false;
    var c = state.config, french = c.lang !== "en";
    Object.keys(c.strings).forEach(function (selector) {
        var s = c.strings[selector];
        document.querySelectorAll(selector).forEach(function (el) {
            if (s.attr) {
                if (el.getAttribute(s.attr) !== s.text) { el.setAttribute(s.attr, s.text); }
            } else if (el.textContent !== s.text) { el.textContent = s.text; }
        });
    });
    document.querySelectorAll("[aria-label]").forEach(function (el) {
        var label = el.getAttribute("aria-label"), target = c.labels[label];
        if (target !== undefined) {
            if (target !== label) { el.setAttribute("aria-label", target); }
            return;
        }
        c.prefixes.forEach(function (p) {
            [p[0], p[1]].forEach(function (start) {
                if (start !== p[2] && label.indexOf(start) === 0) {
                    el.setAttribute("aria-label", p[2] + label.slice(start.length));
                }
            });
        });
    });
    c.english.forEach(function (selector) {
        document.querySelectorAll(selector).forEach(function (el) {
            if (french) { el.setAttribute("lang", "en"); } else { el.removeAttribute("lang"); }
        });
    });
    // a table wider than its box scrolls inside it: the box takes the focus to scroll by keyboard
    document.querySelectorAll('[data-testid="stMarkdownContainer"]:has(> table)').forEach(function (box) {
        var table = box.querySelector(":scope > table");
        if (box.scrollWidth > box.clientWidth + 1) {
            box.tabIndex = 0;
            box.setAttribute("role", "region");
            box.setAttribute("aria-label", (table.querySelector("th") || table).innerText.slice(0, 80));
        } else if (box.getAttribute("role") === "region") {
            box.removeAttribute("tabindex");
            box.removeAttribute("role");
            box.removeAttribute("aria-label");
        }
    });
    document.querySelectorAll('iframe[src*="streamlit_folium.st_folium"]').forEach(function (f) {
        if (f.title !== c.frameTitle) { f.title = c.frameTitle; }
    });
}
state.fix = fix;
fix();
if (!state.observer) {
    // Streamlit re-renders its chrome: fix again, at most every 150 ms (the page's main thread
    // also draws the map's frame: the map bench's drawn time is kept)
    state.observer = new MutationObserver(function () {
        if (!state.pending) { state.pending = true; setTimeout(function () { state.fix(); }, 150); }
    });
    state.observer.observe(document.body, {childList: true, subtree: true});
    window.addEventListener("resize", function () { state.fix(); });
}
})();"""


#: Headings keep their level (h1 > h2 > h3, WCAG 1.3.1) at sizes that suit sections; Streamlit's
#: English « Press Enter to apply » under text inputs is hidden (the labels and placeholders
#: say it in the page's language); a collapsed sidebar (the default at phone width) is slid off
#: screen by Streamlit but its links kept the focus: hidden, they leave the Tab order (2.4.3);
#: tables wrap between words (a word too long for its cell breaks) and, if still too wide
#: (320 px, 200 % zoom), scroll inside themselves rather than the page (1.4.10); the page script
#: makes such a table's box reachable by Tab; the label of a disabled widget stays readable (8:1;
#: the field itself shows it is disabled).
PAGE_CSS = """<style>
[data-testid="stMain"] h2 { font-size: 1.6rem; }
[data-testid="stMain"] h3 { font-size: 1.3rem; }
[class*="st-key-actions-card"] h2 { font-size: 1.25rem; }
[data-testid="InputInstructions"] { display: none; }
[data-testid="stSidebar"][data-collapsed="true"] { visibility: hidden; }
[data-testid="stWidgetLabel"][disabled], [data-testid="stWidgetLabel"][disabled] * {
    color: #4d4d4d !important; opacity: 1 !important; }
[data-testid="stMarkdownContainer"]:has(> table) { overflow-x: auto; }
[data-testid="stMarkdownContainer"] th, [data-testid="stMarkdownContainer"] td {
    overflow-wrap: break-word; hyphens: auto; }
</style>"""


def apply(page_title: str, lang: str, script: bool = True) -> None:
    """On every run of the frame: the page's own title and (unless ``script`` is off) the page
    script and styles."""
    st.set_page_config(page_title=document_title(page_title, lang))
    holder = st.empty()  # the same place in every run: the elements after it are not remounted
    if script:
        holder.html(PAGE_CSS + lang_script(lang), unsafe_allow_javascript=True)


def lang_from_query(query_string: bytes | str) -> str:
    """``lang`` of a raw query string when it is a known language, else the default."""
    text = query_string.decode("latin-1") if isinstance(query_string, bytes) else query_string
    match = _LANG_PARAM.search(text)
    return match[1] if match and match[1] in LANGS else DEFAULT_LANG


class HtmlLangMiddleware:
    """Rewrites ``<html lang="en">`` of the app's HTML document to the page's language.

    Only ``GET`` responses with ``Content-Type: text/html`` outside Streamlit's asset
    and API routes are buffered and rewritten (Content-Length fixed). Everything else streams
    through untouched.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope.get("method") != "GET"
                or scope.get("path", "").startswith(_SKIP_PREFIXES)):
            await self.app(scope, receive, send)
            return
        lang = lang_from_query(scope.get("query_string", b""))
        held: dict[str, Any] = {}

        async def send_rewritten(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers", []))
                if (headers.get(b"content-type", b"").startswith(b"text/html")
                        and b"content-encoding" not in headers):
                    held["start"], held["body"] = message, b""
                    return
                await send(message)
                return
            if message["type"] == "http.response.body" and "start" in held:
                held["body"] += message.get("body", b"")
                if message.get("more_body", False):
                    return
                body = held["body"].replace(_HTML_TAG, f'<html lang="{lang}">'.encode(), 1)
                start = held.pop("start")
                headers = [(k, v) for k, v in start.get("headers", [])
                           if k.lower() != b"content-length"]
                headers.append((b"content-length", str(len(body)).encode()))
                await send({**start, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
            await send(message)

        await self.app(scope, receive, send_rewritten)

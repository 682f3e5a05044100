"""The map's « Liste »: the places of the current view as a real table (caption, column headers,
one row header per place), each name a link that opens its details on the map, sent back to
Python by a small ``st.components.v2`` component mounted in the page itself (no iframe: the
table is read like the rest of the page, and a link keeps working as a plain link when opened
in a new tab). Every text goes in through ``textContent``: nothing from the data is parsed as
HTML; names, types, addresses and layer titles also have their URL-like parts neutralised
(``geo.core.text.neutralise_autolinks``, invisible), as everywhere else data is shown, so no
later change of how the table is drawn can turn them into links.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from urllib.parse import urlencode

import streamlit as st

from geo.core.text import neutralise_autolinks
from geo.map.layers import LAYERS, select
from geo.map.listing import Anchors, ListRow, anchors, visible_rows
from geo.map.state import MapState, to_params
from geo.participation.layer import LAYER_ID as PROPOSALS
from geo.ui.base import build_id, lang, num, t
from geo.ui.map import map_frame, proposal_layer

_CSS = """
.place-list-scroll { max-height: 26rem; overflow: auto; border: 1px solid #767676; }
.place-list-scroll:focus-visible, .place-list a:focus-visible { outline: 3px solid #000;
    outline-offset: 2px; box-shadow: 0 0 0 5px #fff; }
.place-list table { border-collapse: collapse; width: 100%; font-size: .9rem; color: #111; }
.place-list caption { text-align: left; font-weight: 600; padding: .3rem .5rem; }
.place-list th, .place-list td { text-align: left; padding: .25rem .5rem; vertical-align: top;
    border-top: 1px solid #d0d0d0; }
.place-list thead th { position: sticky; top: 0; background: #f0f2f6; border-top: 0; }
.place-list .num { text-align: right; white-space: nowrap; }
.place-list a { color: #1a4f8b; text-decoration: underline; font-weight: 600; }
"""
_JS = """
export default function (component) {
    const { data, setTriggerValue, parentElement } = component;
    let root = parentElement.querySelector(".place-list");
    if (!root) {
        root = document.createElement("div");
        root.className = "place-list";
        parentElement.appendChild(root);
    }
    const box = document.createElement("div");
    box.className = "place-list-scroll";
    box.tabIndex = 0;  // scrolls by keyboard (WCAG 2.1.1)
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", data.caption);
    const table = document.createElement("table");
    table.createCaption().textContent = data.caption;
    const head = table.createTHead().insertRow();
    data.headers.forEach((text, i) => {
        const th = document.createElement("th");
        th.scope = "col";
        th.textContent = text;
        if (i === data.headers.length - 1) { th.className = "num"; }
        head.appendChild(th);
    });
    const body = table.createTBody();
    data.rows.forEach(([fid, name, layer, kind, address, distance]) => {
        const tr = body.insertRow();
        const th = document.createElement("th");
        th.scope = "row";
        const link = document.createElement("a");
        link.href = data.href + encodeURIComponent(fid);
        link.textContent = name;
        link.addEventListener("click", (event) => {
            if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) { return; }
            event.preventDefault();
            setTriggerValue("pick", fid);
        });
        th.appendChild(link);
        tr.appendChild(th);
        const type = data.layers[layer] + (kind ? " — " + kind : "");
        [type, address, distance].forEach((text, i) => {
            const td = tr.insertCell();
            td.textContent = text;
            if (i === 2) { td.className = "num"; }
            if (i === 1 && data.dataLang) { td.lang = data.dataLang; }
        });
        // names and addresses are French proper names, also on English pages (WCAG 3.1.2)
        if (data.dataLang) { link.lang = data.dataLang; }
    });
    box.appendChild(table);
    root.replaceChildren(box);
}
"""
#: The map page's layout: the map fits the viewport (WCAG 1.4.10 reflow: 320 px wide, 200 %
#: zoom); the side panel's headings are sized for a narrow column.
MAP_PAGE_CSS = """<style>
.st-key-map-frame iframe { height: clamp(240px, calc(100vh - 9rem), 680px) !important; }
.st-key-map-panel h2 { font-size: 1.2rem; padding: .6rem 0 .2rem; }
.st-key-map-panel h3 { font-size: 1rem; padding: .4rem 0 .1rem; }
</style>"""
#: Rows listed at most (nearest first): a longer table is no easier to use, and the rest are
#: counted under it (zoom in or pick a quartier to reach them).
LIST_LIMIT = 100
_COMPONENT = st.components.v2.component("resilience_place_list", css=_CSS, js=_JS,
                                        isolate_styles=False)


@st.cache_resource(show_spinner=False, max_entries=64)
def _layer_anchors(build: str, layer_id: str) -> Anchors:
    return anchors(map_frame(layer_id))


def layer_anchors(layer_id: str) -> Anchors:
    """A point inside each feature of a map layer, once per build (proposals: at each read)."""
    if layer_id == PROPOSALS:
        return anchors(proposal_layer()[0])
    return _layer_anchors(build_id(), layer_id)


@st.cache_resource(show_spinner=False, max_entries=256)
def _shown_fids(build: str, layer_id: str, types: tuple[str, ...] | None,
                quartier: str | None) -> frozenset[str]:
    spec = LAYERS[layer_id]
    return frozenset(select(map_frame(layer_id), spec, types, quartier)["fid"].astype(str))


def shown_fids(layer_id: str, types: tuple[str, ...] | None, quartier: str | None) -> set[str] | None:
    """The fids the map shows for a layer under the type and quartier filters (``None``: all)."""
    spec = LAYERS[layer_id]
    if not (types is not None and spec.filter_types) and not (quartier and spec.filter_quartier):
        return None
    if layer_id == PROPOSALS:
        return set(select(proposal_layer()[0], spec, types, quartier)["fid"].astype(str))
    return set(_shown_fids(build_id(), layer_id, types, quartier))


def place_list(rows: Sequence[ListRow], total: int, href: str, on_pick: Callable[[], None],
               key: str = "map.list") -> None:
    """The table of places (nearest first) and, under it, how many more the view holds.

    ``href``: the URL of the map, to which a row's fid is appended (what a name opens when it
    is opened in a new tab); ``on_pick``: called when a name is followed in the page, with the
    fid in ``st.session_state[key]["pick"]``. Rows travel as short arrays, layer titles once."""
    caption = t("map.list_caption", n=len(rows), total=total)
    layers = list(dict.fromkeys(row.layer_id for row in rows))
    data = {"caption": caption, "dataLang": "fr" if lang() != "fr" else "", "href": href,
            "headers": [t("map.list_name"), t("map.list_type"), t("map.list_address"),
                        t("map.list_distance")],
            "layers": [neutralise_autolinks(next(row.layer_title for row in rows
                                                 if row.layer_id == layer_id))
                       for layer_id in layers],
            "rows": [[row.fid, neutralise_autolinks(row.name), layers.index(row.layer_id),
                      neutralise_autolinks(row.kind), neutralise_autolinks(row.address),
                      f"{num(row.distance_m)} m"] for row in rows]}
    if rows:
        _COMPONENT(key=key, data=data, on_pick_change=on_pick)
    else:
        st.caption(t("map.list_empty"))
    if total > len(rows):
        st.caption(t("map.list_more", more=total - len(rows)))


def view_list(state: MapState, bounds: Sequence[float], titles: Mapping[str, str],
              on_pick: Callable[[], None]) -> list[ListRow]:
    """The « Liste » of a map view: the places of its visible layers (boundaries left out: they
    are the frame, not places) inside ``bounds``, nearest to the centre first; returns the rows
    listed (the page looks a picked fid up in them)."""
    listed = [layer_id for layer_id in state.layers
              if LAYERS[layer_id].interactive and LAYERS[layer_id].family != "boundaries"]
    centre = ((bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2)
    rows, total = visible_rows({layer_id: layer_anchors(layer_id) for layer_id in listed},
                               titles, bounds, centre,
                               {layer_id: shown_fids(layer_id, state.types.get(layer_id), state.quartier)
                                for layer_id in listed}, limit=LIST_LIMIT)
    params = {key: value for key, value in to_params(state).items() if key != "sel"}
    place_list(rows, total, params_link({**params, "sel": ""}), on_pick)
    return rows


def view_bounds(out: Mapping[str, object] | None) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) of the view the map last reported, ``None`` before it has."""
    bounds = (out or {}).get("bounds") or {}
    south_west, north_east = bounds.get("_southWest") or {}, bounds.get("_northEast") or {}
    values = (south_west.get("lng"), south_west.get("lat"), north_east.get("lng"), north_east.get("lat"))
    if any(value is None for value in values):
        return None
    return tuple(float(value) for value in values)  # type: ignore[return-value]


def params_link(params: dict[str, str]) -> str:
    """A relative link to the map with these URL parameters."""
    return "./?" + urlencode(params)

"""The action catalogue in the UI: loaded once per file version, its links in the study area per
build, and the action panels beside the map and in a feature's details.
"""

from __future__ import annotations

import streamlit as st

from geo.actions.loader import load_catalogue
from geo.core.errors import ResilienceError
from geo.core.settings import ACTIONS_FILE
from geo.core.text import escape_html, escape_md
from geo.ui.base import build_id, build_layer, build_manifest, lang, layer, manifest, md_link, show_error, t


@st.cache_resource(show_spinner=False, max_entries=2)
def _catalogue(mtime_ns: int):
    return load_catalogue()


def _catalogue_mtime() -> int:
    return ACTIONS_FILE.stat().st_mtime_ns if ACTIONS_FILE.exists() else 0


def catalogue():
    """The action catalogue (``geo.actions.catalogue.Catalogue``), re-read when data/actions.toml changes."""
    return _catalogue(_catalogue_mtime())


def study_c_ar() -> int:
    """The arrondissement number of the study area (75120 → 20)."""
    return int(manifest()["study_area"]["insee"][-2:])


@st.cache_resource(show_spinner=False, max_entries=2)
def _action_links(build: str, mtime_ns: int) -> tuple[dict, dict]:
    cat = _catalogue(mtime_ns)
    built = build_manifest(build)["layers"]
    wanted = {layer_id for action in cat.actions for layer_id in action.layers} | {
        layer_id for sites in cat.sites for layer_id in sites.layers}
    layers = {layer_id: build_layer(build, layer_id) for layer_id in wanted if layer_id in built}
    c_ar = int(build_manifest(build)["study_area"]["insee"][-2:])
    linked = cat.links_in_area(layers, c_ar)
    reports = {sites.id: cat.match_sites(sites.id, layers) for sites in cat.sites}
    return linked, reports


def action_links() -> tuple[dict, dict]:
    """(action id → layer → linked fids in the study area, site list id → SiteReport), per build."""
    return _action_links(build_id(), _catalogue_mtime())


def actions_url(action_id: str = "") -> str:
    """Link to the « Actions » page (one action when ``action_id`` is given), language kept."""
    params = {"action": action_id} if action_id else {}
    if lang() == "en":
        params["lang"] = "en"
    return "/actions-resilience" + ("?" + "&".join(f"{k}={v}" for k, v in params.items())
                                    if params else "")


def sources_html(sources, page_lang: str, arrow: bool = False) -> str:
    """Source links as HTML, each label marked with its language when it differs from the
    page's (WCAG 3.1.2: French titles on English pages); labels and addresses escaped."""
    links = []
    for source in sources:
        mark = f' lang="{source.lang}"' if source.lang != page_lang else ""
        label = escape_html(("↗ " if arrow else "") + source.label)
        links.append(f'<a href="{escape_html(source.url)}"{mark}>{label}</a>' if source.url
                     else f"<span{mark}>{label}</span>")
    return " · ".join(links)


def layer_actions_panel(layer_ids) -> None:
    """Beside the map: the catalogue's actions concerning the layers shown.

    Behaviour note: a broken catalogue shows its error here and leaves the rest of the page working.
    """
    try:
        cat = catalogue()
    except ResilienceError as exc:
        show_error(exc)
        return
    actions = cat.for_layers(layer_ids)
    if not actions:
        return
    current = lang()
    with st.expander(t("actions.map_panel", n=len(actions))):
        st.markdown("\n".join(
            f"- {md_link(action.display_title(current), actions_url(action.id))} — "
            f"*{escape_md(cat.frameworks[action.framework].short.get(current))}*"
            for action in actions))
        st.markdown(md_link(t("actions.all_actions") + " →", actions_url()))


def feature_actions_panel(fid: str) -> None:
    """In the map's details panel: the actions linked to one feature, their status, and why."""
    layer_id = fid.split(":", 1)[0]
    if layer_id not in manifest()["layers"]:  # e.g. a proposal: it names its action itself
        return
    frame = layer(layer_id)
    hit = frame[frame["fid"] == fid]
    if hit.empty:
        return
    row = hit.drop(columns=frame.geometry.name).iloc[0].to_dict()
    st.subheader(t("actions.map_feature"), anchor=False)
    try:
        cat = catalogue()
    except ResilienceError as exc:
        show_error(exc)
        return
    links = cat.feature_links(layer_id, row)
    current = lang()
    if not links:
        st.caption(t("actions.map_feature_none"))
        return
    lines, reasons = [], []
    for link in links:
        action = link.action
        status = "".join(f" — **:material/check_circle: {escape_md(status.get(current))}**"
                         for status in link.statuses)
        lines.append(f"- {md_link(action.display_title(current), actions_url(action.id))} "
                     f"(*{escape_md(cat.frameworks[action.framework].short.get(current))}*){status}")
        colon = " : " if current == "fr" else ": "
        reasons.append(f"<li><strong>{escape_html(action.display_title(current))}</strong>{colon}"
                       f"{escape_html(' '.join(note.get(current) for note in link.notes))} "
                       f"{sources_html(action.sources[:1], current, arrow=True)}</li>")
    st.markdown("\n".join(lines))
    with st.expander(t("actions.map_why")):
        st.html(f"<ul>{''.join(reasons)}</ul>")

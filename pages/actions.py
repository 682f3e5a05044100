"""« Actions »: the resilience action catalogue, filtered, each action with its layers and map link.

Widgets → ``geo.actions.catalogue`` (catalogue, links, map parameters) → render; every text is escaped.
"""

import streamlit as st

from geo.actions.links import FILTER_PARAMS, Filters, map_params, parse_filters
from geo.actions.model import HAZARDS, Action
from geo.core.errors import ResilienceError
from geo.core.text import escape_html
from geo.map.layers import LAYERS
from geo.ui import actions as actions_ui
from geo.ui import base as ui

lang = ui.lang()
st.title(ui.t("actions.title"))
manifest = ui.require_build()
built = manifest["layers"]


def layer_title(layer_id: str) -> str:
    entry = built.get(layer_id)
    if entry is None:
        return ui.registry().layer(layer_id).title(lang)
    return entry["title_en"] if lang == "en" else entry["title_fr"]


drawable = [layer_id for layer_id in LAYERS if layer_id in built]
kinds = {layer_id: ui.layer_kinds(layer_id) for layer_id in drawable
         if LAYERS[layer_id].filter_types}


def on_filter(reset_axis: bool = False) -> None:
    """A filter changed: the single action asked for by a link is let go."""
    st.session_state["actions.action"] = ""
    if reset_axis:
        st.session_state["actions.axis"] = ""


def render(action: Action) -> None:
    framework = cat.frameworks[action.framework]
    axis = cat.axis(action)
    st.markdown(f"## {ui.escape_md(action.display_title(lang))}")
    facts = [framework.title.get(lang), axis.title.get(lang)
             + ("" if axis.official else f" ({ui.t('actions.project_axis')})"),
             ", ".join(cat.hazards[hazard].label.get(lang) for hazard in action.hazards)]
    if lang == "en" and action.title_en:  # the official title beside, marked as French
        st.html(f'<p style="margin:0;color:#111">{ui.t("actions.official_title")} '
                f'<q lang="fr">{escape_html(action.title)}</q></p>')
    if action.paraphrase:
        facts.append(ui.t("actions.paraphrase"))
    if action.official_no:
        facts.append(ui.t("actions.official_no", no=action.official_no))
    st.caption(" · ".join(ui.escape_md(fact) for fact in facts))
    st.markdown(ui.escape_md(action.description.get(lang)))
    if action.official_no_note.fr:
        st.caption(ui.escape_md(action.official_no_note.get(lang)))
    linked = links.get(action.id, {})
    if action.layers:
        lines = []
        for layer_id in action.layers:
            if layer_id not in built:
                note = ui.t("actions.not_built")
            elif layer_id in linked:
                note = ui.t("actions.features", n=len(linked[layer_id]))
            else:
                note = ui.t("actions.context")
            if layer_id not in LAYERS:
                note += f", {ui.t('actions.not_on_map')}"
            lines.append(f"- {ui.escape_md(layer_title(layer_id))} — {ui.escape_md(note)}")
        st.markdown(f"**{ui.t('actions.layers')}**\n\n" + "\n".join(lines))
    else:
        st.markdown(f"**{ui.t('actions.unplaced')}** — {ui.escape_md(action.unplaced.get(lang))}")
    for sites in (item for item in cat.sites if item.action == action.id):
        report = reports[sites.id]
        found = len(sites.entries) - len(report.unmatched)
        st.markdown(ui.escape_md(ui.t("actions.sites", status=sites.status.get(lang), found=found,
                                      total=len(sites.entries), features=len(report.matches))))
        if report.unmatched:
            colon = " : " if lang == "fr" else ": "
            st.caption(ui.t("actions.sites_unmatched") + colon
                       + "; ".join(ui.escape_md(entry.label()) for entry in report.unmatched))
        with st.expander(ui.t("actions.sites_found", n=len(report.matches))):
            for match in report.matches:
                extra = {"lang": "en"} if lang == "en" else {}
                st.page_link("pages/map.py", label=f"{match.entry.label()} → {match.name}",
                             query_params={"layers": match.layer, "sel": match.fid, **extra})
    colon = " : " if lang == "fr" else ": "
    st.html(f"<p><strong>{escape_html(ui.t('actions.sources'))}</strong>{colon}"
            f"{actions_ui.sources_html(action.sources, lang)}</p>")
    params = map_params(action, lang, drawable, kinds, linked)
    if params:
        st.page_link("pages/map.py", label=ui.t("actions.see_on_map"), icon=":material/map:",
                     query_params=params)


try:
    cat = actions_ui.catalogue()
    links, reports = actions_ui.action_links()
    area = manifest["study_area"]
    st.write(ui.t("actions.intro", area=f"Paris {int(area['insee'][-2:])}e, {area['name']}"))
    url = {key: st.query_params.get(key, "") for key in FILTER_PARAMS}
    if st.session_state.get("actions.url") != url:
        # First visit, or a link from another page: the widgets take the URL's filters.
        for key, value in vars(parse_filters(url, cat)).items():
            st.session_state[f"actions.{key}"] = value
    everything = ui.t("actions.all")
    col_framework, col_axis, col_hazard = st.columns(3)
    framework = col_framework.selectbox(
        ui.t("actions.framework"), ["", *cat.frameworks], key="actions.framework",
        on_change=on_filter, args=(True,),
        format_func=lambda fid: cat.frameworks[fid].title.get(lang) if fid else everything,
        placeholder=ui.t("app.choose_one"))
    axes = cat.frameworks[framework].axes if framework else {}
    axis = col_axis.selectbox(
        ui.t("actions.axis"), ["", *axes], key="actions.axis", disabled=not axes,
        on_change=on_filter,
        format_func=lambda aid: axes[aid].title.get(lang) if aid else everything,
        placeholder=ui.t("app.choose_one"))
    hazard = col_hazard.selectbox(
        ui.t("actions.hazard"), ["", *HAZARDS], key="actions.hazard", on_change=on_filter,
        format_func=lambda hid: cat.hazards[hid].label.get(lang) if hid else everything,
        placeholder=ui.t("app.choose_one"))
    if framework:
        chosen_framework = cat.frameworks[framework]
        colon = " : " if lang == "fr" else ": "
        st.caption(ui.escape_md(chosen_framework.description.get(lang)) + " — "
                   + ui.t("actions.sources") + colon + " · ".join(
                       ui.md_link(source.label, source.url) for source in chosen_framework.sources))
    only = st.session_state["actions.action"]
    chosen = [cat.action(only)] if only else cat.filter(framework or None, axis or None,
                                                          hazard or None)
    params = Filters(framework, axis, hazard, only).params()
    for key in FILTER_PARAMS:
        if key not in params:
            st.query_params.pop(key, None)
    st.query_params.update(params)
    st.session_state["actions.url"] = {key: params.get(key, "") for key in FILTER_PARAMS}
    st.caption(ui.t("actions.count", n=len(chosen), total=len(cat.actions)))
    if only:
        st.button(ui.t("actions.show_all"), key="actions.show_all", on_click=on_filter)
    if not chosen:
        st.info(ui.t("actions.none"))
    for action in chosen:
        with st.container(border=True, key=f"actions.card.{action.id}"):
            render(action)
except ResilienceError as exc:
    ui.show_error(exc)

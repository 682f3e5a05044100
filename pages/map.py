"""« Carte »: the risk map of the study area, the app's home.

Widgets → ``geo.map.state`` (URL state) → ``geo.map`` (light layers, published) → ``st_folium``; clicks come
back as the fid carried in the tooltip and the details are looked up on the server.
"""

from dataclasses import replace

import streamlit as st
from streamlit_folium import st_folium

from geo.core.errors import ResilienceError
from geo.core.text import neutralise_autolinks
from geo.map import details as mapdetails
from geo.map import state as mapstate
from geo.map.basemap import base_map, view_for_bounds
from geo.map.elements import feature_group, highlight_group
from geo.map.geojson import highlight_geojson
from geo.map.layers import DEFAULT_LAYERS, FAMILIES, LAYERS, PERIODS, family_layers, layer_title, status_tag
from geo.map.legend import legend, legend_html
from geo.map.report import impose_view, read_report
from geo.map.search import Hit
from geo.ui import actions as actions_ui
from geo.ui import analysis as analysis_ui
from geo.ui import base as ui
from geo.ui import map as map_ui
from geo.ui import map_list
from geo.ui.focus import MAP_FRAME, MAP_INSIDE, request_focus

MAP_HEIGHT = 680
lang = ui.lang()
manifest = ui.require_build()
info = map_ui.map_layers_info()
available = [layer_id for layer_id in LAYERS if layer_id in info]
study = ui.layer("arrondissements")
study = study[study["source_id"] == manifest["study_area"]["insee"]]
home = view_for_bounds(study.total_bounds)
quartiers = ui.layer("quartiers")
quartiers = quartiers[quartiers["c_ar"] == int(manifest["study_area"]["insee"][-2:])]
quartier_names = dict(zip(quartiers["source_id"], quartiers["name"], strict=True))
kinds = {lid: ui.layer_kinds(lid) for lid in available if LAYERS[lid].filter_types}


def title(layer_id: str, tagged: bool = True) -> str:
    return layer_title(info[layer_id], lang, tagged)


def adopt(state: mapstate.MapState) -> None:
    """Take the state a URL asks for (first visit, or a link from another page). The widgets'
    own state is dropped: they are re-created with this state as their default value, which is
    also what they fall back to if Streamlit drops their state (e.g. an interrupted rerun)."""
    for key in [key for key in st.session_state if str(key).startswith(mapstate.WIDGET_PREFIXES)]:
        del st.session_state[key]
    st.session_state["map.state"] = state
    st.session_state["map.sel"] = state.sel
    st.session_state["map.view"] = (state.lat, state.lon, state.z) if state.has_view else None
    if state.quartier and not state.has_view:  # a link to a quartier opens on it
        st.session_state["map.view"] = quartier_view(state.quartier)
    st.session_state["map.goto"] = impose_view(st.session_state["map.view"] or home,
                                                       st.session_state.get("map.goto"))


def quartier_view(code: str) -> tuple[float, float, int]:
    return view_for_bounds(quartiers[quartiers["source_id"] == code].total_bounds)


def fly_to(lat: float, lon: float, z: int) -> None:
    """Move the map (a move the app decides; the user's own moves only update the URL)."""
    st.session_state["map.view"] = (round(lat, 5), round(lon, 5), z)
    st.session_state["map.goto"] = impose_view(st.session_state["map.view"],
                                                       st.session_state.get("map.goto"))


def on_quartier() -> None:
    code = st.session_state["map.quartier"]
    fly_to(*(quartier_view(code) if code else home))


def on_hit(hit: Hit) -> None:
    last = st.session_state["map.state"]
    st.session_state["map.state"] = replace(last, layers=(*last.layers, hit.layer_id))
    st.session_state.pop(f"map.layer.{hit.layer_id}", None)
    st.session_state["map.sel"] = hit.fid
    st.session_state["map.focus"] = "details"
    fly_to(hit.lat, hit.lon, view_for_bounds(hit.bounds)[2])


def on_list_pick() -> None:
    """A name followed in the « Liste »: its details, the map on it, the focus on « Détails »."""
    fid = st.session_state["map.list"]["pick"]
    row = next((row for row in st.session_state.get("map.rows", ()) if row.fid == fid), None)
    if row is not None:
        st.session_state["map.sel"] = fid
        st.session_state["map.focus"] = "details"
        fly_to(row.lat, row.lon, max(st.session_state["map.view"][2] if st.session_state["map.view"]
                                     else 0, 16))


def on_close() -> None:
    st.session_state["map.sel"] = None
    st.session_state["map.focus"] = "map"


url = {key: value for key, value in st.query_params.to_dict().items()
       if key not in mapstate.FOREIGN_PARAMS}
if st.session_state.get("map.url") != url:
    parsed, notices = mapstate.parse(url, available, DEFAULT_LAYERS, quartier_names, kinds)
    adopt(parsed)
    st.session_state["map.notices"] = (parsed, notices)

last = st.session_state["map.state"]
chosen = mapstate.chosen_types(last, st.session_state, kinds)
view = st.session_state["map.view"] or home
state = mapstate.from_widgets(last, st.session_state, available, kinds, st.session_state["map.sel"],
                              st.session_state["map.view"])


def save_url(state: mapstate.MapState) -> None:
    params = mapstate.to_params(state)
    for key in mapstate.MAP_PARAMS - set(params):
        st.query_params.pop(key, None)
    st.query_params.update(params)
    st.session_state["map.url"] = {key: value for key, value in st.query_params.to_dict().items()
                                   if key not in mapstate.FOREIGN_PARAMS}


def sidebar() -> None:
    """Search, quartier, basemap and the layer families (drawn after the map, which reads their
    values from the session state: the map's iframe starts loading first)."""
    with st.sidebar:
        query = st.text_input(ui.t("map.search"), key="map.search",
                              placeholder=ui.t("map.search_placeholder"))
        if query.strip():
            hits = map_ui.map_search(tuple(lid for lid in available if lid in manifest["layers"]), query)
            for hit in hits:
                st.button(f"{ui.escape_md(hit.name)} — {neutralise_autolinks(title(hit.layer_id))}",
                          key=f"map.hit.{hit.fid}", on_click=on_hit, args=(hit,),
                          use_container_width=True)
            if not hits:
                st.caption(ui.t("map.search_none", query=ui.escape_md(query)))
        options = ["", *quartier_names]
        st.selectbox(ui.t("map.quartier"), options, key="map.quartier", on_change=on_quartier,
                     index=options.index(state.quartier or ""),
                     format_func=lambda code: quartier_names.get(code, ui.t("map.quartier_all")),
                     placeholder=ui.t("app.choose_one"))
        st.radio(ui.t("map.basemap"), mapstate.BASEMAPS, key="map.basemap",
                 index=mapstate.BASEMAPS.index(state.basemap), help=ui.t("map.basemap_help"),
                 format_func=lambda name: ui.t(f"map.basemap_{name}"))
        for family in FAMILIES:
            with st.expander(ui.t(f"map.family.{family}"), expanded=family != "boundaries"):
                for spec in family_layers(family, available):
                    on = st.checkbox(neutralise_autolinks(title(spec.id)), value=spec.id in state.layers,
                                     key=f"map.layer.{spec.id}")
                    if on and spec.id in kinds:
                        st.multiselect(ui.t("map.types"), kinds[spec.id], default=list(chosen[spec.id]),
                                       key=f"map.types.{spec.id}",
                                       placeholder=ui.t("app.choose_many"))
                    if on and spec.by_period:  # the time-of-day switch of layers drawn per time
                        st.radio(ui.t("refuges.map.time"), PERIODS, key="map.time", horizontal=True,
                                 index=PERIODS.index(state.period), help=ui.t("refuges.map.time_help"),
                                 format_func=lambda period: ui.t(f"refuges.time.{period}"))


def side_panel(state: mapstate.MapState) -> None:
    """Beside the map: flood figures when the flood layer is on, the legend of visible layers."""
    if "ppri" in state.layers:
        figures = analysis_ui.flood_figures()
        st.header(ui.t("map.flood_title"), anchor=False)
        area = f"{manifest['study_area']['name']}, {manifest['study_area']['insee']}"
        st.metric(ui.t("map.flood_overlap"),
                  f"{ui.num(figures.overlap_m2 / 10_000, 1)} ha ({ui.num(100 * figures.overlap_share, 1)} %)")
        st.metric(ui.t("map.flood_distance"), f"{ui.num(figures.distance_m)} m")
        st.caption(ui.t("map.flood_nearest", area=ui.escape_md(area), zone=ui.escape_md(figures.nearest_zone),
                        quartier=ui.escape_md(figures.nearest_quartier), n=figures.sectors))
    unreadable = map_ui.proposal_layer()[1] if map_ui.PROPOSALS in state.layers else ""
    if unreadable:
        st.warning(ui.t("map.proposals_unavailable", reason=ui.escape_md(unreadable)))
    entries = legend(state.layers, {lid: title(lid, tagged=False) for lid in state.layers},
                             {lid: info[lid]["status"] for lid in state.layers}, lang,
                             {lid: ui.layer_kinds(lid) for lid in state.layers
                              if LAYERS[lid].kind_colours})
    if entries:
        st.header(ui.t("map.legend"), anchor=False)
        st.html(legend_html(entries, lang))


def details_panel(details: mapdetails.Details | None) -> None:
    """The clicked (or linked) feature: its attributes, its layer's source and licence. After a
    pick the focus moves to the heading and the change is announced; closing returns to the map."""
    with st.container(key="map-details"):
        st.header(ui.t("map.details"), anchor=False)
    focus = st.session_state.pop("map.focus", None)
    if focus == "map":
        request_focus(MAP_FRAME, ui.t("map.details_closed"), MAP_INSIDE)
    elif focus == "details":
        shown = details.attributes[0][1] if details and details.attributes else ""
        request_focus(".st-key-map-details h2", ui.t("map.details_shown", name=shown)
                      if details else ui.t("map.details_missing"))
    if details is None:
        st.caption(ui.t("map.details_missing" if state.sel else "map.details_hint"))
        return
    status = f" ({status_tag(details.status, lang)})" if details.status != "official" else ""
    st.markdown(f"*{ui.escape_md(details.layer_title)}*{ui.escape_md(status)}")
    st.markdown(mapdetails.markdown_list(details.attributes))
    with st.expander(ui.t("map.source")):
        st.markdown(mapdetails.markdown_list(details.provenance))
        if details.note:
            st.caption(ui.escape_md(details.note))
    st.button(ui.t("map.details_close"), key="map.close", on_click=on_close)


try:
    st.title(ui.t("map.title"))
    parsed, notices = st.session_state["map.notices"]
    same = (parsed.layers, parsed.basemap, parsed.quartier) == (state.layers, state.basemap,
                                                               state.quartier)
    for notice in notices if same else []:
        st.info(ui.t("map.notice", items=ui.escape_md(
            f"{notice.param}={notice.value} ({ui.t(f'map.reason.{notice.reason}')})")))
    groups = [feature_group(lid, map_ui.map_layer_url(lid, state.types.get(lid), state.quartier,
                                                      state.period),
                            title(lid, tagged=False), status_tag(info[lid]["status"], lang))
              for lid in state.layers]
    if state.quartier:
        outline = quartiers[quartiers["source_id"] == state.quartier]
        groups.append(highlight_group(highlight_geojson(outline), "quartier"))
    if state.sel and mapdetails.layer_of(state.sel) in info:
        hit = map_ui.map_frame(mapdetails.layer_of(state.sel))
        hit = hit[hit["fid"] == state.sel]
        groups.append(highlight_group(highlight_geojson(hit) if len(hit) else None))
    map_col, panel_col = st.columns([3, 1.15])
    with map_col:
        # the map opens where the session started (a shared view); later views are applied in
        # place through center/zoom, so the map's script, hence its iframe, never changes
        origin = st.session_state.setdefault("map.origin", view)
        goto = st.session_state["map.goto"]
        with st.container(key="map-frame"):
            out = st_folium(base_map(origin[:2], origin[2], state.basemap), key="map.folium",
                            height=MAP_HEIGHT, use_container_width=True, center=goto[:2],
                            zoom=goto[2], feature_group_to_add=groups,
                            returned_objects=["last_object_clicked_tooltip",
                                              "last_object_clicked_count", "center", "zoom",
                                              "bounds"])
        st.caption(ui.t("map.share") + " " + ui.t("map.keys"))
    report = read_report(out, st.session_state.get("map.click"), view)
    if report.click:
        st.session_state["map.click"] = report.click
    if report.fid and report.fid != state.sel:
        st.session_state["map.sel"] = report.fid
        state = replace(state, sel=report.fid)
    if report.view:  # the user moved the map: the URL follows, the map is left where it is
        st.session_state["map.view"] = report.view
        state = state.with_view(*report.view)
    save_url(state)
    st.session_state["map.state"] = state
    # A session's first run draws the map alone: the controls would compete with the map's
    # iframe for the browser's main thread. Once mounted the map reports its view, which reruns
    # the page, this time with the controls and panels (the map stays mounted).
    if not st.session_state.setdefault("map.first_run", True):
        st.html(map_list.MAP_PAGE_CSS)
        sidebar()
        selected = map_ui.map_details(state.sel, quartier_names) if state.sel else None
        with map_col, st.expander(ui.t("map.list_title")):
            area = quartiers[quartiers["source_id"] == state.quartier] if state.quartier else study
            st.session_state["map.rows"] = map_list.view_list(
                state, map_list.view_bounds(out) or tuple(area.total_bounds),
                {lid: title(lid, tagged=False) for lid in state.layers}, on_list_pick)
        with panel_col, st.container(key="map-panel"):
            details_panel(selected)
            if selected is not None:
                actions_ui.feature_actions_panel(state.sel)
            side_panel(state)
            actions_ui.layer_actions_panel(state.layers)
    st.session_state["map.first_run"] = False
    if report.fid:  # once more, so the map highlights the new selection
        st.rerun()
except ResilienceError as exc:
    ui.show_error(exc)

"""The one UI-aware corner of ``geo``: Streamlit cache wrappers and small shared widgets.

Domain modules never import Streamlit; pages call these helpers at their boundary.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd
import streamlit as st

from geo import store
from geo.errors import BuildMissingError, ResilienceError
from geo.i18n import DEFAULT_LANG, LANGS, normalise_lang, number
from geo.i18n import t as translate
from geo.proposal_layer import LAYER_ID as PROPOSALS
from geo.proposal_layer import LAYER_INFO as PROPOSALS_INFO
from geo.registry import Registry, load_registry
from geo.text import escape_md

if TYPE_CHECKING:
    from geo.mapdetails import Details

LANG_KEY = "app.lang"


def lang() -> str:
    """The current UI language: the session's choice, else the URL's ``lang``, else French."""
    if LANG_KEY not in st.session_state:
        st.session_state[LANG_KEY] = normalise_lang(st.query_params.get("lang", DEFAULT_LANG))
    return st.session_state[LANG_KEY]


def t(key: str, **values: object) -> str:
    return translate(key, lang(), **values)


def num(value: float, decimals: int = 0) -> str:
    """A number written for the current language (``geo.i18n.number``)."""
    return number(value, lang(), decimals)


def language_switch() -> str:
    """Sidebar switch Français / English, mirrored in the URL (``?lang=en``) so links keep it."""
    lang()
    st.sidebar.radio(translate("app.language", st.session_state[LANG_KEY]), LANGS,
                     key=LANG_KEY, horizontal=True,
                     format_func=lambda code: {"fr": "Français", "en": "English"}[code])
    current = st.session_state[LANG_KEY]
    if current == DEFAULT_LANG:
        st.query_params.pop("lang", None)
    else:
        st.query_params["lang"] = current
    return current


@st.cache_resource(show_spinner=False)
def registry() -> Registry:
    return load_registry()


def build_id() -> str:
    """Identifier of the current build: the cheap cache key of everything built from it."""
    return store.build_dir().name


@st.cache_resource(show_spinner=False, max_entries=2)
def _manifest(build: str) -> dict:
    return store.load_manifest()


def manifest() -> dict:
    return _manifest(build_id())


@st.cache_resource(show_spinner=False, max_entries=64)
def _layer(build: str, layer_id: str) -> gpd.GeoDataFrame:
    return store.load_layer(layer_id)


def layer(layer_id: str) -> gpd.GeoDataFrame:
    """A built layer, shared read-only across sessions (never mutate the returned frame)."""
    return _layer(build_id(), layer_id)


def require_build() -> dict:
    """The manifest of the current build, or a clear message with the command, and stop."""
    try:
        return manifest()
    except BuildMissingError:
        st.warning(t("app.no_build"))
        st.code(f"{store.INGEST_COMMAND}\n# {'ou' if lang() == 'fr' else 'or'}: make run",
                language="bash")
        st.stop()


def show_error(exc: ResilienceError) -> None:
    """An expected problem shown as a message at the page boundary (never a stack trace)."""
    st.error(f"**{t('app.error')}** — {escape_md(exc)}")


__all__ = ["escape_md", "lang", "t", "layer", "manifest", "registry", "require_build", "show_error"]


# --------------------------------------------------------------------------- map (pages/map.py)

@st.cache_resource(show_spinner=False, max_entries=512)
def _map_layer_json(build: str, layer_id: str, lang: str, types: tuple[str, ...] | None,
                    quartier: str | None) -> str:
    from geo import mapview

    spec = mapview.LAYERS[layer_id]
    frame = mapview.select(_built_map_frame(build, layer_id), spec, types, quartier)
    return mapview.layer_geojson(frame, spec, lang)


def _built_map_frame(build: str, layer_id: str) -> gpd.GeoDataFrame:
    """A map layer of the build: a built layer or one computed by the analyses."""
    if layer_id in analysis_map_layers():
        return _analysis_map_layer(build, layer_id)
    return _layer(build, layer_id)


def map_layer_url(layer_id: str, types: tuple[str, ...] | None = None,
                  quartier: str | None = None) -> str:
    """URL of the light GeoJSON of one map layer for a filter (built once per build id + layer +
    filter, published under ``static/``; re-published if the file went away). The proposals
    layer follows the database (``proposal_layer``)."""
    from geo import mapview

    if layer_id == PROPOSALS:
        frame = mapview.select(proposal_layer()[0], mapview.LAYERS[layer_id], types, quartier)
        return mapview.publish_geojson(mapview.layer_geojson(frame, mapview.LAYERS[layer_id]))
    return mapview.publish_geojson(_map_layer_json(build_id(), layer_id, lang(), types, quartier))


def map_layers_info() -> dict[str, dict]:
    """Every layer the map can draw: the build's, the analyses' and the approved proposals',
    id → manifest-like entry (titles, status)."""
    return {**manifest()["layers"], **analysis_map_layers(), PROPOSALS: PROPOSALS_INFO}


@st.cache_data(show_spinner=False, ttl=20, max_entries=8)
def _proposal_layer(build: str, lang: str) -> tuple[gpd.GeoDataFrame, str]:
    from geo.proposal_layer import proposals_frame

    try:
        store = proposal_store()
        approved, workshops, error = store.public(), {w.slug: w for w in store.workshops()}, ""
    except ResilienceError as exc:
        approved, workshops, error = [], {}, str(exc)
    return proposals_frame(approved, _layer(build, "quartiers"), workshops, lang), error


def proposal_layer() -> tuple[gpd.GeoDataFrame, str]:
    """(approved proposals as a map layer, "" or why the database could not be read); read at
    most every 20 s per language, so a newly approved proposal shows within that delay."""
    return _proposal_layer(build_id(), lang())


def map_frame(layer_id: str) -> gpd.GeoDataFrame:
    """The features of any map layer (built, computed by the analyses, or proposals)."""
    if layer_id == PROPOSALS:
        return proposal_layer()[0]
    return _built_map_frame(build_id(), layer_id)


def map_details(fid: str, quartier_names: dict[str, str]) -> Details | None:
    """What the map's details panel shows for ``fid`` (``geo.mapdetails.Details``): a built
    layer's feature or an approved proposal; ``None`` for anything else or a stale fid."""
    from geo.mapdetails import feature_details, layer_of
    from geo.proposal_layer import proposal_details

    layer_id = layer_of(fid)
    if layer_id in manifest()["layers"]:
        return feature_details(layer(layer_id), fid, registry().layer(layer_id), manifest(), lang())
    if layer_id != PROPOSALS:
        return None
    places = {key: place.label for key, place in proposal_rules().places.items()}
    return proposal_details(proposal_layer()[0], fid, action_titles(), places, quartier_names,
                            lang())


@st.cache_resource(show_spinner=False, max_entries=64)
def _layer_kinds(build: str, layer_id: str) -> tuple[str, ...]:
    kinds = _layer(build, layer_id)["kind"].dropna().astype(str)
    return tuple(sorted(kind for kind in kinds.unique() if kind))


def layer_kinds(layer_id: str) -> tuple[str, ...]:
    """The distinct non-empty types (``kind``) of a built layer, sorted."""
    return _layer_kinds(build_id(), layer_id)


# --------------------------------------------------------------------------- exposure analyses
# (pages/flood.py, pages/heat.py, pages/sheet.py)

@st.cache_resource(show_spinner=False, max_entries=1)
def analysis_settings():
    """The settings of ``data/analysis.toml`` (read once per process)."""
    from geo.analysis import load_settings

    return load_settings()


@st.cache_resource(show_spinner=False, max_entries=2)
def _analysis(build: str, settings_key: str, _settings):
    from geo import analysis as exposure

    needed = {*exposure.FLOOD_LAYERS, *exposure.ACCESS_LAYERS, *exposure.HEAT_LAYERS}
    layers = {layer_id: _layer(build, layer_id) for layer_id in _manifest(build)["layers"]
              if layer_id in needed}
    return exposure.run(_manifest(build), layers, _settings)


def analysis():
    """The exposure analyses of the current build, run once per build and settings (shared,
    read-only: never mutate the result)."""
    settings = analysis_settings()
    return _analysis(build_id(), settings.key(), settings)


def analysis_map_layers() -> dict[str, dict]:
    """Map layers computed by the analyses (e.g. ``access_gap``): id → title and status, listed
    on the map like the build's layers."""
    from geo.analysis import MAP_LAYERS

    return MAP_LAYERS


@st.cache_resource(show_spinner=False, max_entries=4)
def _analysis_map_layer(build: str, layer_id: str) -> gpd.GeoDataFrame:
    from geo.analysis import map_layer

    return map_layer(analysis(), layer_id)


def sources_caption(layer_ids: tuple[str, ...] | list[str]) -> None:
    """A caption under a figure: the build it comes from and the layers it uses (with status)."""
    info = manifest()
    names = []
    for layer_id in layer_ids:
        entry = info["layers"].get(layer_id)
        if entry is None:
            continue
        title = entry["title_en"] if lang() == "en" else entry["title_fr"]
        status = "" if entry["status"] == "official" else f" — {t('status.' + entry['status'])}"
        names.append(f"{title} ({entry['publisher']}, {entry['licence']}{status})")
    st.caption(t("expo.sources_caption", build=escape_md(info["build_id"]),
                 layers=escape_md(" ; ".join(names))))


@st.cache_resource(show_spinner=False, max_entries=2)
def _flood_figures(build: str):
    from geo.flood import flood_figures

    insee = _manifest(build)["study_area"]["insee"]
    arrondissements = _layer(build, "arrondissements")
    return flood_figures(arrondissements[arrondissements["source_id"] == insee],
                         _layer(build, "ppri"))


def flood_figures():
    """The study area's PPRI overlap and distance (``geo.flood.flood_figures``), once per build."""
    return _flood_figures(build_id())


# --------------------------------------------------------------------------- workshop & proposals
# (pages/workshop.py, pages/propose.py, pages/moderation.py)

def secret(section: str, key: str) -> str | None:
    """``st.secrets[section][key]`` or ``None`` when there is no secrets file or no such entry."""
    from streamlit.errors import StreamlitSecretNotFoundError

    try:
        value = st.secrets[section][key]
    except (KeyError, FileNotFoundError, StreamlitSecretNotFoundError):
        return None
    return str(value) if value else None


@st.cache_resource(show_spinner=False, max_entries=4)
def _proposal_store(url: str | None, sqlite_path: str):
    from geo.proposal_store import open_store

    return open_store(url)


def proposal_store():
    """The proposals database of this process (PostgreSQL when a URL is set in the environment
    ``RESILIENCE_PROPOSALS_DATABASE_URL`` or in secrets ``[proposals] database_url``)."""
    import os

    from geo.proposal_store import DATABASE_URL_ENV, sqlite_path

    url = os.environ.get(DATABASE_URL_ENV) or secret("proposals", "database_url")
    return _proposal_store(url, str(sqlite_path()))


def moderation_password() -> str | None:
    """The staff password: secrets ``[moderation] password``, else ``RESILIENCE_MODERATION_PASSWORD``."""
    import os

    return secret("moderation", "password") or os.environ.get("RESILIENCE_MODERATION_PASSWORD")


@st.cache_resource(show_spinner=False, max_entries=2)
def _proposal_rules(build: str):
    from geo.proposals import PLACE_LAYERS, Rules, places, study_area
    from geo.scenarios import catalogue_actions

    area = study_area(_manifest(build), _layer(build, "arrondissements"))
    available = [layer_id for layer_id in PLACE_LAYERS if layer_id in _manifest(build)["layers"]]
    return Rules(study_area=area,
                 places=places({layer_id: _layer(build, layer_id) for layer_id in available}, area),
                 actions=tuple(catalogue_actions()))


def proposal_rules():
    """What a proposal is checked against (study area, places, action ids), once per build."""
    return _proposal_rules(build_id())


@st.cache_resource(show_spinner=False, max_entries=1)
def action_titles() -> dict[str, dict[str, str]]:
    """Ids and titles of the catalogue's actions (``geo.scenarios.catalogue_actions``), read
    once per process."""
    from geo.scenarios import catalogue_actions

    return catalogue_actions()


@st.cache_resource(show_spinner=False, max_entries=1)
def _scenarios():
    from geo.mapview import LAYERS
    from geo.scenarios import load_scenarios

    actions = action_titles()
    return load_scenarios(LAYERS, actions or None), actions


def scenarios():
    """(scenarios, catalogue action titles) read once per process."""
    return _scenarios()


def proposal_message(exc) -> str:
    """The participant-facing message of a refused proposal (``geo.errors.ProposalError``)."""
    field = t(f"proposals.field.{exc.field}") if exc.field else ""
    return t(f"proposals.error.{exc.code}", field=field, **exc.values)


# --------------------------------------------------------------------------- action catalogue
# (pages/actions.py and the action panels of pages/map.py)

@st.cache_resource(show_spinner=False, max_entries=2)
def _catalogue(mtime_ns: int):
    from geo.actions import load_catalogue

    return load_catalogue()


def _catalogue_mtime() -> int:
    from geo.settings import ACTIONS_FILE

    return ACTIONS_FILE.stat().st_mtime_ns if ACTIONS_FILE.exists() else 0


def catalogue():
    """The action catalogue (``geo.actions.Catalogue``), re-read when data/actions.toml changes."""
    return _catalogue(_catalogue_mtime())


def study_c_ar() -> int:
    """The arrondissement number of the study area (75120 → 20)."""
    return int(manifest()["study_area"]["insee"][-2:])


@st.cache_resource(show_spinner=False, max_entries=2)
def _action_links(build: str, mtime_ns: int) -> tuple[dict, dict]:
    cat = _catalogue(mtime_ns)
    built = _manifest(build)["layers"]
    wanted = {layer_id for action in cat.actions for layer_id in action.layers} | {
        layer_id for sites in cat.sites for layer_id in sites.layers}
    layers = {layer_id: _layer(build, layer_id) for layer_id in wanted if layer_id in built}
    c_ar = int(_manifest(build)["study_area"]["insee"][-2:])
    linked = cat.links_in_area(layers, c_ar)
    reports = {sites.id: cat.match_sites(sites.id, layers) for sites in cat.sites}
    return linked, reports


def action_links() -> tuple[dict, dict]:
    """(action id → layer → linked fids in the study area, site list id → SiteReport), per build."""
    return _action_links(build_id(), _catalogue_mtime())


def md_link(label: str, url: str) -> str:
    """A markdown link with an escaped label (plain escaped label when there is no URL)."""
    if not url:
        return escape_md(label)
    return f"[{escape_md(label)}]({url.replace('(', '%28').replace(')', '%29').replace(' ', '%20')})"


def actions_url(action_id: str = "") -> str:
    """Link to the « Actions » page (one action when ``action_id`` is given), language kept."""
    params = {"action": action_id} if action_id else {}
    if lang() == "en":
        params["lang"] = "en"
    return "/actions-resilience" + ("?" + "&".join(f"{k}={v}" for k, v in params.items())
                                    if params else "")


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
    st.markdown(f"**{t('actions.map_feature')}**")
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
        source = action.sources[0]
        colon = " : " if current == "fr" else ": "
        reasons.append(f"- **{escape_md(action.display_title(current))}**{colon}"
                       f"{escape_md(' '.join(note.get(current) for note in link.notes))} "
                       f"{md_link('↗ ' + source.label, source.url)}")
    st.markdown("\n".join(lines))
    with st.expander(t("actions.map_why")):
        st.markdown("\n".join(reasons))


@st.cache_data(show_spinner=False, max_entries=16)
def cached_qr(url: str) -> bytes:
    """The QR code PNG of a URL (``geo.workshop.qr_png``), made once per URL."""
    from geo.workshop import qr_png

    return qr_png(url)


@st.cache_resource(show_spinner=False, max_entries=128)
def _map_search(build: str, layer_ids: tuple[str, ...], query: str) -> tuple:
    from geo.mapdetails import search

    return tuple(search({layer_id: _layer(build, layer_id) for layer_id in layer_ids}, query))


def map_search(layer_ids: tuple[str, ...], query: str) -> tuple:
    """The map's place search (``geo.mapdetails.search``) over built layers, cached per query so
    the reruns that follow (pans, clicks) do not pay for it again."""
    return _map_search(build_id(), layer_ids, query.strip())

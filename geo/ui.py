"""The one UI-aware corner of ``geo``: Streamlit cache wrappers and small shared widgets.

Domain modules never import Streamlit; pages call these helpers at their boundary.
"""

from __future__ import annotations

import geopandas as gpd
import streamlit as st

from geo import store
from geo.errors import BuildMissingError, ResilienceError
from geo.text import escape_md
from geo.i18n import DEFAULT_LANG, LANGS, normalise_lang
from geo.i18n import t as translate
from geo.registry import Registry, load_registry

LANG_KEY = "app.lang"


def lang() -> str:
    """The current UI language: the session's choice, else the URL's ``lang``, else French."""
    if LANG_KEY not in st.session_state:
        st.session_state[LANG_KEY] = normalise_lang(st.query_params.get("lang", DEFAULT_LANG))
    return st.session_state[LANG_KEY]


def t(key: str, **values: object) -> str:
    return translate(key, lang(), **values)


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
    st.error(f"**{t('app.error')}** — {exc}")


__all__ = ["escape_md", "lang", "t", "layer", "manifest", "registry", "require_build", "show_error"]

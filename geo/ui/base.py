"""The UI corner's base: the session's language, the current build (manifest, layers, registry)
cached per build id, and how a page shows an expected problem or a missing build.
"""

from __future__ import annotations

import geopandas as gpd
import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from geo.core.errors import BuildDamagedError, BuildMissingError, ResilienceError
from geo.core.i18n import DEFAULT_LANG, LANGS, normalise_lang, number
from geo.core.i18n import t as translate
from geo.core.text import escape_html, escape_md
from geo.sources import integrity, store
from geo.sources.registry import Registry, load_registry

LANG_KEY = "app.lang"


def lang() -> str:
    """The current UI language: the session's choice, else the URL's ``lang``, else French."""
    if LANG_KEY not in st.session_state:
        st.session_state[LANG_KEY] = normalise_lang(st.query_params.get("lang", DEFAULT_LANG))
    return st.session_state[LANG_KEY]


def t(key: str, **values: object) -> str:
    return translate(key, lang(), **values)


def num(value: float, decimals: int = 0) -> str:
    """A number written for the current language (``geo.core.i18n.number``)."""
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
def build_manifest(build: str) -> dict:
    """The build's manifest, checked once per build (``geo.sources.integrity.open_build``):
    damaged layers are in ``damaged``, not ``layers``."""
    return integrity.open_build()


def manifest() -> dict:
    return build_manifest(build_id())


@st.cache_resource(show_spinner=False, max_entries=64)
def build_layer(build: str, layer_id: str) -> gpd.GeoDataFrame:
    return store.load_layer(layer_id)


def layer(layer_id: str) -> gpd.GeoDataFrame:
    """A built layer, shared read-only across sessions (never mutate the returned frame)."""
    return build_layer(build_id(), layer_id)


def require_build() -> dict:
    """The manifest of the current build, or a clear message with the command, and stop.

    A damaged manifest (or boundaries) is « no usable build »; layers left out because their
    file is damaged are named, and the page goes on with the others.
    """
    try:
        info = manifest()
    except BuildMissingError as exc:
        damaged = isinstance(exc, BuildDamagedError)
        st.warning(t("app.build_damaged" if damaged else "app.no_build"))
        command(f"{store.INGEST_COMMAND}\n# {'ou' if lang() == 'fr' else 'or'}: make run")
        st.stop()
    if info.get("damaged"):
        names = ", ".join(escape_md(entry.get("title_en" if lang() == "en" else "title_fr",
                                              layer_id))
                          for layer_id, entry in info["damaged"].items())
        st.warning(t("app.layers_damaged", layers=names, command=store.INGEST_COMMAND))
    return info


def show_error(exc: ResilienceError) -> None:
    """An expected problem shown as a message at the page boundary (never a stack trace)."""
    st.error(f"**{t('app.error')}** — {escape_md(exc)}")


@st.cache_resource(show_spinner=False, max_entries=64)
def _layer_kinds(build: str, layer_id: str) -> tuple[str, ...]:
    kinds = build_layer(build, layer_id)["kind"].dropna().astype(str)
    return tuple(sorted(kind for kind in kinds.unique() if kind))


def layer_kinds(layer_id: str) -> tuple[str, ...]:
    """The distinct non-empty types (``kind``) of a built layer, sorted."""
    return _layer_kinds(build_id(), layer_id)


def md_link(label: str, url: str) -> str:
    """A markdown link with an escaped label (plain escaped label when there is no URL)."""
    if not url:
        return escape_md(label)
    return f"[{escape_md(label)}]({url.replace('(', '%28').replace(')', '%29').replace(' ', '%20')})"


def secret(section: str, key: str) -> str | None:
    """``st.secrets[section][key]`` or ``None`` when there is no secrets file or no such entry."""

    try:
        value = st.secrets[section][key]
    except (KeyError, FileNotFoundError, StreamlitSecretNotFoundError):
        return None
    return str(value) if value else None


def command(text: str) -> None:
    """A command or a file snippet as preformatted text, escaped. Not ``st.code``: it (and a
    fenced block in ``st.markdown``) loads a 400 KB syntax highlighter into the page, which
    alone would push a page past the 1 MB a cold load may cost."""
    st.html('<pre style="background:#f0f2f6;color:#1a1a1a;padding:.75rem 1rem;border-radius:.5rem;'
            f'white-space:pre-wrap;font-size:.875rem"><code>{escape_html(text)}</code></pre>')

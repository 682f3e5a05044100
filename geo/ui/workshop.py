"""Workshops and proposals in the UI: the proposals database of this process, the rules a
proposal is checked against, the scenarios, the client's key, QR codes.
"""

from __future__ import annotations

import base64
import os

import streamlit as st

from geo.core.text import escape_html
from geo.map.layers import LAYERS
from geo.participation.clientaddr import rate_key
from geo.participation.database import DATABASE_URL_ENV, open_store, sqlite_path
from geo.participation.figures import step_figures
from geo.participation.join import build_rules, message
from geo.participation.scenarios import catalogue_actions, load_scenarios
from geo.participation.workshop import qr_png
from geo.ui.analysis import analysis
from geo.ui.base import build_id, build_layer, build_manifest, lang, secret


@st.cache_resource(show_spinner=False, max_entries=4)
def _proposal_store(url: str | None, sqlite_path: str):
    return open_store(url)


def proposal_store():
    """The proposals database of this process (PostgreSQL when a URL is set in the environment
    ``RESILIENCE_PROPOSALS_DATABASE_URL`` or in secrets ``[proposals] database_url``)."""

    url = os.environ.get(DATABASE_URL_ENV) or secret("proposals", "database_url")
    return _proposal_store(url, str(sqlite_path()))


def client_key() -> str:
    """The pseudonymous key of this session's address (``geo.participation.clientaddr``): what
    the proposals' rate limit and the sign-in throttle count by. uvicorn has already replaced a
    trusted proxy's address by the client's (``RESILIENCE_TRUSTED_PROXIES``)."""
    return rate_key(st.context.ip_address)


@st.cache_resource(show_spinner=False, max_entries=2)
def _proposal_rules(build: str):
    return build_rules(build_manifest(build), lambda layer_id: build_layer(build, layer_id),
                       catalogue_actions())


def proposal_rules():
    """What a proposal is checked against (study area, places, action ids), once per build."""
    return _proposal_rules(build_id())


@st.cache_resource(show_spinner=False, max_entries=1)
def action_titles() -> dict[str, dict[str, str]]:
    """Ids and titles of the catalogue's actions (``geo.participation.scenarios.catalogue_actions``), read
    once per process."""
    return catalogue_actions()


@st.cache_resource(show_spinner=False, max_entries=1)
def _scenarios():

    actions = action_titles()
    return load_scenarios(LAYERS, actions or None), actions


def scenarios():
    """(scenarios, catalogue action titles) read once per process."""
    return _scenarios()


def proposal_message(exc) -> str:
    """The participant-facing message of a refused proposal (``geo.core.errors.ProposalError``)."""
    return message(exc, lang())


@st.cache_data(show_spinner=False, max_entries=16)
def cached_qr(url: str) -> bytes:
    """The QR code PNG of a URL (``geo.participation.workshop.qr_png``), made once per URL."""
    return qr_png(url)


def figures(step) -> list[str]:
    """The sentences of a scenario step's figures for the current build and settings (computed
    by the cached analysis; nothing is computed for a step without figures)."""
    return step_figures(analysis(), step.figures, lang()) if step.figures else []


def qr_figure(url: str, caption: str, alt: str) -> str:
    """The QR code as a figure: the image's text alternative names the URL it encodes, the
    caption says what to do and shows the URL as plain text (WCAG 1.1.1)."""
    data = base64.b64encode(cached_qr(url)).decode("ascii")
    return (f'<figure class="workshop-qr" style="margin:0"><img src="data:image/png;base64,{data}" '
            f'alt="{escape_html(alt)}" style="width:100%;image-rendering:pixelated">'
            f'<figcaption style="font-size:1rem;color:#111">{escape_html(caption)}<br>'
            f'<span style="word-break:break-all">{escape_html(url)}</span></figcaption></figure>')

"""The printable sheets in the app: their inputs from the cached build, analyses and map layers,
the document built once per sheet, time of day, annex, language and address, its PDF, and the
short links (``/v/<quartier or fid>``) redirected to the live map.

The printed map uses the map page's own layer frames (``geo.ui.map.map_frame``), so it draws what
the live map draws for the same view.
"""

from __future__ import annotations

import os

import streamlit as st
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from geo.core.errors import ResilienceError
from geo.map.layers import LAYERS
from geo.participation.workshop import PUBLIC_URL_ENV
from geo.reports import sheet_view
from geo.reports.document import Document
from geo.reports.facility_doc import facility_document
from geo.reports.facility_doc import live_state as facility_live_state
from geo.reports.pdf import pdf_bytes
from geo.reports.quartier_doc import quartier_document
from geo.reports.sheet_common import SheetInputs
from geo.ui import actions as actions_ui
from geo.ui.analysis import analysis
from geo.ui.base import layer_kinds, manifest
from geo.ui.map import map_frame, map_layers_info

#: Sheets kept built per process (each is a few hundred kB of HTML).
CACHED_SHEETS = 48


def page_root() -> str:
    """The app's address as the reader reaches it: ``RESILIENCE_PUBLIC_URL`` (the room's network
    address) or the address of this page (``st.context.url``), else the local default."""
    for url in (os.environ.get(PUBLIC_URL_ENV), st.context.url):
        if url:
            try:
                return sheet_view.app_root(url)
            except ValueError:
                continue
    return "http://localhost:8501/"


def _inputs(lang: str, root: str) -> SheetInputs:
    """Everything a sheet is built from, out of the app's caches."""
    info = map_layers_info()
    kinds = {lid: layer_kinds(lid) for lid in sheet_view.QUARTIER_LAYERS + sheet_view.FACILITY_LAYERS
             if lid in manifest()["layers"] and LAYERS[lid].kind_colours}
    try:
        catalogue, error = actions_ui.catalogue(), ""
    except ResilienceError as exc:  # the sheet says the actions are unavailable, and goes on
        catalogue, error = None, str(exc)
    return SheetInputs(result=analysis(), manifest=manifest(), info=info, frame_of=map_frame, kinds=kinds,
                       catalogue=catalogue, root=root, lang=lang, catalogue_error=error)


@st.cache_resource(show_spinner=False, max_entries=CACHED_SHEETS)
def _document(analysis_key: str, catalogue_key: int, kind: str, ident: str, period: str, annex: bool,
              lang: str, root: str) -> Document:
    inputs = _inputs(lang, root)
    if kind == "quartier":
        return quartier_document(inputs, ident, period, annex)
    return facility_document(inputs, ident, period)


def document(kind: str, ident: str, period: str, annex: bool, lang: str, root: str) -> Document:
    """The sheet (``kind`` "quartier" or "facility") as a printable document, built once per
    analysis, catalogue version, sheet, time of day, annex, language and address (shared,
    read-only).

    Raises
    ------
    AnalysisError
        For a quartier or facility that has no sheet.
    """
    return _document(analysis().key, actions_ui._catalogue_mtime(), kind, ident,
                     sheet_view.check_period(period), annex, lang, root)


@st.cache_data(show_spinner=False, max_entries=8)
def pdf(html: str) -> bytes:
    """The PDF of a sheet's HTML (``geo.reports.pdf``), made once per document."""
    return pdf_bytes(html)


def live_url(ident: str, period: str | None, lang: str | None, root: str) -> str:
    """Where a short link goes: the live map view of that sheet, the address its QR code holds.

    Raises
    ------
    ValueError
        Neither a quartier code nor a fid.
    AnalysisError
        A fid that is not a facility of the study area.
    """
    kind, ident, period, lang = sheet_view.parse_short(ident, period, lang)
    state = (sheet_view.quartier_state(ident, period) if kind == "quartier"
             else facility_live_state(analysis(), ident, period))
    return sheet_view.live_url(root, state, lang)


async def _short_link(request: Request) -> Response:
    public = os.environ.get(PUBLIC_URL_ENV)
    try:
        root = sheet_view.app_root(public or str(request.base_url))
        query = request.query_params
        target = await run_in_threadpool(live_url, request.path_params["ident"], query.get("t"),
                                         query.get("lang"), root)
    except (ValueError, ResilienceError) as exc:
        return PlainTextResponse(f"No sheet at this address: {exc}", status_code=404)
    return RedirectResponse(target, status_code=302)


def short_link_route() -> Route:
    """``GET /v/<quartier code or fid>[?t=<time>&lang=<lang>]``: a redirect (302) to the live map
    view of that sheet, computed as the sheet computes it (the printed short link)."""
    return Route(f"/{sheet_view.SHORT_PATH}/{{ident:path}}", _short_link, name="short_link")

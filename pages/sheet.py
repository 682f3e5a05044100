"""« Fiche »: one facility (``?fid=…``) or one quartier (``?quartier=…``) as a printable A4 sheet
(``geo.reports``): its map (the live map's view at ``time``), charts and figures, a QR code back
to the live map; printed by the browser or downloaded as a PDF made on the server. ``annexe=1``
adds the long lists (quartier sheets).
"""

import streamlit as st

from geo.core.errors import ResilienceError
from geo.map.layers import PERIODS
from geo.reports import sheet_view, sheets
from geo.reports.document import Document
from geo.reports.pdf import pdf_available
from geo.ui import analysis as analysis_ui
from geo.ui import base as ui
from geo.ui import printing
from geo.ui import sheet as sheet_ui


def _pick(kind: str) -> None:
    """A picker changed: the URL names the new sheet (and only it), the other picker is emptied."""
    other = {"fid": "quartier", "quartier": "fid"}[kind]
    st.query_params.pop(other, None)
    st.session_state[f"sheet.{other}"] = None
    value = st.session_state[f"sheet.{kind}"]
    if value:
        st.query_params[kind] = value
    else:
        st.query_params.pop(kind, None)


def _option(param: str, value: str, default: str) -> None:
    """Keep a view option in the URL (left out at its default)."""
    if value != default:
        st.query_params[param] = value
    else:
        st.query_params.pop(param, None)


def _buttons(doc: Document, name: str) -> None:
    """Print (the browser's dialog; the print layout shows the sheet alone) and the PDF."""
    with st.container(key="sheet-buttons", horizontal=True):
        printing.print_button(ui.t("expo.sheet.print"), ui.lang())
        if pdf_available():
            st.download_button(ui.t("sheet.page.pdf"), data=lambda: sheet_ui.pdf(doc.html()),
                               mime="application/pdf", file_name=f"{name}.pdf", key="sheet.pdf",
                               on_click="ignore", icon=":material/picture_as_pdf:")
        else:
            st.caption(ui.t("sheet.page.no_pdf"))


st.html(printing.print_css("sheet-controls", "sheet-buttons"))
manifest = ui.require_build()
try:
    result = analysis_ui.analysis()
    facilities, quartiers = sheets.sheet_options(result)
    fid = st.query_params.get("fid")
    code = st.query_params.get("quartier")
    period = st.query_params.get("time", PERIODS[0])
    st.session_state.setdefault("sheet.fid", fid if fid in facilities else None)
    st.session_state.setdefault("sheet.quartier", code if code in quartiers else None)
    st.session_state.setdefault("sheet.time", period if period in PERIODS else PERIODS[0])
    st.session_state.setdefault("sheet.annex", st.query_params.get("annexe") == "1")
    with st.container(key="sheet-controls"):
        left, middle, right = st.columns([1.3, 1, 1])
        left.selectbox(ui.t("expo.sheet.pick_facility"), list(facilities), key="sheet.fid",
                       format_func=lambda k: facilities[k], on_change=_pick, args=("fid",),
                       placeholder=ui.t("expo.sheet.placeholder"))
        middle.selectbox(ui.t("expo.sheet.pick_quartier"), list(quartiers), key="sheet.quartier",
                         format_func=lambda k: quartiers[k], on_change=_pick, args=("quartier",),
                         placeholder=ui.t("expo.sheet.placeholder"))
        right.radio(ui.t("sheet.page.time"), PERIODS, key="sheet.time", horizontal=True,
                    format_func=lambda p: ui.t(f"refuges.time.{p}"), help=ui.t("sheet.page.time_help"),
                    on_change=lambda: _option("time", st.session_state["sheet.time"], PERIODS[0]))
        if code and not fid:
            right.checkbox(ui.t("sheet.page.annex"), key="sheet.annex", help=ui.t("sheet.page.annex_help"),
                           on_change=lambda: _option("annexe", str(int(st.session_state["sheet.annex"])),
                                                     "0"))
    period = st.session_state["sheet.time"]
    if fid and fid not in facilities or code and not fid and code not in quartiers:
        st.title(ui.t("expo.nav.sheet"))  # every state of the page has its h1
        st.error(ui.t("expo.sheet.unknown", value=ui.escape_md(fid or code)))
    elif fid or code:
        kind, ident = ("facility", fid) if fid else ("quartier", code)
        doc = sheet_ui.document(kind, ident, period, kind == "quartier" and st.session_state["sheet.annex"],
                                ui.lang(), sheet_ui.page_root())
        _buttons(doc, sheet_view.file_name(facilities[fid] if fid else quartiers[code], ident, period))
        st.html(doc.fragment())
    else:
        st.title(ui.t("expo.sheet.title"))
        st.info(ui.t("expo.sheet.none"))
except ResilienceError as exc:
    ui.show_error(exc)

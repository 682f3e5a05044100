"""Printing a document page (« Fiche », « Compte rendu »): the print rules that show the
document alone on A4, and the « Imprimer » button (the browser's print dialog)."""

from __future__ import annotations

import json

import streamlit as st

from geo.core.text import escape_html


def print_css(*hidden_keys: str) -> str:
    """Printing gives the document (``.print-doc``) alone: no sidebar, header, toolbar,
    controls or buttons (the containers keyed ``hidden_keys`` too), no margins but the
    document's own (its @page rules: A4 portrait)."""
    keys = "".join(f", .st-key-{key}" for key in hidden_keys)
    return f"""<style>
@media print {{
  [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"],
  [data-testid="stDecoration"], [data-testid="stSidebarCollapsedControl"], header.stAppHeader{keys}
  {{ display: none !important; }}
  [data-testid="stMain"], [data-testid="stAppViewContainer"] {{ overflow: visible !important; }}
  [data-testid="stMainBlockContainer"] {{ padding: 0 !important; max-width: 100% !important; }}
  [data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"] {{ gap: 0 !important; }}
  [data-testid="stMainBlockContainer"] :is([data-testid="stElementContainer"],
    [data-testid="stLayoutWrapper"]):not(:has(.print-doc)) {{ display: none !important; }}
  [data-testid="stElementContainer"]:has(.print-doc), .stHtml:has(.print-doc) {{ margin: 0 !important;
    padding: 0 !important; }}
}}
</style>"""


def print_button(text: str, lang: str, width: int = 200) -> None:
    """A button opening the browser's print dialog. Its frame is a whole document: language,
    title, main region (WCAG 3.1.1, 2.4.2)."""
    label = json.dumps(text)
    st.iframe(f"""<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">
        <title>{escape_html(text)}</title></head><body style="margin:0"><main>
        <button onclick="window.parent.print()" style="font: 14px sans-serif; color: #111;
        padding: 6px 14px; border: 1px solid #767676; border-radius: 6px; background: #fff;
        cursor: pointer"></button></main><script>document.querySelector("button").append(
        {label})</script></body></html>""", height=44, width=width, alt=text)

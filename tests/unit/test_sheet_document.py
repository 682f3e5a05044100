"""The printable document builder, the charts and the sheets' links, on small inputs whose answers
are known: escaping, language and title, scoped CSS, tables, images with their alternative, round
axes, every label drawn, the live URL reopening the same map view, text contrast."""

from __future__ import annotations

import base64
import re

import numpy as np
import pytest

from geo.map.state import MapState, parse
from geo.reports import charts, document, sheet_view
from geo.reports.charts import Bar, Reference, StripRow
from geo.reports.sheet_figures import weighted_median
from geo.reports.sheet_parts import qr_svg
from tests.sheet_html import parse as parse_html

HOSTILE = '<img src=x onerror=alert(1)> & "quotes"'


def test_a_document_is_a_whole_page_with_its_language_and_title():
    doc = document.Document("en", HOSTILE)
    doc.heading(1, HOSTILE).paragraph(HOSTILE).section("Part", document.table(["A", "B"], [[HOSTILE, 3]], numeric=(1,)))
    html = doc.html()
    assert html.startswith('<!DOCTYPE html><html lang="en">')
    assert "<title>&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;</title>" in html
    assert "<img src=x" not in html  # every text escaped
    sheet = parse_html(html)
    assert sheet.root == "main" and sheet.lang == "en"
    assert sheet.headings == [(1, HOSTILE), (2, "Part")]
    assert sheet.tables == [[["A", "B"], [HOSTILE, "3"]]]
    assert '<th scope="col">A</th>' in html and '<td class="num">3</td>' in html
    assert '<section class="keep">' in html  # a heading and its block: never cut by a page break


def test_the_fragment_for_the_app_scopes_every_rule():
    doc = document.Document("fr", "Fiche").paragraph("x")
    fragment = doc.fragment()
    assert '<article class="print-doc" lang="fr">' in fragment  # the app's page has its own main
    css = re.search(r"<style>(.*)</style>", fragment, re.S).group(1)
    css = re.sub(r"@page \{.*?\} \}", "", css, flags=re.S)  # the page box rules are global on purpose
    selectors = re.findall(r"(?:^|\})\s*([^{}@]+?)\s*\{", css)
    assert selectors and all(part.strip().startswith(".print-doc") for sel in selectors if not sel.startswith("body")
                             for part in sel.split(","))
    assert "size: A4 portrait" in fragment and "break-inside: avoid" in fragment


def test_images_carry_their_text_alternative_and_their_svg():
    img = document.svg_image('<svg xmlns="http://www.w3.org/2000/svg"><title>t</title></svg>', HOSTILE)
    src = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', img).group(1)
    assert base64.b64decode(src).decode() == '<svg xmlns="http://www.w3.org/2000/svg"><title>t</title></svg>'
    assert parse_html(img).images[0]["alt"] == HOSTILE


def test_round_axes():
    assert charts.nice_max(29.3, 10) == 30 and charts.ticks(30) == [0, 10, 20, 30]
    assert charts.nice_max(2087) == 3000 and charts.ticks(3000) == [0, 1000, 2000, 3000]
    assert charts.nice_max(38318) == 40000 and charts.ticks(40000) == [0, 10000, 20000, 30000, 40000]
    assert charts.nice_max(3, floor=14) == 15 and charts.ticks(15) == [0, 5, 10, 15]


def test_a_bar_chart_writes_every_category_value_and_reference():
    svg = charts.bar_chart([("Refuges", [Bar("Jour", 5.6, "5,6 min"), Bar("Nuit", float("inf"), "aucun lieu ouvert")]),
                            ("Répit", [Bar("Jour", 2.0, "2,0 min")])], 30, HOSTILE, "minutes",
                           [Reference(7, "cible : 7 min")])
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    for expected in ("Refuges", "Répit", "Jour", "Nuit", "5,6 min", "aucun lieu ouvert", "2,0 min", "cible : 7 min",
                     "minutes", "0", "10", "20", "30"):
        assert expected in texts
    assert "<title>&lt;img" in svg
    widths = [float(w) for w in re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)" height="11" fill="#1f4e79"', svg)]
    assert widths[1] == pytest.approx(widths[0] * 30 / 5.6, rel=0.01)  # an infinite bar ends at the axis
    assert widths[2] == pytest.approx(widths[0] * 2.0 / 5.6, rel=0.02)
    assert svg.count('stroke="#ffffff" stroke-width="2"') == 1  # the break mark of the bar beyond the axis


def test_a_dot_strip_shows_the_group_and_the_one():
    svg = charts.dot_strip([StripRow("Jour", [1, 5, 9, float("inf")], 5, "5,0 min")], 20, "t", "minutes",
                           Reference(7, "cible"))
    assert svg.count("<circle") == 4 and "5,0 min" in svg and "cible" in svg and "Jour" in svg


def test_the_live_url_reopens_the_same_map_view():
    root = sheet_view.app_root("http://192.168.1.20:8501/fiche?quartier=7512001")
    assert root == "http://192.168.1.20:8501/"
    assert sheet_view.app_root("https://example.org/resilience/fiche") == "https://example.org/resilience/"
    with pytest.raises(ValueError):
        sheet_view.app_root("javascript:alert(1)")
    layers = tuple(sheet_view.QUARTIER_LAYERS)
    for state in (sheet_view.quartier_state("7512001", "night"),
                  sheet_view.facility_state("schools_elementaire:abc", "schools_elementaire", 48.85333, 2.40421, "evening")):
        url = sheet_view.live_url(root, state, "en")
        query = dict(part.split("=", 1) for part in url.split("?", 1)[1].split("&"))
        assert query.pop("lang") == "en"
        parsed, notices = parse(query, set(layers) | set(state.layers), layers)
        assert notices == [] and parsed == state
    assert sheet_view.short_url(root, "7512001", "day", "fr") == "http://192.168.1.20:8501/v/7512001"
    assert sheet_view.short_url(root, "sports:E1", "night", "en") == "http://192.168.1.20:8501/v/sports:E1?t=night&lang=en"
    assert sheet_view.parse_short("7512001", "night", None) == ("quartier", "7512001", "night", "fr")
    assert sheet_view.parse_short("sports:E1", "noon", "de") == ("facility", "sports:E1", "day", "fr")
    for bad in ("../etc", "75120", "nolayer:x", "<script>"):
        with pytest.raises(ValueError):
            sheet_view.parse_short(bad, None, None)


def test_file_names_are_plain():
    assert sheet_view.file_name("Père-Lachaise", "7512003", "night") == "fiche-pere-lachaise-7512003-night"
    assert sheet_view.file_name("<b>École</b> « 17 »", "schools:ab:1", "day") == "fiche-b-ecole-b-17-schools-ab-1-day"


def test_facility_view_is_centred_and_selected():
    state = sheet_view.facility_state("ehpad:1", "ehpad", 48.86, 2.4, "night")
    assert state.sel == "ehpad:1" and state.z == sheet_view.FACILITY_ZOOM and state.quartier is None
    assert state.layers[-1] == "ehpad" and state.period == "night"
    assert isinstance(state, MapState)


def test_weighted_median():
    assert weighted_median(np.array([1.0, 2.0, 3.0]), np.array([1.0, 1.0, 1.0])) == 2.0
    assert weighted_median(np.array([1.0, 2.0, 30.0]), np.array([1.0, 1.0, 5.0])) == 30.0
    assert weighted_median(np.array([5.0, np.inf]), np.array([1.0, 3.0])) == np.inf
    assert np.isnan(weighted_median(np.array([1.0]), np.array([0.0])))


def test_the_qr_code_is_an_svg_of_the_address():
    svg = qr_svg("http://192.168.1.20:8501/?quartier=7512001")
    assert svg.startswith("<svg") and 'xmlns="http://www.w3.org/2000/svg"' in svg and "<path" in svg


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_text_contrast_is_at_least_4_5_to_1():
    css = document.DOC_CSS
    colours = set(re.findall(r"(?<!background: )(?<!border-bottom: 0.4mm solid )color: (#[0-9a-f]{6})", css))
    colours |= {charts.TEXT, charts.AXIS, document.TEXT, document.MUTED}
    assert colours
    for colour in colours:
        assert _contrast(colour, "#ffffff") >= 4.5, colour
    # table headers sit on a tinted background
    assert _contrast(document.TEXT, "#eef2f7") >= 4.5
    # bars and the map's outlines are graphics: 3:1
    assert _contrast(charts.BAR, "#ffffff") >= 3

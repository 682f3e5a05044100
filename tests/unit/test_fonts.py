"""Unit tests of the font subsetting (``geo.web.fonts``), on a synthetic icon font made here
(ligatures ``map``, ``flood``, ``menu``) and a synthetic text font; plus Streamlit's real fonts
(installed by requirements.txt) against every icon the app and Streamlit's frontend name."""

from __future__ import annotations

import io
from pathlib import Path

from fontTools.feaLib.builder import addOpenTypeFeaturesFromString
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont

from geo.web import fonts
from geo.web.assets import _sources, streamlit_static_dir

LETTERS = "abcdefghijklmnopqrstuvwxyz_"
ICONS = ("map", "flood", "menu")


def _square(size: int = 400):
    pen = TTGlyphPen(None)
    pen.moveTo((50, 0))
    pen.lineTo((50, size))
    pen.lineTo((size, size))
    pen.lineTo((size, 0))
    pen.closePath()
    return pen.glyph()


def _font(icons: tuple[str, ...] = ICONS, extra_chars: str = "") -> bytes:
    """A TrueType font with a glyph per letter and, for icons, an ``rlig`` ligature per name."""
    names = {ch: ("underscore" if ch == "_" else ch if ch.isascii() else f"uni{ord(ch):04X}")
             for ch in LETTERS + extra_chars}
    glyph_order = [".notdef", *names.values(), *(f"icon_{n}" for n in icons)]
    fb = FontBuilder(1000, isTTF=True)
    fb.setupGlyphOrder(glyph_order)
    fb.setupCharacterMap({ord(ch): g for ch, g in names.items()})
    fb.setupGlyf({g: _square() for g in glyph_order})
    fb.setupHorizontalMetrics({g: (500, 50) for g in glyph_order})
    fb.setupHorizontalHeader(ascent=800, descent=-200)
    fb.setupNameTable({"familyName": "Synthetic", "styleName": "Regular"})
    fb.setupOS2()
    fb.setupPost()
    if icons:
        rules = "".join(f"sub {' '.join(names[c] for c in n)} by icon_{n};" for n in icons)
        addOpenTypeFeaturesFromString(fb.font, f"feature rlig {{ {rules} }} rlig;")
    out = io.BytesIO()
    fb.font.save(out)
    return out.getvalue()


def test_names_found_in_sources():
    text = 'st.Page("x", icon=":material/map:") ; st.toast(icon=":material/check_circle:")'
    assert fonts.material_names_in_text(text) == {"map", "check_circle"}
    assert fonts.string_literals('a=`more_vert`,b="close",c=\'Not\',d="x"') == {"more_vert", "close"}


def test_icon_ligatures_read_from_gsub():
    font = TTFont(io.BytesIO(_font()))
    assert fonts.icon_ligatures(font) == {"map": "icon_map", "flood": "icon_flood",
                                          "menu": "icon_menu"}


def test_subset_icons_keeps_only_the_named_ones():
    data, unknown = fonts.subset_icons(_font(), {"map", "menu", "nope"})
    assert unknown == {"nope"}
    font = TTFont(io.BytesIO(data))
    assert font.flavor == "woff2" and data[:4] == b"wOF2"
    assert set(fonts.icon_ligatures(font)) == {"map", "menu"}
    assert "icon_flood" not in font.getGlyphOrder()
    assert ord("f") in font.getBestCmap()  # letters stay: they spell the kept names


def test_subset_text_keeps_latin_and_french_punctuation():
    data = fonts.subset_text(_font(icons=(), extra_chars="éœ«»\u202f€Ж"))
    cmap = TTFont(io.BytesIO(data)).getBestCmap()
    for ch in "aé«»\u202f€œ":
        assert ord(ch) in cmap, ch
    assert ord("Ж") not in cmap


MEDIA = streamlit_static_dir() / "static" / "media"


def test_app_icon_names_include_the_pages_table_and_marks():
    known = fonts.known_icon_names(MEDIA)
    names = fonts.app_icon_names(*_sources(Path(__file__).resolve().parents[2]), known=known)
    # app.py's PAGES table and the toast of « Proposer »
    assert {"map", "flood", "thermostat", "co_present", "edit_location_alt", "check_circle"} <= names


def test_streamlit_fonts_shrink_and_keep_the_app_icons():
    root = Path(__file__).resolve().parents[2]
    app_icons = fonts.app_icon_names(*_sources(root), known=fonts.known_icon_names(MEDIA))
    subsets = fonts.subset_streamlit_fonts(MEDIA, app_icons)
    [icon_font] = [name for name in subsets if name.startswith("MaterialSymbols")]
    kept = set(fonts.icon_ligatures(TTFont(io.BytesIO(subsets[icon_font]))))
    # the app's icons, and icons Streamlit's frontend draws by name (menus, expanders, grid)
    assert app_icons <= kept and {"more_vert", "expand_more", "close", "search"} <= kept
    assert len(subsets[icon_font]) < 80_000  # 375 KB before
    [text] = [name for name in subsets if name.startswith("SourceSansVF-Upright")]
    assert len(subsets[text]) < 40_000 and "fvar" in TTFont(io.BytesIO(subsets[text]))  # still variable

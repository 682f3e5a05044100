"""Smaller web fonts: Streamlit's fonts cut down to what the app shows (fontTools).

A Streamlit 1.67 page loads two fonts, 545 KB together, already woff2 (compression gains
nothing): the text font (Source Sans, variable, 2 478 glyphs, 170 KB) and the icon font
(Material Symbols Rounded, 4 052 glyphs, 4 309 ligatures, 375 KB). Pages with code or italics
load Source Code (90 + 76 KB) and Source Sans Italic (138 KB).

- Text fonts keep Latin (Basic Latin, Latin-1, Latin Extended-A) and the punctuation and
  symbols French and English text uses (« » ’ – — … € → ≤ ▶ ◀ and the narrow no-break space);
  the weight axis stays variable. Any other character falls back to the browser's sans-serif.
- The icon font keeps the ligatures of the icons the app names (``:material/<name>:`` in its
  sources, and string literals of ``app.py`` and ``pages/`` that are icon names: the pages'
  icons are a table there) and of every icon name Streamlit's own frontend mentions as a string
  literal (its buttons, menus, data grid), plus the letter glyphs the ligatures are made of. An
  icon missing from the subset would show its name as text: the collection is automatic and a
  test checks the app's names are in it.

Served by ``geo.web.static`` under Streamlit's own URLs (same hashed file names), with a short
``Cache-Control`` (not ``immutable``): a browser keeps no stale subset after an icon is added.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

#: Unicode ranges kept in the text fonts.
TEXT_RANGES = ("U+0020-007E,U+00A0-017F,U+0192,U+02C6-02DD,U+2010-2027,U+202F-2044,"
               "U+2070-209F,U+20AC,U+2122,U+2190-2199,U+2212-2215,U+2260-2265,U+25B6,U+25C0")
#: Letters, digits and separators icon names are written with.
ICON_NAME_TEXT = "abcdefghijklmnopqrstuvwxyz0123456789_ "
_MATERIAL_MARK = re.compile(r":material/([a-z0-9_]+):")
_STRING_LITERAL = re.compile(r"[`\"']([a-z0-9_]{2,60})[`\"']")
#: Cache-Control of a subset served under Streamlit's hashed URL (not ``immutable``: the same
#: URL serves a larger subset once the app names a new icon).
SUBSET_CACHE_CONTROL = "public, max-age=86400"


def material_names_in_text(text: str) -> set[str]:
    """Icon names written ``:material/<name>:`` in ``text`` (app code, TOML strings)."""
    return set(_MATERIAL_MARK.findall(text))


def string_literals(text: str) -> set[str]:
    """Lower-case identifier-like string literals of a JavaScript bundle (icon candidates)."""
    return set(_STRING_LITERAL.findall(text))


def icon_ligatures(font: TTFont) -> dict[str, str]:
    """Icon name -> glyph name, read from the font's ligature substitutions (GSUB ``rlig``/``liga``).
    Names are spelled with the lower-case characters mapped to each component glyph."""
    spelled: dict[str, str] = {}
    for codepoint, glyph in sorted(font.getBestCmap().items()):
        if codepoint < 0x80:
            spelled[glyph] = chr(codepoint)  # ascending: the lower-case letter wins
    names: dict[str, str] = {}
    for lookup in font["GSUB"].table.LookupList.Lookup:
        for table in lookup.SubTable:
            table = getattr(table, "ExtSubTable", table)
            for first, sequences in getattr(table, "ligatures", {}).items():
                for sequence in sequences:
                    chars = [spelled.get(first)] + [spelled.get(c) for c in sequence.Component]
                    if None not in chars:
                        names["".join(chars)] = sequence.LigGlyph
    return names


def subset_icons(font_bytes: bytes, names: Iterable[str]) -> tuple[bytes, set[str]]:
    """The icon font keeping only ``names`` (woff2), and the names it did not know.

    The layout closure is off, so the letters kept for spelling do not pull back every
    ligature made of them; ligatures whose icon glyph is dropped are removed.
    """
    font = TTFont(io.BytesIO(font_bytes))
    ligatures = icon_ligatures(font)
    wanted = set(names)
    unknown = wanted - set(ligatures)
    options = subset.Options()
    options.layout_features = ["rlig", "liga"]
    options.layout_closure = False
    options.notdef_outline = True
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(glyphs=sorted({ligatures[n] for n in wanted & set(ligatures)}),
                       text=ICON_NAME_TEXT + ICON_NAME_TEXT.upper())
    subsetter.subset(font)
    font.flavor = "woff2"  # Options.flavor is only read by pyftsubset's own save
    out = io.BytesIO()
    font.save(out)
    return out.getvalue(), unknown


def subset_text(font_bytes: bytes, ranges: str = TEXT_RANGES) -> bytes:
    """A text font keeping the code points of ``ranges`` it has (woff2, variable axes kept,
    pyftsubset's default layout features: kerning, ligatures, marks, locl)."""
    font = TTFont(io.BytesIO(font_bytes))
    cmap = font.getBestCmap()
    unicodes = [u for u in subset.parse_unicodes(ranges) if u in cmap]
    options = subset.Options()
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)
    font.flavor = "woff2"
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def app_icon_names(sources: Iterable[Path], literal_sources: Iterable[Path] = (),
                   known: Iterable[str] = ()) -> set[str]:
    """Icon names the app uses: ``:material/<name>:`` in ``sources`` (``app.py``, ``pages/``,
    ``geo/``, ``data/``), and the string literals of ``literal_sources`` that are icon names of
    the font (``known``): ``app.py`` names its pages' icons in a table (``"map"``)."""
    names: set[str] = set()
    for path in sources:
        names |= material_names_in_text(path.read_text(encoding="utf-8", errors="replace"))
    known = set(known)
    for path in literal_sources:
        names |= string_literals(path.read_text(encoding="utf-8", errors="replace")) & known
    return names


def frontend_icon_names(js_files: Iterable[Path], known: Iterable[str]) -> set[str]:
    """Icon names Streamlit's frontend may render: ``:material/…:`` marks and string literals
    that are icon names of the font (``known``)."""
    known = set(known)
    names: set[str] = set()
    for path in js_files:
        text = path.read_text(encoding="utf-8", errors="replace")
        names |= material_names_in_text(text)
        names |= string_literals(text) & known
    return names


#: Streamlit's font files (under its ``static/static/media/``, hashed names) -> how each is cut
#: down; KaTeX's fonts (formulas, none in this app) are small and left as they are.
TEXT_FONTS = ("SourceSansVF-*.woff2", "SourceCodeVF-*.woff2", "SourceSerifVariable-*.woff2")
ICON_FONTS = ("MaterialSymbols-*.woff2",)


def known_icon_names(media_dir: Path) -> set[str]:
    """Every icon name of Streamlit's icon font(s) in ``media_dir``."""
    names: set[str] = set()
    for pattern in ICON_FONTS:
        for path in media_dir.glob(pattern):
            names |= set(icon_ligatures(TTFont(path)))
    return names


def subset_streamlit_fonts(media_dir: Path, icon_names: Iterable[str]) -> dict[str, bytes]:
    """File name -> subset bytes for Streamlit's text and icon fonts found in ``media_dir``.

    The icon font keeps ``icon_names`` plus every name the frontend's bundles mention.
    """
    out: dict[str, bytes] = {}
    js_dir = media_dir.parent / "js"
    for pattern in TEXT_FONTS:
        for path in sorted(media_dir.glob(pattern)):
            out[path.name] = subset_text(path.read_bytes())
    for pattern in ICON_FONTS:
        for path in sorted(media_dir.glob(pattern)):
            data = path.read_bytes()
            known = icon_ligatures(TTFont(io.BytesIO(data)))
            names = set(icon_names) | frontend_icon_names(sorted(js_dir.glob("*.js")), known)
            out[path.name], _unknown = subset_icons(data, names)
    return out

"""User-interface strings in French (default) and English.

Strings live in ``data/i18n/*.toml``, one file per area of the app, each key holding ``fr`` and
``en``; a key defined twice is an error, so two pages cannot silently overwrite each other.
"""

from __future__ import annotations

import math
import tomllib
from functools import lru_cache
from pathlib import Path

from geo.core.errors import ResilienceError
from geo.core.settings import DATA_DIR

LANGS = ("fr", "en")
DEFAULT_LANG = "fr"
I18N_DIR = DATA_DIR / "i18n"


def _flatten(prefix: str, node: dict, out: dict[str, dict[str, str]], origin: Path) -> None:
    if set(node) == set(LANGS) and all(isinstance(v, str) for v in node.values()):
        if prefix in out:
            raise ResilienceError(f"{origin.name}: string '{prefix}' is defined twice")
        out[prefix] = node
        return
    for key, value in node.items():
        if not isinstance(value, dict):
            raise ResilienceError(f"{origin.name}: '{prefix}.{key}' needs both 'fr' and 'en'")
        _flatten(f"{prefix}.{key}" if prefix else key, value, out, origin)


@lru_cache(maxsize=1)
def strings(directory: Path = I18N_DIR) -> dict[str, dict[str, str]]:
    """Every UI string, by dotted key."""
    out: dict[str, dict[str, str]] = {}
    for file in sorted(directory.glob("*.toml")):
        _flatten("", tomllib.loads(file.read_text(encoding="utf-8")), out, file)
    return out


def normalise_lang(value: object) -> str:
    """A supported language code; anything else (a typo in a URL...) gives the default."""
    return value if value in LANGS else DEFAULT_LANG


def t(key: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    """The string ``key`` in ``lang``, formatted with ``values``; an unknown key shows itself."""
    entry = strings().get(key)
    if entry is None:
        return key
    text = entry[normalise_lang(lang)]
    return text.format(**values) if values else text


def number(value: float, lang: str = DEFAULT_LANG, decimals: int = 0) -> str:
    """``value`` written for ``lang``: ``187 697`` / ``12,5`` in French (narrow no-break space
    between thousands, decimal comma), ``187,697`` / ``12.5`` in English; a missing value
    (NaN, None) is a dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    text = f"{value:,.{decimals}f}"
    if normalise_lang(lang) == "fr":
        return text.replace(",", "\u202f").replace(".", ",")
    return text

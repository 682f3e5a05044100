"""Text from users and data stays text: no autolink in markdown, no bidirectional override."""

from __future__ import annotations

import re

import pytest

from geo.core.text import (
    BIDI_CONTROLS,
    WORD_JOINER,
    clean_bidi,
    escape_md,
    isolate_html,
    neutralise_autolinks,
)
from tests.autolinks import gfm_links

SAMPLES = [
    "Voir http://evil.example/x",
    "HTTPS://EVIL.EXAMPLE",
    "www.evil.example",
    "_www.evil.example",
    "écrire à bob@evil.example",
    "mailto:bob@evil.example xmpp:bob@evil.example",
    "(https://evil.example)",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_escaping_alone_left_links_neutralised_text_has_none(text):
    before = re.sub(r"([\\`*_{}\[\]()<>#+\-.!|~$:])", r"\\\1", text)  # escape_md before issue 16
    assert gfm_links(before), "the sample reproduces the autolinked URL as found"
    assert gfm_links(escape_md(text)) == []


def test_neutralisation_only_adds_invisible_joiners():
    text = "Voir https://www.evil.example et bob@evil.example"
    out = neutralise_autolinks(text)
    assert out.replace(WORD_JOINER, "") == text
    assert out.count(WORD_JOINER) == 3


def test_escape_md_still_escapes_markup():
    out = escape_md("[clic](javascript:alert(1)) <img src=x> **gras**")
    assert "](" not in out and "<img" not in out and "\\*\\*" in out


def test_neutralising_after_escaping_would_miss_www():
    escaped_first = neutralise_autolinks(re.sub(r"([.])", r"\\\1", "www.evil.example"))
    assert gfm_links(escaped_first)  # why escape_md neutralises first


def test_bidi_controls_and_invisible_characters_are_removed():
    trojan = "abc \u202eexe.txt\u202c def \u2067x\u2069 \u200f"
    cleaned = clean_bidi(trojan)
    assert not any(ch in BIDI_CONTROLS for ch in cleaned)
    assert cleaned == "abc exe.txt def x "
    assert clean_bidi("zero\u200bwidth\ufeff line\u2028sep") == "zerowidth linesep"


def test_right_to_left_text_emoji_joiners_and_accents_survive():
    assert clean_bidi("שלום עולם") == "שלום עולם"
    family = "👩\u200d👩\u200d👧"
    assert clean_bidi(family) == family
    assert clean_bidi("Cafe\u0301") == "Café"  # NFC


def test_isolate_html_escapes_and_isolates():
    assert isolate_html("<b>x</b>") == "<bdi>&lt;b&gt;x&lt;/b&gt;</bdi>"

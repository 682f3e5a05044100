"""The light join page's HTML (``join.html`` beside this module), filled with escaped values.

One page, no framework, no web font, one inline script of ~1 KB under the response's nonce: what
a phone on a slow network can show at once. Every value that comes from the store, the build or
the request is escaped here (``html.escape``, quotes included); the template holds only the
project's own markup.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from urllib.parse import urlencode

from geo.core.i18n import LANGS, t
from geo.map.pinmap import PinFrame
from geo.participation.join import JoinForm
from geo.participation.privacy import notice
from geo.participation.proposals import (
    CATEGORIES,
    FIRST_NAME_MAX,
    HAZARDS,
    ROLES,
    TEXT_MAX,
    Rules,
    Workshop,
)

TEMPLATE = Template((Path(__file__).resolve().parent / "join.html").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class PinMap:
    """The pin map's SVG (identity and precompressed bytes, made once per build) and its frame."""

    svg: bytes
    frame: PinFrame
    version: str
    variants: Mapping[str, bytes] = field(default_factory=dict)


def esc(value: object) -> str:
    """``value`` as text safe in HTML content and in quoted attributes."""
    return html.escape("" if value is None else str(value), quote=True)


def options(values: Sequence[tuple[str, str]], selected: str) -> str:
    """``<option>`` elements (value, label), the ``selected`` one marked."""
    return "".join(f'<option value="{esc(v)}"{" selected" if v == selected else ""}>{esc(label)}'
                   f"</option>" for v, label in values)


def place_options(rules: Rules, selected: str, lang: str) -> str:
    """The places grouped by layer (the fid's prefix), in the order ``places()`` sorted them."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for fid, place in rules.places.items():
        groups.setdefault(fid.split(":", 1)[0], []).append((fid, place.label))
    out = [f'<option value="">{esc(t("join.place_none", lang))}</option>']
    for layer, items in sorted(groups.items()):
        out.append(f'<optgroup label="{esc(t(f"join.layer.{layer}", lang))}">'
                   f"{options(items, selected)}</optgroup>")
    return "".join(out)


def render_page(*, prefix: str, lang: str, workshop: Workshop, rules: Rules, pin_map: PinMap,
                token: str, submission_id: str, nonce: str, form: JoinForm | None = None,
                pin: tuple[float, float] | None = None, notice: str = "", error: str = "",
                evaluation: bool = False) -> str:
    """The join page of one workshop.

    Parameters
    ----------
    prefix
        The routes' URL prefix (``/rejoindre``).
    token, submission_id, nonce
        The anti-forgery token, the form's submission id (kept across a refused send, so a
        retry is stored once) and the script's CSP nonce.
    form, pin
        What the participant already sent (kept after a refusal or a tap without JavaScript)
        and the pin's pixels on the drawing.
    notice, error
        A confirmation (``role=status``) or a refusal (``role=alert``), plain text.
    evaluation
        The facilitator offers the workshop's evaluation: the page links to it first.
    """
    form = form or JoinForm()
    other = next(code for code in LANGS if code != lang)
    frame = pin_map.frame
    pin_style, pin_hidden, pin_text, pin_x, pin_y = "", " hidden", t("propose.pin_none", lang), "", ""
    if pin is not None:
        pin_x, pin_y = f"{pin[0]:.1f}", f"{pin[1]:.1f}"
        pin_style = f' style="left:{pin_x}px;top:{pin_y}px"'
        pin_hidden, pin_text = "", t("join.pin_set", lang)
    message = ""
    if notice:
        message = f'<p class="ok" role="status">{esc(notice)}</p>'
    if error:
        message += f'<p class="err" role="alert">{esc(error)}</p>'
    categories = [(c, t(f"proposals.category.{c}", lang)) for c in CATEGORIES]
    hazards = [("", t("proposals.hazard.none", lang)),
               *((h, t(f"proposals.hazard.{h}", lang)) for h in HAZARDS)]
    return TEMPLATE.substitute(
        lang=esc(lang), title=esc(f"{t('propose.title', lang)} — {workshop.name}"),
        map_width=frame.width, map_height=frame.height,
        other_href=esc(f"{prefix}/{workshop.slug}?{urlencode({'lang': other})}"),
        other_lang=esc(other), other_label=esc(t("join.other_lang", lang)),
        heading=esc(t("propose.title", lang)),
        intro=esc(t("join.intro", lang, name=workshop.name, date=workshop.date)),
        notice=message, evaluation=evaluation_html(prefix, workshop, lang) if evaluation else "",
        action=esc(f"{prefix}/{workshop.slug}?{urlencode({'lang': lang})}"),
        token=esc(token), submission_id=esc(submission_id), pin_x=pin_x, pin_y=pin_y,
        category_label=esc(t("propose.category", lang)),
        categories=options(categories, form.category or CATEGORIES[0]),
        text_label=esc(t("propose.text", lang)), text_max=TEXT_MAX, text=esc(form.text),
        where_label=esc(t("propose.where", lang)), where_hint=esc(t("join.where_hint", lang)),
        map_src=esc(f"{prefix}/carte.svg?v={pin_map.version}"), map_alt=esc(t("join.map_alt", lang)),
        pin_style=pin_style, pin_hidden=pin_hidden, pin_set=esc(t("join.pin_set", lang)),
        pin_text=esc(pin_text), place_label=esc(t("propose.place", lang)),
        places=place_options(rules, form.place, lang), hazard_label=esc(t("propose.hazard", lang)),
        hazards=options(hazards, form.hazard), first_name_label=esc(t("propose.first_name", lang)),
        first_name_max=FIRST_NAME_MAX, first_name=esc(form.first_name),
        role_label=esc(t("propose.role.label", lang)), role_help=esc(t("propose.role.help", lang)),
        roles=options(role_options(lang), form.role),
        send_label=esc(t("propose.send", lang)), nonce=esc(nonce), privacy=privacy_html(lang))


def evaluation_html(prefix: str, workshop: Workshop, lang: str) -> str:
    """The offer of the workshop's evaluation, above the proposal form."""
    href = f"{prefix}/{workshop.slug}/avis?{urlencode({'lang': lang})}"
    return (f'<section class="ok" aria-labelledby="evaluation"><h2 id="evaluation">'
            f'<a href="{esc(href)}">{esc(t("evaluation.offer", lang))}</a></h2>'
            f'<p>{esc(t("evaluation.offer_intro", lang))}</p></section>')


def role_options(lang: str) -> list[tuple[str, str]]:
    """The roles a participant may give (none first), labelled in ``lang``."""
    return [(role, t(f"proposals.role.{role or 'none'}", lang)) for role in ("", *ROLES)]


def privacy_html(lang: str) -> str:
    """What is done with the participant's data (the notice « Proposer » shows too)."""
    lines = "".join(f"<li>{esc(line)}</li>" for line in notice(lang))
    return (f'<section class="hint" aria-labelledby="privacy"><h2 id="privacy">'
            f'{esc(t("privacy.title", lang))}</h2><ul>{lines}</ul></section>')


def render_message(*, lang: str, title: str, text: str, links: Sequence[tuple[str, str]] = ()) -> str:
    """A small page saying one thing (unknown workshop, no workshop, a list of workshops)."""
    items = "".join(f'<li><a href="{esc(href)}">{esc(label)}</a></li>' for href, label in links)
    return (f'<!doctype html><html lang="{esc(lang)}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width,initial-scale=1">'
            f'<link rel="icon" href="data:,"><title>{esc(title)}</title>'
            '<style>body{font:16px/1.45 system-ui,sans-serif;color:#1a1a1a;margin:0}'
            'main{max-width:40rem;margin:0 auto;padding:.75rem}a{color:#1f4e9c}</style></head>'
            f'<body><main><h1>{esc(title)}</h1><p>{esc(text)}</p>'
            f'{f"<ul>{items}</ul>" if items else ""}</main></body></html>')

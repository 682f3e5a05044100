"""Pieces every sheet prints: the heading with the QR code and short link back to the live map,
the resilience actions, and the compact provenance block.

The QR code is an SVG made locally by ``segno`` (no web service); its text alternative is the
address it holds. Provenance is one short paragraph per publisher and licence (the layers' titles
and retrieval dates) with the build id and the app version; full checksums stay on « Sources et
méthodes » and in the downloads.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping, Sequence

import segno

from geo import __version__
from geo.actions.catalogue import Catalogue
from geo.actions.model import Action, FeatureLink
from geo.core.i18n import t
from geo.reports.document import Html, bullet_list, esc, join, svg_image, tag


def qr_svg(url: str) -> str:
    """The QR code of ``url`` as SVG (error correction M, quiet zone of 4 modules kept)."""
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buffer, kind="svg", xmldecl=False, svgns=True,
                                                 scale=1, border=4, dark="#000000", light="#ffffff")
    return buffer.getvalue().decode("utf-8")


def header(title: str, lead: Iterable[object], url: str, short: str, lang: str) -> Html:
    """The sheet's title and what it is about, with the QR code of the live view (its
    alternative: the address) and the printed link beside."""
    qr = svg_image(qr_svg(url), t("sheet.qr.alt", lang, url=url), width="26mm", class_="qr")
    link = tag("p", join([esc(t("sheet.qr.caption", lang)), Html(" "),
                          tag("a", short, href=short, class_="link")]), class_="note")
    text = join([tag("h1", title), *(tag("p", item, class_="lead") for item in lead)])
    return tag("header", join([tag("div", text, class_="title"), tag("div", link, class_="qr-text"),
                               tag("div", qr, class_="qr-image")]), class_="sheet-head")


def actions_block(catalogue: Catalogue | None, error: str, lang: str,
                  listing: Callable[[Catalogue], Html]) -> Html:
    """The actions ``listing`` gives from the catalogue, or why they cannot be shown."""
    if catalogue is None:
        return tag("p", t("sheet.actions.unavailable", lang, reason=error), class_="muted")
    return listing(catalogue)


def _framework(catalogue: Catalogue, action: Action, lang: str) -> str:
    framework = catalogue.frameworks[action.framework]
    return framework.short.get(lang) or framework.title.get(lang)


def layer_actions(catalogue: Catalogue, layer_ids: Sequence[str], lang: str, limit: int = 8) -> Html:
    """The actions of the catalogue concerning these layers: title and framework, at most
    ``limit`` (then how many more, on « Actions de résilience »)."""
    actions = catalogue.for_layers(layer_ids)
    items = [join([tag("strong", action.display_title(lang)), Html(" — "),
                   tag("em", _framework(catalogue, action, lang))]) for action in actions[:limit]]
    if len(actions) > limit:
        items.append(esc(t("sheet.actions.more", lang, n=len(actions) - limit)))
    if not items:
        return tag("p", t("sheet.actions.none", lang), class_="muted")
    return bullet_list(items, class_="actions")


def feature_actions(catalogue: Catalogue, links: Sequence[FeatureLink], lang: str, limit: int = 4,
                    explained: int = 2) -> Html:
    """The actions linked to one facility: title, framework, its status here; why for the first
    ``explained``; at most ``limit``, then how many more (all of them, with their sources, are on
    « Actions de résilience » and in the map's details: the sheet stays on one page)."""
    if not links:
        return tag("p", t("expo.sheet.actions_none", lang), class_="muted")
    items = []
    for index, link in enumerate(links[:limit]):
        action = link.action
        status = join(join([Html(" — "), tag("strong", s.get(lang))]) for s in link.statuses)
        why = join([Html(" — "), esc(link.notes[0].get(lang))]) if index < explained else ""
        items.append(join([tag("strong", action.display_title(lang)), Html(" ("),
                           tag("em", _framework(catalogue, action, lang)), Html(")"), status, why]))
    if len(links) > limit:
        items.append(esc(t("sheet.actions.more", lang, n=len(links) - limit)))
    return bullet_list(items, class_="actions")


def provenance(manifest: Mapping, layer_ids: Iterable[str], derived: Mapping[str, Mapping],
               lang: str) -> Html:
    """One line per publisher and licence: the layers used (titles, status) and, when they differ
    between layers, their retrieval dates; the derived layers computed by this project; then the
    build, its retrieval date when it is the same for every layer, and the app version."""
    groups: dict[tuple[str, str], list[tuple[str, str]]] = {}
    computed = []
    for layer_id in dict.fromkeys(layer_ids):
        entry = manifest["layers"].get(layer_id)
        if entry is None:
            if layer_id in derived:
                computed.append(derived[layer_id]["title_en" if lang == "en" else "title_fr"])
            continue
        title = entry["title_en"] if lang == "en" else entry["title_fr"]
        if entry["status"] != "official":
            title += " (" + t("status." + entry["status"], lang) + ")"
        date = min(source["retrieved_at"] for source in entry["sources"])[:10]
        groups.setdefault((entry["publisher"], entry["licence"]), []).append((title, date))
    every_date = {date for items in groups.values() for _, date in items}
    sep, colon = (" ; ", " : ") if lang == "fr" else ("; ", ": ")
    lines = []
    for (publisher, licence), items in groups.items():
        dates = ("" if len(every_date) == 1 else
                 " " + t("sheet.sources.retrieved", lang, dates=", ".join(sorted({d for _, d in items}))))
        lines.append(join([tag("strong", f"{publisher} — {licence}"), Html(colon),
                           esc(sep.join(title for title, _ in items) + dates)]))
    if computed:
        lines.append(join([tag("strong", t("sheet.sources.derived", lang)), Html(colon),
                           esc(sep.join(computed))]))
    built = str(manifest.get("built_at", ""))[:10]
    retrieved = t("sheet.sources.retrieved_all", lang, date=min(every_date)) if len(every_date) == 1 else ""
    lines.append(esc(t("sheet.sources.build", lang, build=manifest["build_id"], date=built,
                       version=__version__, retrieved=retrieved)))
    return bullet_list(lines, class_="sources")

"""The flood host figures in words, computed from an :class:`~geo.analysis.exposure.Analysis`:
the sentences the « Inondation » page, the sheets and the workshop's crue scenario show, so no
figure is ever typed as prose (it would be wrong for another study area, build or setting).

Plain text with the numbers written for the language (``geo.core.i18n.number``); line names come
from the data, so a page escapes the whole sentence before rendering it as markdown.
"""

from __future__ import annotations

import math

from geo.analysis.exposure import Analysis
from geo.core.i18n import number, t


def percent(share: float, lang: str, decimals: int = 0) -> str:
    """``0.462`` → « 46 % » (French, narrow no-break space) / « 46% » (English)."""
    text = number(100 * share, lang, decimals)
    return f"{text}\u202f%" if lang == "fr" else f"{text}%"


def about(people: float) -> float:
    """A head count rounded for a sentence (« environ 4 900 »): to the hundred from 1 000, to
    the ten from 100, as it is below."""
    if people >= 1000:
        return round(people, -2)
    if people >= 100:
        return round(people, -1)
    return people


def _arr(c_ar: int, lang: str) -> str:
    return t("host.arr", lang, c_ar=c_ar)


def distance_sentence(result: Analysis, lang: str) -> str:
    """Where the nearest PPRI sector is: « Aucun secteur … ; le plus proche est dans le 11e, à
    882 m de sa limite » (or the share inside sectors when the study area has some)."""
    study = result.neighbours[result.neighbours["study"]].iloc[0]
    zone = result.study_zone
    if study["zone_km2"] > 0:
        return t("host.text.distance_exposed", lang, area=_arr(result.c_ar, lang),
                 share=percent(study["share"], lang, 1))
    return t("host.text.distance", lang, area=_arr(result.c_ar, lang),
             where=_arr(zone.c_ar, lang) if zone.c_ar else "?",
             metres=number(zone.distance_m, lang))


def neighbour_shares_sentence(result: Analysis, lang: str) -> str:
    """The share of each neighbouring arrondissement inside the PPRI sectors."""
    others = result.neighbours[~result.neighbours["study"]]
    hit = others[others["zone_km2"] > 0]
    dry = others[others["zone_km2"] <= 0]
    parts = [t("host.text.share_of", lang, share=percent(r.share, lang, 1), arr=_arr(int(r.c_ar), lang))
             for r in hit.itertuples()]
    text = t("host.text.shares", lang, parts=", ".join(parts)) if parts else t("host.text.no_share", lang)
    if len(dry):
        text += " " + t("host.text.dry", lang, arrs=", ".join(_arr(int(c), lang) for c in dry["c_ar"]))
    return text


def need_sentence(result: Analysis, lang: str) -> str:
    """Residents estimated in the sectors of each neighbour, with the 75+."""
    need = result.shelter.need
    hit = need[need["residents"] > 0].sort_values("residents", ascending=False)
    if hit.empty:
        return t("host.text.no_need", lang)
    parts = [t("host.text.need_of", lang, people=number(about(r.residents), lang),
               old=number(about(r.residents_75_plus), lang), arr=_arr(int(r.c_ar), lang))
             for r in hit.itertuples()]
    total = need["residents"].sum()
    sep = " ; " if lang == "fr" else "; "
    return t("host.text.need", lang, parts=sep.join(parts), total=number(about(total), lang))


def capacity_sentence(result: Analysis, lang: str) -> str:
    """« Les 30 gymnases et salles du 20e pourraient abriter environ 4 900 personnes (3,5 m² par
    personne), soit 46 % des habitants des secteurs inondables du 11e, … et 13 % de l'ensemble
    des voisins. »"""
    shelter = result.shelter
    summary = shelter.summary
    head = t("host.text.capacity", lang, sites=summary.sites, area=_arr(result.c_ar, lang),
             people=number(about(summary.capacity), lang),
             m2=number(shelter.settings.m2_per_person, lang, 1))
    cover = shelter.cover
    rows = cover[(cover["c_ar"] > 0) & (cover["residents"] > 0)]
    if rows.empty or summary.capacity <= 0:
        return head + "."
    parts = [t("host.text.cover_of" if i == 0 else "host.text.cover_next", lang,
               share=percent(r.cover, lang), arr=_arr(int(r.c_ar), lang))
             for i, r in enumerate(rows.itertuples())]
    total = cover[cover["c_ar"] == 0].iloc[0]
    return head + t("host.text.cover", lang, parts=", ".join(parts),
                    total=percent(total["cover"], lang))


def lines_sentence(result: Analysis, lang: str) -> str:
    """The lines serving the study area with a station near a sector, with the distance used."""
    transport = result.transport
    if transport is None:
        return t("host.text.no_transport", lang)
    lines = transport.lines
    risky = lines[lines["at_risk"] > 0]
    near = number(transport.settings.near_m, lang)
    if risky.empty:
        return t("host.text.no_line", lang, near=near, lines=len(lines), area=_arr(result.c_ar, lang))
    cut = int(transport.stations["cut"].sum())
    parts = ", ".join(t("host.text.line_of_one" if r.at_risk == 1 else "host.text.line_of", lang,
                        line=r.line, n=r.at_risk) for r in risky.itertuples())
    return t("host.text.lines", lang, near=near, risky=len(risky), lines=len(lines),
             area=_arr(result.c_ar, lang), parts=parts, cut=cut, stations=len(transport.stations))


def site_rank_text(capacity: float, rank: object, sites: int, lang: str) -> str:
    """« 484 personnes, 1er site sur 30 » / « capacité inconnue » for the sheets and tables."""
    if capacity is None or not math.isfinite(capacity):
        return t("host.unknown", lang)
    return t("host.site_rank", lang, people=number(capacity, lang), rank=rank, sites=sites)

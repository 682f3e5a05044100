"""The flood host figures of a facility sheet: a host site's estimated capacity, flags and rank
in words, from the analysis (``geo.analysis.hosting``). Plain text: the sheet escapes it.
"""

from __future__ import annotations

import math

import pandas as pd

from geo.analysis.exposure import Analysis
from geo.core.i18n import number, t
from geo.reports.sheets import FacilitySheet


def _flag(value: object, lang: str) -> str:
    """« oui » / « non », or « non renseigné » when the data says nothing."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return t("host.sheet.not_given", lang)
    return t("expo.yes" if bool(value) else "expo.no", lang)


def host_lines(sheet: FacilitySheet, result: Analysis, lang: str) -> list[str]:
    """What the sheet of a candidate host site says about hosting: its capacity and rank among
    the study area's host sites with the m² per person used, then its flags; or that its
    capacity is unknown (schools, the mairie, a site without an area). Empty for a facility
    that is not a host site."""
    if sheet.host is None or result.shelter is None:
        return []
    host = sheet.host
    category = t(f"expo.category.{sheet.host_category}", lang)
    capacity = float(host.get("capacity", float("nan")))
    if math.isnan(capacity):
        return [t("host.sheet.unknown", lang, category=category)]
    shelter = result.shelter
    known = int(shelter.sites["capacity"].notna().sum())
    return [
        t("host.sheet.capacity_line", lang, category=category, people=number(capacity, lang),
          rank=int(host["rank"]), sites=known, area=f"{result.c_ar}e"),
        t("host.sheet.flags", lang, area=number(float(host["area_m2"]), lang),
          m2=number(shelter.settings.m2_per_person, lang, 1),
          showers=_flag(host.get("showers"), lang),
          step_free=_flag(not host["no_step_free"] if pd.notna(host.get("no_step_free")) else None, lang),
          toilets=_flag(host.get("toilets"), lang),
          heating=host.get("heating") or t("host.sheet.not_given", lang)),
    ]

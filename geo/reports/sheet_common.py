"""What the two sheets share: their inputs (the analysis, the build, the live map's layers), the
words of the refuge method and times of day, and a chart beside its numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd

from geo.actions.catalogue import Catalogue
from geo.analysis.exposure import Analysis
from geo.analysis.refuges import RefugeAnalysis
from geo.core.errors import AnalysisError
from geo.core.i18n import number, t
from geo.reports.document import Html, join, svg_image, table, tag

#: The refuge tier the sheets' headline figures and map use (as the map layer and the workshop).
HEADLINE_TIER = "refuge"


@dataclass(frozen=True)
class SheetInputs:
    """Everything a sheet is built from.

    ``frame_of``: the live map's layer frames (``geo.ui.map.map_frame``), so the printed map
    draws what the live map draws; ``info``: the map's layer entries (manifest entries of the
    built layers, titles and status of the computed ones); ``kinds``: the kinds held by the layers
    coloured by kind; ``catalogue``: the resilience actions (``None`` with ``catalogue_error``
    when it could not be read); ``root``: the app's address (``sheet_view.app_root``).
    """

    result: Analysis
    manifest: Mapping
    info: Mapping[str, Mapping]
    frame_of: Callable[[str], gpd.GeoDataFrame]
    kinds: Mapping[str, tuple[str, ...]]
    catalogue: Catalogue | None
    root: str
    lang: str
    catalogue_error: str = ""

    @property
    def refuges(self) -> RefugeAnalysis:
        """The refuge analysis of the build.

        Raises
        ------
        AnalysisError
            When the analyses ran without it.
        """
        if self.result.refuges is None:
            raise AnalysisError("the heat-refuge analysis did not run on this build")
        return self.result.refuges

    @property
    def speed(self) -> float:
        """The older person's pace the sheets use (``[refuges.walk] default_speed_kmh``)."""
        return self.refuges.settings.walk.default_speed_kmh


def clock(minutes: int, lang: str) -> str:
    """« 22 h », « 6 h 30 » (French) / « 22:00 » (English) for minutes after midnight."""
    hours, rest = divmod(minutes % 1440, 60)
    if lang == "en":
        return f"{hours:02d}:{rest:02d}"
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


def time_label(refuges: RefugeAnalysis, time: str, lang: str, short: bool = False) -> str:
    """« Nuit (22 h – 6 h) »; « Toutes heures » for "all" (short: « Nuit »)."""
    if short or time == "all":
        return t(f"refuges.time_short.{time}" if short else f"sheet.time.{time}", lang)
    start, end = refuges.settings.tiers.period_bounds[time]
    return f"{t(f'refuges.time.{time}', lang)} ({clock(start, lang)} – {clock(end, lang)})"


def minutes_text(value: float, lang: str) -> str:
    """« 5,6 min », or « aucun lieu ouvert » when none is open."""
    if value == float("inf"):
        return t("refuges.none_open", lang)
    return f"{number(value, lang, 1)} min"


def method_note(inputs: SheetInputs, short: bool = False) -> str:
    """The walking method in one sentence (``short``: a few words): graph or straight line,
    pace, target, reference day."""
    refuges, lang = inputs.refuges, inputs.lang
    key = f"sheet.method{'.short' if short else ''}.{'graph' if refuges.method == 'graph' else 'straight'}"
    return t(key, lang, speed=number(inputs.speed, lang, 1), minutes=f"{refuges.target_minutes:g}",
             metres=number(refuges.target_m(inputs.speed), lang),
             day=t(f"sheet.day.{refuges.settings.tiers.reference_day}", lang),
             factor=number(refuges.settings.walk.fallback_detour_factor, lang, 2))


def chart_block(title: str, svg: str, alt: str, headers: Sequence[str], rows: Sequence[Sequence],
                numeric: Sequence[int], note: str = "") -> Html:
    """A chart's title (real text), the chart and its numbers in a table beside it, and an
    optional note: one block, never cut by a page break."""
    figure = tag("figure", join([svg_image(svg, alt, class_="chart-img")]))
    numbers = tag("div", table(headers, rows, numeric=numeric), class_="table")
    parts = [tag("h3", title), tag("div", join([figure, numbers]), class_="chart")]
    if note:
        parts.append(tag("p", note, class_="note"))
    return tag("section", join(parts), class_="keep")

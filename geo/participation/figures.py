"""Figures a workshop scenario step shows, resolved from the analysis of the current build
(``geo.analysis.hosting_text``) instead of being typed into ``data/scenarios.toml``: a step lists
figure keys (``figures = ["flood.distance", …]``), checked when the scenarios are loaded, and the
room's screen shows the sentence each key gives for this build, study area and settings.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from geo.analysis import hosting_text
from geo.analysis.exposure import Analysis

#: Figure key → the sentence it gives for an analysis and a language.
FIGURES: dict[str, Callable[[Analysis, str], str]] = {
    "flood.distance": hosting_text.distance_sentence,
    "flood.neighbour_shares": hosting_text.neighbour_shares_sentence,
    "shelter.need": hosting_text.need_sentence,
    "shelter.capacity": hosting_text.capacity_sentence,
    "transport.lines_at_risk": hosting_text.lines_sentence,
}


def step_figures(result: Analysis, keys: Sequence[str], lang: str) -> list[str]:
    """The sentences of ``keys`` (figure keys of a step, checked on loading) in order."""
    return [FIGURES[key](result, lang) for key in keys]

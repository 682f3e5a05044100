"""The heat-refuge analysis in the UI: its result for the current build, the tier / time of day /
speed controls kept in the URL, the words of its method, and the small figure blocks other pages
show (the canicule workshop steps).
"""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd
import streamlit as st

from geo.analysis import heat, refuge_figures, refuge_state, tiers
from geo.analysis.refuge_settings import TIERS, TIMES
from geo.analysis.refuges import RefugeAnalysis
from geo.core.errors import AnalysisError
from geo.ui import base as ui
from geo.ui.analysis import analysis

#: The refuge tier the workshop figures and the map layer use.
HEADLINE_TIER = "refuge"


def refuge_result() -> RefugeAnalysis:
    """The refuge analysis of the current build (shared, read-only).

    Raises
    ------
    AnalysisError
        When the analyses ran without it (should not happen on a build of this version).
    """
    result = analysis().refuges
    if result is None:
        raise AnalysisError("the heat-refuge analysis did not run on this build")
    return result


@st.cache_resource(show_spinner=False, max_entries=256)
def _figure(analysis_key: str, name: str, *args: object) -> pd.DataFrame:
    return getattr(refuge_figures, name)(refuge_result(), *args)


def analysis_key() -> str:
    """The current analysis' cache key (build id + settings hash)."""
    return analysis().key


def figure(name: str, *args: object) -> pd.DataFrame:
    """``geo.analysis.refuge_figures.<name>(result, *args)``, computed once per analysis (build
    and settings) and arguments, shared read-only across sessions: never mutate it."""
    return _figure(analysis_key(), name, *args)


def clock(minutes: int) -> str:
    """« 22 h », « 6 h 30 » (French) / « 22:00 » (English) for minutes after midnight."""
    hours, rest = divmod(minutes % 1440, 60)
    if ui.lang() == "en":
        return f"{hours:02d}:{rest:02d}"
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


def time_label(time: str, result: RefugeAnalysis | None = None) -> str:
    """« Nuit (22 h – 6 h) »; « Sans les horaires » for "all"."""
    if time == "all" or result is None:
        return ui.t(f"refuges.time.{time}")
    start, end = result.settings.tiers.period_bounds[time]
    return f"{ui.t(f'refuges.time.{time}')} ({clock(start)} – {clock(end)})"


def tier_label(tier: str) -> str:
    return ui.t(f"refuges.tier.{tier}")


def speed_label(speed: float) -> str:
    return ui.t("refuges.speed_option", speed=ui.num(speed, 1), mpm=ui.num(speed * 1000 / 60))


def view_controls(prefix: str, result: RefugeAnalysis, sites: Collection[str] | None = None
                  ) -> refuge_state.RefugeView:
    """The tier, time of day and speed radios (and, with ``sites``, the chosen candidate sites in
    session state ``<prefix>.sites``), adopted from the URL on a first visit or a followed link,
    and written back to it on every run. Unreadable URL values are said, then dropped."""
    walk = result.settings.walk
    default = refuge_state.RefugeView(HEADLINE_TIER, "day", walk.default_speed_kmh)
    url = {key: value for key, value in st.query_params.to_dict().items() if key in refuge_state.PARAMS}
    if st.session_state.get(f"{prefix}.url") != url:
        view, notices = refuge_state.parse(url, walk.speeds_kmh, default, sites)
        st.session_state.update({f"{prefix}.tier": view.tier, f"{prefix}.time": view.time,
                                 f"{prefix}.speed": view.speed, f"{prefix}.notices": notices})
        if sites is not None:
            st.session_state[f"{prefix}.sites"] = list(view.sites)
    for notice in st.session_state.get(f"{prefix}.notices", []):
        st.info(ui.t("refuges.notice", param=notice.param, value=ui.escape_md(notice.value)))
    left, middle, right = st.columns([1.2, 1.6, 1.2])
    tier = left.radio(ui.t("refuges.control.tier"), TIERS, key=f"{prefix}.tier", format_func=tier_label,
                      help=ui.t("refuges.control.tier_help"))
    time = middle.radio(ui.t("refuges.control.time"), TIMES, key=f"{prefix}.time",
                        format_func=lambda value: time_label(value, result),
                        help=ui.t("refuges.control.time_help"))
    speed = right.radio(ui.t("refuges.control.speed"), walk.speeds_kmh, key=f"{prefix}.speed",
                        format_func=speed_label, help=ui.t("refuges.control.speed_help"))
    chosen = tuple(st.session_state.get(f"{prefix}.sites", ())) if sites is not None else ()
    return refuge_state.RefugeView(tier, time, speed, chosen)


def save_view(prefix: str, view: refuge_state.RefugeView, with_sites: bool = False) -> None:
    """Write the view to the URL (so it can be shared) and remember it as adopted."""
    params = refuge_state.to_params(view, with_sites)
    for key in set(refuge_state.PARAMS) - set(params):
        st.query_params.pop(key, None)
    st.query_params.update(params)
    st.session_state[f"{prefix}.url"] = params


def method_text(result: RefugeAnalysis, speed: float) -> str:
    """The method in a few sentences, with every value used (shown under the figures)."""
    walk, tier_settings = result.settings.walk, result.settings.tiers
    common = dict(minutes=f"{result.target_minutes:g}", speed=ui.num(speed, 1),
                  metres=ui.num(result.target_m(speed)), day=tier_settings.reference_day,
                  open_min=tier_settings.min_open_minutes)
    if result.method == "graph":
        text = ui.t("refuges.method.graph", snap=ui.t(f"refuges.snap.{walk.snap}"),
                    access=ui.num(walk.park_access_m), junctions=ui.num(result.graph_size[0]),
                    segments=ui.num(result.graph_size[1]), **common)
        cells = result.ratio.get("cells", {})
        if cells.get("n"):
            text += " " + ui.t("refuges.method.ratio", median=ui.num(cells["median"], 2),
                               p90=ui.num(cells["p90"], 2), n=cells["n"],
                               min_m=ui.num(walk.ratio_min_straight_m),
                               factor=ui.num(walk.fallback_detour_factor, 2))
    else:
        text = ui.t("refuges.method.straight", factor=ui.num(walk.fallback_detour_factor, 2), **common)
    evening = "refuges.method.fenced_evening" if tier_settings.fenced_open_evening else \
        "refuges.method.fenced_evening_closed"
    return f"{text} {ui.t('refuges.method.times', **common)} {ui.t(evening)}"


def heatwave_lines(result: RefugeAnalysis) -> list[str]:
    """« Square Séverine : ouvert toute la nuit … — source : … » per listed park (escaped)."""
    lines = []
    for item in result.settings.tiers.heatwave_night_green:
        note = item.note_en if ui.lang() == "en" else item.note_fr
        lines.append(ui.t("refuges.heatwave_line", note=ui.escape_md(note or item.id),
                          source=ui.escape_md(item.source)))
    return lines


def step_figures(time: str) -> None:
    """The figures of a canicule workshop step for its time of day: refuges open, share of the
    people aged 75+ within the target, people and facilities outside (older person's pace)."""
    result = refuge_result()
    speed = result.settings.walk.default_speed_kmh
    head = figure("headline", speed).set_index(["tier", "time"])
    row = head.loc[(HEADLINE_TIER, time)]
    ehpad = figure("facilities_outside", HEADLINE_TIER, time, speed)
    st.markdown(f"**{ui.t('refuges.step.title', time=time_label(time, result), speed=ui.num(speed, 1))}**")
    st.markdown("\n".join([
        "- " + ui.t("refuges.step.places", n=int(row["places"]), unknown=int(row["unknown"])),
        "- " + ui.t("refuges.step.p75", share=ui.num(100 * row["p75_share"]),
                    minutes=f"{result.target_minutes:g}", outside=ui.num(row["p75_outside"], 0)),
        "- " + ui.t("refuges.step.facilities", n=int(row["facilities_outside"]), total=int(row["facilities"]),
                    ehpad=int((ehpad["category"] == "ehpad").sum())),
    ]))
    st.markdown("\n".join(f"- {line}" for line in indicator_lines(time)))
    st.caption(ui.t("refuges.step.source"))


def indicator_lines(time: str) -> list[str]:
    """The heat indicators a canicule step shows for its time of day, computed from the build:
    IRIS of the « High » LCZ class and the councils' day vulnerability (day, evening); the
    councils' night vulnerability and the share in the hottest DRIAS 2075 tiles (night)."""
    result = analysis()
    lines = []
    councils = result.councils
    note = "vulnn_note" if time == "night" else "vulnj_note"
    if time != "night" and len(result.iris):
        high = int((result.iris["heat_class"] == heat.HIGH_CLASS).sum())
        lines.append(ui.t("refuges.step.iris_high", high=high, total=len(result.iris)))
    if len(councils) and councils[note].notna().any():
        lines.append(ui.t(f"refuges.step.{note}", low=ui.num(councils[note].min(), 1),
                          high=ui.num(councils[note].max(), 1), n=len(councils)))
    if time == "night" and "drias_2075" in ui.manifest()["layers"]:
        study = ui.layer("arrondissements")
        study = study[study["c_ar"] == result.c_ar]
        share = heat.hottest_share(ui.layer("drias_2075"), study)
        lines.append(ui.t("refuges.step.drias", share=ui.num(100 * share)))
    return lines


def open_text(value: object) -> str:
    """« ouvert » / « fermé » / « inconnu » for a nullable opening flag (text, never colour alone)."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ui.t("refuges.open.unknown")
    return ui.t("refuges.open.yes" if bool(value) else "refuges.open.no")


def places_of(result: RefugeAnalysis, tier: str) -> pd.DataFrame:
    """The places of a tier as the legend's table: name, type, opening per time of day, why."""
    places = tiers.select(result.places, tier)
    return pd.DataFrame({
        ui.t("refuges.col.place"): places["name"],
        ui.t("refuges.col.type"): places["place_type"],
        ui.t("refuges.col.tier"): places["tier"].map(tier_label),
        **{time_label(p, result): places[f"open_{p}"].map(open_text) for p in TIMES[1:]},
        ui.t("refuges.col.why"): places["why"].map(lambda code: ui.t(f"refuges.why.{code}")),
        ui.t("refuges.col.hours", day=result.settings.tiers.reference_day): places["hours"],
        ui.t("refuges.col.heatwave"): places["heatwave_source"],
    })

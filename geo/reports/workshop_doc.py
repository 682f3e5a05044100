"""The printable workshop report (« compte rendu »): one A4 document, in the sheets' print
layout (``geo.reports.document``), built from ``geo.participation.report.WorkshopReport``.

In order: the title and what the report is made from; the headline figures; participation by
role (counts only, never a name); what was proposed (approved proposals by hazard, category and
linked resilience action, with a chart); the map of the approved proposals over the quartiers
they fall in (drawn on the server, offline); the evaluation (distributions, before/after
understanding, free comments approved by a moderator); the scenario steps the room played; the
list of approved proposals (no first name); the sources. Every text from participants is
escaped (``geo.reports.document``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd

from geo.core.i18n import number, t
from geo.map import printmap
from geo.participation.evaluation import Question
from geo.participation.layer import proposals_frame
from geo.participation.report import WorkshopReport
from geo.participation.scenarios import Scenario
from geo.reports.charts import Bar, bar_chart, nice_max
from geo.reports.document import (
    Document,
    Html,
    bullet_list,
    join,
    key_figures,
    svg_image,
    table,
    tag,
)
from geo.reports.sheet_common import chart_block
from geo.reports.sheet_parts import provenance

#: The report's map (CSS px): the width of the A4 text column.
MAP_PX = (700.0, 430.0)
#: The build's layers the report's map draws under the proposals.
MAP_LAYERS = ("arrondissements", "quartiers")


@dataclass(frozen=True)
class ReportInputs:
    """What the report is built from besides its figures: the build (its manifest and layers,
    for the map and its sources), the action titles (id → {fr, en}), the scenarios (for the
    steps' titles), the names of the places participants chose, the time it is made."""

    manifest: Mapping
    layer: Callable[[str], gpd.GeoDataFrame]
    actions: Mapping[str, Mapping[str, str]]
    scenarios: Mapping[str, Scenario]
    place_names: Mapping[str, str]
    made_at: str


def role_label(role: str | None, lang: str) -> str:
    return t(f"proposals.role.{role}" if role else "report.role_none", lang)


def hazard_label(hazard: str | None, lang: str) -> str:
    return t(f"proposals.hazard.{hazard}" if hazard else "report.role_none", lang)


def _percent(part: float | None, lang: str) -> str:
    return "—" if part is None else f"{number(100 * part, lang)} %"


def _mean(value: float | None, lang: str) -> str:
    return "—" if value is None else number(value, lang, 1)


def _counts_chart(title: str, items: Sequence[tuple[str, int]], lang: str, axis: str) -> str:
    top = max((n for _, n in items), default=0)
    bars = [Bar(label, n, number(n, lang)) for label, n in items]
    return bar_chart([("", bars)], nice_max(top, floor=4), title, axis,
                     tick_text=lambda v: number(v, lang))


def _participation(report: WorkshopReport, lang: str) -> Html:
    rows = [(role_label(r.role, lang), number(r.participants, lang), number(r.proposals, lang),
             number(r.evaluations, lang)) for r in report.roles]
    if not rows:
        return tag("p", t("report.no_participation", lang))
    chart = _counts_chart(t("report.roles_chart", lang),
                          [(role_label(r.role, lang), r.proposals) for r in report.roles], lang,
                          t("report.axis_proposals", lang))
    alt = t("report.roles_alt", lang, items="; ".join(f"{a}: {c}" for a, _, c, _ in rows))
    return chart_block(t("report.roles_chart", lang), chart, alt,
                       [t("report.role", lang), t("report.participants", lang),
                        t("report.proposals", lang), t("report.evaluations", lang)],
                       rows, numeric=(1, 2, 3), note=t("report.roles_note", lang))


def _proposed(report: WorkshopReport, inputs: ReportInputs, lang: str) -> Html:
    if not report.approved:
        return tag("p", t("report.no_approved", lang))
    categories = [(t(f"proposals.category.{c}", lang), n) for c, n in report.by_category]
    chart = _counts_chart(t("report.categories_chart", lang), categories, lang,
                          t("report.axis_proposals", lang))
    alt = t("report.categories_alt", lang, items="; ".join(f"{c}: {n}" for c, n in categories))
    hazards = [(hazard_label(h, lang), number(n, lang)) for h, n in report.by_hazard]

    def action(aid: str | None) -> str:
        if aid is None:
            return t("report.no_action", lang)
        return inputs.actions.get(aid, {}).get(lang, aid)

    actions = [(action(a), number(n, lang)) for a, n in report.by_action]
    return join([
        chart_block(t("report.categories_chart", lang), chart, alt,
                    [t("report.category", lang), t("report.proposals", lang)],
                    [(c, number(n, lang)) for c, n in categories], numeric=(1,)),
        tag("div", join([table([t("report.hazard", lang), t("report.proposals", lang)], hazards,
                               caption=t("report.by_hazard", lang), numeric=(1,)),
                         table([t("report.action", lang), t("report.proposals", lang)], actions,
                               caption=t("report.by_action", lang), numeric=(1,), class_="wide")]),
            class_="row")])


def _map(report: WorkshopReport, inputs: ReportInputs, lang: str) -> Html:
    quartiers = inputs.layer("quartiers")
    frame = proposals_frame([(p, 0) for p in report.approved], quartiers, lang=lang)
    codes = set(frame["quartier"]) - {""}
    shown = quartiers[quartiers["source_id"].astype(str).isin(codes)] if codes else quartiers.iloc[0:0]
    area = inputs.layer("arrondissements")
    box = (shown if len(shown) else area[area["source_id"].astype(str)
                                         == str(inputs.manifest["study_area"]["insee"])])
    bounds = box.to_crs(2154).total_bounds
    selection = {"arrondissements": area, "quartiers": quartiers, "proposals": frame}
    drawing = printmap.draw_map(selection, printmap.frame_for(bounds, *MAP_PX), lang,
                                t("report.map_title", lang))
    names = dict(zip(quartiers["source_id"].astype(str), quartiers["name"], strict=False))
    per_quartier = sorted(((names.get(c, c), int((frame["quartier"] == c).sum())) for c in codes),
                          key=lambda item: (-item[1], item[0]))
    alt = t("report.map_alt", lang, count=len(frame), drawn=drawing.in_frame.get("proposals", 0),
            quartiers=", ".join(name for name, _ in per_quartier) or "—")
    figure = tag("figure", join([svg_image(drawing.svg, alt),
                                 tag("figcaption", t("report.map_caption", lang))]))
    rows = [(name, number(n, lang)) for name, n in per_quartier]
    outside = len(frame) - sum(n for _, n in per_quartier)
    if outside:
        rows.append((t("report.outside", lang), number(outside, lang)))
    return join([figure, table([t("report.quartier", lang), t("report.proposals", lang)], rows,
                               caption=t("report.by_quartier", lang), numeric=(1,))])


def _evaluation(report: WorkshopReport, asked: Sequence[Question], lang: str) -> Html:
    if not report.evaluations:
        return tag("p", t("report.no_evaluation", lang))
    parts: list[object] = [tag("p", t("report.evaluation_lead", lang, count=report.evaluations))]
    u = report.understanding
    scales = [r for r in report.results if r.question.kind == "scale"]
    if u is not None and u.paired:
        pair = [r for r in scales if r.question.pair == "understanding"]
        groups = [(t(f"report.{r.question.id}", lang),
                   [Bar(str(v), n, number(n, lang)) for v, n in r.counts.items()]) for r in pair]
        top = max((n for r in pair for n in r.counts.values()), default=0)
        chart = bar_chart(groups, nice_max(top, floor=4), t("report.understanding_chart", lang),
                          t("report.axis_answers", lang), tick_text=lambda v: number(v, lang))
        rows = [(t(f"report.{r.question.id}", lang), *(number(n, lang) for n in r.counts.values()),
                 _mean(r.mean, lang)) for r in pair]
        alt = t("report.understanding_alt", lang, before=_mean(u.before_mean, lang),
                after=_mean(u.after_mean, lang), paired=u.paired)
        parts.append(chart_block(
            t("report.understanding_chart", lang), chart, alt,
            [t("report.moment", lang), *(str(v) for v in pair[0].question.values),
             t("report.mean", lang)], rows,
            numeric=tuple(range(1, len(pair[0].question.values) + 2)),
            note=t("report.understanding_note", lang, paired=u.paired, improved=u.improved,
                   same=u.same, worse=u.worse, before=_mean(u.before_mean, lang),
                   after=_mean(u.after_mean, lang))))
    others = [r for r in scales if r.question.pair != "understanding"]
    if others:
        width = max(len(r.question.values) for r in others)
        parts.append(table(
            [t("report.question", lang), *(str(v) for v in range(1, width + 1)),
             t("report.answered", lang), t("report.mean", lang)],
            [(r.question.text[lang], *(number(r.counts.get(v, 0), lang) for v in range(1, width + 1)),
              number(r.answered, lang), _mean(r.mean, lang)) for r in others],
            caption=t("report.scales", lang), numeric=tuple(range(1, width + 3))))
    for result in (r for r in report.results if r.question.kind == "choice"):
        parts.append(table(
            [t("report.answer", lang), t("report.answers", lang), t("report.share", lang)],
            [(result.question.label(v, lang), number(n, lang), _percent(result.share(v), lang))
             for v, n in result.counts.items()], caption=result.question.text[lang], numeric=(1, 2)))
    comment = next((q for q in asked if q.kind == "comment"), None)
    if comment is not None:
        parts.append(tag("h3", t("report.comments", lang)))
        parts.append(bullet_list(report.comments) if report.comments
                     else tag("p", t("report.no_comment", lang)))
        if report.comments_pending:
            parts.append(tag("p", t("report.comments_pending", lang, count=report.comments_pending),
                             class_="note"))
    return join(parts)


def _steps(report: WorkshopReport, inputs: ReportInputs, lang: str) -> Html:
    if not report.steps:
        return tag("p", t("report.no_steps", lang))
    items = []
    for scenario_id, step, shown_at in report.steps:
        scenario = inputs.scenarios.get(scenario_id)
        if scenario is not None and 1 <= step <= len(scenario.steps):
            text = f"{scenario.title[lang]} — {step}. {scenario.steps[step - 1].title[lang]}"
        else:
            text = f"{scenario_id} — {step}"
        items.append(f"{shown_at[11:16]} UTC — {text}")
    return bullet_list(items)


def _annex(report: WorkshopReport, inputs: ReportInputs, lang: str) -> Html:
    rows = [(number(p.id, lang), t(f"proposals.category.{p.category}", lang),
             hazard_label(p.hazard, lang),
             inputs.actions.get(p.action_id, {}).get(lang, p.action_id or "—") if p.action_id else "—",
             inputs.place_names.get(p.place, p.place) if p.place else "—", p.text)
            for p in report.approved]
    return table([t("report.number", lang), t("report.category", lang), t("report.hazard", lang),
                  t("report.action", lang), t("report.place", lang), t("report.text", lang)], rows,
                 numeric=(0,))


def report_document(report: WorkshopReport, asked: Sequence[Question], inputs: ReportInputs,
                    lang: str) -> Document:
    """The report as a printable document (see the module docstring)."""
    w = report.workshop
    doc = Document(lang, t("report.doc_title", lang, name=w.name, date=w.date))
    doc.heading(1, t("report.heading", lang, name=w.name))
    doc.paragraph(t("report.lead", lang, date=w.date, opened=(w.opened_at or "—")[:16].replace("T", " "),
                    closed=(w.closed_at or "—")[:16].replace("T", " "), made=inputs.made_at),
                  class_="lead")
    if report.pending:
        doc.paragraph(t("report.pending", lang, count=report.pending), class_="box")
    doc.add(key_figures([(number(report.participants, lang), t("report.kf_participants", lang)),
                         (number(report.received, lang), t("report.kf_received", lang)),
                         (number(len(report.approved), lang), t("report.kf_approved", lang)),
                         (number(report.evaluations, lang), t("report.kf_evaluations", lang))]))
    doc.section(t("report.participation", lang), _participation(report, lang))
    doc.section(t("report.proposed", lang), _proposed(report, inputs, lang))
    doc.section(t("report.map", lang), _map(report, inputs, lang))
    doc.section(t("report.evaluation", lang), _evaluation(report, asked, lang), keep=False)
    doc.section(t("report.steps", lang), _steps(report, inputs, lang))
    if report.approved:
        doc.section(t("report.list", lang), _annex(report, inputs, lang), keep=False)
    doc.section(t("report.sources", lang), join([
        tag("p", t("report.sources_participants", lang)),
        provenance(inputs.manifest, MAP_LAYERS, {}, lang)]))
    return doc

"""A workshop's figures for its report (« compte rendu ») and the comparison between workshops,
computed from what the database holds (``ProposalStore.report_rows``). Pure Python: the unit
tests give synthetic rows whose counts are known.

What is counted, and why:
- **participation**: every proposal received (whatever its moderation), by the role its sender
  gave (``None``: not said); participants are distinct senders (a phone's cookie, a session of
  « Proposer »), counted under each role they gave; evaluations by the role given with them;
- **what was proposed**: the approved proposals (the moderators' decision: hidden ones are off
  topic or abusive, merged ones are counted in the one they were merged into), by hazard,
  category and linked resilience action;
- **the evaluation**: per closed question, how many answered each value, and the mean of a
  scale; before/after understanding compared on the evaluations that answered both;
  free comments only once approved by a moderator.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from geo.participation.evaluation import Question
from geo.participation.evaluation_store import ReportRows
from geo.participation.proposals import CATEGORIES, HAZARDS, ROLES, Proposal, Workshop

#: The evaluation's pair of questions compared before/after (``pair`` in data/evaluation.toml).
UNDERSTANDING = "understanding"


@dataclass(frozen=True)
class RoleRow:
    """Participation of one role (``None``: not said)."""

    role: str | None
    participants: int
    proposals: int
    evaluations: int


@dataclass(frozen=True)
class QuestionResult:
    """The answers to one closed question: ``counts`` for every value (0 included)."""

    question: Question
    counts: dict[int, int]

    @property
    def answered(self) -> int:
        return sum(self.counts.values())

    @property
    def mean(self) -> float | None:
        """The mean of a scale's answers (``None`` for a choice, or when nobody answered)."""
        if self.question.kind != "scale" or not self.answered:
            return None
        return sum(v * n for v, n in self.counts.items()) / self.answered

    def share(self, value: int) -> float | None:
        return self.counts.get(value, 0) / self.answered if self.answered else None


@dataclass(frozen=True)
class Understanding:
    """Before/after understanding on the evaluations that answered both questions."""

    paired: int
    before_mean: float | None
    after_mean: float | None
    improved: int
    same: int
    worse: int


@dataclass(frozen=True)
class WorkshopReport:
    """Everything the report shows (see the module docstring for what is counted)."""

    workshop: Workshop
    received: int
    by_status: dict[str, int]
    participants: int
    roles: list[RoleRow]
    approved: list[Proposal]
    merged: int
    by_hazard: list[tuple[str | None, int]]
    by_category: list[tuple[str, int]]
    by_action: list[tuple[str | None, int]]
    evaluations: int
    results: list[QuestionResult]
    understanding: Understanding | None
    comments: list[str]
    comments_pending: int
    steps: list[tuple[str, int, str]]

    @property
    def pending(self) -> int:
        """Proposals nobody moderated yet (the report says so: its figures may still move)."""
        return self.by_status.get("pending", 0)


def _ordered(counter: Counter, order: Sequence) -> list:
    """Counts in the catalogue's order, then unknown keys sorted, then ``None`` (not said)."""
    known = [(key, counter[key]) for key in order if counter.get(key)]
    extra = sorted((k, n) for k, n in counter.items() if k not in order and k is not None)
    tail = [(None, counter[None])] if counter.get(None) else []
    return known + extra + tail


def _understanding(rows: ReportRows, asked: Sequence[Question]) -> Understanding | None:
    pair = [q.id for q in asked if q.pair == UNDERSTANDING and q.kind == "scale"]
    if len(pair) != 2:
        return None
    before_id, after_id = pair
    both = [(e.values[before_id], e.values[after_id]) for e in rows.evaluations
            if before_id in e.values and after_id in e.values]
    if not both:
        return Understanding(0, None, None, 0, 0, 0)
    return Understanding(len(both), sum(b for b, _ in both) / len(both),
                         sum(a for _, a in both) / len(both), sum(a > b for b, a in both),
                         sum(a == b for b, a in both), sum(a < b for b, a in both))


def workshop_report(rows: ReportRows, asked: Sequence[Question]) -> WorkshopReport:
    """The report's figures from a workshop's rows and the evaluation's questions."""
    proposals = rows.proposals
    by_role = Counter(p.role for p in proposals)
    evaluations_by_role = Counter(e.role for e in rows.evaluations)
    roles = [RoleRow(role, rows.participants.get(role, 0), by_role.get(role, 0),
                     evaluations_by_role.get(role, 0))
             for role in (*ROLES, None)
             if by_role.get(role) or evaluations_by_role.get(role) or rows.participants.get(role)]
    approved = [p for p in proposals if p.status == "approved"]
    results = []
    for question in asked:
        if question.kind == "comment":
            continue
        answers = Counter(e.values[question.id] for e in rows.evaluations if question.id in e.values)
        results.append(QuestionResult(question, {v: answers.get(v, 0) for v in question.values}))
    commented = [e for e in rows.evaluations if e.comment]
    return WorkshopReport(
        workshop=rows.workshop, received=len(proposals),
        by_status=dict(Counter(p.status for p in proposals)),
        participants=rows.participants_total, roles=roles, approved=approved,
        merged=sum(rows.merged_counts.get(p.id, 0) for p in approved),
        by_hazard=_ordered(Counter(p.hazard for p in approved), HAZARDS),
        by_category=_ordered(Counter(p.category for p in approved), CATEGORIES),
        by_action=sorted(Counter(p.action_id for p in approved).items(),
                         key=lambda item: (item[0] is None, -item[1], item[0] or "")),
        evaluations=len(rows.evaluations), results=results,
        understanding=_understanding(rows, asked),
        comments=[e.comment for e in commented if e.comment_status == "approved"],
        comments_pending=sum(e.comment_status == "pending" for e in commented),
        steps=list(rows.steps))


@dataclass(frozen=True)
class Comparison:
    """One workshop in the comparison between workshops (the « Atelier » staff view)."""

    workshop: Workshop
    participants: int
    received: int
    approved: int
    roles_named: int
    evaluations: int
    understanding: Understanding | None
    means: dict[str, float | None]
    first_option_share: dict[str, float | None]


def compare(reports: Sequence[WorkshopReport]) -> list[Comparison]:
    """The same figures side by side, oldest workshop first: participation, proposals, how many
    roles were represented, evaluations, understanding before/after, each scale's mean and each
    choice's first option's share (« Oui » to taking part again)."""
    rows = []
    for report in sorted(reports, key=lambda r: (r.workshop.date, r.workshop.slug)):
        rows.append(Comparison(
            report.workshop, report.participants, report.received, len(report.approved),
            sum(1 for r in report.roles if r.role is not None and (r.proposals or r.evaluations)),
            report.evaluations, report.understanding,
            {r.question.id: r.mean for r in report.results if r.question.kind == "scale"},
            {r.question.id: r.share(1) for r in report.results if r.question.kind == "choice"}))
    return rows

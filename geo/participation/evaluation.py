"""The participants' evaluation of a workshop: its questions (``data/evaluation.toml``) and the
checks an answer must pass. Pure Python (no database, no Streamlit), like
``geo.participation.proposals``: the light join page and « Proposer » build an
``EvaluationSubmission``, ``validate_evaluation`` checks it, ``ProposalStore.evaluate`` stores it
(one per device and workshop, same rate limit as proposals).

The free comment is text like a proposal's: stored as typed (less invisible and bidirectional
controls), escaped wherever it is shown, and shown in the report only once a moderator approved
it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from geo.core.errors import ProposalError, ResilienceError
from geo.core.i18n import LANGS
from geo.core.settings import DATA_DIR
from geo.participation.proposals import TEXT_MAX, check_id, clean_text, validate_role

QUESTIONS_FILE = DATA_DIR / "evaluation.toml"
KINDS = ("scale", "choice", "comment")
_ID_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_")


@dataclass(frozen=True)
class Question:
    """One question: ``scale`` (1..``max``), ``choice`` (option 1..n) or free ``comment``."""

    id: str
    kind: str
    text: Mapping[str, str]
    max: int = 0
    low: Mapping[str, str] = field(default_factory=dict)
    high: Mapping[str, str] = field(default_factory=dict)
    options: Sequence[Mapping[str, str]] = ()
    pair: str | None = None

    @property
    def values(self) -> range:
        """The values an answer may take (empty for a comment)."""
        if self.kind == "scale":
            return range(1, self.max + 1)
        if self.kind == "choice":
            return range(1, len(self.options) + 1)
        return range(0)

    def label(self, value: int, lang: str) -> str:
        """How an answer reads: the option's text, or the number on a scale."""
        if self.kind == "choice":
            return self.options[value - 1][lang]
        return str(value)


def _bilingual(node: object, where: str) -> dict[str, str]:
    if not isinstance(node, dict) or set(node) != set(LANGS) \
            or not all(isinstance(v, str) and v.strip() for v in node.values()):
        raise ResilienceError(f"evaluation.toml: {where} needs non-empty 'fr' and 'en'")
    return dict(node)


def parse_questions(text: str) -> tuple[Question, ...]:
    """Questions from the TOML text of ``data/evaluation.toml``, checked: unique ids, known
    kinds, 2–10 scale points, 2+ options, both languages, 4–6 questions, one comment at most."""
    try:
        raw = tomllib.loads(text).get("questions", [])
    except tomllib.TOMLDecodeError as exc:
        raise ResilienceError(f"evaluation.toml: {exc}") from exc
    questions: list[Question] = []
    for entry in raw:
        qid = str(entry.get("id", ""))
        if not qid or not set(qid) <= _ID_CHARS or any(q.id == qid for q in questions):
            raise ResilienceError(f"evaluation.toml: missing, malformed or repeated id '{qid}'")
        kind = entry.get("kind")
        if kind not in KINDS:
            raise ResilienceError(f"evaluation.toml: {qid}: kind must be one of {KINDS}")
        question = Question(qid, kind, _bilingual(entry.get("text"), f"{qid}.text"),
                            pair=entry.get("pair"))
        if kind == "scale":
            top = entry.get("max")
            if not isinstance(top, int) or not 2 <= top <= 10:
                raise ResilienceError(f"evaluation.toml: {qid}: a scale needs max from 2 to 10")
            question = Question(qid, kind, question.text, max=top,
                                low=_bilingual(entry.get("low"), f"{qid}.low"),
                                high=_bilingual(entry.get("high"), f"{qid}.high"),
                                pair=question.pair)
        elif kind == "choice":
            options = entry.get("options") or []
            if len(options) < 2:
                raise ResilienceError(f"evaluation.toml: {qid}: a choice needs 2 options or more")
            question = Question(qid, kind, question.text,
                                options=tuple(_bilingual(o, f"{qid}.options") for o in options))
        questions.append(question)
    if not 4 <= len(questions) <= 6:
        raise ResilienceError(f"evaluation.toml: 4 to 6 questions expected, {len(questions)} found")
    if sum(q.kind == "comment" for q in questions) > 1:
        raise ResilienceError("evaluation.toml: one free comment at most")
    return tuple(questions)


@lru_cache(maxsize=4)
def questions(path: Path = QUESTIONS_FILE) -> tuple[Question, ...]:
    """The evaluation's questions, read once (``ResilienceError`` if the file is wrong)."""
    try:
        return parse_questions(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ResilienceError(f"cannot read {path.name}: {exc}") from exc


@dataclass(frozen=True)
class EvaluationSubmission:
    """An evaluation as sent by a form: raw answers by question id (strings, ``""`` when left
    blank), not yet checked. ``device`` identifies the participant's device (its cookie)."""

    submission_id: str
    workshop: str
    device: str
    answers: Mapping[str, str]
    role: str | None = None


@dataclass(frozen=True)
class Evaluation:
    """A checked evaluation: closed answers as integers, the comment cleaned (or ``None``)."""

    submission_id: str
    workshop: str
    device: str
    values: Mapping[str, int]
    comment: str | None
    role: str | None


def validate_evaluation(submission: EvaluationSubmission,
                        asked: Sequence[Question]) -> Evaluation:
    """The evaluation checked against the questions, or a ``ProposalError``.

    Every question is optional, but an evaluation with no answer at all is refused
    (``empty_evaluation``). A value outside a question's scale or options, or an unknown
    question, is ``invalid`` (a forged form); the comment is cleaned like a proposal's text.
    """
    check_id(submission.submission_id, "submission_id")
    check_id(submission.device, "device")
    if not isinstance(submission.workshop, str) or not submission.workshop:
        raise ProposalError("invalid", "workshop")
    known = {q.id: q for q in asked}
    values: dict[str, int] = {}
    comment: str | None = None
    for qid, raw in submission.answers.items():
        question = known.get(qid)
        if question is None or not isinstance(raw, str):
            raise ProposalError("invalid", "evaluation")
        if question.kind == "comment":
            comment = clean_text(raw, "comment", TEXT_MAX)
            continue
        if raw.strip() == "":
            continue
        if not raw.strip().isdigit() or int(raw) not in question.values:
            raise ProposalError("invalid", "evaluation")
        values[qid] = int(raw)
    if not values and comment is None:
        raise ProposalError("empty_evaluation", "evaluation")
    return Evaluation(submission.submission_id, submission.workshop, submission.device, values,
                      comment, validate_role(submission.role))

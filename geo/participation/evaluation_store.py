"""The evaluation, the steps the room played and the report's reads, in the proposals database
(mixed into ``geo.participation.store.ProposalStore``, which provides the transactions, the
clock, the rate limit and ``_audit``/``_require``).

- Participants: ``evaluate`` stores one evaluation per device and workshop, only while the
  workshop is open and its evaluation offered, under the same address-keyed rate limit as
  proposals (proposals and evaluations of one address count together), idempotent on the form's
  submission id. The device is stored as a keyed hash of its cookie, never the cookie.
- Facilitators: ``set_evaluation`` offers or ends the evaluation.
- Moderators: ``evaluation_comments`` and ``set_comment_status`` (a free comment is pending
  until approved; only approved comments reach the report).
- The report: ``report_rows`` reads a workshop's proposals, evaluations and played steps.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from geo.core.errors import ModerationError, ProposalError, ProposalStoreError, RateLimitError
from geo.participation.auth import Staff
from geo.participation.clientaddr import server_secret
from geo.participation.connection import parse_stamp, stamp
from geo.participation.evaluation import Evaluation
from geo.participation.proposals import Proposal, Workshop
from geo.participation.schema import PROPOSAL_SELECT, WORKSHOP_SELECT

FACILITATOR, MODERATOR = "facilitator", "moderator"
COMMENT_STATUSES = ("pending", "approved", "hidden")

_GUARDED_INSERT = (
    "INSERT INTO evaluations (submission_id, workshop, device, created_at, role, comment, "
    "comment_status, client_key) SELECT ?, ?, ?, ?, ?, ?, ?, ? "
    "WHERE EXISTS (SELECT 1 FROM workshops WHERE slug = ? AND status = 'open' "
    "AND evaluation = 'open') "
    "AND (SELECT COUNT(*) FROM proposals WHERE client_key = ? AND created_at > ?) "
    "+ (SELECT COUNT(*) FROM evaluations WHERE client_key = ? AND created_at > ?) < ? "
    "ON CONFLICT DO NOTHING")


def device_key(device: str, secret: bytes | None = None) -> str:
    """What the database keeps of a device's cookie: a keyed hash (HMAC-SHA256, 32 hex)."""
    key = server_secret() if secret is None else secret
    return hmac.new(key, f"device:{device}".encode(), hashlib.sha256).hexdigest()[:32]


@dataclass(frozen=True)
class EvaluationReceipt:
    """The stored evaluation's id; ``duplicate``: this device had already answered (or this
    form was already sent), and nothing new was stored."""

    id: int
    duplicate: bool


@dataclass(frozen=True)
class StoredEvaluation:
    """An evaluation as the report reads it: answers by question id, the comment and its
    moderation status (``none`` when no comment was written)."""

    id: int
    workshop: str
    created_at: str
    role: str | None
    values: dict[str, int]
    comment: str | None
    comment_status: str


@dataclass(frozen=True)
class ReportRows:
    """Everything a workshop's report is computed from (``geo.participation.report``)."""

    workshop: Workshop
    proposals: list[Proposal]
    merged_counts: dict[int, int]
    participants: dict[str | None, int]
    participants_total: int
    evaluations: list[StoredEvaluation]
    steps: list[tuple[str, int, str]]


class EvaluationOperations:
    """Evaluations, played steps and report reads (see the module docstring)."""

    # --- participants -----------------------------------------------------------------------

    def evaluate(self, valid: Evaluation, client_key: str) -> EvaluationReceipt:
        """Store a checked evaluation (``geo.participation.evaluation.validate_evaluation``).

        Raises
        ------
        ProposalError
            ``workshop_closed``, ``workshop_not_open`` or ``evaluation_not_open``: nothing is
            stored.
        RateLimitError
            The address sent as many proposals and evaluations as the limit allows.
        ProposalStoreError
            Unknown workshop, or the database cannot be written.
        """
        now, since = self._rate_window(client_key, "evaluate")
        device = device_key(valid.device)
        status = "pending" if valid.comment else "none"
        with self._transaction(write=True) as run:
            if self.dialect == "postgresql":
                run("SELECT pg_advisory_xact_lock(hashtext(?))", (client_key,))
            inserted = run(_GUARDED_INSERT, (
                valid.submission_id, valid.workshop, device, stamp(now), valid.role, valid.comment,
                status, client_key, valid.workshop, client_key, since, client_key, since,
                self.rate_limit.count)).rowcount
            row = run("SELECT id FROM evaluations WHERE submission_id = ? OR "
                      "(workshop = ? AND device = ?) ORDER BY id LIMIT 1",
                      (valid.submission_id, valid.workshop, device)).fetchone()
            if inserted and row is not None:
                for question, value in sorted(valid.values.items()):
                    run("INSERT INTO evaluation_answers (evaluation, question, value) "
                        "VALUES (?, ?, ?)", (row[0], question, value))
        if row is not None:
            return EvaluationReceipt(int(row[0]), duplicate=not inserted)
        with self._transaction(write=False) as run:
            found = run("SELECT status, evaluation FROM workshops WHERE slug = ?",
                        (valid.workshop,)).fetchone()
            if found is None:
                raise ProposalStoreError(f"unknown workshop '{valid.workshop}'")
            if found[0] != "open":
                code = "workshop_closed" if found[0] == "closed" else "workshop_not_open"
                raise ProposalError(code, "workshop")
            if found[1] != "open":
                raise ProposalError("evaluation_not_open", "evaluation")
            limited = self._rate_limited(run, client_key, since, now)
        raise limited

    def _rate_window(self, client_key: str, caller: str) -> tuple:
        """(now, start of the rate-limit window) for a send keyed ``client_key``: required, as a
        page that forgot it would let a reload reset the limit."""
        if not isinstance(client_key, str) or not client_key:
            raise ProposalStoreError(f"{caller} needs the client's key (clientaddr.rate_key)")
        now = self._clock()
        return now, stamp(now - timedelta(seconds=self.rate_limit.window_s))

    def _rate_limited(self, run, client_key: str, since: str, now) -> RateLimitError:
        """The error for a client over the rate limit, saying when to retry: the window after
        the oldest of its proposals and evaluations still in it (they count together)."""
        oldest = run("SELECT MIN(created_at) FROM (SELECT created_at FROM proposals WHERE "
                     "client_key = ? AND created_at > ? UNION ALL SELECT created_at FROM "
                     "evaluations WHERE client_key = ? AND created_at > ?) AS recent",
                     (client_key, since, client_key, since)).fetchone()[0]
        wait = self.rate_limit.window_s
        if oldest is not None:
            wait += (parse_stamp(oldest) - now).total_seconds()
        return RateLimitError("rate_limited", "client_key", count=self.rate_limit.count,
                              window_s=int(self.rate_limit.window_s), wait_s=max(1, round(wait)))

    def has_evaluated(self, workshop: str, device: str) -> bool:
        """Whether this device (its cookie) already answered this workshop's evaluation."""
        with self._transaction(write=False) as run:
            return run("SELECT 1 FROM evaluations WHERE workshop = ? AND device = ?",
                       (workshop, device_key(device))).fetchone() is not None

    def purge_evaluation_keys(self) -> int:
        """Erase the evaluations' client keys older than the rate-limit window."""
        since = stamp(self._clock() - timedelta(seconds=self.rate_limit.window_s))
        with self._transaction(write=True, single=self.dialect == "sqlite") as run:
            return run("UPDATE evaluations SET client_key = NULL WHERE client_key IS NOT NULL "
                       "AND created_at <= ?", (since,)).rowcount

    # --- facilitators -----------------------------------------------------------------------

    def set_evaluation(self, staff: Staff, slug: str, offered: bool) -> Workshop:
        """Offer the evaluation to the room (``offered``) or end it."""
        self._require(staff, FACILITATOR)
        value = "open" if offered else "off"
        with self._transaction(write=True) as run:
            changed = run("UPDATE workshops SET evaluation = ? WHERE slug = ? AND evaluation <> ?",
                          (value, slug, value)).rowcount
            if changed:
                self._audit(run, staff, f"evaluation_{value}", slug)
        return self._stored(slug)

    def _record_step(self, run, workshop: str | None, scenario: str | None, step: int) -> None:
        """Note that the room showed this step of this workshop (kept once, first time)."""
        if workshop and scenario:
            run("INSERT INTO room_steps (workshop, scenario, step, shown_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT DO NOTHING", (workshop, scenario, int(step), self.now()))

    # --- moderators -------------------------------------------------------------------------

    def evaluation_comments(self, staff: Staff, workshop: str) -> list[tuple[int, str, str, str]]:
        """The free comments of a workshop's evaluations, oldest first: (id, created_at,
        comment, comment_status)."""
        self._require(staff, MODERATOR)
        with self._transaction(write=False) as run:
            return [tuple(row) for row in run(
                "SELECT id, created_at, comment, comment_status FROM evaluations WHERE workshop = ? "
                "AND comment IS NOT NULL ORDER BY id", (workshop,)).fetchall()]

    def set_comment_status(self, staff: Staff, ids: Sequence[int], status: str) -> int:
        """Approve, hide or put back to pending evaluation comments; the number changed."""
        self._require(staff, MODERATOR)
        if status not in COMMENT_STATUSES:
            raise ModerationError(f"unknown comment status '{status}'")
        numbers = [int(i) for i in ids]
        changed = 0
        with self._transaction(write=True) as run:
            for number in numbers:
                changed += run("UPDATE evaluations SET comment_status = ? WHERE id = ? "
                               "AND comment IS NOT NULL", (status, number)).rowcount
            self._audit(run, staff, f"comment_{status}", target=str(numbers), changed=changed)
        return changed

    # --- the report -------------------------------------------------------------------------

    def report_rows(self, staff: Staff, slug: str) -> ReportRows:
        """A workshop's proposals (all statuses), the duplicates merged into each, the number of
        participants per role (distinct devices or sessions that proposed, by the role they
        gave), its evaluations and the steps the room played. Staff only (facilitator or
        moderator): the proposals carry first names and pending texts."""
        self._require(staff, FACILITATOR if isinstance(staff, Staff) and staff.can(FACILITATOR)
                      else MODERATOR)
        with self._transaction(write=False) as run:
            row = run(f"{WORKSHOP_SELECT} WHERE slug = ?", (slug,)).fetchone()
            if row is None:
                raise ProposalStoreError(f"unknown workshop '{slug}'")
            proposals = [Proposal(*r) for r in run(
                f"{PROPOSAL_SELECT} WHERE workshop = ? ORDER BY id", (slug,)).fetchall()]
            merged = dict(run("SELECT merged_into, COUNT(*) FROM proposals WHERE workshop = ? "
                              "AND status = 'merged' GROUP BY merged_into", (slug,)).fetchall())
            participants = dict(run(
                "SELECT role, COUNT(DISTINCT client_token) FROM proposals WHERE workshop = ? "
                "GROUP BY role", (slug,)).fetchall())
            total = run("SELECT COUNT(DISTINCT client_token) FROM proposals WHERE workshop = ?",
                        (slug,)).fetchone()[0]
            evaluations = run("SELECT id, workshop, created_at, role, comment, comment_status "
                              "FROM evaluations WHERE workshop = ? ORDER BY id", (slug,)).fetchall()
            answers: dict[int, dict[str, int]] = {}
            for evaluation, question, value in run(
                    "SELECT a.evaluation, a.question, a.value FROM evaluation_answers a JOIN "
                    "evaluations e ON e.id = a.evaluation WHERE e.workshop = ?", (slug,)).fetchall():
                answers.setdefault(int(evaluation), {})[question] = int(value)
            steps = [tuple(r) for r in run("SELECT scenario, step, shown_at FROM room_steps "
                                           "WHERE workshop = ? ORDER BY shown_at, scenario, step",
                                           (slug,)).fetchall()]
        return ReportRows(
            Workshop(*row), proposals, {int(k): int(v) for k, v in merged.items()},
            {k: int(v) for k, v in participants.items()}, int(total),
            [StoredEvaluation(int(e[0]), e[1], e[2], e[3], answers.get(int(e[0]), {}), e[4], e[5])
             for e in evaluations],
            [(s[0], int(s[1]), s[2]) for s in steps])

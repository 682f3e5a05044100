"""Workshops and proposals in one database, SQLite or PostgreSQL (``geo.participation.database``
opens it): what participants and the room's screen do. What staff do is in
``geo.participation.staffops``; connections and migrations in ``geo.participation.connection``.

The participants' API, shared by every page or route that takes proposals:

1. ``geo.participation.proposals.validate(submission, rules)`` checks and cleans the form;
2. ``ProposalStore.submit(valid, client_key=clientaddr.rate_key(address))`` stores it.

``submit`` is idempotent on the form's submission id (a retried send is stored once), takes
proposals only for an open workshop, and enforces the rate limit per client address (its keyed
hash, which a reload or a new session does not change; proposals and evaluations of an address
count together) in the same guarded INSERT, so
concurrent sends from one client cannot overshoot it. The key is erased once the window has
passed. Changing anything else needs a staff member (``geo.participation.auth``).
"""

from __future__ import annotations

import os
import re
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

from geo.core.errors import ProposalError, ProposalStoreError
from geo.participation.connection import Connections, stamp, utc_now
from geo.participation.evaluation_store import EvaluationOperations
from geo.participation.proposals import Proposal, Room, Submission, Workshop
from geo.participation.schema import PROPOSAL_SELECT as SELECT
from geo.participation.schema import WORKSHOP_SELECT
from geo.participation.staffops import StaffOperations

__all__ = ["ProposalStore", "RateLimit", "Receipt", "utc_now"]

RATE_LIMIT_ENV = "RESILIENCE_PROPOSALS_RATE_LIMIT"

_GUARDED_INSERT = (
    "INSERT INTO proposals (submission_id, workshop, created_at, lon, lat, place, category, "
    "text, action_id, hazard, first_name, client_token, client_key, role) "
    "SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? "
    "WHERE EXISTS (SELECT 1 FROM workshops WHERE slug = ? AND status = 'open') "
    "AND (SELECT COUNT(*) FROM proposals WHERE client_key = ? AND created_at > ?) "
    "+ (SELECT COUNT(*) FROM evaluations WHERE client_key = ? AND created_at > ?) < ? "
    "ON CONFLICT (submission_id) DO NOTHING")


@dataclass(frozen=True)
class RateLimit:
    """At most ``count`` proposals per client address within ``window_s`` seconds."""

    count: int = 6
    window_s: float = 60.0

    @classmethod
    def from_env(cls) -> RateLimit:
        """``RESILIENCE_PROPOSALS_RATE_LIMIT=<count>/<seconds>`` (e.g. ``6/60``), else the default."""
        value = os.environ.get(RATE_LIMIT_ENV, "")
        match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+(?:\.\d+)?)\s*", value)
        return cls(int(match[1]), float(match[2])) if match else cls()


@dataclass(frozen=True)
class Receipt:
    """The stored proposal; ``duplicate`` is true when this submission id was already stored."""

    proposal: Proposal
    duplicate: bool


class ProposalStore(EvaluationOperations, StaffOperations, Connections):
    """Workshops and proposals in one database (see the module docstring).

    Thread-safe: each operation borrows a connection from a small pool and runs in its own
    transaction. Build it with ``geo.participation.database.open_store``.
    """

    def __init__(self, dialect: str, connect, rate_limit: RateLimit, clock=utc_now,
                 description: str = "") -> None:
        self.rate_limit = rate_limit
        self._purged_at = 0.0
        self._purge_lock = threading.Lock()
        super().__init__(dialect, connect, clock, description)

    # --- workshops and the room -------------------------------------------------------------

    def workshop(self, slug: str) -> Workshop | None:
        with self._transaction(write=False) as run:
            row = run(f"{WORKSHOP_SELECT} WHERE slug = ?", (slug,)).fetchone()
        return Workshop(*row) if row else None

    def workshops(self) -> list[Workshop]:
        """Every workshop, the most recent date first."""
        with self._transaction(write=False) as run:
            rows = run(f"{WORKSHOP_SELECT} ORDER BY date DESC, slug").fetchall()
        return [Workshop(*row) for row in rows]

    def room(self) -> Room:
        """The facilitator's choice for the room (``Room(None)`` until one is made)."""
        with self._transaction(write=False) as run:
            row = run("SELECT workshop, scenario, step, updated_at, updated_by FROM room "
                      "WHERE id = 1").fetchone()
        if row is None:
            return Room(None)
        return Room(row[0], row[1], int(row[2] or 1), row[3], row[4])

    def room_workshop(self) -> Workshop | None:
        """The workshop the facilitator chose for the room, whatever its status."""
        slug = self.room().workshop
        return self.workshop(slug) if slug else None

    # --- participants -----------------------------------------------------------------------

    def submit(self, valid: Submission, client_key: str) -> Receipt:
        """Store a validated submission once (see ``geo.participation.proposals.validate``).

        ``client_key``: ``geo.participation.clientaddr.rate_key`` of the sender's address (the
        rate limit's key, erased after the window). Required: a page that forgot it would let a
        reload reset the limit.

        Raises
        ------
        RateLimitError
            The client sent ``rate_limit.count`` proposals within the window (``values['wait_s']``
            says when to retry). Nothing is stored.
        ProposalError
            ``workshop_closed`` / ``workshop_not_open``: the workshop takes no proposals (the
            facilitator closed it, or has not opened it yet). Nothing is stored.
        ProposalStoreError
            Unknown workshop, or the database cannot be written.
        """
        now, since = self._rate_window(client_key, "submit")
        values = (valid.submission_id, valid.workshop, stamp(now), valid.lon, valid.lat,
                  valid.place, valid.category, valid.text, valid.action_id, valid.hazard,
                  valid.first_name, valid.client_token, client_key, valid.role)
        # One guarded statement: stored only if the workshop is open, the client is under its
        # rate limit and the submission id is new. Atomic on SQLite (one statement, the write
        # lock serialises writers); on PostgreSQL one client's sends are serialised by an
        # advisory lock, so two of them cannot both pass the count.
        with self._transaction(write=True, single=self.dialect == "sqlite") as run:
            if self.dialect == "postgresql":
                run("SELECT pg_advisory_xact_lock(hashtext(?))", (client_key,))
            inserted = run(_GUARDED_INSERT, (*values, valid.workshop, client_key, since,
                                             client_key, since, self.rate_limit.count)).rowcount
        self._purge_keys_now_and_then()
        stored = self.by_submission(valid.submission_id)
        if stored is not None:
            return Receipt(stored, duplicate=inserted == 0)
        with self._transaction(write=False) as run:
            row = run("SELECT status FROM workshops WHERE slug = ?", (valid.workshop,)).fetchone()
            if row is None:
                raise ProposalStoreError(f"unknown workshop '{valid.workshop}'")
            if row[0] != "open":
                code = "workshop_closed" if row[0] == "closed" else "workshop_not_open"
                raise ProposalError(code, "workshop")
            # the evaluations of this address count too (geo.participation.evaluation_store)
            limited = self._rate_limited(run, client_key, since, now)
        raise limited

    def purge_client_keys(self) -> int:
        """Erase the client keys older than the rate-limit window (the limit no longer needs
        them); the number erased. Also done by ``submit`` every quarter of a window."""
        since = stamp(self._clock() - timedelta(seconds=self.rate_limit.window_s))
        with self._transaction(write=True, single=self.dialect == "sqlite") as run:
            return run("UPDATE proposals SET client_key = NULL WHERE client_key IS NOT NULL "
                       "AND created_at <= ?", (since,)).rowcount

    def _purge_keys_now_and_then(self) -> None:
        with self._purge_lock:
            due = time.monotonic() - self._purged_at > self.rate_limit.window_s / 4
            if due:
                self._purged_at = time.monotonic()
        if due:
            self.purge_client_keys()
            self.purge_evaluation_keys()

    def by_submission(self, submission_id: str) -> Proposal | None:
        with self._transaction(write=False) as run:
            row = run(f"{SELECT} WHERE submission_id = ?", (submission_id,)).fetchone()
        return Proposal(*row) if row else None

    # --- what the room and the public see ---------------------------------------------------

    def visible(self, workshop: str, after_id: int = 0, limit: int = 500) -> list[Proposal]:
        """Pending and approved proposals (not hidden or merged) of a workshop, oldest first."""
        with self._transaction(write=False) as run:
            rows = run(f"{SELECT} WHERE workshop = ? AND status IN ('pending', 'approved') "
                       "AND id > ? ORDER BY id LIMIT ?", (workshop, after_id, limit)).fetchall()
        return [Proposal(*row) for row in rows]

    def on_screen(self, workshop: str, pending: bool, limit: int = 500) -> list[Proposal]:
        """What the room's screen shows of a workshop, oldest first: approved proposals, and
        pending ones too when ``pending`` (the facilitator's « live » mode), less those a
        facilitator took off the screen."""
        statuses = "('pending', 'approved')" if pending else "('approved')"
        with self._transaction(write=False) as run:
            rows = run(f"{SELECT} WHERE workshop = ? AND status IN {statuses} "
                       "AND off_screen_at IS NULL ORDER BY id LIMIT ?", (workshop, limit)).fetchall()
        return [Proposal(*row) for row in rows]

    def public(self, limit: int = 5000) -> list[tuple[Proposal, int]]:
        """What the public map shows: the approved proposals of every workshop (the moderators'
        decision), oldest first, each with the number of duplicates merged into it."""
        with self._transaction(write=False) as run:
            rows = run(f"{SELECT} WHERE status = 'approved' ORDER BY id LIMIT ?",
                       (limit,)).fetchall()
            merged = dict(run("SELECT merged_into, COUNT(*) FROM proposals WHERE status = 'merged' "
                              "GROUP BY merged_into").fetchall())
        return [(Proposal(*row), merged.get(row[0], 0)) for row in rows]

"""What staff do to the proposals database (a part of ``geo.participation.store.ProposalStore``).

Every method takes the signed-in ``geo.participation.auth.Staff`` and checks its role first:
facilitators prepare, open, close and delete workshops, choose the room's workshop and scenario
step, choose what the room's screen shows and take proposals off it; moderators approve, hide,
merge and erase proposals and read everything for the exports. Each action writes one row of
``audit_log`` and one log line (when, who, what: ids, slugs and counts, never a text, a first
name or a password).
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import datetime

from geo.core.errors import ModerationError, ProposalStoreError
from geo.participation import auth
from geo.participation.auth import Staff
from geo.participation.connection import stamp
from geo.participation.proposals import (
    SCREEN_MODES,
    WORKSHOP_STATUSES,
    Proposal,
    Workshop,
)
from geo.participation.schema import PROPOSAL_SELECT as _SELECT

FACILITATOR, MODERATOR = "facilitator", "moderator"


def months_before(moment: datetime, months: int) -> datetime:
    """The same moment ``months`` calendar months earlier (the day clamped to the month's end)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


class StaffOperations:
    """The staff's side of the store (mixed into ``ProposalStore``, which provides the
    transactions, the clock and ``workshop``)."""

    # --- rights and audit -------------------------------------------------------------------

    @staticmethod
    def _require(staff: Staff, role: str) -> None:
        if not isinstance(staff, Staff) or not staff.genuine:
            raise ModerationError("this needs a signed-in staff member")
        if not staff.can(role):
            raise ModerationError(f"this needs the {role} role ({staff.name} does not have it)")

    def _audit(self, run, staff: Staff, action: str, workshop: str | None = None,
               target: str = "", **detail: object) -> None:
        text = " ".join(f"{key}={value}" for key, value in sorted(detail.items()))
        run("INSERT INTO audit_log (at, actor, action, workshop, target, detail) "
            "VALUES (?, ?, ?, ?, ?, ?)", (self.now(), staff.name, action, workshop, target, text))
        auth.log_action(staff, action, workshop=workshop, target=target, **detail)

    def audit_entries(self, staff: Staff, limit: int = 200) -> list[tuple]:
        """The latest staff actions, newest first: (at, actor, action, workshop, target, detail)."""
        self._require(staff, MODERATOR)
        with self._transaction(write=False) as run:
            return [tuple(row) for row in run(
                "SELECT at, actor, action, workshop, target, detail FROM audit_log "
                "ORDER BY id DESC LIMIT ?", (limit,)).fetchall()]

    # --- facilitators: workshops and the room -----------------------------------------------

    def create_workshop(self, staff: Staff, workshop: Workshop) -> Workshop:
        """Prepare a workshop (checked by ``proposals.validate_workshop``): it is scheduled, and
        takes proposals once opened. Idempotent on slug (an existing workshop is returned)."""
        self._require(staff, FACILITATOR)
        with self._transaction(write=True) as run:
            created = run("INSERT INTO workshops (slug, name, date, created_at, status, created_by) "
                          "VALUES (?, ?, ?, ?, 'scheduled', ?) ON CONFLICT (slug) DO NOTHING",
                          (workshop.slug, workshop.name, workshop.date, self.now(),
                           staff.name)).rowcount
            if created:
                self._audit(run, staff, "workshop_create", workshop.slug)
        return self._stored(workshop.slug)

    def set_workshop_status(self, staff: Staff, slug: str, status: str) -> Workshop:
        """Open or close a workshop (or put it back to scheduled). Reopening keeps its
        proposals; closing stops proposals at once and ends its public live file."""
        self._require(staff, FACILITATOR)
        if status not in WORKSHOP_STATUSES:
            raise ModerationError(f"unknown workshop status '{status}'")
        now = self.now()
        with self._transaction(write=True) as run:
            if status == "open":
                changed = run("UPDATE workshops SET status = 'open', opened_at = ?, closed_at = NULL "
                              "WHERE slug = ? AND status <> 'open'", (now, slug)).rowcount
            elif status == "closed":
                changed = run("UPDATE workshops SET status = 'closed', closed_at = ? "
                              "WHERE slug = ? AND status <> 'closed'", (now, slug)).rowcount
            else:
                changed = run("UPDATE workshops SET status = 'scheduled', closed_at = NULL "
                              "WHERE slug = ? AND status <> 'scheduled'", (slug,)).rowcount
            if changed:
                self._audit(run, staff, f"workshop_{status}", slug)
        return self._stored(slug)

    def delete_workshop(self, staff: Staff, slug: str) -> int:
        """Delete a workshop and every proposal of it (the room forgets it); the number of
        proposals deleted."""
        self._require(staff, FACILITATOR)
        with self._transaction(write=True) as run:
            if run("SELECT 1 FROM workshops WHERE slug = ?", (slug,)).fetchone() is None:
                raise ProposalStoreError(f"unknown workshop '{slug}'")
            deleted = run("DELETE FROM proposals WHERE workshop = ?", (slug,)).rowcount
            run("DELETE FROM evaluation_answers WHERE evaluation IN "
                "(SELECT id FROM evaluations WHERE workshop = ?)", (slug,))
            run("DELETE FROM evaluations WHERE workshop = ?", (slug,))
            run("DELETE FROM room_steps WHERE workshop = ?", (slug,))
            run("UPDATE room SET workshop = NULL WHERE workshop = ?", (slug,))
            run("DELETE FROM workshops WHERE slug = ?", (slug,))
            self._audit(run, staff, "workshop_delete", slug, proposals=deleted)
        return deleted

    def set_room(self, staff: Staff, workshop: str | None, scenario: str | None = None,
                 step: int = 1) -> None:
        """What the room shows: the workshop (``None``: none), the scenario and its step."""
        self._require(staff, FACILITATOR)
        with self._transaction(write=True) as run:
            if workshop is not None and run("SELECT 1 FROM workshops WHERE slug = ?",
                                            (workshop,)).fetchone() is None:
                raise ProposalStoreError(f"unknown workshop '{workshop}'")
            run("INSERT INTO room (id, workshop, scenario, step, updated_at, updated_by) "
                "VALUES (1, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                "workshop = excluded.workshop, scenario = excluded.scenario, "
                "step = excluded.step, updated_at = excluded.updated_at, "
                "updated_by = excluded.updated_by",
                (workshop, scenario, int(step), self.now(), staff.name))
            self._audit(run, staff, "room", workshop, scenario=scenario, step=int(step))
            self._record_step(run, workshop, scenario, step)

    def set_screen(self, staff: Staff, slug: str, mode: str) -> Workshop:
        """What the room's screen shows of a workshop: ``live`` (every proposal as it comes)
        or ``approved`` (approved ones only)."""
        self._require(staff, FACILITATOR)
        if mode not in SCREEN_MODES:
            raise ModerationError(f"unknown screen mode '{mode}'")
        with self._transaction(write=True) as run:
            if run("UPDATE workshops SET screen = ? WHERE slug = ? AND screen <> ?",
                   (mode, slug, mode)).rowcount:
                self._audit(run, staff, "screen", slug, mode=mode)
        return self._stored(slug)

    def take_off_screen(self, staff: Staff, proposal_id: int, back: bool = False) -> int:
        """Take a proposal off the room's screen (``back``: put it back); the number changed.
        Its moderation status is not touched."""
        self._require(staff, FACILITATOR)
        with self._transaction(write=True) as run:
            changed = run("UPDATE proposals SET off_screen_at = ? WHERE id = ?",
                          (None if back else self.now(), int(proposal_id))).rowcount
            if changed:
                self._audit(run, staff, "screen_back" if back else "screen_off",
                            target=str(int(proposal_id)))
        return changed

    def off_screen(self, staff: Staff, workshop: str) -> list[Proposal]:
        """The proposals of a workshop a facilitator took off the screen, oldest first."""
        self._require(staff, FACILITATOR)
        with self._transaction(write=False) as run:
            rows = run(f"{_SELECT} WHERE workshop = ? AND off_screen_at IS NOT NULL ORDER BY id",
                       (workshop,)).fetchall()
        return [Proposal(*row) for row in rows]

    # --- moderators -------------------------------------------------------------------------

    def all_proposals(self, staff: Staff, workshop: str) -> list[Proposal]:
        """Every proposal of a workshop, whatever its status, oldest first."""
        self._require(staff, MODERATOR)
        with self._transaction(write=False) as run:
            rows = run(f"{_SELECT} WHERE workshop = ? ORDER BY id", (workshop,)).fetchall()
        return [Proposal(*row) for row in rows]

    def set_status(self, staff: Staff, proposal_ids: Sequence[int], status: str) -> int:
        """Approve, hide or reset to pending; the number of proposals changed."""
        self._require(staff, MODERATOR)
        if status not in ("pending", "approved", "hidden"):
            raise ModerationError(f"unknown status '{status}' (use merge to merge)")
        ids = [int(i) for i in proposal_ids]
        changed = 0
        with self._transaction(write=True) as run:
            for proposal_id in ids:
                changed += run("UPDATE proposals SET status = ?, merged_into = NULL, "
                               "moderated_at = ? WHERE id = ?",
                               (status, self.now(), proposal_id)).rowcount
            self._audit(run, staff, {"approved": "approve", "hidden": "hide",
                                     "pending": "pending"}[status], target=str(ids),
                        changed=changed)
        return changed

    def merge(self, staff: Staff, duplicate_id: int, into_id: int) -> Proposal:
        """Mark ``duplicate_id`` as a duplicate of ``into_id`` (same workshop); the kept proposal.

        Proposals already merged into the duplicate follow it, so no chain is left.
        """
        self._require(staff, MODERATOR)
        with self._transaction(write=True) as run:
            rows = {row[0]: Proposal(*row) for row in run(
                f"{_SELECT} WHERE id IN (?, ?)", (int(duplicate_id), int(into_id))).fetchall()}
            duplicate, kept = rows.get(int(duplicate_id)), rows.get(int(into_id))
            if duplicate is None or kept is None:
                raise ModerationError("unknown proposal")
            if duplicate.id == kept.id:
                raise ModerationError("a proposal cannot be merged into itself")
            if duplicate.workshop != kept.workshop:
                raise ModerationError("proposals of different workshops cannot be merged")
            if kept.status == "merged":
                raise ModerationError(f"proposal {kept.id} is itself merged into "
                                      f"{kept.merged_into}: merge into that one")
            now = self.now()
            run("UPDATE proposals SET merged_into = ?, moderated_at = ? WHERE merged_into = ?",
                (kept.id, now, duplicate.id))
            run("UPDATE proposals SET status = 'merged', merged_into = ?, moderated_at = ? "
                "WHERE id = ?", (kept.id, now, duplicate.id))
            row = run(f"{_SELECT} WHERE id = ?", (kept.id,)).fetchone()
            self._audit(run, staff, "merge", kept.workshop, target=str(duplicate.id),
                        into=kept.id)
        return Proposal(*row)

    def approved(self, staff: Staff, workshop: str) -> list[tuple[Proposal, int]]:
        """Approved proposals of a workshop with the number of duplicates merged into each
        (what the exports hold; closed workshops included)."""
        self._require(staff, MODERATOR)
        with self._transaction(write=False) as run:
            rows = run(f"{_SELECT} WHERE workshop = ? AND status = 'approved' ORDER BY id",
                       (workshop,)).fetchall()
            merged = dict(run("SELECT merged_into, COUNT(*) FROM proposals WHERE workshop = ? "
                              "AND status = 'merged' GROUP BY merged_into", (workshop,)).fetchall())
        return [(Proposal(*row), merged.get(row[0], 0)) for row in rows]

    # --- personal data (RGPD) ---------------------------------------------------------------

    def erase_proposals(self, staff: Staff, proposal_ids: Sequence[int]) -> int:
        """Erase proposals for good (a participant's request); the number erased. Duplicates
        merged into an erased proposal are someone else's: they go back to pending."""
        self._require(staff, MODERATOR)
        ids = sorted({int(i) for i in proposal_ids})
        if not ids:
            return 0
        marks = ", ".join("?" for _ in ids)
        with self._transaction(write=True) as run:
            run(f"UPDATE proposals SET status = 'pending', merged_into = NULL WHERE merged_into "
                f"IN ({marks}) AND id NOT IN ({marks})", (*ids, *ids))
            erased = run(f"DELETE FROM proposals WHERE id IN ({marks})", ids).rowcount
            self._audit(run, staff, "erase", target=str(ids), erased=erased)
        return erased

    def erase_first_names(self, staff: Staff, months: int) -> int:
        """Erase the first names of the workshops closed more than ``months`` months ago (the
        retention the participants were told); the number of first names erased."""
        self._require(staff, MODERATOR)
        limit = stamp(months_before(self._clock(), max(months, 0)))
        closed = "SELECT slug FROM workshops WHERE status = 'closed' AND closed_at < ?"
        with self._transaction(write=True) as run:
            erased = run(f"UPDATE proposals SET first_name = NULL WHERE first_name IS NOT NULL "
                         f"AND workshop IN ({closed})", (limit,)).rowcount
            run("UPDATE workshops SET names_erased_at = ? WHERE status = 'closed' "
                "AND closed_at < ? AND names_erased_at IS NULL", (self.now(), limit))
            if erased:
                self._audit(run, staff, "erase_first_names", months=months, erased=erased)
        return erased

    def _stored(self, slug: str) -> Workshop:
        stored = self.workshop(slug)
        if stored is None:
            raise ProposalStoreError(f"unknown workshop '{slug}'")
        return stored

"""Workshops and proposals in one database, SQLite or PostgreSQL (``geo.participation.database``
opens it).

- Versioned migrations (``geo.participation.schema``) are applied when the store opens,
  in one transaction, and recorded in ``schema_version``: opening twice, or from several
  processes at once, applies each exactly once.
- ``submit`` is idempotent on the form's submission id (a retried send is stored once) and
  enforces the per-client rate limit in the same guarded INSERT, so concurrent sends from one
  client cannot overshoot it.
- Participants can only add. Changing a proposal's status needs a ``Moderator``, which only
  ``login`` hands out against the configured password.
"""

from __future__ import annotations

import hmac
import os
import queue
import re
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from geo.core.errors import ModerationError, ProposalStoreError, RateLimitError
from geo.participation import schema
from geo.participation.proposals import Proposal, Submission, Workshop

RATE_LIMIT_ENV = "RESILIENCE_PROPOSALS_RATE_LIMIT"


#: Key of the PostgreSQL advisory lock that serialises migrations across app instances.
_MIGRATION_LOCK = 712_000_001


_COLUMNS = ("id", "submission_id", "workshop", "created_at", "lon", "lat", "place", "category",
            "text", "action_id", "hazard", "first_name", "status", "merged_into")
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM proposals"
_GUARDED_INSERT = (
    "INSERT INTO proposals (submission_id, workshop, created_at, lon, lat, place, category, "
    "text, action_id, hazard, first_name, client_token) "
    "SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? "
    "WHERE EXISTS (SELECT 1 FROM workshops WHERE slug = ?) "
    "AND (SELECT COUNT(*) FROM proposals WHERE client_token = ? AND created_at > ?) < ? "
    "ON CONFLICT (submission_id) DO NOTHING")


@dataclass(frozen=True)
class RateLimit:
    """At most ``count`` proposals per client token within ``window_s`` seconds."""

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


class Moderator:
    """The capability to moderate: only ``ProposalStore.login`` makes one."""

    __slots__ = ("_key",)

    def __init__(self, key: object) -> None:
        if key is not _KEY:
            raise ModerationError("a moderator is obtained with ProposalStore.login(password)")
        self._key = key


_KEY = object()


def utc_now() -> datetime:
    return datetime.now(UTC)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse_stamp(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


class ProposalStore:
    """Workshops and proposals in one database (see the module docstring).

    Thread-safe: each operation borrows a connection from a small pool and runs in its own
    transaction. Build it with ``open_store``.
    """

    def __init__(self, dialect: str, connect: Callable[[], Any], rate_limit: RateLimit,
                 clock: Callable[[], datetime] = utc_now, description: str = "") -> None:
        self.dialect = dialect
        self.rate_limit = rate_limit
        self.description = description
        self._connect = connect
        self._clock = clock
        self._idle: queue.LifoQueue = queue.LifoQueue()
        self.migrate()

    # --- connections and transactions -------------------------------------------------------

    def close(self) -> None:
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return

    def _sql(self, statement: str) -> str:
        return statement.replace("?", "%s") if self.dialect == "postgresql" else statement

    @contextmanager
    def _transaction(self, write: bool, single: bool = False) -> Iterator[Callable[..., Any]]:
        """A transaction; yields ``run(sql, params) -> cursor``. Rolls back on any error.

        ``single``: the body runs one statement, atomic by itself; on SQLite it then runs in
        autocommit, so the write lock is taken and released inside that statement (held across
        no Python code, whatever the load on the interpreter).
        """
        try:
            conn = self._idle.get_nowait()
        except queue.Empty:
            conn = self._open()
        healthy = False
        try:
            if self.dialect == "sqlite" and single:
                yield lambda sql, params=(): conn.execute(sql, params)
            elif self.dialect == "sqlite":
                conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                try:
                    yield lambda sql, params=(): conn.execute(sql, params)
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            else:
                with conn.transaction(), conn.cursor() as cursor:
                    yield lambda sql, params=(): cursor.execute(self._sql(sql), params)
            healthy = True
        except (sqlite3.Error, _pg_errors()) as exc:
            raise ProposalStoreError(f"proposals database ({self.description}): {exc}") from exc
        finally:
            if healthy or self._usable(conn):
                self._idle.put(conn)
            else:
                conn.close()

    def _open(self) -> Any:
        try:
            return self._connect()
        except (sqlite3.Error, OSError, _pg_errors()) as exc:
            raise ProposalStoreError(
                f"cannot open the proposals database ({self.description}): {exc}") from exc

    def _usable(self, conn: Any) -> bool:
        if self.dialect == "sqlite":
            return not conn.in_transaction
        return not conn.closed and conn.info.transaction_status == 0

    # --- schema -----------------------------------------------------------------------------

    def migrate(self) -> list[int]:
        """Apply the missing migrations in one transaction; the versions applied now."""
        known = schema.migrations()
        applied_now: list[int] = []
        with self._transaction(write=True) as run:
            if self.dialect == "postgresql":
                run("SELECT pg_advisory_xact_lock(?)", (_MIGRATION_LOCK,))
            run("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
                "name TEXT NOT NULL, applied_at TEXT NOT NULL)")
            done = {row[0] for row in run("SELECT version FROM schema_version").fetchall()}
            newest = max((m.version for m in known), default=0)
            if done and max(done) > newest:
                raise ProposalStoreError(
                    f"the proposals database is at schema version {max(done)}, newer than this "
                    f"code ({newest}): update the app")
            for migration in known:
                if migration.version in done:
                    continue
                for statement in migration.statements(self.dialect):
                    run(statement)
                run("INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
                    (migration.version, migration.name, _stamp(self._clock())))
                applied_now.append(migration.version)
        return applied_now

    def schema_version(self) -> int:
        with self._transaction(write=False) as run:
            return run("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()[0]

    # --- workshops --------------------------------------------------------------------------

    def create_workshop(self, workshop: Workshop) -> Workshop:
        """Store a workshop (checked by ``proposals.validate_workshop``); idempotent on slug."""
        with self._transaction(write=True) as run:
            run("INSERT INTO workshops (slug, name, date, created_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (slug) DO NOTHING",
                (workshop.slug, workshop.name, workshop.date, _stamp(self._clock())))
        stored = self.workshop(workshop.slug)
        assert stored is not None
        return stored

    def workshop(self, slug: str) -> Workshop | None:
        with self._transaction(write=False) as run:
            row = run("SELECT slug, name, date FROM workshops WHERE slug = ?", (slug,)).fetchone()
        return Workshop(*row) if row else None

    def workshops(self) -> list[Workshop]:
        """Every workshop, the most recent date first."""
        with self._transaction(write=False) as run:
            rows = run("SELECT slug, name, date FROM workshops ORDER BY date DESC, slug").fetchall()
        return [Workshop(*row) for row in rows]

    # --- participants -----------------------------------------------------------------------

    def submit(self, valid: Submission) -> Receipt:
        """Store a validated submission once (see ``geo.participation.proposals.validate``).

        Raises
        ------
        RateLimitError
            The client sent ``rate_limit.count`` proposals within the window (``values['wait_s']``
            says when to retry). Nothing is stored.
        ProposalStoreError
            Unknown workshop, or the database cannot be written.
        """
        now = self._clock()
        since = _stamp(now - timedelta(seconds=self.rate_limit.window_s))
        values = (valid.submission_id, valid.workshop, _stamp(now), valid.lon, valid.lat,
                  valid.place, valid.category, valid.text, valid.action_id, valid.hazard,
                  valid.first_name, valid.client_token)
        # One guarded statement: stored only if the workshop exists, the client is under its
        # rate limit and the submission id is new. Atomic on SQLite (one statement, the write
        # lock serialises writers); on PostgreSQL one client's sends are serialised by an
        # advisory lock, so two of them cannot both pass the count.
        with self._transaction(write=True, single=self.dialect == "sqlite") as run:
            if self.dialect == "postgresql":
                run("SELECT pg_advisory_xact_lock(hashtext(?))", (valid.client_token,))
            inserted = run(_GUARDED_INSERT, (*values, valid.workshop, valid.client_token, since,
                                             self.rate_limit.count)).rowcount
        stored = self.by_submission(valid.submission_id)
        if stored is not None:
            return Receipt(stored, duplicate=inserted == 0)
        with self._transaction(write=False) as run:
            if run("SELECT 1 FROM workshops WHERE slug = ?", (valid.workshop,)).fetchone() is None:
                raise ProposalStoreError(f"unknown workshop '{valid.workshop}'")
            oldest = run("SELECT MIN(created_at) FROM proposals WHERE client_token = ? "
                         "AND created_at > ?", (valid.client_token, since)).fetchone()[0]
        wait = self.rate_limit.window_s
        if oldest is not None:
            wait += (_parse_stamp(oldest) - now).total_seconds()
        raise RateLimitError("rate_limited", "client_token", count=self.rate_limit.count,
                             window_s=int(self.rate_limit.window_s), wait_s=max(1, round(wait)))

    def visible(self, workshop: str, after_id: int = 0, limit: int = 500) -> list[Proposal]:
        """What the room sees: pending and approved proposals (not hidden or merged), oldest first."""
        with self._transaction(write=False) as run:
            rows = run(f"{_SELECT} WHERE workshop = ? AND status IN ('pending', 'approved') "
                       "AND id > ? ORDER BY id LIMIT ?", (workshop, after_id, limit)).fetchall()
        return [Proposal(*row) for row in rows]

    def public(self, limit: int = 5000) -> list[tuple[Proposal, int]]:
        """What the public map shows: the approved proposals of every workshop (the moderators'
        decision), oldest first, each with the number of duplicates merged into it."""
        with self._transaction(write=False) as run:
            rows = run(f"{_SELECT} WHERE status = 'approved' ORDER BY id LIMIT ?",
                       (limit,)).fetchall()
            merged = dict(run("SELECT merged_into, COUNT(*) FROM proposals WHERE status = 'merged' "
                              "GROUP BY merged_into").fetchall())
        return [(Proposal(*row), merged.get(row[0], 0)) for row in rows]

    def by_submission(self, submission_id: str) -> Proposal | None:
        with self._transaction(write=False) as run:
            row = run(f"{_SELECT} WHERE submission_id = ?", (submission_id,)).fetchone()
        return Proposal(*row) if row else None

    # --- moderation -------------------------------------------------------------------------

    @staticmethod
    def login(password: str, configured: str | None) -> Moderator:
        """A moderator capability if ``password`` is the configured one.

        Raises
        ------
        ModerationError
            No password is configured (moderation is then closed), or the password is wrong.
        """
        if not configured:
            raise ModerationError("no moderation password is configured")
        if not hmac.compare_digest(str(password).encode(), configured.encode()):
            raise ModerationError("wrong moderation password")
        return Moderator(_KEY)

    @staticmethod
    def _check(moderator: Moderator) -> None:
        if not isinstance(moderator, Moderator) or getattr(moderator, "_key", None) is not _KEY:
            raise ModerationError("moderation needs a moderator (ProposalStore.login)")

    def all_proposals(self, moderator: Moderator, workshop: str) -> list[Proposal]:
        """Every proposal of a workshop, whatever its status, oldest first."""
        self._check(moderator)
        with self._transaction(write=False) as run:
            rows = run(f"{_SELECT} WHERE workshop = ? ORDER BY id", (workshop,)).fetchall()
        return [Proposal(*row) for row in rows]

    def set_status(self, moderator: Moderator, proposal_ids: Sequence[int], status: str) -> int:
        """Approve, hide or reset to pending; the number of proposals changed."""
        self._check(moderator)
        if status not in ("pending", "approved", "hidden"):
            raise ModerationError(f"unknown status '{status}' (use merge to merge)")
        changed = 0
        with self._transaction(write=True) as run:
            for proposal_id in proposal_ids:
                changed += run("UPDATE proposals SET status = ?, merged_into = NULL, "
                               "moderated_at = ? WHERE id = ?",
                               (status, _stamp(self._clock()), int(proposal_id))).rowcount
        return changed

    def merge(self, moderator: Moderator, duplicate_id: int, into_id: int) -> Proposal:
        """Mark ``duplicate_id`` as a duplicate of ``into_id`` (same workshop); the kept proposal.

        Proposals already merged into the duplicate follow it, so no chain is left.
        """
        self._check(moderator)
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
            stamp = _stamp(self._clock())
            run("UPDATE proposals SET merged_into = ?, moderated_at = ? WHERE merged_into = ?",
                (kept.id, stamp, duplicate.id))
            run("UPDATE proposals SET status = 'merged', merged_into = ?, moderated_at = ? "
                "WHERE id = ?", (kept.id, stamp, duplicate.id))
            row = run(f"{_SELECT} WHERE id = ?", (kept.id,)).fetchone()
        return Proposal(*row)

    def approved(self, moderator: Moderator, workshop: str) -> list[tuple[Proposal, int]]:
        """Approved proposals of a workshop with the number of duplicates merged into each."""
        self._check(moderator)
        with self._transaction(write=False) as run:
            rows = run(f"{_SELECT} WHERE workshop = ? AND status = 'approved' ORDER BY id",
                       (workshop,)).fetchall()
            merged = dict(run("SELECT merged_into, COUNT(*) FROM proposals WHERE workshop = ? "
                              "AND status = 'merged' GROUP BY merged_into", (workshop,)).fetchall())
        return [(Proposal(*row), merged.get(row[0], 0)) for row in rows]


def _pg_errors() -> type[Exception]:
    try:
        import psycopg
    except ImportError:  # psycopg is in requirements.txt; without it only SQLite works
        return sqlite3.Error
    return psycopg.Error

"""The proposals database's connections, transactions and schema migrations, for SQLite and
PostgreSQL alike (the base of ``geo.participation.store.ProposalStore``).

- Each operation borrows a connection from a small pool and runs in its own transaction,
  rolled back on any error; database errors become ``ProposalStoreError``.
- Versioned migrations (``geo.participation.schema``) are applied when the store opens, in one
  transaction, and recorded in ``schema_version``: opening twice, or from several processes at
  once, applies each exactly once.
- Times are ISO-8601 UTC text made here from the store's clock, never by SQL.
"""

from __future__ import annotations

import queue
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from geo.core.errors import ProposalStoreError
from geo.participation import schema

#: Key of the PostgreSQL advisory lock that serialises migrations across app instances.
_MIGRATION_LOCK = 712_000_001


def utc_now() -> datetime:
    return datetime.now(UTC)


def stamp(moment: datetime) -> str:
    """A moment as the schema stores it: ``2026-11-26T18:00:00.000000Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_stamp(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


class Connections:
    """A pool of connections to one database, its transactions and its migrations.

    Thread-safe. ``connect`` opens a new connection (``geo.participation.database``).
    """

    def __init__(self, dialect: str, connect: Callable[[], Any],
                 clock: Callable[[], datetime] = utc_now, description: str = "") -> None:
        self.dialect = dialect
        self.description = description
        self._connect = connect
        self._clock = clock
        self._idle: queue.LifoQueue = queue.LifoQueue()
        self.migrate()

    def close(self) -> None:
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return

    def now(self) -> str:
        """The store clock's current time as stored."""
        return stamp(self._clock())

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
        except (sqlite3.Error, pg_errors()) as exc:
            raise ProposalStoreError(f"proposals database ({self.description}): {exc}") from exc
        finally:
            if healthy or self._usable(conn):
                self._idle.put(conn)
            else:
                conn.close()

    def _open(self) -> Any:
        try:
            return self._connect()
        except (sqlite3.Error, OSError, pg_errors()) as exc:
            raise ProposalStoreError(
                f"cannot open the proposals database ({self.description}): {exc}") from exc

    def _usable(self, conn: Any) -> bool:
        if self.dialect == "sqlite":
            return not conn.in_transaction
        return not conn.closed and conn.info.transaction_status == 0

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
                    (migration.version, migration.name, self.now()))
                applied_now.append(migration.version)
        return applied_now

    def schema_version(self) -> int:
        with self._transaction(write=False) as run:
            return run("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()[0]


def pg_errors() -> type[Exception]:
    try:
        import psycopg
    except ImportError:  # psycopg is in requirements.txt; without it only SQLite works
        return sqlite3.Error
    return psycopg.Error

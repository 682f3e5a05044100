"""Opening the proposals database: SQLite (WAL) under ``data/proposals/`` by default, PostgreSQL
when ``RESILIENCE_PROPOSALS_DATABASE_URL`` (or a URL from the secrets) is set.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from geo.core.errors import ProposalStoreError
from geo.core.settings import DATA_DIR
from geo.participation.store import ProposalStore, RateLimit, utc_now

DATABASE_URL_ENV = "RESILIENCE_PROPOSALS_DATABASE_URL"
SQLITE_PATH_ENV = "RESILIENCE_PROPOSALS_SQLITE"


DEFAULT_SQLITE = DATA_DIR / "proposals" / "proposals.sqlite3"


def sqlite_path() -> Path:
    return Path(os.environ.get(SQLITE_PATH_ENV) or DEFAULT_SQLITE)


def open_sqlite(path: Path, rate_limit: RateLimit | None = None,
                clock: Callable[[], datetime] = utc_now) -> ProposalStore:
    """A SQLite store at ``path`` (directories created), in WAL mode."""
    path.parent.mkdir(parents=True, exist_ok=True)

    def connect() -> sqlite3.Connection:
        conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        # FULL: a proposal acknowledged to a participant survives a crash of the machine too.
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=30000")
        return conn

    return ProposalStore("sqlite", connect, rate_limit or RateLimit.from_env(), clock,
                         description=f"SQLite {path}")


def open_postgres(url: str, rate_limit: RateLimit | None = None,
                  clock: Callable[[], datetime] = utc_now) -> ProposalStore:
    """A PostgreSQL store (``postgresql://user@host:port/db``); the schema is migrated on open."""
    import psycopg

    def connect() -> Any:
        return psycopg.connect(url, autocommit=True, connect_timeout=10)

    safe = re.sub(r"//[^@/]*@", "//***@", url)
    return ProposalStore("postgresql", connect, rate_limit or RateLimit.from_env(), clock,
                         description=f"PostgreSQL {safe}")


def open_store(url: str | None = None, rate_limit: RateLimit | None = None) -> ProposalStore:
    """PostgreSQL if a URL is given or set in ``RESILIENCE_PROPOSALS_DATABASE_URL``, else SQLite."""
    url = url or os.environ.get(DATABASE_URL_ENV) or None
    if url:
        if not url.startswith(("postgresql://", "postgres://")):
            raise ProposalStoreError("the proposals database URL must start with postgresql://")
        return open_postgres(url, rate_limit)
    return open_sqlite(sqlite_path(), rate_limit)

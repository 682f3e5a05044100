"""The proposals database's schema: versioned SQL migrations (``migrations/NNNN_name.sql``) written
once for SQLite and PostgreSQL, with dialect tokens (``@ID@``, ``@REAL@``) replaced per backend.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from geo.core.errors import ProposalStoreError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

#: The columns ``geo.participation.proposals.Proposal`` is built from, in its fields' order.
PROPOSAL_COLUMNS = ("id", "submission_id", "workshop", "created_at", "lon", "lat", "place",
                    "category", "text", "action_id", "hazard", "first_name", "status",
                    "merged_into", "role")
PROPOSAL_SELECT = f"SELECT {', '.join(PROPOSAL_COLUMNS)} FROM proposals"
#: The columns ``geo.participation.proposals.Workshop`` is built from.
WORKSHOP_SELECT = ("SELECT slug, name, date, status, opened_at, closed_at, screen, evaluation "
                   "FROM workshops")


DIALECT_TOKENS = {
    "sqlite": {"@ID@": "INTEGER PRIMARY KEY AUTOINCREMENT", "@REAL@": "REAL"},
    "postgresql": {"@ID@": "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
                   "@REAL@": "DOUBLE PRECISION"},
}


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    def statements(self, dialect: str) -> list[str]:
        text = "\n".join(line for line in self.sql.splitlines()
                         if not line.lstrip().startswith("--"))
        for token, value in DIALECT_TOKENS[dialect].items():
            text = text.replace(token, value)
        return [stmt.strip() for stmt in text.split(";") if stmt.strip()]


def migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """The migrations in version order (``0001_init.sql``...); a duplicate version is an error."""
    found: dict[int, Migration] = {}
    for file in sorted(directory.glob("*.sql")):
        match = re.fullmatch(r"(\d{4})_(\w+)\.sql", file.name)
        if match is None:
            raise ProposalStoreError(f"migration file name not NNNN_name.sql: {file.name}")
        version = int(match[1])
        if version in found:
            raise ProposalStoreError(f"two migrations with version {version}")
        found[version] = Migration(version, match[2], file.read_text(encoding="utf-8"))
    return [found[v] for v in sorted(found)]

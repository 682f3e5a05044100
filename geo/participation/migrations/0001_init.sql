-- Workshops and participants' proposals.
-- Portable SQL for SQLite and PostgreSQL; @ID@ and @REAL@ are replaced per dialect.
-- Times are ISO-8601 UTC text ('2026-11-26T01:02:03.123456Z'): sortable and identical in both.

CREATE TABLE workshops (
    slug TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    date TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE proposals (
    id @ID@,
    submission_id TEXT NOT NULL UNIQUE,
    workshop TEXT NOT NULL REFERENCES workshops (slug),
    created_at TEXT NOT NULL,
    lon @REAL@ NOT NULL,
    lat @REAL@ NOT NULL,
    place TEXT,
    category TEXT NOT NULL,
    text TEXT NOT NULL,
    action_id TEXT,
    hazard TEXT,
    first_name TEXT,
    client_token TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'approved', 'hidden', 'merged')),
    merged_into INTEGER REFERENCES proposals (id),
    moderated_at TEXT,
    CHECK ((status = 'merged') = (merged_into IS NOT NULL))
);

CREATE INDEX proposals_by_workshop ON proposals (workshop, id);

CREATE INDEX proposals_by_client ON proposals (client_token, created_at);

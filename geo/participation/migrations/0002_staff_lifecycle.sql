-- Workshop lifecycle, the room's choice, what the room's screen shows, an address-based rate
-- limit, and the staff's audit log (issue 16).
-- Portable SQL for SQLite and PostgreSQL; @ID@ and @REAL@ are replaced per dialect.
-- Times are ISO-8601 UTC text like the rest of the schema; "now" comes from the code, never from
-- SQL (CURRENT_DATE is text in SQLite, a date in PostgreSQL whose text form depends on settings).

-- A workshop is scheduled, open or closed; only open ones take proposals. Workshops of earlier
-- versions are closed (anyone could create them then): a facilitator reopens the one in use.
-- Their proposals stay as they were, readable and exportable.
ALTER TABLE workshops ADD COLUMN status TEXT NOT NULL DEFAULT 'scheduled'
    CHECK (status IN ('scheduled', 'open', 'closed'));
ALTER TABLE workshops ADD COLUMN opened_at TEXT;
ALTER TABLE workshops ADD COLUMN closed_at TEXT;
ALTER TABLE workshops ADD COLUMN created_by TEXT;
-- What the room's screen shows: every proposal as it comes ('live') or approved ones only.
ALTER TABLE workshops ADD COLUMN screen TEXT NOT NULL DEFAULT 'approved'
    CHECK (screen IN ('live', 'approved'));
-- When the first names of this workshop were erased (the RGPD delay after closing).
ALTER TABLE workshops ADD COLUMN names_erased_at TEXT;
UPDATE workshops SET status = 'closed', closed_at = created_at;

CREATE INDEX workshops_by_status ON workshops (status, date);

-- The facilitator's choice for the room, one row: what « Atelier » and « Proposer » show without
-- ?workshop= (never "the newest"), and the scenario step the room is at.
CREATE TABLE room (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    workshop TEXT REFERENCES workshops (slug) ON DELETE SET NULL,
    scenario TEXT,
    step INTEGER,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
);

-- Taken off the room's screen by a facilitator (NULL: shown). Not a moderation status.
ALTER TABLE proposals ADD COLUMN off_screen_at TEXT;
-- Rate-limit key of the sender's address (a keyed hash, see clientaddr.rate_key), set back to
-- NULL once the rate-limit window has passed: no address is kept longer than the limit needs.
ALTER TABLE proposals ADD COLUMN client_key TEXT;
CREATE INDEX proposals_by_client_key ON proposals (client_key, created_at);

-- Staff actions: when, who, what (ids, slugs, counts), never texts, first names or passwords.
CREATE TABLE audit_log (
    id @ID@,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    workshop TEXT,
    target TEXT,
    detail TEXT
);

CREATE INDEX audit_log_by_time ON audit_log (at);

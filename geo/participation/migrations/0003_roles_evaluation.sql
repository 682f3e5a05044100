-- After the workshop (issue 18): the participant's role on a proposal, the method's evaluation,
-- and the scenario steps the room played.
-- Portable SQL for SQLite and PostgreSQL; @ID@ is replaced per dialect.

-- Optional role of the person proposing (geo.participation.roles.ROLES). NULL: not said, which
-- is what every proposal stored before this version keeps. Shown as counts, never by a name.
ALTER TABLE proposals ADD COLUMN role TEXT;

-- Whether the facilitator offers the evaluation to the room (end of the workshop). Answers are
-- taken only while the workshop is open and this is on.
ALTER TABLE workshops ADD COLUMN evaluation TEXT NOT NULL DEFAULT 'off'
    CHECK (evaluation IN ('off', 'open'));

-- One anonymous evaluation per workshop and participant device: ``device`` is a keyed hash of
-- the device's cookie (never the cookie itself), ``client_key`` the rate limit's key of the
-- sender's address, erased once the window has passed, as for proposals. The free comment is
-- shown only once a moderator approved it.
CREATE TABLE evaluations (
    id @ID@,
    submission_id TEXT NOT NULL UNIQUE,
    workshop TEXT NOT NULL REFERENCES workshops (slug),
    device TEXT NOT NULL,
    created_at TEXT NOT NULL,
    role TEXT,
    comment TEXT,
    comment_status TEXT NOT NULL DEFAULT 'none'
        CHECK (comment_status IN ('none', 'pending', 'approved', 'hidden')),
    client_key TEXT,
    UNIQUE (workshop, device)
);

CREATE INDEX evaluations_by_client_key ON evaluations (client_key, created_at);

-- The answers to the evaluation's closed questions (data/evaluation.toml): one row per answered
-- question, the value as the question's scale or option number.
CREATE TABLE evaluation_answers (
    evaluation INTEGER NOT NULL REFERENCES evaluations (id) ON DELETE CASCADE,
    question TEXT NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (evaluation, question)
);

-- Each scenario step the room's screen showed for a workshop, when it was first shown.
CREATE TABLE room_steps (
    workshop TEXT NOT NULL REFERENCES workshops (slug) ON DELETE CASCADE,
    scenario TEXT NOT NULL,
    step INTEGER NOT NULL,
    shown_at TEXT NOT NULL,
    PRIMARY KEY (workshop, scenario, step)
);

-- Joint random-inspection plans 联合抽查计划 and their verifiable draws (R4, R7, R8), the credit
-- grades that stratify them until the credit engine exists, and the link from inspectors to the
-- user accounts that see their tasks.
-- Dates are 'YYYY-MM-DD' text; instants are Unix milliseconds; JSON is stored as text.
-- Institutions are referred to by USCC text (a partner-listed institution may not be in the registry).
-- Nothing here is ever deleted: plans are superseded by a new version, records are appended.

-- Credit grade 信用等级 set by hand: the grade on D is the row with the newest valid_from <= D
-- (ties: the later row). No row: grade B.
CREATE TABLE institution_grades (
    id               INTEGER PRIMARY KEY,
    institution_uscc TEXT   NOT NULL,
    grade            TEXT   NOT NULL CHECK (grade IN ('A', 'B', 'C', 'D', 'E')),
    valid_from       TEXT   NOT NULL,
    basis            TEXT   NOT NULL,
    set_at           BIGINT NOT NULL,
    set_by           TEXT   NOT NULL
);
CREATE INDEX institution_grades_uscc ON institution_grades (institution_uscc, valid_from);

-- Which user account acts as which inspector (one each way).
CREATE TABLE inspector_accounts (
    id             INTEGER PRIMARY KEY,
    inspector_code TEXT   NOT NULL UNIQUE,
    username       TEXT   NOT NULL UNIQUE,
    linked_at      BIGINT NOT NULL,
    linked_by      TEXT   NOT NULL
);

-- A plan version. status: draft | frozen | drawn | superseded. departments, items, strata are JSON.
-- inputs_json is the draw's `inputs` exactly as frozen; inputs_digest its SHA-256 (spec §1).
CREATE TABLE plans (
    id               INTEGER PRIMARY KEY,
    code             TEXT   NOT NULL,
    version          BIGINT NOT NULL,
    period           TEXT   NOT NULL,
    title            TEXT   NOT NULL,
    departments      TEXT   NOT NULL,
    items            TEXT   NOT NULL,
    team_size        BIGINT NOT NULL CHECK (team_size >= 1),
    year_cap         BIGINT NOT NULL CHECK (year_cap >= 0),
    due_working_days BIGINT NOT NULL CHECK (due_working_days >= 0),
    public_label     TEXT,
    status           TEXT   NOT NULL,
    strata           TEXT,
    freeze_on        TEXT,
    inputs_json      TEXT,
    inputs_digest    TEXT,
    draw_error       TEXT,
    drawn_on         TEXT,
    created_at       BIGINT NOT NULL,
    created_by       TEXT   NOT NULL,
    frozen_at        BIGINT,
    frozen_by        TEXT,
    drawn_at         BIGINT,
    superseded_by    BIGINT,
    UNIQUE (code, version)
);
CREATE INDEX plans_status ON plans (status);

-- Entropy declarations in `entropy_sources` order. A department secret's commitment is entered
-- before the freeze; value is stored only once it matches (secrets) or is entered (public).
CREATE TABLE plan_entropy (
    id           INTEGER PRIMARY KEY,
    plan_id      BIGINT NOT NULL REFERENCES plans (id),
    pos          BIGINT NOT NULL,
    kind         TEXT   NOT NULL,
    label        TEXT   NOT NULL,
    commitment   TEXT,
    committed_by TEXT,
    committed_at BIGINT,
    value        TEXT,
    revealed_by  TEXT,
    revealed_at  BIGINT,
    UNIQUE (plan_id, pos)
);

-- The pool as frozen: every institution considered, with its stratum (grade) and categories
-- (JSON), where it came from (JSON), and why it was left out (NULL: it is a candidate).
CREATE TABLE plan_pool (
    id               INTEGER PRIMARY KEY,
    plan_id          BIGINT NOT NULL REFERENCES plans (id),
    institution_uscc TEXT   NOT NULL,
    name             TEXT   NOT NULL,
    stratum          TEXT   NOT NULL,
    categories       TEXT   NOT NULL,
    sources          TEXT   NOT NULL,
    excluded_reason  TEXT,
    UNIQUE (plan_id, institution_uscc)
);

-- Why each conflict in the frozen inputs is there: kind declared | rotation.
CREATE TABLE plan_conflicts (
    id               INTEGER PRIMARY KEY,
    plan_id          BIGINT NOT NULL REFERENCES plans (id),
    inspector_code   TEXT   NOT NULL,
    institution_uscc TEXT   NOT NULL,
    kind             TEXT   NOT NULL,
    reason           TEXT   NOT NULL
);
CREATE INDEX plan_conflicts_plan ON plan_conflicts (plan_id);

-- Published records, append-only: seq 1 is the draw, later ones add a recusal 回避 each. The
-- current record is the highest seq. record_sha256 = SHA-256 of the record's canonical JSON.
CREATE TABLE plan_records (
    id            INTEGER PRIMARY KEY,
    plan_id       BIGINT NOT NULL REFERENCES plans (id),
    seq           BIGINT NOT NULL,
    kind          TEXT   NOT NULL,
    record_json   TEXT   NOT NULL,
    record_sha256 TEXT   NOT NULL,
    note          TEXT,
    created_at    BIGINT NOT NULL,
    created_by    TEXT   NOT NULL,
    UNIQUE (plan_id, seq)
);

-- Inspection tasks 检查任务: one per drawn target, due a number of working days after the draw.
CREATE TABLE plan_tasks (
    id               INTEGER PRIMARY KEY,
    plan_id          BIGINT NOT NULL REFERENCES plans (id),
    target_order     BIGINT NOT NULL,
    institution_uscc TEXT   NOT NULL,
    institution_name TEXT   NOT NULL,
    stratum          TEXT   NOT NULL,
    due_on           TEXT   NOT NULL,
    created_at       BIGINT NOT NULL,
    UNIQUE (plan_id, target_order)
);
CREATE INDEX plan_tasks_uscc ON plan_tasks (institution_uscc);

-- The team as it now stands (a recusal rewrites its slot; the records keep the history).
CREATE TABLE plan_task_members (
    id             INTEGER PRIMARY KEY,
    task_id        BIGINT NOT NULL REFERENCES plan_tasks (id),
    slot           BIGINT NOT NULL,
    inspector_code TEXT   NOT NULL,
    UNIQUE (task_id, slot)
);
CREATE INDEX plan_task_members_inspector ON plan_task_members (inspector_code);

CREATE TRIGGER institution_grades_no_delete BEFORE DELETE ON institution_grades
BEGIN SELECT RAISE(ABORT, 'grades are superseded, never deleted'); END;
CREATE TRIGGER plans_no_delete BEFORE DELETE ON plans
BEGIN SELECT RAISE(ABORT, 'plans are superseded, never deleted'); END;
CREATE TRIGGER plan_entropy_no_delete BEFORE DELETE ON plan_entropy
BEGIN SELECT RAISE(ABORT, 'plan history is never deleted'); END;
CREATE TRIGGER plan_pool_no_delete BEFORE DELETE ON plan_pool
BEGIN SELECT RAISE(ABORT, 'plan history is never deleted'); END;
CREATE TRIGGER plan_records_no_delete BEFORE DELETE ON plan_records
BEGIN SELECT RAISE(ABORT, 'draw records are append-only'); END;
CREATE TRIGGER plan_records_no_update BEFORE UPDATE ON plan_records
BEGIN SELECT RAISE(ABORT, 'draw records are append-only'); END;
CREATE TRIGGER plan_tasks_no_delete BEFORE DELETE ON plan_tasks
BEGIN SELECT RAISE(ABORT, 'tasks are never deleted'); END;

-- Inspector registry 检查人员名录库, random-inspection item list 随机抽查事项清单, and the
-- partner-department lists 协作部门机构名单 (R8, R11).
-- Dates are 'YYYY-MM-DD' text (text order is date order); date ranges are inclusive at both ends
-- (valid_to = last day in force) except inspector periods (below); an open end is NULL. Instants
-- are Unix milliseconds. Institutions are referred to by USCC text, not by foreign key: a partner
-- may list an institution not yet in the registry.
-- Nothing here is ever deleted: people are deactivated, items retired, lists superseded; the
-- database refuses a DELETE.

-- specialties: JSON array of category codes, e.g. ["water","air"].
CREATE TABLE inspectors (
    id                  INTEGER PRIMARY KEY,
    code                TEXT   NOT NULL UNIQUE,
    department          TEXT   NOT NULL,
    name                TEXT   NOT NULL,
    enforcement_cert_no TEXT   NOT NULL,
    specialties         TEXT   NOT NULL,
    max_tasks_per_plan  BIGINT NOT NULL CHECK (max_tasks_per_plan >= 1),
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);
CREATE INDEX inspectors_department ON inspectors (department);

-- Active periods 在岗期间: active on D when active_from <= D and (deactivated_on IS NULL or
-- D < deactivated_on) — deactivated_on is the first inactive day, so a period deactivated on the
-- day it began is empty. At most one open period per inspector.
CREATE TABLE inspector_periods (
    id             INTEGER PRIMARY KEY,
    inspector_id   BIGINT NOT NULL REFERENCES inspectors (id),
    active_from    TEXT   NOT NULL,
    deactivated_on TEXT,
    start_note     TEXT,
    end_note       TEXT
);
CREATE INDEX inspector_periods_inspector ON inspector_periods (inspector_id);

-- Declared conflicts of interest 利害关系 (回避): reason former_employer | relative | other.
CREATE TABLE inspector_conflicts (
    id               INTEGER PRIMARY KEY,
    inspector_id     BIGINT NOT NULL REFERENCES inspectors (id),
    institution_uscc TEXT   NOT NULL,
    reason           TEXT   NOT NULL,
    reason_note      TEXT,
    valid_from       TEXT   NOT NULL,
    valid_to         TEXT,
    declared_at      BIGINT NOT NULL
);
CREATE INDEX inspector_conflicts_inspector ON inspector_conflicts (inspector_id);
CREATE INDEX inspector_conflicts_uscc ON inspector_conflicts (institution_uscc);

-- The item list: one row per version of an item; a revision closes the old row (valid_to) and
-- inserts the next version.
CREATE TABLE inspection_items (
    id         INTEGER PRIMARY KEY,
    code       TEXT   NOT NULL,
    version    BIGINT NOT NULL,
    department TEXT   NOT NULL,
    duty       TEXT   NOT NULL,
    basis      TEXT   NOT NULL,
    content    TEXT   NOT NULL,
    method     TEXT   NOT NULL,
    valid_from TEXT   NOT NULL,
    valid_to   TEXT,
    created_at BIGINT NOT NULL,
    created_by TEXT   NOT NULL,
    UNIQUE (code, version)
);

-- Each upload of a department's list for a period is a new version; the latest one is the list.
CREATE TABLE partner_list_submissions (
    id           INTEGER PRIMARY KEY,
    department   TEXT   NOT NULL,
    period       TEXT   NOT NULL,
    version      BIGINT NOT NULL,
    submitted_on TEXT   NOT NULL,
    submitted_at BIGINT NOT NULL,
    submitted_by TEXT   NOT NULL,
    row_count    BIGINT NOT NULL,
    UNIQUE (department, period, version)
);

-- commission: enforcement (行政执法) | government (政府委托).
CREATE TABLE partner_list_rows (
    id               INTEGER PRIMARY KEY,
    submission_id    BIGINT NOT NULL REFERENCES partner_list_submissions (id),
    row_no           BIGINT NOT NULL,
    uscc             TEXT   NOT NULL,
    institution_name TEXT   NOT NULL,
    category         TEXT   NOT NULL,
    project          TEXT   NOT NULL,
    commission       TEXT   NOT NULL,
    UNIQUE (submission_id, row_no)
);
CREATE INDEX partner_list_rows_uscc ON partner_list_rows (uscc);

CREATE TRIGGER inspectors_no_delete BEFORE DELETE ON inspectors
BEGIN SELECT RAISE(ABORT, 'inspectors are deactivated, never deleted'); END;
CREATE TRIGGER inspector_periods_no_delete BEFORE DELETE ON inspector_periods
BEGIN SELECT RAISE(ABORT, 'inspector history is never deleted'); END;
CREATE TRIGGER inspector_conflicts_no_delete BEFORE DELETE ON inspector_conflicts
BEGIN SELECT RAISE(ABORT, 'inspector history is never deleted'); END;
CREATE TRIGGER inspection_items_no_delete BEFORE DELETE ON inspection_items
BEGIN SELECT RAISE(ABORT, 'items are retired, never deleted'); END;
CREATE TRIGGER partner_list_submissions_no_delete BEFORE DELETE ON partner_list_submissions
BEGIN SELECT RAISE(ABORT, 'partner lists are superseded, never deleted'); END;
CREATE TRIGGER partner_list_rows_no_delete BEFORE DELETE ON partner_list_rows
BEGIN SELECT RAISE(ABORT, 'partner lists are superseded, never deleted'); END;

-- Deadlines counted in working days 期限 — what was counted from which day, and on which calendar.
-- The subject (a task today; orders, leads and cases later) keeps its due date in its own table too;
-- this row says where the date came from. A deadline counted on a provisional year 预估 (no State
-- Council notice loaded yet) is recomputed when the notice arrives: an unchanged date is confirmed
-- at once, a changed one waits for a leader's decision (review = 'pending'), because a date already
-- served never moves earlier without one.
--   kind: what the deadline is ('task.due', …); subject_id: the subject's id in its own table.
--   departments: JSON array of the department codes whose leaders decide.
--   provisional: 1 while due_on rests on a provisional year and no leader has decided it.
--   review: none | pending | adopted (recomputed date taken) | kept (served date kept).
--   closed_at: set when the subject is done with the deadline; open deadlines have NULL.
CREATE TABLE deadlines (
    id             INTEGER PRIMARY KEY,
    kind           TEXT   NOT NULL,
    subject_id     BIGINT NOT NULL,
    departments    TEXT   NOT NULL,
    start_on       TEXT   NOT NULL,
    working_days   BIGINT NOT NULL CHECK (working_days >= 0),
    due_on         TEXT   NOT NULL,
    provisional    BIGINT NOT NULL CHECK (provisional IN (0, 1)),
    recomputed_on  TEXT,
    review         TEXT   NOT NULL DEFAULT 'none' CHECK (review IN ('none', 'pending', 'adopted', 'kept')),
    reviewed_by    TEXT,
    reviewed_at    BIGINT,
    review_note    TEXT,
    created_at     BIGINT NOT NULL,
    closed_at      BIGINT,
    UNIQUE (kind, subject_id)
);
CREATE INDEX deadlines_open_provisional ON deadlines (provisional, closed_at);
CREATE INDEX deadlines_review ON deadlines (review);

CREATE TRIGGER deadlines_no_delete BEFORE DELETE ON deadlines
BEGIN SELECT RAISE(ABORT, 'deadlines are never deleted'); END;

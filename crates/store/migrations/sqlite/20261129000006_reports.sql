-- Monitoring reports uploaded for the off-site check 非现场检查 (exchange-formats §2), the check runs
-- over each batch, their findings routed by duty code, and the job queue the background workers share.
-- Instants are Unix milliseconds; dates 'YYYY-MM-DD' text. SQLite and PostgreSQL differ only in the
-- identity columns.

-- A batch of reports as one upload delivered it.
CREATE TABLE report_batches (
    id                  INTEGER PRIMARY KEY,
    uploaded_by         TEXT    NOT NULL,
    uploader_department TEXT    NOT NULL,
    uploader_role       TEXT    NOT NULL,
    -- The uploading institution (institution accounts); NULL for officers and the city feed.
    institution_uscc    TEXT,
    file_name           TEXT,
    uploaded_at         BIGINT  NOT NULL,
    -- Lines stored / lines refused at upload (an institution naming another institution).
    report_count        BIGINT  NOT NULL,
    refused_count       BIGINT  NOT NULL,
    refused_json        TEXT    NOT NULL,
    -- The newest finished check run; NULL until the first one finishes.
    current_run         BIGINT
);

-- Each report line exactly as submitted; `line_no` is its 1-based line in the upload, so findings
-- on unreadable lines (OFF-C01 evidence.line) point back to it.
CREATE TABLE reports (
    id               INTEGER PRIMARY KEY,
    batch_id         BIGINT  NOT NULL REFERENCES report_batches (id),
    line_no          BIGINT  NOT NULL,
    report_no        TEXT,
    institution_uscc TEXT,
    issued_on        TEXT,
    body             TEXT    NOT NULL,
    UNIQUE (batch_id, line_no)
);
CREATE INDEX reports_report_no ON reports (report_no);
CREATE INDEX reports_institution ON reports (institution_uscc);

-- One check of a batch against the registry as it was in the database when the run started.
-- A re-check is a new run; when it finishes it supersedes the older runs of the batch.
CREATE TABLE check_runs (
    id               INTEGER PRIMARY KEY,
    batch_id         BIGINT  NOT NULL REFERENCES report_batches (id),
    reason           TEXT    NOT NULL,
    requested_by     TEXT    NOT NULL,
    requested_at     BIGINT  NOT NULL,
    state            TEXT    NOT NULL,
    started_at       BIGINT,
    finished_at      BIGINT,
    registry_sha256  TEXT,
    methods_source   TEXT,
    summary_json     TEXT,
    error            TEXT,
    superseded_by    BIGINT,
    superseded_at    BIGINT
);
CREATE INDEX check_runs_batch ON check_runs (batch_id, id);

-- Findings 问题线索 (exchange-formats §3) of a run, routed to the department of their duty code.
-- Never deleted: a re-check marks them superseded, so the history stays visible.
CREATE TABLE findings (
    id               INTEGER PRIMARY KEY,
    run_id           BIGINT  NOT NULL REFERENCES check_runs (id),
    batch_id         BIGINT  NOT NULL REFERENCES report_batches (id),
    report_id        BIGINT  REFERENCES reports (id),
    rule             TEXT    NOT NULL,
    severity         TEXT    NOT NULL,
    duty             TEXT    NOT NULL,
    department       TEXT    NOT NULL,
    report_no        TEXT,
    institution_uscc TEXT,
    sample_id        TEXT,
    parameter        TEXT,
    message          TEXT    NOT NULL,
    evidence_json    TEXT    NOT NULL,
    created_at       BIGINT  NOT NULL,
    superseded_by    BIGINT,
    superseded_at    BIGINT
);
CREATE INDEX findings_worklist ON findings (department, superseded_by, id);
CREATE INDEX findings_run ON findings (run_id);
CREATE INDEX findings_batch ON findings (batch_id, id);
CREATE INDEX findings_report ON findings (report_id);
CREATE INDEX findings_institution ON findings (institution_uscc, id);

-- The job queue shared by every worker of every server process. A worker claims a job with a
-- conditional UPDATE (only one wins); a job whose lease ran out is queued again, up to max_attempts.
CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY,
    kind         TEXT    NOT NULL,
    payload      TEXT    NOT NULL,
    state        TEXT    NOT NULL,
    attempts     BIGINT  NOT NULL,
    max_attempts BIGINT  NOT NULL,
    locked_by    TEXT,
    locked_until BIGINT,
    run_after    BIGINT  NOT NULL,
    last_error   TEXT,
    created_at   BIGINT  NOT NULL,
    finished_at  BIGINT
);
CREATE INDEX jobs_ready ON jobs (state, run_after, id);

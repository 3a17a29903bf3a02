-- Foundation: accounts, sessions, API tokens, sign-in failures, the audit chain.
-- Instants are Unix milliseconds (BIGINT); dates are 'YYYY-MM-DD' text.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO meta (key, value) VALUES ('product', 'lianjian');

CREATE TABLE users (
    id                   INTEGER PRIMARY KEY,
    username             TEXT    NOT NULL UNIQUE,
    display_name         TEXT    NOT NULL,
    department           TEXT    NOT NULL,
    role                 TEXT    NOT NULL,
    institution_uscc     TEXT,
    password_hash        TEXT    NOT NULL,
    must_change_password BIGINT  NOT NULL DEFAULT 1,
    active               BIGINT  NOT NULL DEFAULT 1,
    locked_until         BIGINT,
    created_at           BIGINT  NOT NULL
);

CREATE TABLE login_failures (
    id      INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    at      BIGINT NOT NULL
);
CREATE INDEX login_failures_user_at ON login_failures (user_id, at);

CREATE TABLE sessions (
    token_hash TEXT   PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users(id),
    csrf_token TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen  BIGINT NOT NULL,
    ip         TEXT
);

CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users(id),
    token_hash TEXT   NOT NULL UNIQUE,
    label      TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

-- The head of the audit chain: one row, locked by the UPDATE that reserves the next seq.
CREATE TABLE audit_head (
    id   BIGINT PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT   NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE audit_log (
    seq              BIGINT PRIMARY KEY,
    at               TEXT   NOT NULL,
    actor_user       TEXT   NOT NULL,
    actor_department TEXT   NOT NULL,
    actor_role       TEXT   NOT NULL,
    actor_ip         TEXT,
    action           TEXT   NOT NULL,
    object_type      TEXT   NOT NULL,
    object_id        TEXT   NOT NULL,
    before_json      TEXT,
    after_json       TEXT,
    note             TEXT,
    prev             TEXT   NOT NULL,
    hash             TEXT   NOT NULL
);
CREATE INDEX audit_log_action ON audit_log (action);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id);

-- Append-only at the storage level: the application has no UPDATE/DELETE path, and the database refuses one.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

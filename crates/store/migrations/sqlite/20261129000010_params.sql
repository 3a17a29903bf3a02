-- Operator-set values of the legal parameters (lianjian_domain::params), effective-dated. Never edited:
-- a correction is a new row; for one key and date the newest row counts.
CREATE TABLE param_overrides (
    id             INTEGER PRIMARY KEY,
    key            TEXT   NOT NULL,
    effective_from TEXT   NOT NULL,
    value          BIGINT NOT NULL,
    note           TEXT   NOT NULL,
    set_by         TEXT   NOT NULL,
    created_at     BIGINT NOT NULL
);
CREATE INDEX param_overrides_key ON param_overrides (key, effective_from);

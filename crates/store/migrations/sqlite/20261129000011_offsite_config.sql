-- The regulator's own method-standard table and off-site rule thresholds, as uploaded. Append-only:
-- the newest row of each kind is in force; the older ones are the history.
CREATE TABLE offsite_config (
    id         INTEGER PRIMARY KEY,
    kind       TEXT   NOT NULL,
    content    TEXT   NOT NULL,
    note       TEXT   NOT NULL,
    set_by     TEXT   NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX offsite_config_kind ON offsite_config (kind, id);

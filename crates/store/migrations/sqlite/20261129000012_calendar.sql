-- Holiday calendars (State Council notices, holiday-cn JSON format) added by an operator after release:
-- the shipped data stops at the newest notice known when it was built. Append-only; the newest file of a
-- year is in force.
CREATE TABLE calendar_years (
    id         INTEGER PRIMARY KEY,
    year       BIGINT NOT NULL,
    content    TEXT   NOT NULL,
    note       TEXT   NOT NULL,
    set_by     TEXT   NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX calendar_years_year ON calendar_years (year, id);

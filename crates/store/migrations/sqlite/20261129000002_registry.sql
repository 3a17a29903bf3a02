-- Institution registry 机构名录库 (exchange-formats §1): institutions, CMA certificates with their
-- status history and capability scope, signatories, staff, instruments, restrictions.
-- Natural keys (USCC, certificate number) link the tables: they are what imports upsert by.
-- Dates are 'YYYY-MM-DD' text (so text order is date order); instants are Unix milliseconds.
CREATE TABLE institutions (
    id         INTEGER PRIMARY KEY,
    uscc       TEXT   NOT NULL UNIQUE,
    name       TEXT   NOT NULL,
    district   TEXT,
    address    TEXT,
    legal_rep  TEXT,
    phone      TEXT,
    -- SHA-256 of the institution's canonical JSON: a cache that lets a re-import skip unchanged
    -- institutions without loading them. Never trusted alone: a mismatch is re-checked in full.
    digest     TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX institutions_name ON institutions (name);

CREATE TABLE certificates (
    id               INTEGER PRIMARY KEY,
    certificate_no   TEXT NOT NULL UNIQUE,
    institution_uscc TEXT NOT NULL REFERENCES institutions (uscc),
    issuer           TEXT,
    issued_on        TEXT NOT NULL,
    expires_on       TEXT NOT NULL
);
CREATE INDEX certificates_institution ON certificates (institution_uscc);

-- Array order matters ("the last entry with from <= D"), hence pos.
CREATE TABLE certificate_status (
    id             INTEGER PRIMARY KEY,
    certificate_no TEXT   NOT NULL REFERENCES certificates (certificate_no),
    pos            BIGINT NOT NULL,
    status         TEXT   NOT NULL,
    from_date      TEXT   NOT NULL,
    UNIQUE (certificate_no, pos)
);

-- Capability scope 能力范围. method_key is the method code folded by normalize_code, so that
-- "who may test X by method Y" is an index look-up. No foreign key on certificate_no: an import
-- writes ~300,000 of these rows and a per-row check doubles its time on PostgreSQL; the import
-- writes and deletes scope rows only together with their certificate.
-- SQLite only: `ON CONFLICT FAIL` instead of the default ABORT lets a multi-row INSERT run without
-- a statement journal (with ABORT, SQLite journals every page a statement touches so it can undo
-- just that statement; the scope index spreads each batch over many pages, and the journal spills
-- to disk). The import rolls the whole transaction back on any error, so nothing half-written stays.
CREATE TABLE certificate_scope (
    id             INTEGER PRIMARY KEY,
    certificate_no TEXT NOT NULL ON CONFLICT FAIL,
    category       TEXT NOT NULL ON CONFLICT FAIL,
    parameter      TEXT NOT NULL ON CONFLICT FAIL,
    method         TEXT NOT NULL ON CONFLICT FAIL,
    method_key     TEXT NOT NULL ON CONFLICT FAIL,
    from_date      TEXT NOT NULL ON CONFLICT FAIL,
    to_date        TEXT
);
CREATE INDEX certificate_scope_certificate ON certificate_scope (certificate_no);
CREATE INDEX certificate_scope_parameter_method ON certificate_scope (parameter, method_key);

-- Authorised signatories 授权签字人; categories is a JSON array of category codes.
CREATE TABLE institution_signatories (
    id               INTEGER PRIMARY KEY,
    institution_uscc TEXT NOT NULL REFERENCES institutions (uscc),
    person_id        TEXT NOT NULL,
    person_name      TEXT NOT NULL,
    categories       TEXT NOT NULL,
    from_date        TEXT NOT NULL,
    to_date          TEXT
);
CREATE INDEX institution_signatories_institution ON institution_signatories (institution_uscc);
CREATE INDEX institution_signatories_person ON institution_signatories (person_id);

-- Registered staff 在册人员; roles is a JSON array of strings.
CREATE TABLE institution_staff (
    id               INTEGER PRIMARY KEY,
    institution_uscc TEXT NOT NULL REFERENCES institutions (uscc),
    person_id        TEXT NOT NULL,
    person_name      TEXT NOT NULL,
    roles            TEXT NOT NULL,
    from_date        TEXT NOT NULL,
    to_date          TEXT
);
CREATE INDEX institution_staff_institution ON institution_staff (institution_uscc);
CREATE INDEX institution_staff_person ON institution_staff (person_id);

CREATE TABLE institution_instruments (
    id               INTEGER PRIMARY KEY,
    institution_uscc TEXT NOT NULL REFERENCES institutions (uscc),
    instrument_id    TEXT NOT NULL,
    name             TEXT NOT NULL,
    UNIQUE (institution_uscc, instrument_id)
);

CREATE TABLE institution_restrictions (
    id               INTEGER PRIMARY KEY,
    institution_uscc TEXT NOT NULL REFERENCES institutions (uscc),
    from_date        TEXT NOT NULL,
    to_date          TEXT,
    basis            TEXT NOT NULL
);
CREATE INDEX institution_restrictions_institution ON institution_restrictions (institution_uscc);

-- Failed sign-ins by source address, for the per-address throttle in front of the per-account lockout
-- (one address guessing at many accounts must not lock out a department). Rows older than the
-- throttle window are pruned by the server's sweeper; nothing here is evidence (the audit chain is).
CREATE TABLE sign_in_address_failures (
    id      INTEGER PRIMARY KEY,
    address TEXT   NOT NULL,
    at      BIGINT NOT NULL
);
CREATE INDEX sign_in_address_failures_address_at ON sign_in_address_failures (address, at);

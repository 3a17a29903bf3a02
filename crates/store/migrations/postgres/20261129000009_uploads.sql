-- Uploads staged between "preview" and "confirm": the servers are stateless, so the file waits here.
CREATE TABLE staged_uploads (
    token      TEXT   PRIMARY KEY,
    user_id    BIGINT NOT NULL,
    kind       TEXT   NOT NULL,
    file_name  TEXT   NOT NULL,
    payload    TEXT   NOT NULL,
    created_at BIGINT NOT NULL
);

-- The webhook outbox. A notification is written here in the transaction-safe store first and
-- sent afterwards, so a receiver that is down loses nothing: a failed send stays in the table
-- with its error and the time of its next attempt. Rows are never deleted while undelivered.
--
-- `body` holds the exact bytes to send (the signature covers them). `secret_env` names the
-- environment variable holding the signing secret: the secret itself is never stored.
-- `next_attempt_at` is in unix seconds so that "what is due" is a plain comparison.
-- `dedupe_key` makes enqueuing the same notification twice a no-op (playbooks re-run).
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook         TEXT NOT NULL,
    url             TEXT NOT NULL,
    format          TEXT NOT NULL,
    secret_env      TEXT,
    body            TEXT NOT NULL,
    event           TEXT NOT NULL,
    incident_id     INTEGER,
    created_at      TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT,
    last_status     INTEGER,
    delivered_at    TEXT,
    dedupe_key      TEXT UNIQUE
);
CREATE INDEX outbox_undelivered ON outbox (next_attempt_at, id) WHERE delivered_at IS NULL;

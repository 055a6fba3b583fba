-- Incidents, their hash-chained timelines, evidence, the blocklist and recorded inventories.
-- Times are RFC 3339 text with the recording machine's offset: they are hashed as written.

-- Every hash chain (an incident's timeline `INC-7`, or `blocklist`) and its head. Updating the
-- head serialises writers to one chain and lets `audit verify` notice a deleted tail.
CREATE TABLE chains (
    name      TEXT PRIMARY KEY,
    head_seq  INTEGER NOT NULL,
    head_hash TEXT NOT NULL
);

CREATE TABLE timeline_events (
    chain     TEXT NOT NULL REFERENCES chains (name),
    seq       INTEGER NOT NULL,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    kind      TEXT NOT NULL,
    payload   TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL,
    PRIMARY KEY (chain, seq)
);

-- The incident as its timeline replays, kept for fast reads; `version` is the optimistic
-- concurrency check: a write names the version it read and fails if that moved on.
CREATE TABLE incidents (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    version    INTEGER NOT NULL,
    title      TEXT NOT NULL,
    type       TEXT NOT NULL,
    severity   TEXT,
    stage      TEXT NOT NULL,
    opened_at  TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    state      TEXT NOT NULL
);

-- One open incident per package: a second finding joins it instead of opening another.
CREATE TABLE open_package_claims (
    ecosystem   TEXT NOT NULL,
    name        TEXT NOT NULL,
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    PRIMARY KEY (ecosystem, name)
);

CREATE TABLE evidence_blobs (
    sha256   TEXT PRIMARY KEY,
    size     INTEGER NOT NULL,
    content  BLOB NOT NULL,
    added_at TEXT NOT NULL
);

CREATE TABLE blocklist (
    ecosystem   TEXT NOT NULL,
    name        TEXT NOT NULL,
    version     TEXT NOT NULL,
    reason      TEXT NOT NULL,
    incident_id INTEGER REFERENCES incidents (id),
    added_by    TEXT NOT NULL,
    added_at    TEXT NOT NULL,
    PRIMARY KEY (ecosystem, name, version)
);

CREATE TABLE scans (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    lockfiles   INTEGER NOT NULL,
    packages    INTEGER NOT NULL,
    findings    INTEGER NOT NULL
);

CREATE TABLE inventories (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    scan_id       INTEGER NOT NULL REFERENCES scans (id),
    project       TEXT NOT NULL,
    lockfile      TEXT NOT NULL,
    format        TEXT NOT NULL,
    git_commit    TEXT,
    package_count INTEGER NOT NULL
);
CREATE INDEX inventories_by_lockfile ON inventories (lockfile, id);

CREATE TABLE inventory_packages (
    inventory_id INTEGER NOT NULL REFERENCES inventories (id),
    ecosystem    TEXT NOT NULL,
    name         TEXT NOT NULL,
    version      TEXT NOT NULL,
    direct       BOOLEAN NOT NULL,
    dev          BOOLEAN NOT NULL
);
CREATE INDEX inventory_packages_by_inventory ON inventory_packages (inventory_id, ecosystem, name);

CREATE TABLE findings (
    scan_id      INTEGER NOT NULL REFERENCES scans (id),
    inventory_id INTEGER NOT NULL REFERENCES inventories (id),
    ecosystem    TEXT NOT NULL,
    name         TEXT NOT NULL,
    version      TEXT NOT NULL,
    kind         TEXT NOT NULL,
    source       TEXT NOT NULL,
    summary      TEXT NOT NULL
);
CREATE INDEX findings_by_scan ON findings (scan_id);

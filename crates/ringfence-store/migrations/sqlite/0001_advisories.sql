-- Advisory database (OSV records, including MAL- malicious-package records).
-- `json` is the record exactly as imported; the other columns are what queries need.
-- `modified_us` (microseconds since the epoch) orders timestamps that differ in format.
CREATE TABLE advisories (
    id            TEXT PRIMARY KEY NOT NULL CHECK (id <> ''),
    modified      TEXT,
    modified_us   INTEGER,
    published     TEXT,
    withdrawn     INTEGER NOT NULL CHECK (withdrawn IN (0, 1)),
    malware       INTEGER NOT NULL CHECK (malware IN (0, 1)),
    content_hash  INTEGER NOT NULL,
    json          TEXT NOT NULL
);

-- One row per (ecosystem, normalised package name) an advisory affects: the lookup key.
CREATE TABLE advisory_packages (
    ecosystem    TEXT NOT NULL CHECK (ecosystem <> ''),
    name         TEXT NOT NULL CHECK (name <> ''),
    advisory_id  TEXT NOT NULL REFERENCES advisories (id) ON DELETE CASCADE,
    PRIMARY KEY (ecosystem, name, advisory_id)
) WITHOUT ROWID;

CREATE INDEX advisory_packages_by_advisory ON advisory_packages (advisory_id);

-- Every import, for `advisory status` and for freshness checks in `doctor`.
CREATE TABLE imports (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    imported_at    TEXT NOT NULL,
    source         TEXT NOT NULL,
    row_count      INTEGER NOT NULL,
    inserted       INTEGER NOT NULL,
    updated        INTEGER NOT NULL,
    unchanged      INTEGER NOT NULL,
    skipped_older  INTEGER NOT NULL
);

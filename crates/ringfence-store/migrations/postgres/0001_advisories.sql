-- Advisory database (OSV records, including MAL- malicious-package records).
-- `json` is TEXT, not JSONB, so a record comes back byte for byte as imported.
-- `modified_us` (microseconds since the epoch) orders timestamps that differ in format.
CREATE TABLE advisories (
    id            TEXT PRIMARY KEY CHECK (id <> ''),
    modified      TEXT,
    modified_us   BIGINT,
    published     TEXT,
    withdrawn     BOOLEAN NOT NULL,
    malware       BOOLEAN NOT NULL,
    content_hash  BIGINT NOT NULL,
    json          TEXT NOT NULL
);

-- One row per (ecosystem, normalised package name) an advisory affects: the lookup key.
CREATE TABLE advisory_packages (
    ecosystem    TEXT NOT NULL CHECK (ecosystem <> ''),
    name         TEXT NOT NULL CHECK (name <> ''),
    advisory_id  TEXT NOT NULL REFERENCES advisories (id) ON DELETE CASCADE,
    PRIMARY KEY (ecosystem, name, advisory_id)
);

CREATE INDEX advisory_packages_by_advisory ON advisory_packages (advisory_id);

-- Every import, for `advisory status` and for freshness checks in `doctor`.
CREATE TABLE imports (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    imported_at    TEXT NOT NULL,
    source         TEXT NOT NULL,
    row_count      BIGINT NOT NULL,
    inserted       BIGINT NOT NULL,
    updated        BIGINT NOT NULL,
    unchanged      BIGINT NOT NULL,
    skipped_older  BIGINT NOT NULL
);

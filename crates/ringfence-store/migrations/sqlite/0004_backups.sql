-- Every backup `ringfence backup` wrote, so `doctor` can say how old the newest one is.
CREATE TABLE backups (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    taken_at TEXT NOT NULL,
    path     TEXT NOT NULL,
    bytes    INTEGER NOT NULL,
    sha256   TEXT NOT NULL
);

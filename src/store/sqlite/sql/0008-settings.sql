-- Store settings (`cxmeter config set KEY VALUE`, src/store/config.c): one value
-- per known key and workspace; a key with no row has its default. The
-- keys and what values they take are listed in src/store/config.c, not here, so
-- a new key needs no migration.
CREATE TABLE settings (
    workspace_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    set_at INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, key)
);

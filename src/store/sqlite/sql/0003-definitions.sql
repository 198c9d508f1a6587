-- Definitions as versioned configuration (docs/report-semantics.md,
-- "Definitions"): each `cxmeter definitions set` appends the next version
-- with who set it, when and why; rows are never changed or removed.
-- Version 1 (SPEC §2 as written) is implicit and never stored. `settings`
-- is the full set as canonical "key<TAB>value" lines.
CREATE TABLE definitions (
    workspace_id INTEGER NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 2),
    set_at INTEGER NOT NULL,
    set_by TEXT NOT NULL,
    note TEXT,
    settings TEXT NOT NULL,
    PRIMARY KEY (workspace_id, version)
);
CREATE TRIGGER definitions_no_update BEFORE UPDATE ON definitions
BEGIN
    SELECT RAISE(ABORT, 'definitions are append-only');
END;
CREATE TRIGGER definitions_no_delete BEFORE DELETE ON definitions
BEGIN
    SELECT RAISE(ABORT, 'definitions are append-only');
END;

-- What the other FCR rules and the exclusions read from a ticket: the
-- number of agent replies (Zendesk `Replies`; fcr.rule one_touch) and its
-- tags (exclude.tags), both optional in the tickets CSV.
ALTER TABLE tickets ADD COLUMN replies INTEGER;
ALTER TABLE tickets ADD COLUMN tags TEXT;

-- 0017-alerts.sql — alert rules and their firings (docs/alerts.md).
--
-- alert_rules: one row a rule; metric, breakdown and window by name
-- (cxmeter/metrics.h, cxmeter/report.h); removed_at set when removed (its
-- firings stay).
CREATE TABLE IF NOT EXISTS alert_rules (
    workspace_id INTEGER NOT NULL,
    rule_id INTEGER NOT NULL,
    kind TEXT NOT NULL,          -- drop | rise | above | below
    metric TEXT NOT NULL,
    by_dim TEXT,                 -- NULL: one figure
    win TEXT NOT NULL,           -- day | week | month
    threshold REAL,
    min_n INTEGER NOT NULL,
    alpha REAL NOT NULL,
    min_change REAL NOT NULL,
    created_at INTEGER NOT NULL,
    removed_at INTEGER,
    PRIMARY KEY (workspace_id, rule_id)
);

-- alert_firings: a rule fired for one group over one window, once: the
-- figures and the test that made it fire, as they were then.
CREATE TABLE IF NOT EXISTS alert_firings (
    workspace_id INTEGER NOT NULL,
    firing_id INTEGER PRIMARY KEY,
    rule_id INTEGER NOT NULL,
    grp TEXT NOT NULL,           -- the value of the breakdown, '' for none
    from_at INTEGER NOT NULL,    -- the window [from_at, to_at), ms
    to_at INTEGER NOT NULL,
    prev_from_at INTEGER,        -- drop, rise: [prev_from_at, from_at)
    kind TEXT NOT NULL,
    metric TEXT NOT NULL,
    by_dim TEXT,
    win TEXT NOT NULL,
    value REAL NOT NULL,
    n INTEGER NOT NULL,
    prev_value REAL,
    prev_n INTEGER,
    change REAL,
    threshold REAL,
    method TEXT NOT NULL,
    statistic REAL,
    p_value REAL,
    p_adjusted REAL,
    tests INTEGER,
    alpha REAL,
    fired_at INTEGER NOT NULL,
    UNIQUE (workspace_id, rule_id, grp, from_at)
);
CREATE INDEX IF NOT EXISTS alert_firings_window
    ON alert_firings (workspace_id, from_at);

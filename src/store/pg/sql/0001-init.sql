-- The PostgreSQL dialect's schema, version 1 (src/store/pg): the schema
-- version, the workspaces, the nine record kinds of SPEC §1 and what the
-- SQLite engine keeps beside them in its migrations 0001, 0002, 0003,
-- 0008 and 0009 (benchmarks, definitions, settings, supplied columns),
-- with the same table and column names so that SQL ports cleanly. The
-- SQLite engine's derived forms (rollups, column segments: its 0004-0007,
-- 0010) have no counterpart: reports push their grouping down to the
-- server (store_pg_answers.c).
--
-- Citus-ready (docs/scaling.md): every table but workspaces is keyed by
-- workspace_id first, in its primary key and every unique constraint and
-- index; no sequence, serial or identity (the benchmarks' order of
-- arrival is a per-workspace number the insert computes). Instants are
-- bigint milliseconds since 1970-01-01T00:00:00Z, booleans 0/1, missing
-- values NULL, as in SQLite. Texts compare and sort byte by byte
-- (COLLATE "C", SQLite's BINARY), whatever the database's locale.

CREATE TABLE IF NOT EXISTS cxm_schema (version integer NOT NULL);

-- A reference table under Citus (create_reference_table).
CREATE TABLE workspaces (
    workspace_id bigint PRIMARY KEY,
    name text COLLATE "C" NOT NULL
);
INSERT INTO workspaces (workspace_id, name) VALUES (1, 'default');

CREATE TABLE tickets (
    workspace_id bigint NOT NULL,
    ticket_id text COLLATE "C" NOT NULL,
    created_at bigint NOT NULL,
    customer_id text COLLATE "C",
    agent_id text COLLATE "C",
    team text COLLATE "C",
    channel text COLLATE "C",
    first_response_at bigint,
    resolved_at bigint,
    status text COLLATE "C",
    contacts bigint,
    reopened bigint,
    escalated bigint,
    complaint bigint,
    topic text COLLATE "C",
    replies bigint,
    tags text COLLATE "C",
    PRIMARY KEY (workspace_id, ticket_id)
);
CREATE INDEX tickets_created ON tickets (workspace_id, created_at);
CREATE INDEX tickets_resolved ON tickets (workspace_id, resolved_at);

CREATE TABLE responses (
    workspace_id bigint NOT NULL,
    response_id text COLLATE "C" NOT NULL,
    survey text COLLATE "C" NOT NULL,
    responded_at bigint NOT NULL,
    question text COLLATE "C",
    score bigint,
    scale_min bigint,
    scale_max bigint,
    comment text COLLATE "C",
    ticket_id text COLLATE "C",
    customer_id text COLLATE "C",
    agent_id text COLLATE "C",
    team text COLLATE "C",
    channel text COLLATE "C",
    language text COLLATE "C",
    PRIMARY KEY (workspace_id, response_id)
);
CREATE INDEX responses_responded ON responses (workspace_id, responded_at);
CREATE INDEX responses_ticket ON responses (workspace_id, ticket_id);

CREATE TABLE customers (
    workspace_id bigint NOT NULL,
    customer_id text COLLATE "C" NOT NULL,
    acquired_at bigint NOT NULL,
    churned_at bigint,
    segment text COLLATE "C",
    country text COLLATE "C",
    email text COLLATE "C",
    phone text COLLATE "C",
    language text COLLATE "C",
    PRIMARY KEY (workspace_id, customer_id)
);

CREATE TABLE orders (
    workspace_id bigint NOT NULL,
    order_id text COLLATE "C" NOT NULL,
    customer_id text COLLATE "C" NOT NULL,
    ordered_at bigint NOT NULL,
    amount double precision,
    currency text COLLATE "C",
    PRIMARY KEY (workspace_id, order_id)
);
CREATE INDEX orders_customer ON orders (workspace_id, customer_id, ordered_at);

CREATE TABLE selfservice (
    workspace_id bigint NOT NULL,
    session_id text COLLATE "C" NOT NULL,
    started_at bigint NOT NULL,
    customer_id text COLLATE "C",
    kind text COLLATE "C",
    resolved bigint,
    topic text COLLATE "C",
    PRIMARY KEY (workspace_id, session_id)
);

CREATE TABLE agents (
    workspace_id bigint NOT NULL,
    agent_id text COLLATE "C" NOT NULL,
    team text COLLATE "C",
    hired_at bigint,
    left_at bigint,
    PRIMARY KEY (workspace_id, agent_id)
);

CREATE TABLE agent_hours (
    workspace_id bigint NOT NULL,
    agent_id text COLLATE "C" NOT NULL,
    date bigint NOT NULL,
    hours double precision NOT NULL,
    PRIMARY KEY (workspace_id, agent_id, date)
);

CREATE TABLE reviews (
    workspace_id bigint NOT NULL,
    review_id text COLLATE "C" NOT NULL,
    posted_at bigint NOT NULL,
    rating double precision NOT NULL,
    source text COLLATE "C",
    scale_max double precision,
    text text COLLATE "C",
    language text COLLATE "C",
    PRIMARY KEY (workspace_id, review_id)
);

CREATE TABLE qa_scores (
    workspace_id bigint NOT NULL,
    ticket_id text COLLATE "C" NOT NULL,
    reviewer text COLLATE "C" NOT NULL,
    score double precision NOT NULL,
    max_score double precision,
    reviewed_at bigint,
    PRIMARY KEY (workspace_id, ticket_id, reviewer)
);

-- Reference figures a report compares against: each `cxmeter benchmark
-- set` adds a row; `seq` orders the rows of a workspace as they came
-- (SQLite's rowid: max + 1 in the inserting statement, no sequence).
CREATE TABLE benchmarks (
    workspace_id bigint NOT NULL,
    seq bigint NOT NULL,
    metric text COLLATE "C" NOT NULL,
    label text COLLATE "C" NOT NULL,
    value double precision NOT NULL,
    set_at bigint NOT NULL,
    PRIMARY KEY (workspace_id, seq)
);
CREATE INDEX benchmarks_metric ON benchmarks (workspace_id, metric, set_at);

-- Definitions as versioned configuration: append-only, version 1 (SPEC §2
-- as written) implicit and never stored.
CREATE TABLE definitions (
    workspace_id bigint NOT NULL,
    version integer NOT NULL CHECK (version >= 2),
    set_at bigint NOT NULL,
    set_by text COLLATE "C" NOT NULL,
    note text COLLATE "C",
    settings text COLLATE "C" NOT NULL,
    PRIMARY KEY (workspace_id, version)
);
CREATE FUNCTION cxm_definitions_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'definitions are append-only';
END
$$;
CREATE TRIGGER definitions_no_update BEFORE UPDATE OR DELETE ON definitions
    FOR EACH ROW EXECUTE FUNCTION cxm_definitions_append_only();

-- Store settings (`cxmeter config set KEY VALUE`, src/store/config.c).
CREATE TABLE settings (
    workspace_id bigint NOT NULL,
    key text COLLATE "C" NOT NULL,
    value text COLLATE "C" NOT NULL,
    set_at bigint NOT NULL,
    PRIMARY KEY (workspace_id, key)
);

-- Which record kinds (column_name '') and optional columns an import ever
-- supplied (SQLite's 0009).
CREATE TABLE supplied_columns (
    workspace_id bigint NOT NULL,
    kind text COLLATE "C" NOT NULL,
    column_name text COLLATE "C" NOT NULL,
    PRIMARY KEY (workspace_id, kind, column_name)
);

-- cxmeter schema, version 1: the nine record kinds of SPEC §1.
-- Every key starts with workspace_id so that the same schema can be
-- distributed by workspace (DESIGN.md). Instants are INTEGER milliseconds
-- since 1970-01-01T00:00:00Z; booleans are 0/1; missing values are NULL.

CREATE TABLE workspaces (
    workspace_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL
);
INSERT INTO workspaces (workspace_id, name) VALUES (1, 'default');

CREATE TABLE tickets (
    workspace_id INTEGER NOT NULL,
    ticket_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    customer_id TEXT,
    agent_id TEXT,
    team TEXT,
    channel TEXT,
    first_response_at INTEGER,
    resolved_at INTEGER,
    status TEXT,
    contacts INTEGER,
    reopened INTEGER,
    escalated INTEGER,
    complaint INTEGER,
    topic TEXT,
    PRIMARY KEY (workspace_id, ticket_id)
);
CREATE INDEX tickets_created ON tickets (workspace_id, created_at);
CREATE INDEX tickets_resolved ON tickets (workspace_id, resolved_at);

CREATE TABLE responses (
    workspace_id INTEGER NOT NULL,
    response_id TEXT NOT NULL,
    survey TEXT NOT NULL,
    responded_at INTEGER NOT NULL,
    question TEXT,
    score INTEGER,
    scale_min INTEGER,
    scale_max INTEGER,
    comment TEXT,
    ticket_id TEXT,
    customer_id TEXT,
    agent_id TEXT,
    team TEXT,
    channel TEXT,
    language TEXT,
    PRIMARY KEY (workspace_id, response_id)
);
CREATE INDEX responses_responded ON responses (workspace_id, responded_at);
CREATE INDEX responses_ticket ON responses (workspace_id, ticket_id);

CREATE TABLE customers (
    workspace_id INTEGER NOT NULL,
    customer_id TEXT NOT NULL,
    acquired_at INTEGER NOT NULL,
    churned_at INTEGER,
    segment TEXT,
    country TEXT,
    email TEXT,
    phone TEXT,
    language TEXT,
    PRIMARY KEY (workspace_id, customer_id)
);

CREATE TABLE orders (
    workspace_id INTEGER NOT NULL,
    order_id TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    ordered_at INTEGER NOT NULL,
    amount REAL,
    currency TEXT,
    PRIMARY KEY (workspace_id, order_id)
);
CREATE INDEX orders_customer ON orders (workspace_id, customer_id, ordered_at);

CREATE TABLE selfservice (
    workspace_id INTEGER NOT NULL,
    session_id TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    customer_id TEXT,
    kind TEXT,
    resolved INTEGER,
    topic TEXT,
    PRIMARY KEY (workspace_id, session_id)
);

CREATE TABLE agents (
    workspace_id INTEGER NOT NULL,
    agent_id TEXT NOT NULL,
    team TEXT,
    hired_at INTEGER,
    left_at INTEGER,
    PRIMARY KEY (workspace_id, agent_id)
);

CREATE TABLE agent_hours (
    workspace_id INTEGER NOT NULL,
    agent_id TEXT NOT NULL,
    date INTEGER NOT NULL,
    hours REAL NOT NULL,
    PRIMARY KEY (workspace_id, agent_id, date)
);

CREATE TABLE reviews (
    workspace_id INTEGER NOT NULL,
    review_id TEXT NOT NULL,
    posted_at INTEGER NOT NULL,
    rating REAL NOT NULL,
    source TEXT,
    scale_max REAL,
    text TEXT,
    language TEXT,
    PRIMARY KEY (workspace_id, review_id)
);

CREATE TABLE qa_scores (
    workspace_id INTEGER NOT NULL,
    ticket_id TEXT NOT NULL,
    reviewer TEXT NOT NULL,
    score REAL NOT NULL,
    max_score REAL,
    reviewed_at INTEGER,
    PRIMARY KEY (workspace_id, ticket_id, reviewer)
);

-- Sending surveys (issue 15; src/send/, docs/sending.md).
--
-- send_rules: which survey goes out, on which channel, how long after the
-- moment (a ticket resolved), for which team ('' or NULL: every team).
CREATE TABLE IF NOT EXISTS send_rules (
    workspace_id INTEGER NOT NULL,
    rule_id INTEGER NOT NULL,
    moment TEXT NOT NULL,
    survey TEXT NOT NULL,
    channel TEXT NOT NULL,
    delay_ms INTEGER NOT NULL,
    team TEXT,
    created_at INTEGER NOT NULL,
    removed_at INTEGER,
    PRIMARY KEY (workspace_id, rule_id)
);

-- outbox: one row per message to send (kind 'invite' or 'reminder') or
-- per moment the rules decided not to invite for (status 'skipped',
-- reason why). status: queued -> sending (marked, and committed, before
-- the hand-over) -> sent; queued again with a later due_at after a
-- transient failure; failed (reason) after a permanent refusal or too
-- many attempts; skipped (reason). claimed_at: when 'sending' was
-- marked (a row left 'sending' by a sender that died is claimed again
-- once its lease is over).
CREATE TABLE IF NOT EXISTS outbox (
    workspace_id INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    moment TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT,
    rule_id INTEGER,
    invitation_id TEXT,
    survey TEXT,
    language TEXT,
    channel TEXT,
    recipient TEXT,
    ticket_id TEXT,
    customer_id TEXT,
    agent_id TEXT,
    team TEXT,
    created_at INTEGER NOT NULL,
    due_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    claimed_at INTEGER,
    sent_at INTEGER,
    PRIMARY KEY (workspace_id, message_id)
);
-- One decision per moment: at most one invitation (or one skip) a ticket.
CREATE UNIQUE INDEX IF NOT EXISTS outbox_moment
    ON outbox (workspace_id, moment, subject_id) WHERE kind = 'invite';
CREATE INDEX IF NOT EXISTS outbox_due
    ON outbox (workspace_id, status, due_at);
CREATE INDEX IF NOT EXISTS outbox_customer
    ON outbox (workspace_id, customer_id, due_at);
CREATE INDEX IF NOT EXISTS outbox_ticket
    ON outbox (workspace_id, ticket_id);

-- invitation_links: the links handed out by the sender, one a message
-- sent (the invitation's own token of 0012 is never shown when the
-- sender made it). Like 0012, only the BLAKE2b digest of the token.
CREATE TABLE IF NOT EXISTS invitation_links (
    workspace_id INTEGER NOT NULL,
    token_hash BLOB NOT NULL,
    invitation_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, token_hash)
);

-- unsubscribes: honoured forever. A customer, an address, or both.
CREATE TABLE IF NOT EXISTS unsubscribes (
    workspace_id INTEGER NOT NULL,
    customer_id TEXT,
    address TEXT,
    at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS unsubscribes_customer
    ON unsubscribes (workspace_id, customer_id);
CREATE INDEX IF NOT EXISTS unsubscribes_address
    ON unsubscribes (workspace_id, address);

-- tickets by resolution, for the trigger pass (resolved since …).
CREATE INDEX IF NOT EXISTS tickets_resolved
    ON tickets (workspace_id, resolved_at);

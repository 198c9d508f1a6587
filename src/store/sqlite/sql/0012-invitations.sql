-- The survey service (`cxmeter serve`, src/http/, src/survey/invite.c;
-- docs/survey.md "Serving surveys").
--
-- invitations: one link per invitation. The link's token (32 random bytes
-- from libsodium, base64url) is never stored: token_hash is its BLAKE2b
-- (crypto_generichash) digest, so a copy of the store yields no working
-- link. The dimensions are copied onto every answer given through it.
CREATE TABLE IF NOT EXISTS invitations (
    workspace_id INTEGER NOT NULL,
    invitation_id TEXT NOT NULL,
    token_hash BLOB NOT NULL,
    survey_id TEXT NOT NULL,
    survey_version INTEGER NOT NULL,
    language TEXT NOT NULL,
    ticket_id TEXT,
    customer_id TEXT,
    agent_id TEXT,
    team TEXT,
    channel TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, invitation_id)
);
CREATE UNIQUE INDEX IF NOT EXISTS invitations_token
    ON invitations (token_hash);

-- submissions: the answers given through one invitation, at most one row
-- per invitation (a later answer within the edit window edits it).
-- answers is a JSON object {question id: score | option id | [option ids]
-- | text}; each rated question is also a row of responses (response_id
-- "<invitation_id>:<question id>"). first_at starts the edit window;
-- submitted_at is the first time the page was submitted (NULL while only
-- one-click scores came in); held is 1 while a burst of one-click scores
-- (a mail scanner) keeps the answer from counting until the page is
-- submitted.
CREATE TABLE IF NOT EXISTS submissions (
    workspace_id INTEGER NOT NULL,
    invitation_id TEXT NOT NULL,
    first_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    submitted_at INTEGER,
    held INTEGER NOT NULL DEFAULT 0,
    edits INTEGER NOT NULL DEFAULT 0,
    answers TEXT NOT NULL,
    PRIMARY KEY (workspace_id, invitation_id)
);

-- clicks: one-click scores as they arrived, to tell a scanner's burst
-- (three or more different scores within 2 seconds) from a customer.
CREATE TABLE IF NOT EXISTS clicks (
    workspace_id INTEGER NOT NULL,
    invitation_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    score INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS clicks_by_invitation
    ON clicks (workspace_id, invitation_id, at);

-- api_tokens: bearer tokens of the /api/ routes (`cxmeter token`), kept
-- as the BLAKE2b digest of the token only.
CREATE TABLE IF NOT EXISTS api_tokens (
    workspace_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    token_hash BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER,
    PRIMARY KEY (workspace_id, name)
);
CREATE UNIQUE INDEX IF NOT EXISTS api_tokens_hash ON api_tokens (token_hash);

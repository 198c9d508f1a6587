-- The dashboard of `cxmeter serve` (docs/dashboard.md): accounts, login
-- sessions and failed logins.
--
-- users: one account per name; password_hash is libsodium's
-- crypto_pwhash_str (argon2id, its own salt and parameters in the text).
CREATE TABLE IF NOT EXISTS users (
    workspace_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),
    password_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, name)
);

-- sessions: a login. The cookie holds 32 random bytes (base64url); the
-- store keeps only their BLAKE2b digest, so a copy of the store logs no
-- one in. A session ends at expires_at, at logout, or when its user is
-- removed or changes password.
CREATE TABLE IF NOT EXISTS sessions (
    workspace_id INTEGER NOT NULL,
    id_hash BLOB NOT NULL,
    user_name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, id_hash)
);
CREATE INDEX IF NOT EXISTS sessions_by_user
    ON sessions (workspace_id, user_name);

-- login_failures: one row per refused login, by user name (kind 'user')
-- and by client address (kind 'ip'); the lockout counts those of the last
-- window. A successful login forgets its user's.
CREATE TABLE IF NOT EXISTS login_failures (
    workspace_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS login_failures_by_key
    ON login_failures (workspace_id, kind, key, at);

-- @sess/postgres: the session table. The engine runs this same DDL on demand (unless createTable: false).
CREATE TABLE IF NOT EXISTS "sess_sessions" (
  key_hash   text        PRIMARY KEY, -- SHA-256 (hex) of the session key
  payload    text        NOT NULL,    -- opaque text made by @sess/core
  version    integer     NOT NULL,    -- +1 on every update: the compare-and-set token
  expires_at timestamptz NOT NULL     -- reads at or after this instant miss; purgeExpired deletes
);
CREATE INDEX IF NOT EXISTS "sess_sessions_expires_at_idx" ON "sess_sessions" (expires_at);

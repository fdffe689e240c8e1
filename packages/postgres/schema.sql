-- @sess/postgres: the session table. The engine runs this same DDL on demand (unless createTable: false).
CREATE TABLE IF NOT EXISTS "sess_sessions" (
  key_hash   text        PRIMARY KEY, -- SHA-256 (hex) of the session key
  payload    text        NOT NULL,    -- opaque text made by @sess/core
  version    integer     NOT NULL,    -- +1 on every update: the compare-and-set token
  expires_at timestamptz NOT NULL,    -- reads at or after this instant miss; purgeExpired deletes
  user_id    text,                    -- the signed-in user, NULL when anonymous (listUser, destroyUser)
  handle     text                     -- the session's non-secret handle, NULL when anonymous
);
-- A table made before the user index gains its columns (nullable, no default: nothing is rewritten).
ALTER TABLE "sess_sessions" ADD COLUMN IF NOT EXISTS user_id text, ADD COLUMN IF NOT EXISTS handle text;
CREATE INDEX IF NOT EXISTS "sess_sessions_expires_at_idx" ON "sess_sessions" (expires_at);
CREATE INDEX IF NOT EXISTS "sess_sessions_user_id_idx" ON "sess_sessions" (user_id, expires_at) WHERE user_id IS NOT NULL;

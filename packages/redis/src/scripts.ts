import { createHash } from 'node:crypto'
import { HEADER_BYTES } from './value.js'

/** A Lua script sent by EVALSHA, falling back to EVAL when the server does not know it (NOSCRIPT). */
export interface Script {
  readonly source: string
  readonly sha: string
}

function script(source: string): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex') }
}

/** Lua: the owner (`user@handle`) in a value's header, or nil for an anonymous value. */
const OWNER = `local function owner(head) return string.match(head, '^%d+:%d+@([^@:]*@[^@:]*):') end`
/** Lua: the server's clock in ms (scripts that read it replicate their effects, not the script). */
const SERVER_NOW = `if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local serverNow = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`

/**
 * Versioned update of one key. ARGV: ifVersion ('' for none), value, expiry (ms), the new owner ('' when anonymous).
 * Returns 1 updated, 0 missing (NOT_FOUND), -1 other version (VERSION_CONFLICT), or — updated — the previous owner
 * when it was signed in as someone else, or when the new expiry has passed and Redis dropped the key at once (the
 * caller then removes it from that owner's index).
 * Reads only the value's header (GETRANGE), never the payload.
 */
export const UPDATE = script(`${OWNER}
local head = redis.call('GETRANGE', KEYS[1], 0, 40)
if head == '' then return 0 end
local version, mark = string.match(head, '^%d+:(%d+)([:@])')
if ARGV[1] ~= '' and version ~= ARGV[1] then return -1 end
local previous = nil
if mark == '@' then previous = owner(redis.call('GETRANGE', KEYS[1], 0, ${HEADER_BYTES - 1})) end
redis.call('SET', KEYS[1], ARGV[2], 'PXAT', ARGV[3])
if previous and (previous ~= ARGV[4] or redis.call('EXISTS', KEYS[1]) == 0) then return previous end
return 1`)

/**
 * Moves the expiry of an existing key: rewrites the fixed-width expiry at offset 0 and sets PEXPIREAT.
 * ARGV: expiry text (15 digits), expiry (ms), the owner the caller indexed the new expiry for ('' for none).
 * A missing key stays missing (0). When the value is signed in as another owner than ARGV[3], nothing changes and
 * that owner is returned: the caller raises its index entry first and calls again with it. Returns 2 when a signed-in
 * key was touched to an expiry that has passed (Redis dropped it: the caller removes its member).
 */
export const TOUCH = script(`${OWNER}
local head = redis.call('GETRANGE', KEYS[1], 0, 40)
if head == '' then return 0 end
local current = ''
if string.match(head, '^%d+:%d+@') then current = owner(redis.call('GETRANGE', KEYS[1], 0, ${HEADER_BYTES - 1})) or '' end
if current ~= ARGV[3] then return current end
redis.call('SETRANGE', KEYS[1], 0, ARGV[1])
redis.call('PEXPIREAT', KEYS[1], ARGV[2])
if ARGV[3] ~= '' and redis.call('EXISTS', KEYS[1]) == 0 then return 2 end
return 1`)

/** Deletes one key; returns the owner it was signed in as (so the caller can unindex it), or 0. */
export const DESTROY = script(`${OWNER}
local previous = nil
if redis.call('TYPE', KEYS[1]).ok == 'string' then previous = owner(redis.call('GETRANGE', KEYS[1], 0, ${HEADER_BYTES - 1})) end
redis.call('DEL', KEYS[1])
return previous or 0`)

/**
 * Adds (or raises) one member of a user's index. KEYS[1]: the index. ARGV: member, score (the session's expiry, ms).
 * Prunes members whose score the server's clock passed, never lowers a score, skips a score already passed, and sets
 * the index's own expiry to its latest member's score, so the index goes when its last session does.
 */
export const INDEX_ADD = script(`${SERVER_NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', serverNow)
local score = tonumber(ARGV[2])
if score > serverNow then
  local current = redis.call('ZSCORE', KEYS[1], ARGV[1])
  if not current or tonumber(current) < score then redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1]) end
end
local top = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if top[2] then redis.call('PEXPIREAT', KEYS[1], top[2]) end
return 1`)

/**
 * The live members of a user's index, with their scores (flat: member, score, …). KEYS[1]: the index.
 * ARGV[1]: the caller's now (ms), or '' for the server's. Prunes members at or before the earlier of the two clocks,
 * returns those after the caller's.
 */
export const INDEX_LIST = script(`${SERVER_NOW}
local now = serverNow
if ARGV[1] ~= '' then now = tonumber(ARGV[1]) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', math.min(now, serverNow))
return redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf', 'WITHSCORES')`)

/**
 * Lua: settles a member whose key is absent. A create may have added the member and not written the key yet: an
 * empty placeholder (until the member's score) makes that write fail (KEY_CONFLICT, core retries with a new key),
 * so the member can be removed without leaving a live session unindexed.
 */
const SETTLE = `local function settle(key, expiry)
  if redis.call('EXISTS', key) == 0 then redis.call('SET', key, '', 'NX', 'PXAT', expiry) end
end`

/**
 * Reads one session for a user's listing. KEYS[1]: the session. ARGV: the user (encoded), the member's score.
 * Returns the value when it is signed in as that user, 0 when the key is gone (see SETTLE), -1 when it belongs to
 * someone else now: both mean "remove the member".
 */
export const LIST_READ = script(`${SETTLE}
local value = redis.call('GET', KEYS[1])
if not value or value == '' then
  settle(KEYS[1], ARGV[2])
  return 0
end
if string.match(value, '^%d+:%d+@([^@:]*)@') ~= ARGV[1] then return -1 end
return value`)

/**
 * Deletes one session of a user. KEYS[1]: the session. ARGV: the user (encoded), the member's score.
 * Returns 1 deleted, 0 gone already (see SETTLE), -1 signed in as someone else now (left alone).
 */
export const DESTROY_IF_USER = script(`${SETTLE}
local head = redis.call('GETRANGE', KEYS[1], 0, ${HEADER_BYTES - 1})
if head == '' then
  settle(KEYS[1], ARGV[2])
  return 0
end
if string.match(head, '^%d+:%d+@([^@:]*)@') ~= ARGV[1] then return -1 end
redis.call('DEL', KEYS[1])
return 1`)

/**
 * What `stats` needs of one key: { expiry ms, 1 when signed in, bytes (MEMORY USAGE) }, or 0 for a key that is not
 * a session value (a placeholder, a foreign value, another type).
 */
export const STAT = script(`if redis.call('TYPE', KEYS[1]).ok ~= 'string' then return 0 end
local head = redis.call('GETRANGE', KEYS[1], 0, 40)
local expiry, mark = string.match(head, '^(%d+):%d+([:@])')
if not expiry then return 0 end
local signed = 0
if mark == '@' then signed = 1 end
return { tonumber(expiry), signed, redis.call('MEMORY', 'USAGE', KEYS[1], 'SAMPLES', '0') or 0 }`)

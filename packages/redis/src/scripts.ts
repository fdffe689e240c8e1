import { createHash } from 'node:crypto'

/** A Lua script sent by EVALSHA, falling back to EVAL when the server does not know it (NOSCRIPT). */
export interface Script {
  readonly source: string
  readonly sha: string
}

function script(source: string): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex') }
}

/**
 * Versioned update of one key. ARGV: ifVersion ('' for none), value, expiry (ms).
 * Returns 1 updated, 0 missing (NOT_FOUND), -1 other version (VERSION_CONFLICT).
 * Reads only the value's header (GETRANGE), never the payload.
 */
export const UPDATE = script(`local head = redis.call('GETRANGE', KEYS[1], 0, 40)
if head == '' then return 0 end
if ARGV[1] ~= '' and string.match(head, '^%d+:(%d+):') ~= ARGV[1] then return -1 end
redis.call('SET', KEYS[1], ARGV[2], 'PXAT', ARGV[3])
return 1`)

/**
 * Moves the expiry of an existing key: rewrites the fixed-width expiry at offset 0 and sets PEXPIREAT.
 * ARGV: expiry text (15 digits), expiry (ms). A missing key stays missing.
 */
export const TOUCH = script(`if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('SETRANGE', KEYS[1], 0, ARGV[1])
redis.call('PEXPIREAT', KEYS[1], ARGV[2])
return 1`)

import {
  peekPayload,
  SessionError,
  type LoadedSession,
  type PayloadSummary,
  type SessionRecord,
  type SessionStore,
} from '@sess/core/engine'
import { decodeRecord, encodeRecord, FORMAT_VERSION, looksSealed, parseSeal, type ParsedSeal } from './format.js'
import { config, resolveSecrets, type RevocationInfo, type SignedCookieOptions } from './options.js'
import type { Sealer } from './sealer.js'

/** A sealed-cookie store: the cookie value is the whole session, encrypted and authenticated. */
export interface SignedCookieStore extends SessionStore {
  readonly name: 'signed-cookie'
  /** Always `false`: a captured cookie stays valid until its sealed expiry unless `isRevoked` says otherwise. */
  readonly revocable: false
  readonly chunking: boolean
  /** Which iron implementation seals: `node:crypto` (the `node` export condition) or `webcrypto` (everywhere else). */
  readonly implementation: 'webcrypto' | 'node:crypto'
}

const NAME = 'signed-cookie'
const TRAILER = `~${FORMAT_VERSION}`

/** What `isRevoked` gets beside the key: the envelope's user and creation time, parsed only when first read. */
function revocationInfo(payload: string): RevocationInfo {
  let summary: PayloadSummary | null | undefined
  const peek = () => {
    if (summary === undefined) summary = peekPayload(payload)
    return summary
  }
  return {
    get userId() {
      return peek()?.userId ?? null
    },
    get created() {
      const created = peek()?.created
      return created === undefined ? null : new Date(created.getTime())
    },
  }
}

/** Builds the store over one iron implementation. Options are checked here (bad ones → `SessionError('CONFIG')`). @internal */
export function createSignedCookieStore(sealer: Sealer, options: SignedCookieOptions): SignedCookieStore {
  if (typeof options !== 'object' || options === null) throw config('signedCookie needs an options object with secrets')
  const { current, byId, resealFrom } = resolveSecrets(options.secrets)
  const chunking = options.chunking ?? false
  if (typeof chunking !== 'boolean') throw config('chunking must be true or false')
  const { isRevoked, onDestroy } = options
  if (isRevoked !== undefined && typeof isRevoked !== 'function') throw config('isRevoked must be a function')
  if (onDestroy !== undefined && typeof onDestroy !== 'function') throw config('onDestroy must be a function')

  const hook = async <T>(name: string, call: () => T | Promise<T>): Promise<T> => {
    try {
      return await call()
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error)
      throw new SessionError('ENGINE', NAME, `${name} failed: ${reason}`, { cause: error })
    }
  }

  // Core checks the grammar of one cookie value up to three times a request (isEmpty, load, commit): parse it once.
  let lastValue: string | undefined
  let lastParsed: ParsedSeal | null = null
  const parse = (cookieValue: string): ParsedSeal | null => {
    if (cookieValue !== lastValue) {
      lastParsed = parseSeal(cookieValue)
      lastValue = cookieValue
    }
    return lastParsed
  }

  const unsealed = async (cookieValue: string, now: Date): Promise<LoadedSession | null> => {
    const parsed = parse(cookieValue)
    if (parsed === null) return null
    const password = byId.get(parsed.id)
    if (password === undefined) return null // sealed with a secret that was removed
    let plaintext: string | null
    try {
      plaintext = await sealer.unseal(parsed, password)
    } catch {
      return null
    }
    if (plaintext === null) return null
    const found = decodeRecord(plaintext)
    if (found === null || found.record.expiresAt.getTime() <= now.getTime()) return null
    // Re-seal only cookies of an older secret: one sealed with a newer id is another instance's, mid-rollout.
    return resealFrom.has(parsed.id) ? { ...found, reissue: true } : found
  }

  const done = Promise.resolve()
  return {
    name: NAME,
    revocable: false,
    chunking,
    implementation: sealer.implementation,
    wellFormed: looksSealed,
    async load(cookieValue, now) {
      const found = await unsealed(cookieValue, now)
      if (found === null || isRevoked === undefined) return found
      return (await hook('isRevoked', () => isRevoked(found.key, revocationInfo(found.record.payload)))) === true ? null : found
    },
    read: () => Promise.resolve(null),
    create: () => done,
    update: () => done,
    destroy: (key) => (onDestroy === undefined ? done : hook('onDestroy', () => onDestroy(key))),
    async cookieValue(key: string, record: SessionRecord) {
      return (await sealer.seal(encodeRecord(key, record), current.id, current.password)) + TRAILER
    },
  }
}

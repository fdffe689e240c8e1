import { SessionError, type DestroyUserOptions, type SessionRecord } from '@sess/core/engine'
import { member, type Names, parseMember } from './names.js'
import { NAME } from './options.js'
import type { Runner } from './runner.js'
import { DESTROY_IF_USER, INDEX_ADD, INDEX_LIST, LIST_READ } from './scripts.js'
import { decodeValue, encodeId, parseOwner } from './value.js'

/**
 * The per-user index: one sorted set per user (see {@link Names.user}) whose members (`handle:digest`) name the
 * user's sessions, scored by their expiry. A session key and its user's set live in different Cluster slots, so no
 * script touches both: writes are ordered instead — a member is added (or raised) before the session write that
 * needs it, and removed after the session is gone — and reads check each member against its session.
 */
export class UserIndex {
  readonly #r: Runner
  readonly #names: Names

  constructor(runner: Runner, names: Names) {
    this.#r = runner
    this.#names = names
  }

  /** Adds (or raises to `expiresAt`) the member of the session `redisKey` in the index of `owner` (`user@handle`). */
  add(owner: string, redisKey: string, expiresAt: number): Promise<unknown> {
    const parsed = parseOwner(owner)
    if (!parsed) return Promise.reject(new SessionError('DATA', NAME, 'the session has an owner this engine did not write'))
    const set = this.#names.user(parsed.userId)
    return this.#r.script('index', INDEX_ADD, set, [member(parsed.handle, this.#names.digest(redisKey)), String(expiresAt)])
  }

  /**
   * Removes the member of the session `redisKey` from the index of `owner`, after the session left that user. Best
   * effort: a member left behind names a session that is gone or someone else's, which listings and `destroyUser`
   * skip and remove, and which the server prunes when its score passes.
   */
  async remove(owner: string, redisKey: string): Promise<void> {
    const parsed = parseOwner(owner)
    if (!parsed) return
    const set = this.#names.user(parsed.userId)
    await this.#r.run('index', set, ['ZREM', set, member(parsed.handle, this.#names.digest(redisKey))]).catch(() => undefined)
  }

  /** The user's live records (`expiresAt > now`), each checked against its session; stale members are removed. */
  async list(userId: string, now: Date): Promise<SessionRecord[]> {
    const at = now.getTime()
    if (!Number.isSafeInteger(at)) throw new SessionError('DATA', NAME, 'now is not a valid date')
    const user = encodeId(userId, 'userId')
    const set = this.#names.user(userId)
    const entries = await this.#members('listUser', set, String(at))
    const replies = await Promise.all(
      entries.map(({ digest, score }) => this.#r.script('listUser', LIST_READ, this.#names.ofDigest(digest), [user, score])),
    )
    const records: SessionRecord[] = []
    const stale: string[] = []
    replies.forEach((reply, i) => {
      const record = typeof reply === 'string' ? decodeValue(reply) : null
      if (record === null || record.userId !== userId) stale.push(entries[i]!.member)
      else if (record.expiresAt.getTime() > at) records.push(record)
    })
    if (stale.length > 0) await this.#r.run('listUser', set, ['ZREM', set, ...stale]).catch(() => undefined)
    return records
  }

  /** Deletes the user's sessions (all, one handle, or all but one) and their members; returns how many it deleted. */
  async destroy(userId: string, options: DestroyUserOptions = {}): Promise<number> {
    const { handle, exceptHandle } = options ?? {}
    if ((handle !== undefined && typeof handle !== 'string') || (exceptHandle !== undefined && typeof exceptHandle !== 'string'))
      throw new SessionError('CONFIG', NAME, 'handle and exceptHandle must be strings')
    const user = encodeId(userId, 'userId')
    const only = handle === undefined ? undefined : encodeId(handle, 'handle')
    const except = exceptHandle === undefined ? undefined : encodeId(exceptHandle, 'handle')
    const set = this.#names.user(userId)
    const chosen = (await this.#members('destroyUser', set, '')).filter(
      (m) => (only === undefined || m.handle === only) && (except === undefined || m.handle !== except),
    )
    if (chosen.length === 0) return 0
    const replies = await Promise.all(
      chosen.map(({ digest, score }) => this.#r.script('destroyUser', DESTROY_IF_USER, this.#names.ofDigest(digest), [user, score])),
    )
    await this.#r.run('destroyUser', set, ['ZREM', set, ...chosen.map((m) => m.member)]).catch(() => undefined)
    return replies.filter((reply) => Number(reply) === 1).length
  }

  /** The members after `now` ('' = the server's clock), once members at or before it are pruned. */
  async #members(
    action: string,
    set: string,
    now: string,
  ): Promise<Array<{ member: string; handle: string; digest: string; score: string }>> {
    const flat = await this.#r.script(action, INDEX_LIST, set, [now])
    const out: Array<{ member: string; handle: string; digest: string; score: string }> = []
    if (!Array.isArray(flat)) return out
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const text = String(flat[i])
      const parsed = parseMember(text)
      if (parsed) out.push({ member: text, ...parsed, score: String(flat[i + 1]) })
    }
    return out
  }
}

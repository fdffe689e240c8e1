import { importExports } from '../sess.js'

type Send = (command: { args: readonly string[] }) => Promise<unknown>

/**
 * Counts the Redis round trips @sess/redis makes: its `client` option also takes a send function, so the
 * bench passes the real client adapted by @sess/redis' own `toSend`, wrapped in a counter (no extra await).
 */
export async function countingSend(client: unknown): Promise<{ send: Send; counters: () => Record<string, number> }> {
  const { toSend } = await importExports<{ toSend: (c: unknown) => Send | null }>('@sess/redis', ['toSend'])
  const inner = toSend(client)
  if (!inner) throw new Error('@sess/redis toSend() did not accept the client')
  const counts: Record<string, number> = { roundTrips: 0 }
  const send: Send = (command) => {
    counts.roundTrips!++
    const name = `rt:${String(command.args[0]).toLowerCase()}`
    counts[name] = (counts[name] ?? 0) + 1
    return inner(command)
  }
  return { send, counters: () => ({ ...counts }) }
}

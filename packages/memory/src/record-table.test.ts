import { describe, expect, it } from 'vitest'
import { NONE, RecordTable } from './record-table.js'
import { mulberry32 } from './test-random.js'

/** A digest from four words. */
const digest = (w0: number, w1 = 0, w2 = 0, w3 = 0): Int32Array => Int32Array.of(w0, w1, w2, w3)

/** Every held slot, most recently used first. */
function walk(table: RecordTable): number[] {
  const slots: number[] = []
  for (let slot = table.tail; slot !== NONE; slot = table.olderThan(slot)) slots.push(slot)
  return slots
}

describe('the record table', () => {
  it('finds what it holds by the whole digest, keeps least-recently-used order, and reuses freed slots', () => {
    const table = new RecordTable(10)
    const a = table.add(digest(1, 1), 'a', 10, 1, undefined)
    const b = table.add(digest(1, 2), 'b', 20, 2, { id: 'ada', handle: 'h' })
    const c = table.add(digest(2), 'c', 30, 3, undefined)
    expect([table.find(digest(1, 1)), table.find(digest(1, 2)), table.find(digest(2)), table.find(digest(1, 3))]).toEqual([a, b, c, NONE])
    expect([table.payloads[b], table.expires[b], table.versions[b], table.users[b]]).toEqual(['b', 20, 2, { id: 'ada', handle: 'h' }])
    expect([table.head, walk(table)]).toEqual([a, [c, b, a]])
    table.promote(a)
    expect([table.head, walk(table)]).toEqual([b, [a, c, b]])
    table.delete(c)
    expect([table.size, table.find(digest(2)), walk(table)]).toEqual([2, NONE, [a, b]])
    expect(table.add(digest(3), 'd', 40, 4, undefined)).toBe(c)
    expect(table.payloads[c]).toBe('d')
  })

  it('refuses a record beyond its limit and the deletion of a slot it does not hold', () => {
    const table = new RecordTable(1)
    table.add(digest(1), 'a', 0, 1, undefined)
    expect(() => table.add(digest(2), 'b', 0, 1, undefined)).toThrow(/full/)
    table.delete(0)
    expect(() => table.delete(0)).toThrow(/not held/)
  })

  it('stays equal to a Map under random adds, finds, promotions and deletes, with colliding digests (seeded)', () => {
    for (let run = 0; run < 25; run++) {
      const random = mulberry32(run)
      const limit = 1 + Math.floor(random() * 300)
      const table = new RecordTable(limit)
      // Few distinct first words: long probe runs that wrap around the table, and deletions inside them.
      const firsts = 1 + Math.floor(random() * 8)
      const model = new Map<string, { slot: number; payload: string }>()
      const order: string[] = [] // least recently used first
      const name = (d: Int32Array) => d.join(',')
      for (let step = 0; step < 2000; step++) {
        const d = digest(Math.floor(random() * firsts) * 64, Math.floor(random() * 400), run, -step % 3)
        const key = name(d)
        const held = model.get(key)
        const op = random()
        if (held === undefined) {
          if (op < 0.6) {
            if (model.size >= limit) {
              const oldest = order.shift()!
              table.delete(model.get(oldest)!.slot)
              model.delete(oldest)
            }
            const payload = `p${step}`
            const slot = table.add(d, payload, step, step, undefined)
            model.set(key, { slot, payload })
            order.push(key)
          } else expect(table.find(d)).toBe(NONE)
        } else if (op < 0.4) {
          expect(table.find(d)).toBe(held.slot)
          table.promote(held.slot)
          order.splice(order.indexOf(key), 1)
          order.push(key)
        } else {
          expect(table.find(d)).toBe(held.slot)
          table.delete(held.slot)
          model.delete(key)
          order.splice(order.indexOf(key), 1)
        }
        if (step % 250 === 0) {
          expect(table.size).toBe(model.size)
          for (const [k, { slot, payload }] of model) {
            expect(table.find(Int32Array.from(k.split(',').map(Number)))).toBe(slot)
            expect(table.payloads[slot]).toBe(payload)
          }
          expect(walk(table)).toEqual(order.map((k) => model.get(k)!.slot).reverse())
        }
      }
    }
  })
})

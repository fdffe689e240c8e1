import type { Session } from '@sess/core/binding'
import type { Request } from 'express'
import { expectTypeOf, it } from 'vitest'

// How an app declares its session data once (checked by `tsc --noEmit`).
declare module './index.js' {
  interface SessionDataRegistry {
    data: { count?: number; user?: string; [key: string]: unknown }
  }
}

it('req.session is typed by SessionDataRegistry', () => {
  const check = (req: Request) => {
    expectTypeOf(req.session).toEqualTypeOf<Session<{ count?: number; user?: string; [key: string]: unknown }>>()
    expectTypeOf(req.session.get('count')).resolves.toEqualTypeOf<number | undefined>()
    // @ts-expect-error a number is not a user name
    void req.session.set('user', 42)
  }
  expectTypeOf(check).toBeFunction()
})

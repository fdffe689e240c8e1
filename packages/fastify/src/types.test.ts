import type { Session } from '@sess/core/binding'
import type { FastifyRequest } from 'fastify'
import { expectTypeOf, it } from 'vitest'

// How an app declares its session data once (checked by `tsc --noEmit`).
declare module './index.js' {
  interface SessionDataRegistry {
    data: { count?: number; user?: string; [key: string]: unknown }
  }
}

it('request.session is typed by SessionDataRegistry', () => {
  const check = (request: FastifyRequest) => {
    expectTypeOf(request.session).toEqualTypeOf<Session<{ count?: number; user?: string; [key: string]: unknown }>>()
    expectTypeOf(request.session.get('count')).resolves.toEqualTypeOf<number | undefined>()
    // @ts-expect-error a number is not a user name
    void request.session.set('user', 42)
  }
  expectTypeOf(check).toBeFunction()
})

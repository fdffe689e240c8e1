/**
 * @module @sess/next
 * Next.js App Router binding for `@sess/core`: `await getSession(sessions)` with `commitSession(session)` in
 * Server Actions and Route Handlers (read-only in Server Components), and `withSession(sessions, handler)`
 * for Route Handlers and `proxy.ts` (commits with the response, adds `Vary: Cookie`).
 */
export { getSession, commitSession } from './get-session.js'
export { withSession, type WithSessionOptions } from './with-session.js'
export { readOnlyError } from './read-only.js'

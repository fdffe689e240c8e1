import { isSessionError } from '@sess/core'
import { getSession } from '@sess/next'
import { demoSessions } from '../../lib/sessions'
import { countAction, loginAction, logoutAction } from './actions'

/**
 * A Server Component: it reads the session (read-only here, as Next's cookies are), and its forms post to
 * Server Actions, which may write. Works without JavaScript (the forms post the page).
 */
// Per request: it reads the session.
export const dynamic = 'force-dynamic'

export default async function SessionPage() {
  const session = await getSession(demoSessions())
  const data = Object.fromEntries(await session.entries())
  let write = 'allowed'
  try {
    await session.set('fromComponent', true)
  } catch (error) {
    write = isSessionError(error) ? `rejected: ${error.code}` : 'failed'
  }
  return (
    <main>
      <h1>sess in a Server Component</h1>
      <pre id="data">{JSON.stringify(data)}</pre>
      <p id="write">{write}</p>
      <form action={countAction}>
        <button type="submit" id="count">
          count
        </button>
      </form>
      <form action={loginAction}>
        <input name="user" defaultValue="ada" />
        <button type="submit" id="login">
          log in
        </button>
      </form>
      <form action={logoutAction}>
        <button type="submit" id="logout">
          log out
        </button>
      </form>
    </main>
  )
}

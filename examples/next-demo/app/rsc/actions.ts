'use server'

import { deviceMetadata, text } from '@sess-examples/demo-kit'
import { commitSession, getSession } from '@sess/next'
import { headers } from 'next/headers'
import { demoSessions } from '../../lib/sessions'

/** Server Action: counts in the session; `commitSession` saves it and sets the cookie through `cookies()`. */
export async function countAction(): Promise<void> {
  const session = await getSession(demoSessions())
  await session.set('count', ((await session.get('count')) ?? 0) + 1)
  await commitSession(session)
}

/** Server Action: logs in under a new key (`setUser` cycles it, against session fixation), recording the device. */
export async function loginAction(form: FormData): Promise<void> {
  const session = await getSession(demoSessions())
  const userAgent = (await headers()).get('user-agent')
  await session.setUser(text(form.get('user'), 'user'), deviceMetadata({ userAgent, ip: null }))
  await commitSession(session)
}

/** Server Action: logs out (the data and the key are gone, the cookie is expired). */
export async function logoutAction(): Promise<void> {
  const session = await getSession(demoSessions())
  await session.flush()
  await commitSession(session)
}

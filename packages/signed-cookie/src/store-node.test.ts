import { describeStore } from '@sess/engine-tests'
import { signedCookie } from './node.js'
import { SECRET_A, signedCookieExtras } from './test-extras.js'

describeStore('signed-cookie (node)', {
  create: () => signedCookie({ secrets: SECRET_A }),
  extra: () => signedCookieExtras(signedCookie, 'node:crypto'),
})

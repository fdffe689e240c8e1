import { describeStore } from '@sess/engine-tests'
import { signedCookie } from './index.js'
import { SECRET_A, signedCookieExtras } from './test-extras.js'

describeStore('signed-cookie (webcrypto)', {
  create: () => signedCookie({ secrets: SECRET_A }),
  extra: () => signedCookieExtras(signedCookie, 'webcrypto'),
})

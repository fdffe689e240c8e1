import { describeStore } from '@sess/engine-tests'
import { signedCookie as webSignedCookie } from './index.js'
import { signedCookie as nodeSignedCookie } from './node.js'
import { SECRET_A, signedCookieExtras } from './test-extras.js'

describeStore('signed-cookie (webcrypto)', {
  create: () => webSignedCookie({ secrets: SECRET_A }),
  extra: () => signedCookieExtras(webSignedCookie, 'webcrypto'),
})
describeStore('signed-cookie (node)', {
  create: () => nodeSignedCookie({ secrets: SECRET_A }),
  extra: () => signedCookieExtras(nodeSignedCookie, 'node:crypto'),
})

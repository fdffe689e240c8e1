// Express 4 is installed under the npm alias `express4`; its API is typed like Express 5's for the tests.
declare module 'express4' {
  import express from 'express'
  export default express
}

// passport, passport-local and connect-flash ship no types; the tests use them as plain JavaScript.
declare module 'passport' {
  export const Passport: new () => any
}
declare module 'passport-local' {
  export const Strategy: new (verify: (username: string, password: string, done: (...args: any[]) => void) => void) => any
}
declare module 'connect-flash' {
  const flash: () => import('express').RequestHandler
  export default flash
}

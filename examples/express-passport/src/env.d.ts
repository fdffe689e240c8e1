// passport, passport-local and connect-flash ship no types (the app uses them as their READMEs show).
declare module 'passport' {
  import type { RequestHandler } from 'express'
  export class Passport {
    use(strategy: unknown): this
    serializeUser<U>(fn: (user: U, done: (error: unknown, id?: string) => void) => void): void
    deserializeUser<U>(fn: (id: string, done: (error: unknown, user?: U | false) => void) => void): void
    session(): RequestHandler
    authenticate(strategy: string, options?: Record<string, unknown>): RequestHandler
  }
}
declare module 'passport-local' {
  export class Strategy {
    constructor(verify: (username: string, password: string, done: (error: unknown, user?: unknown, info?: object) => void) => void)
  }
}
declare module 'connect-flash' {
  import type { RequestHandler } from 'express'
  const flash: () => RequestHandler
  export default flash
  global {
    namespace Express {
      interface Request {
        flash(type: string): string[]
        flash(type: string, message: string): number
      }
    }
  }
}

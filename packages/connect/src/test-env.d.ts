// Test-only typings for the CommonJS peers used as they are (no @types packages).
declare module 'express-session' {
  const session: {
    (options: Record<string, unknown>): import('express').RequestHandler
    MemoryStore: new () => object
  }
}
declare module 'connect-pg-simple' {
  const factory: (session: unknown) => new (options: Record<string, unknown>) => object
  export default factory
}
declare module 'express4' {
  import express from 'express'
  export default express
}

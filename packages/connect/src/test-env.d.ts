// Test-only typings for the CommonJS peers used as they are (no @types packages).
declare module 'connect-pg-simple' {
  const factory: (session: unknown) => new (options: Record<string, unknown>) => object
  export default factory
}
declare module 'express4' {
  import express from 'express'
  export default express
}

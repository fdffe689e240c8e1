import { apiHandler } from '../../../lib/api'
import { demoSessions } from '../../../lib/sessions'

// The demo's JSON API (see the README) over SQLite: @sess/next's withSession commits with the response.
const handler = apiHandler(demoSessions, (request) => new URL(request.url).pathname)

export const GET = handler
export const POST = handler
export const PUT = handler
export const DELETE = handler

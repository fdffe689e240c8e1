import { demoPage } from '@sess-examples/demo-kit'

const page = demoPage('Next.js')

/** The demo page (the same one the other demos serve); its script calls the JSON API under /api. */
export function GET(): Response {
  return new Response(page, { headers: { 'content-type': 'text/html; charset=utf-8' } })
}

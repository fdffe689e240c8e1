import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { MAX_BODY, readJsonBody } from './body.js'
import { DemoError } from './input.js'

const encode = (text: string) => new TextEncoder().encode(text)

/** A Web stream that hands over `parts` one chunk at a time (as a request body arrives). */
function webStream(...parts: string[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const part of parts) controller.enqueue(encode(part))
      controller.close()
    },
  })
}

async function rejection(promise: Promise<unknown>): Promise<DemoError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(DemoError)
  return error as DemoError
}

describe('readJsonBody', () => {
  it('parses a JSON body from a Node stream and from a Web stream, split anywhere', async () => {
    const json = '{"user":"ada","sizes":[1,2],"name":"é€"}'
    const bytes = encode(json)
    const node = Readable.from([bytes.subarray(0, 3), bytes.subarray(3, 27), bytes.subarray(27)])
    expect(await readJsonBody({ contentType: 'application/json', body: node })).toEqual({ user: 'ada', sizes: [1, 2], name: 'é€' })
    expect(await readJsonBody({ contentType: 'application/json; charset=utf-8', body: webStream('{"a"', ':1}') })).toEqual({ a: 1 })
    expect(await readJsonBody({ contentType: 'application/merge-patch+json', body: webStream('[1]') })).toEqual([1])
  })

  it('leaves a body that is not JSON unread: undefined', async () => {
    const stream = webStream('user=ada')
    expect(await readJsonBody({ contentType: 'text/plain', body: stream })).toBeUndefined()
    expect(await readJsonBody({ contentType: undefined, body: null })).toBeUndefined()
    expect(await readJsonBody({ contentType: 'application/jsonx', body: webStream('{}') })).toBeUndefined()
    expect(stream.locked).toBe(false)
  })

  it('answers 400 for malformed JSON, and for an empty JSON body', async () => {
    for (const body of [webStream('{not json'), webStream(), null]) {
      const error = await rejection(readJsonBody({ contentType: 'application/json', body }))
      expect(error.status).toBe(400)
      expect(error.message).toBe('the body is not valid JSON')
    }
  })

  it('answers 413 past 16 KiB, declared or streamed, and accepts exactly 16 KiB', async () => {
    const declared = await rejection(readJsonBody({ contentType: 'application/json', contentLength: MAX_BODY + 1, body: webStream('{}') }))
    expect(declared.status).toBe(413)
    const half = `"${'x'.repeat(MAX_BODY / 2)}`
    const streamed = await rejection(readJsonBody({ contentType: 'application/json', body: webStream(half, half, '"') }))
    expect(streamed.status).toBe(413)
    const exact = `"${'x'.repeat(MAX_BODY - 2)}"`
    expect(await readJsonBody({ contentType: 'application/json', contentLength: MAX_BODY, body: webStream(exact) })).toHaveLength(
      MAX_BODY - 2,
    )
  })
})

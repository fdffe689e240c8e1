import { DemoError } from './input.js'

/** The largest request body the demos accept: 16 KiB. Above it they answer 413. */
export const MAX_BODY = 16 * 1024

/** `application/json` and the `+json` types, parameters allowed. */
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\b/i

/** A request body as the framework hands it over, for {@link readJsonBody}. */
export interface BodySource {
  /** The `Content-Type` header. */
  contentType: string | null | undefined
  /** The `Content-Length` header as a number, when the request has one: a larger one is refused unread. */
  contentLength?: number | undefined
  /** The bytes: a Node request (async iterable) or a Web `ReadableStream`; `null` without a body. */
  body: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array> | null
}

/**
 * Reads a JSON request body, for frameworks without a body parser (Koa, Hono). Web-standard: no Node APIs.
 * @returns the parsed value, or `undefined` when the content type is not JSON (the body is left unread).
 * @throws DemoError 413 past {@link MAX_BODY} bytes (declared or read), 400 when the body is not valid JSON.
 */
export async function readJsonBody(source: BodySource): Promise<unknown> {
  if (!JSON_TYPE.test(source.contentType ?? '')) return undefined
  if (source.contentLength !== undefined && source.contentLength > MAX_BODY) throw tooLarge()
  const chunks: Uint8Array[] = []
  let size = 0
  for await (const chunk of bytes(source.body)) {
    size += chunk.byteLength
    if (size > MAX_BODY) throw tooLarge()
    chunks.push(chunk)
  }
  const all = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    all.set(chunk, offset)
    offset += chunk.byteLength
  }
  try {
    return JSON.parse(new TextDecoder().decode(all))
  } catch {
    throw new DemoError('the body is not valid JSON')
  }
}

function tooLarge(): DemoError {
  return new DemoError('request entity too large', 413)
}

async function* bytes(body: BodySource['body']): AsyncGenerator<Uint8Array> {
  if (body === null) return
  if (!('getReader' in body)) {
    yield* body
    return
  }
  const reader = body.getReader()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      yield value
    }
  } finally {
    reader.releaseLock()
  }
}

// Reads a request body once, within a size limit, and insists that it is JSON. The parsed value
// is handed to the route validators and the raw text to the idempotency layer.

import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.ts';
import { problemResponse } from '../problem.ts';

const jsonMediaType = /^application\/([\w.-]+\+)?json$/i;
const methodsWithBody = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function jsonBody(bodyBytesMax: number): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!methodsWithBody.has(c.req.method)) {
      c.set('rawBody', '');
      return next();
    }
    const lengthHeader = c.req.header('content-length');
    const declared = Number(lengthHeader ?? '0');
    if (declared > bodyBytesMax) return problemResponse(c, 'payload-too-large', `Bodies are limited to ${bodyBytesMax} bytes.`);
    // A declared length bounds the body (HTTP framing ends it there), so the runtime's own
    // reader is safe and, on Node, far cheaper than a web stream; only chunked bodies are
    // counted as they arrive.
    const raw = lengthHeader !== undefined && Number.isSafeInteger(declared) ? await c.req.raw.text() : await readLimited(c.req.raw, bodyBytesMax);
    if (raw === undefined) return problemResponse(c, 'payload-too-large', `Bodies are limited to ${bodyBytesMax} bytes.`);
    const mediaType = (c.req.header('content-type') ?? '').split(';')[0]?.trim() ?? '';
    if (raw.length > 0 && !jsonMediaType.test(mediaType)) {
      return problemResponse(c, 'unsupported-media-type', 'Send the body as application/json.');
    }
    let parsed: unknown = {};
    if (raw.trim().length > 0) {
      try {
        parsed = JSON.parse(raw);
      } catch {
        return problemResponse(c, 'malformed-json', 'The body is not valid JSON.');
      }
    }
    c.set('rawBody', raw);
    // The validators read the body through this cache, so it is parsed once. A request with no
    // body and no content type is left alone: routes whose body is optional then see `{}`.
    // Hono's json() reads through the text cache; without it, it would re-serialise the parsed
    // value through a Response to get text back.
    if (raw.length > 0 || jsonMediaType.test(mediaType)) {
      c.req.bodyCache.json = Promise.resolve(parsed);
      // Hono types the cache by value, but keeps (and reads back) promises in it.
      c.req.bodyCache.text = Promise.resolve(raw.trim().length > 0 ? raw : '{}') as unknown as string;
    }
    // The stream is consumed; later readers (the validators' "is there a body?") use the cache.
    else c.req.bodyCache.arrayBuffer = new ArrayBuffer(0);
    return next();
  };
}

/** The body as text, or undefined when it is longer than the limit (chunked bodies included). */
async function readLimited(request: Request, bytesMax: number): Promise<string | undefined> {
  if (request.body === null) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > bytesMax) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

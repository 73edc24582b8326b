// Idempotency-Key: the first request with a key runs; a replay gets the stored response; the
// same key with another body is refused; a duplicate that arrives while the first still runs
// waits for its result. Keys are scoped by method and path and kept for 24 hours.

import type { MiddlewareHandler } from 'hono';
import type { Clock, IdempotencyStore } from '../../core/ports.ts';
import { sha256Hex } from '../../platform/web-crypto.ts';
import type { AppEnv } from '../env.ts';
import { problemResponse } from '../problem.ts';

/** How long a claim protects a running request; a crashed one frees its key after this. */
export const idempotencyLeaseMs = 15_000;
/**
 * How long a duplicate waits for the first request before it is told to retry. Longer than a
 * normal checkout (the slow test card takes 2 s), short enough that a retry whose first
 * attempt died with its instance gets an answer rather than looking like a hang.
 */
export const duplicateWaitMs = 3_000;
const pollIntervalMs = 25;
const saneKey = /^[\x21-\x7e]{1,255}$/;
/** Reads are never stored or replayed: a replay would hand one caller's answer to another. */
const mutatingMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function idempotency(store: IdempotencyStore, clock: Clock, hashText: (text: string) => string | Promise<string> = sha256Hex): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const key = c.req.header('idempotency-key');
    if (key === undefined || !mutatingMethods.has(c.req.method)) return next();
    if (!saneKey.test(key)) {
      return problemResponse(c, 'idempotency-key-invalid', 'An Idempotency-Key is 1 to 255 visible ASCII characters.');
    }
    const scope = `${c.req.method} ${c.req.path}`;
    const requestHash = await hashText(c.get('rawBody'));
    const deadlineMs = clock.nowMs() + duplicateWaitMs;

    for (;;) {
      const begun = await store.begin(scope, key, requestHash, clock.nowMs(), idempotencyLeaseMs);
      if (begun.kind === 'replay') {
        return c.body(begun.body, begun.status as 200, { 'content-type': begun.contentType, 'idempotent-replayed': 'true' });
      }
      if (begun.kind === 'mismatch') {
        return problemResponse(c, 'idempotency-key-reused', 'This Idempotency-Key was used with a different request body.');
      }
      if (begun.kind === 'started') break;
      if (clock.nowMs() >= deadlineMs) {
        return problemResponse(c, 'idempotency-in-progress', 'The first request with this Idempotency-Key is still running.');
      }
      await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
    }

    try {
      await next();
    } catch (error) {
      await store.abandon(scope, key);
      throw error;
    }
    const status = c.res.status;
    // Overload and server faults are not results: the client should be able to try again.
    if (status >= 500 || status === 429) {
      await store.abandon(scope, key);
      return;
    }
    // Read the body once and answer with a fresh response of the same text: a clone would tee
    // the body into streams, and a streamed response costs more to write than a string.
    const sent = c.res;
    const body = await sent.text();
    const contentType = sent.headers.get('content-type') ?? 'application/json';
    await store.complete(scope, key, { status, body, contentType }, clock.nowMs());
    // A null-body status (204, 205, 304) must be rebuilt without a body, even an empty one.
    const again = new Response(status === 204 || status === 205 || status === 304 ? null : body, { status, headers: sent.headers });
    // Cleared first: assigning over a response makes Hono rebuild the new one around a stream.
    c.res = undefined;
    c.res = again;
  };
}

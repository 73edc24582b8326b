// Idempotency-Key: the first request with a key runs; a replay gets the stored response; the
// same key with another body is refused; a duplicate that arrives while the first still runs
// waits for its result. Keys are scoped by method and path and kept for 24 hours.

import type { Context, MiddlewareHandler, TypedResponse } from 'hono';
import type { JSONParsed } from 'hono/utils/types';
import type { Clock, IdempotencyStore, KeepAnswer, KeptAnswer, KeyClaim } from '../../core/ports.ts';
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
/** The keys accepted; anything else is refused with idempotency-key-invalid. */
export const saneKey = /^[\x21-\x7e]{1,255}$/;
/** Reads are never stored or replayed: a replay would hand one caller's answer to another. */
const mutatingMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Keys are scoped by method and path: one key may name a cart's creation and its checkout. */
export function idempotencyScope(method: string, path: string): string {
  return `${method} ${path}`;
}

/** The running request's key, for a route whose use case keeps the answer with its last write. */
export interface IdempotencySlot {
  scope: string;
  key: string;
  /** Set by the route once its answer was kept: the middleware then has nothing left to write. */
  kept: boolean;
}

const jsonType = 'application/json';

/** What c.json(body, status) returns, so that routes keep their typed responses. */
type JsonAnswer<J, S extends 200 | 201> = Response & TypedResponse<JSONParsed<J>, S, 'json'>;

/** Overload and server faults are not results: the client should be able to try again. */
export function worthReplaying(status: number): boolean {
  return status < 500 && status !== 429;
}

/** The key a keeper keeps its answer under; with a claim when the write is to claim the key too. */
export type KeeperSlot = Pick<IdempotencySlot, 'scope' | 'key'> & { claim?: KeyClaim };

/**
 * The hook to hand a use case that can keep its answer (none without a running key), and the
 * body it kept for a result. The answer is the body the last hook call rendered, kept in the
 * transaction of the use case's last write, so a crash cannot leave the change made and its
 * answer unwritten (a retry would make it twice).
 */
export function keeper<T>(
  slot: KeeperSlot | undefined,
  status: number,
  render: (result: T) => object,
): { keep: KeepAnswer<T> | undefined; keptBody(result: T): string | undefined } {
  let last: { result: T; body: string } | undefined;
  const keep: KeepAnswer<T> | undefined =
    slot &&
    ((result) => {
      const body = JSON.stringify(render(result));
      last = { result, body };
      const answer: KeptAnswer = { scope: slot.scope, key: slot.key, response: { status, body, contentType: jsonType } };
      // A key not claimed yet is claimed by the write that keeps its answer.
      if (slot.claim !== undefined) answer.claim = slot.claim;
      return answer;
    });
  return { keep, keptBody: (result) => (last !== undefined && last.result === result ? last.body : undefined) };
}

/** For a route whose use case can keep its answer: the keeper's hook, and the response for the result it returned. */
export function keptAnswer<T, J extends object, S extends 200 | 201>(
  c: Context<AppEnv>,
  status: S,
  render: (result: T) => J,
): { keep: KeepAnswer<T> | undefined; respond(result: T): JsonAnswer<J, S> } {
  const slot = c.get('idempotency');
  const { keep, keptBody } = keeper(slot, status, render);
  return {
    keep,
    respond(result) {
      const body = keptBody(result);
      if (slot === undefined || body === undefined) return c.json(render(result), status);
      slot.kept = true;
      // The text c.json would have sent for this result, rendered once; Hono types a body
      // response as text, so the cast says what the text is.
      return c.body(body, status, { 'content-type': jsonType }) as unknown as JsonAnswer<J, S>;
    },
  };
}

export function idempotency(store: IdempotencyStore, clock: Clock, hashText: (text: string) => string | Promise<string> = sha256Hex): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const key = c.req.header('idempotency-key');
    if (key === undefined || !mutatingMethods.has(c.req.method)) return next();
    if (!saneKey.test(key)) {
      return problemResponse(c, 'idempotency-key-invalid', 'An Idempotency-Key is 1 to 255 visible ASCII characters.');
    }
    const scope = idempotencyScope(c.req.method, c.req.path);
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

    const slot: IdempotencySlot = { scope, key, kept: false };
    c.set('idempotency', slot);
    try {
      await next();
    } catch (error) {
      await store.abandon(scope, key);
      throw error;
    }
    if (slot.kept) return;
    const status = c.res.status;
    if (!worthReplaying(status)) {
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

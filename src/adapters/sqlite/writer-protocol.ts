// What the event loop and the SQLite writer thread say to each other. Every write method of the
// Store runs on the writer thread (its group commit, its fsync), and so does the cart read of
// the order path; every other read runs on the event loop's own read-only connection. The
// list below is that split: a method not named here is a read, and the read-only connection
// refuses it if it ever writes.

import { DomainError, errorCodes, type ErrorCode, type ErrorExtras } from '../../core/errors.ts';
import type { CommitOrderInput, CommitOrderResult, Store } from '../../core/ports.ts';
import type { BatcherStats, GatherPolicy } from './batcher.ts';
import type { CheckpointPass } from './checkpoints.ts';

export type Area = 'catalog' | 'stock' | 'carts' | 'orders' | 'idempotency' | 'events';

export const writerMethods = {
  catalog: ['upsertCategory', 'createProduct', 'updateProduct', 'deleteProduct'],
  stock: ['applyMovement', 'setOnHand', 'setHolds', 'releaseHolds', 'releaseExpiredHolds'],
  // getCart reads, but on the writer's connection: every commit empties the read-only
  // connection's page cache, so there each cart read fetched its pages again (several
  // system calls) on the event loop, which a flash sale kept busiest before the order fast
  // path. The writer's cache stays warm across its own commits. Moved back since, the read
  // made no difference out of the noise (docs/benchmarks.md). A cart this process wrote is
  // not asked for at all: the threaded store answers from what it committed (cart-cache.ts).
  carts: ['createCart', 'getCart', 'saveCart', 'saveCartWithHolds'],
  orders: ['commitOrder', 'transitionOrder'],
  // begin reads first, but its claim is a write, so all of it runs where the writes run.
  idempotency: ['begin', 'complete', 'abandon', 'purgeOlderThan'],
  events: ['createWebhook', 'deleteWebhook', 'leaseDueWebhook', 'recordDelivery'],
} as const satisfies { [A in Area]: ReadonlyArray<keyof Store[A]> };

export interface WriteCall {
  id: number;
  area: Area;
  method: string;
  args: unknown[];
}

export interface SentError {
  name: string;
  message: string;
  stack: string | undefined;
  /** Set for a DomainError, which the HTTP layer maps to its problem type. */
  domain?: { code: ErrorCode; extras: ErrorExtras };
  /** node:sqlite's error code and SQLite's result code, when the error came from SQLite. */
  code?: string;
  errcode?: number;
}

export type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: SentError };

/** Event loop to writer: writes to run, gathered in small groups; or the request to close. */
export type ToWriter = { kind: 'calls'; calls: WriteCall[] } | { kind: 'close' };

/** Writer to event loop: it opened (or could not), replies with the batcher's counters, or it closed. */
export type FromWriter =
  | { kind: 'ready' }
  | { kind: 'failed'; error: SentError }
  | { kind: 'replies'; replies: Reply[]; stats: BatcherStats }
  | { kind: 'closed' };

export interface WriterData {
  path: string;
  batchMaxOps: number | undefined;
  migrate: boolean;
  gather: GatherPolicy;
}

export interface CheckpointerData {
  path: string;
  /** Between passes (checkpointIntervalMs unless a test asks for another). */
  intervalMs: number | undefined;
}

export type ToCheckpointer = { kind: 'close' };

/** A pass's figures, for /metrics. */
export type FromCheckpointer = { kind: 'pass' } & CheckpointPass;

/**
 * commitOrder's reply as it crosses: the order it wrote is the caller's draft with a number, and
 * the caller still has the draft, so only the number goes back. The order was the largest value
 * a reply cloned, once to send and once to receive, for every checkout.
 */
export type CommitReply = { ok: true; number: number } | Exclude<CommitOrderResult, { ok: true }>;

export function compactCommit(result: CommitOrderResult): CommitReply {
  return result.ok ? { ok: true, number: result.order.number } : result;
}

/** The result the store gave, again: the order as the store wrote it, `{ ...draft, number }`. */
export function expandCommit(input: CommitOrderInput, reply: CommitReply): CommitOrderResult {
  return reply.ok ? { ok: true, order: { ...input.draft, number: reply.number } } : reply;
}

/** An error as plain data: structured clone keeps an Error's message but not its class or code. */
export function sendError(error: unknown): SentError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error), stack: undefined };
  const sent: SentError = { name: error.name, message: error.message, stack: error.stack };
  if (error instanceof DomainError) sent.domain = { code: error.code, extras: error.extras };
  const { code, errcode } = error as Error & { code?: unknown; errcode?: unknown };
  if (typeof code === 'string') sent.code = code;
  if (typeof errcode === 'number') sent.errcode = errcode;
  return sent;
}

const knownCodes: ReadonlySet<string> = new Set(errorCodes);

/** The error again, as the class the caller would have caught had the store run in its thread. */
export function receiveError(sent: SentError): Error {
  const domain = sent.domain;
  const error = domain !== undefined && knownCodes.has(domain.code) ? new DomainError(domain.code, sent.message, domain.extras) : new Error(sent.message);
  error.name = sent.name;
  if (sent.stack !== undefined) error.stack = sent.stack;
  if (sent.code !== undefined) Object.assign(error, { code: sent.code });
  if (sent.errcode !== undefined) Object.assign(error, { errcode: sent.errcode });
  return error;
}

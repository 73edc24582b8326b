// RFC 9457 problem documents: every failure the API reports, with a stable `type` per cause.
// This is the one place where domain error codes become HTTP statuses.

import type { Context } from 'hono';
import type { ErrorCode } from '../core/errors.ts';

export const problemTypeBase = 'https://peakcart.dev/problems/';

/** Failures that belong to HTTP itself rather than to the domain. */
export type HttpProblemCode =
  | 'malformed-json'
  | 'unsupported-media-type'
  | 'payload-too-large'
  | 'route-not-found'
  | 'idempotency-key-invalid'
  | 'internal';

export type ProblemCode = ErrorCode | HttpProblemCode;

const problems: Record<ProblemCode, { status: number; title: string }> = {
  validation: { status: 422, title: 'The request is not valid' },
  'not-found': { status: 404, title: 'Not found' },
  'unknown-sku': { status: 422, title: 'Unknown SKU' },
  'sold-out': { status: 409, title: 'Sold out' },
  'over-limit': { status: 409, title: 'Over the limit' },
  'cart-expired': { status: 410, title: 'Cart expired' },
  'cart-completed': { status: 409, title: 'Cart already checked out' },
  'cart-empty': { status: 422, title: 'Cart is empty' },
  'price-unavailable': { status: 422, title: 'No price in this currency' },
  'shipping-unavailable': { status: 422, title: 'Shipping option unavailable' },
  'payment-declined': { status: 402, title: 'Payment declined' },
  'payment-unavailable': { status: 503, title: 'Payment provider unavailable' },
  conflict: { status: 409, title: 'Conflict' },
  'illegal-transition': { status: 409, title: 'Illegal order transition' },
  'stock-below-committed': { status: 409, title: 'Stock below what is sold or held' },
  'idempotency-key-reused': { status: 422, title: 'Idempotency-Key reused with a different request' },
  'idempotency-in-progress': { status: 409, title: 'A request with this Idempotency-Key is in progress' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  overloaded: { status: 503, title: 'Overloaded' },
  'store-unavailable': { status: 503, title: 'Database unavailable' },
  'malformed-json': { status: 400, title: 'Malformed JSON' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'payload-too-large': { status: 413, title: 'Payload too large' },
  'route-not-found': { status: 404, title: 'No such route' },
  'idempotency-key-invalid': { status: 400, title: 'Invalid Idempotency-Key' },
  internal: { status: 500, title: 'Internal error' },
};

export function problemStatus(code: ProblemCode): number {
  return problems[code].status;
}

export function problemCodes(): ProblemCode[] {
  return Object.keys(problems) as ProblemCode[];
}

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  [extra: string]: unknown;
}

export function problemDocument(code: ProblemCode, detail: string, extras: Record<string, unknown> = {}): ProblemDocument {
  const { status, title } = problems[code];
  return { ...extras, type: problemTypeBase + code, title, status, detail };
}

/** A problem as status, headers and body text: what every runtime and path sends for it. */
export interface ProblemAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function problemAnswer(code: ProblemCode, detail: string, extras: Record<string, unknown> = {}): ProblemAnswer {
  const document = problemDocument(code, detail, extras);
  const headers: Record<string, string> = { 'content-type': 'application/problem+json', 'cache-control': 'no-store' };
  // A duplicate of a request still running is worth retrying shortly, like overload.
  if (document.status === 503 || document.status === 429 || code === 'idempotency-in-progress') headers['retry-after'] = '1';
  if (document.status === 401) headers['www-authenticate'] = 'Bearer realm="peakcart-admin"';
  return { status: document.status, headers, body: JSON.stringify(document) };
}

export function problemResponse(c: Context, code: ProblemCode, detail: string, extras: Record<string, unknown> = {}): Response {
  const { status, headers, body } = problemAnswer(code, detail, extras);
  return c.body(body, status as 400, headers);
}

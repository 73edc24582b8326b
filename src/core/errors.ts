// One error type for every expected failure of the domain. The code is stable: the HTTP layer
// maps it to a status and an RFC 9457 problem type in one place (src/http/problem.ts).

export const errorCodes = [
  'validation',
  'not-found',
  'unknown-sku',
  'sold-out',
  'over-limit',
  'cart-expired',
  'cart-completed',
  'cart-empty',
  'price-unavailable',
  'shipping-unavailable',
  'payment-declined',
  'payment-unavailable',
  'conflict',
  'illegal-transition',
  'stock-below-committed',
  'idempotency-key-reused',
  'idempotency-in-progress',
  'unauthorized',
  'overloaded',
  'store-unavailable',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

/** Extra machine-readable members of the problem document, e.g. which SKU ran out. */
export type ErrorExtras = Record<string, unknown>;

export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly extras: ErrorExtras;

  constructor(code: ErrorCode, message: string, extras: ErrorExtras = {}) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.extras = extras;
  }
}

export function isDomainError(value: unknown): value is DomainError {
  return value instanceof DomainError;
}

/** For conditions that must never happen; a failed assertion is a bug, not bad input. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

/**
 * A write that was to claim its request's key found the key taken (an answer kept, or another
 * request running with it) and changed nothing. The caller answers through begin(), which says
 * what became of the key. Recognised by name, which survives the SQLite writer thread's messages.
 */
export class ClaimRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClaimRefused';
  }
}

export function isClaimRefused(error: unknown): boolean {
  return error instanceof Error && error.name === 'ClaimRefused';
}

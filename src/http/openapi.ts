// Helpers that keep route definitions short: the JSON bodies and the problem responses every
// route documents.

import { z } from '@hono/zod-openapi';
import { Problem } from './schemas.ts';

export function jsonContent<T extends z.ZodType>(schema: T, description: string) {
  return { content: { 'application/json': { schema } }, description };
}

/** A JSON request body; `required: false` lets a POST without any body mean `{}`. */
export function jsonBodyOf<T extends z.ZodType>(schema: T, required = true) {
  return { body: { content: { 'application/json': { schema } }, required } };
}

const problem = (description: string) => ({ content: { 'application/problem+json': { schema: Problem } }, description });

export const problems = {
  400: problem('Malformed JSON or a bad header'),
  401: problem('Missing or wrong admin key'),
  402: problem('Payment declined'),
  404: problem('Not found'),
  409: problem('Sold out, over a limit, or a conflicting change'),
  410: problem('Cart expired'),
  413: problem('Body too large'),
  415: problem('Body is not JSON'),
  422: problem('The request is not valid'),
  503: problem('Overloaded or a dependency is down; retry after Retry-After'),
} as const;

/**
 * The Idempotency-Key header, documented on each route that takes it. It is checked by the
 * idempotency middleware (400 idempotency-key-invalid), which runs first; a per-route header
 * validator would only rebuild every request's header record to check it again.
 */
export const idempotencyKeyParameter = {
  name: 'idempotency-key',
  in: 'header' as const,
  required: false,
  description: 'Makes the request safe to retry: a replay returns the first response.',
  schema: { type: 'string' as const, maxLength: 255 },
};

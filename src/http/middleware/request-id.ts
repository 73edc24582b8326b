// Every response carries x-request-id: the caller's, when it sent a sane one, or a new one.

import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.ts';

const saneRequestId = /^[A-Za-z0-9._:-]{1,64}$/;

/** The id a response carries: the caller's when sane, else a new one. */
export function requestIdFrom(incoming: string | undefined): string {
  return incoming !== undefined && saneRequestId.test(incoming) ? incoming : crypto.randomUUID();
}

export function requestId(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const id = requestIdFrom(c.req.header('x-request-id'));
    c.set('requestId', id);
    await next();
    c.res.headers.set('x-request-id', id);
  };
}

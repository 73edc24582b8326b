// Every response carries x-request-id: the caller's, when it sent a sane one, or a new one.

import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.ts';

const saneRequestId = /^[A-Za-z0-9._:-]{1,64}$/;

export function requestId(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const incoming = c.req.header('x-request-id');
    const id = incoming !== undefined && saneRequestId.test(incoming) ? incoming : crypto.randomUUID();
    c.set('requestId', id);
    await next();
    c.res.headers.set('x-request-id', id);
  };
}

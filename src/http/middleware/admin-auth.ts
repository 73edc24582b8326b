// The Admin API takes a bearer key. Comparison runs in constant time over the whole key.

import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.ts';
import { problemResponse } from '../problem.ts';

export function adminAuth(adminKey: string): MiddlewareHandler<AppEnv> {
  const expected = new TextEncoder().encode(adminKey);
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer (.+)$/i.exec(header);
    if (match === null || !sameBytes(new TextEncoder().encode(match[1]), expected)) {
      return problemResponse(c, 'unauthorized', 'Send the admin key as Authorization: Bearer <key>.');
    }
    return next();
  };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) difference |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return difference === 0;
}

// CORS for the storefront's origins. Hono's own middleware sets its headers on `c.res` before
// the route runs, which makes Hono rebuild every route's response around a stream; this one
// answers preflights itself and adds its headers to the finished response.

import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.ts';

export interface CorsOptions {
  origins: readonly string[];
  allowHeaders: readonly string[];
  exposeHeaders: readonly string[];
  maxAgeS: number;
}

/** What the Store API lets a storefront on another origin send and read. */
export const storeCors: Omit<CorsOptions, 'origins'> = {
  allowHeaders: ['content-type', 'idempotency-key', 'authorization', 'x-request-id'],
  exposeHeaders: ['x-request-id', 'etag', 'retry-after', 'idempotent-replayed'],
  maxAgeS: 600,
};

const allowMethods = 'GET,HEAD,PUT,POST,DELETE,PATCH';

/** The CORS headers of an answer to a request from `origin` (not a preflight). */
export function corsHeaders(options: CorsOptions): (origin: string | undefined) => { allowOrigin: string | undefined; exposeHeaders: string } {
  const allowed = new Set(options.origins);
  const exposeHeaders = options.exposeHeaders.join(',');
  return (origin) => ({ allowOrigin: origin !== undefined && allowed.has(origin) ? origin : undefined, exposeHeaders });
}

/** Adds Origin to a Vary value unless it is there already. */
export function varyOnOrigin(vary: string | null | undefined): string {
  if (vary === null || vary === undefined || vary === '') return 'Origin';
  return /(^|,)\s*origin\s*(,|$)/i.test(vary) ? vary : `${vary}, Origin`;
}

export function cors(options: CorsOptions): MiddlewareHandler<AppEnv> {
  const headersFor = corsHeaders(options);
  const allowHeaders = options.allowHeaders.join(',');
  const maxAge = String(options.maxAgeS);
  return async (c, next) => {
    const { allowOrigin, exposeHeaders } = headersFor(c.req.header('origin'));
    if (c.req.method === 'OPTIONS') {
      const headers: Record<string, string> = {
        'access-control-expose-headers': exposeHeaders,
        'access-control-max-age': maxAge,
        'access-control-allow-methods': allowMethods,
        'access-control-allow-headers': allowHeaders,
        vary: 'Origin, Access-Control-Request-Headers',
      };
      if (allowOrigin !== undefined) headers['access-control-allow-origin'] = allowOrigin;
      return c.body(null, 204, headers);
    }
    await next();
    const headers = c.res.headers;
    if (allowOrigin !== undefined) headers.set('access-control-allow-origin', allowOrigin);
    headers.set('access-control-expose-headers', exposeHeaders);
    headers.set('vary', varyOnOrigin(headers.get('vary')));
  };
}

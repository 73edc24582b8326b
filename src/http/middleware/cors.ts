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

const allowMethods = 'GET,HEAD,PUT,POST,DELETE,PATCH';

export function cors(options: CorsOptions): MiddlewareHandler<AppEnv> {
  const allowed = new Set(options.origins);
  const allowHeaders = options.allowHeaders.join(',');
  const exposeHeaders = options.exposeHeaders.join(',');
  const maxAge = String(options.maxAgeS);
  return async (c, next) => {
    const origin = c.req.header('origin');
    const allowOrigin = origin !== undefined && allowed.has(origin) ? origin : undefined;
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
    headers.append('vary', 'Origin');
  };
}

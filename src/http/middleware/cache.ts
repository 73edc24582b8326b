// Cache headers. Catalog answers are public and revalidated by ETag (a 304 costs no body);
// everything about a cart, an order or the admin is no-store.

import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.ts';

export interface CachePolicy {
  maxAgeS: number;
  sMaxAgeS: number;
  staleWhileRevalidateS: number;
}

export const catalogCache: CachePolicy = { maxAgeS: 60, sMaxAgeS: 300, staleWhileRevalidateS: 600 };
/** Stock changes by the second in a sale: caches may only smooth a burst. */
export const availabilityCache: CachePolicy = { maxAgeS: 0, sMaxAgeS: 2, staleWhileRevalidateS: 5 };

export function publicCache(policy: CachePolicy): MiddlewareHandler<AppEnv> {
  const cacheControl = `public, max-age=${policy.maxAgeS}, s-maxage=${policy.sMaxAgeS}, stale-while-revalidate=${policy.staleWhileRevalidateS}`;
  return async (c, next) => {
    await next();
    if (c.res.status !== 200) return;
    // The response is rebuilt below, so its body is read as is rather than cloned.
    const body = await c.res.arrayBuffer();
    const digest = await crypto.subtle.digest('SHA-1', body);
    const etag = `W/"${btoa(String.fromCharCode(...new Uint8Array(digest)))}"`;
    const headers = new Headers(c.res.headers);
    headers.set('etag', etag);
    headers.set('cache-control', cacheControl);
    headers.set('vary', 'accept-encoding, origin');
    if (matchesEtag(c.req.header('if-none-match'), etag)) {
      headers.delete('content-type');
      headers.delete('content-length');
      c.res = new Response(null, { status: 304, headers });
      return;
    }
    c.res = new Response(body, { status: 200, headers });
  };
}

function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  const weak = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || weak(tag) === weak(etag));
}

export function noStore(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    c.res.headers.set('cache-control', 'no-store');
  };
}

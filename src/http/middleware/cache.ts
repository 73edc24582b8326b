// Cache headers. Catalog answers are public and revalidated by ETag (a 304 costs no body);
// everything about a cart, an order or the admin is no-store.

import type { Context, MiddlewareHandler, TypedResponse } from 'hono';
import type { AppEnv } from '../env.ts';

export interface CachePolicy {
  maxAgeS: number;
  sMaxAgeS: number;
  staleWhileRevalidateS: number;
}

export const catalogCache: CachePolicy = { maxAgeS: 60, sMaxAgeS: 300, staleWhileRevalidateS: 600 };
/** Stock changes by the second in a sale: caches may only smooth a burst. */
export const availabilityCache: CachePolicy = { maxAgeS: 0, sMaxAgeS: 2, staleWhileRevalidateS: 5 };

/** A JSON body ready to send, with its validator; `T` is what the text is the JSON of. */
export interface CachedJson<T = unknown> {
  text: string;
  etag: string;
  /** The text as UTF-8, when it is sent often enough to keep it encoded. */
  bytes?: Uint8Array<ArrayBuffer>;
  /** Type only: never set. */
  readonly of?: T;
}

/** The JSON text of `value` with its ETag. */
export function jsonWithEtag<T>(value: T): CachedJson<T> {
  const text = JSON.stringify(value);
  return { text, etag: weakEtag(text) };
}

/**
 * A weak ETag from the body: two 32-bit FNV-style hashes and the length. Not a cryptographic
 * hash on purpose: it only has to change when the body does, and it runs on every request
 * whose body is not memoised.
 */
export function weakEtag(text: string): string {
  let first = 0x811c9dc5;
  let second = 0x9747b28c;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    first = Math.imul(first ^ code, 0x01000193);
    second = Math.imul(second ^ code, 0x5bd1e995);
    second ^= second >>> 15;
  }
  return `W/"${text.length.toString(36)}-${(first >>> 0).toString(36)}${(second >>> 0).toString(36)}"`;
}

const memoised = new WeakMap<object, CachedJson<unknown>>();

/**
 * The JSON of `source` as `show` presents it, built once per source object. The catalog store
 * hands out one frozen object per entry until the catalog changes, so a page or product is
 * serialised and hashed once per change instead of once per request.
 */
export function memoJson<T>(source: object, show: () => T): CachedJson<T> {
  let cached = memoised.get(source) as CachedJson<T> | undefined;
  if (cached === undefined) {
    const json = jsonWithEtag(show());
    // Encoded once too: writing a long string to a socket copies and encodes it every time.
    cached = { ...json, bytes: utf8.encode(json.text) };
    memoised.set(source, cached);
  }
  return cached;
}

const utf8 = new TextEncoder();

/** Sends a cacheable 200 with ETag and Cache-Control, or 304 when If-None-Match matches. */
export function cacheableJson<T, P extends string>(c: Context<AppEnv, P>, json: CachedJson<T>, policy: CachePolicy): TypedResponse<T, 200, 'json'> {
  const headers: Record<string, string> = {
    etag: json.etag,
    'cache-control': cacheControlOf(policy),
    vary: 'accept-encoding, origin',
  };
  // The typed-route handlers expect a typed JSON response; this is one (the 304 carries no body).
  if (matchesEtag(c.req.header('if-none-match'), json.etag)) return c.body(null, 304, headers) as unknown as TypedResponse<T, 200, 'json'>;
  headers['content-type'] = 'application/json';
  return c.body(json.bytes ?? json.text, 200, headers) as unknown as TypedResponse<T, 200, 'json'>;
}

const cacheControls = new Map<CachePolicy, string>();

function cacheControlOf(policy: CachePolicy): string {
  let value = cacheControls.get(policy);
  if (value === undefined) {
    value = `public, max-age=${policy.maxAgeS}, s-maxage=${policy.sMaxAgeS}, stale-while-revalidate=${policy.staleWhileRevalidateS}`;
    cacheControls.set(policy, value);
  }
  return value;
}

function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  if (ifNoneMatch === etag) return true;
  const weak = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || weak(tag) === weak(etag));
}

export function noStore(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    c.res.headers.set('cache-control', 'no-store');
  };
}

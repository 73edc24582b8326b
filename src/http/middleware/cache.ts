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
  /** The bytes gzipped, when the runtime can compress and the body is big enough to gain. */
  gzip?: Uint8Array<ArrayBuffer>;
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

/** Compresses a body once per catalog change (gzip on Node); absent where the edge compresses. */
export type Compress = (bytes: Uint8Array<ArrayBuffer>) => Uint8Array<ArrayBuffer>;

/** Below this, compressing a body costs more than it saves. */
export const compressBytesMin = 1024;

/**
 * The JSON of `source` as `show` presents it, built once per source object. The catalog store
 * hands out one frozen object per entry until the catalog changes, so a page or product is
 * serialised, hashed and compressed once per change instead of once per request.
 */
export function memoJson<T>(source: object, show: () => T, compress?: Compress): CachedJson<T> {
  let cached = memoised.get(source) as CachedJson<T> | undefined;
  if (cached === undefined) {
    const json = jsonWithEtag(show());
    // Encoded once too: writing a long string to a socket copies and encodes it every time.
    const bytes = utf8.encode(json.text);
    cached = { ...json, bytes, gzip: compress !== undefined && bytes.byteLength >= compressBytesMin ? compress(bytes) : undefined };
    memoised.set(source, cached);
  }
  return cached;
}

const utf8 = new TextEncoder();

/** A cacheable answer, runtime-neutral: the Hono routes and Node's catalog fast path send it alike. */
export interface CacheAnswer {
  status: 200 | 304;
  headers: Record<string, string>;
  body: Uint8Array<ArrayBuffer> | string | null;
}

/** 304 when If-None-Match matches, else 200 with the body, gzipped when the client takes gzip. */
export function cacheAnswer(json: CachedJson, policy: CachePolicy, ifNoneMatch: string | undefined, acceptEncoding: string | undefined): CacheAnswer {
  const headers: Record<string, string> = {
    etag: json.etag,
    'cache-control': cacheControlOf(policy),
    vary: 'accept-encoding, origin',
  };
  if (matchesEtag(ifNoneMatch, json.etag)) return { status: 304, headers, body: null };
  headers['content-type'] = 'application/json';
  if (json.gzip !== undefined && acceptsGzip(acceptEncoding)) {
    headers['content-encoding'] = 'gzip';
    return { status: 200, headers, body: json.gzip };
  }
  return { status: 200, headers, body: json.bytes ?? json.text };
}

/** Sends a cacheable 200 with ETag and Cache-Control, or 304 when If-None-Match matches. */
export function cacheableJson<T, P extends string>(c: Context<AppEnv, P>, json: CachedJson<T>, policy: CachePolicy): TypedResponse<T, 200, 'json'> {
  const answer = cacheAnswer(json, policy, c.req.header('if-none-match'), c.req.header('accept-encoding'));
  // The typed-route handlers expect a typed JSON response; this is one (a 304 carries no body).
  const response = answer.body === null ? c.body(null, 304, answer.headers) : c.body(answer.body, 200, answer.headers);
  return response as unknown as TypedResponse<T, 200, 'json'>;
}

const gzipAccepted = new Map<string, boolean>();

/** Whether an Accept-Encoding takes gzip: gzip's own q, else `*`'s, must be above 0. Clients send few distinct values, so each is parsed once. */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  if (acceptEncoding === undefined || acceptEncoding === '') return false;
  let accepted = gzipAccepted.get(acceptEncoding);
  if (accepted === undefined) {
    let gzip: number | undefined;
    let any: number | undefined;
    for (const part of acceptEncoding.toLowerCase().split(',')) {
      const [coding = '', ...parameters] = part.split(';').map((piece) => piece.trim());
      const q = parameters.find((parameter) => parameter.startsWith('q='));
      const weight = q === undefined ? 1 : Number(q.slice(2));
      if (coding === 'gzip' || coding === 'x-gzip') gzip = weight;
      else if (coding === '*') any = weight;
    }
    const weight = gzip ?? any ?? 0;
    accepted = Number.isFinite(weight) && weight > 0;
    if (gzipAccepted.size < 256) gzipAccepted.set(acceptEncoding, accepted);
  }
  return accepted;
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

// Serving one built site from disk: files are read once and kept in memory with their gzip
// and brotli forms (a site directory never changes after it is published), hashed assets are
// cached for a year, HTML for a minute with revalidation by ETag.

import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.xml': 'application/xml',
  '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};
const compressible = new Set(['.html', '.js', '.css', '.json', '.svg', '.xml', '.txt']);
/** Below this, compressing costs more than it saves. */
const compressBytesMin = 512;
/** Files held in memory per site; beyond it files are read (and compressed) per request. */
const cachedFilesMax = 4_000;
const pathCharsMax = 512;

export const immutableCache = 'public, max-age=31536000, immutable';
export const htmlCache = 'public, max-age=60, must-revalidate';
const otherCache = 'public, max-age=300, must-revalidate';

interface StaticFile {
  body: Buffer;
  gzip: Buffer | undefined;
  brotli: Buffer | undefined;
  etag: string;
  type: string;
  cacheControl: string;
}

export interface StaticSite {
  readonly dir: string;
  /** The response for a GET/HEAD of `pathname`, or undefined when the site has no such file. */
  serve(pathname: string, request: Request): Response | undefined;
  /** The site's 404 page, for a path that is neither a page nor an API route. */
  notFound(request: Request): Response;
}

export function openStaticSite(dir: string): StaticSite {
  const files = new Map<string, StaticFile | null>();

  function load(relative: string): StaticFile | null {
    const cached = files.get(relative);
    if (cached !== undefined) return cached;
    const full = join(dir, relative);
    let file: StaticFile | null = null;
    try {
      if (statSync(full).isFile()) {
        const body = readFileSync(full);
        const extension = extname(relative);
        const big = compressible.has(extension) && body.length >= compressBytesMin;
        file = {
          body,
          gzip: big ? gzipSync(body, { level: 9 }) : undefined,
          brotli: big ? brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }) : undefined,
          etag: `"${createHash('sha1').update(body).digest('base64url')}"`,
          type: contentTypes[extension] ?? 'application/octet-stream',
          cacheControl: relative.startsWith(`_assets${sep}`) ? immutableCache : extension === '.html' ? htmlCache : otherCache,
        };
      }
    } catch {
      file = null;
    }
    if (files.size < cachedFilesMax) files.set(relative, file);
    return file;
  }

  /** The file a URL path names: `/x/` and `/x` are `x/index.html`; nothing outside `dir`. */
  function resolve(pathname: string): StaticFile | null {
    if (pathname.length > pathCharsMax) return null;
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return null;
    }
    if (decoded.includes('\0')) return null;
    const relative = normalize(decoded).replace(/^[/\\]+/, '');
    // `_headers` is for static hosts that read it (see docs/deploy-storefront.md), not a page.
    if (relative.startsWith('..') || relative === '_headers') return null;
    if (relative === '' || relative.endsWith(sep)) return load(join(relative, 'index.html'));
    return load(relative) ?? (extname(relative) === '' ? load(join(relative, 'index.html')) : null);
  }

  function respond(file: StaticFile, request: Request, status: number): Response {
    const headers = new Headers({
      'content-type': file.type,
      'cache-control': status === 200 ? file.cacheControl : 'no-cache',
      etag: file.etag,
      vary: 'accept-encoding',
      'x-content-type-options': 'nosniff',
    });
    if (status === 200 && matches(request.headers.get('if-none-match'), file.etag)) return new Response(null, { status: 304, headers });
    const accepted = request.headers.get('accept-encoding') ?? '';
    let body = file.body;
    if (file.brotli !== undefined && /\bbr\b/.test(accepted)) {
      body = file.brotli;
      headers.set('content-encoding', 'br');
    } else if (file.gzip !== undefined && /\bgzip\b/.test(accepted)) {
      body = file.gzip;
      headers.set('content-encoding', 'gzip');
    }
    headers.set('content-length', String(body.length));
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), { status, headers });
  }

  return {
    dir,
    serve(pathname, request) {
      const file = resolve(pathname);
      return file === null ? undefined : respond(file, request, 200);
    },
    notFound(request) {
      const page = load('404.html');
      if (page === null) return new Response('Not found', { status: 404, headers: { 'content-type': 'text/plain' } });
      return respond(page, request, 404);
    },
  };
}

function matches(ifNoneMatch: string | null, etag: string): boolean {
  if (ifNoneMatch === null) return false;
  return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || tag.trim().replace(/^W\//, '') === etag);
}

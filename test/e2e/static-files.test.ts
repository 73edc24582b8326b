// Serving a built site from disk: paths stay inside the site, compression, cache headers,
// revalidation by ETag, the 404 page. No browser and no build needed: a small site on disk.

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, it } from 'node:test';
import { htmlCache, immutableCache, openStaticSite, type StaticSite } from '../../src/runtime/static-files.ts';
import { tempDir } from '../support/server.ts';

const dir = tempDir('static-files');
let site: StaticSite;
const page = `<!doctype html><title>Home</title>${'<p>peaks and valleys</p>'.repeat(100)}`;

before(() => {
  const root = join(dir.path, 'site', 'dist');
  mkdirSync(join(root, '_assets'), { recursive: true });
  mkdirSync(join(root, 'products', 'tent'), { recursive: true });
  writeFileSync(join(root, 'index.html'), page);
  writeFileSync(join(root, 'products', 'tent', 'index.html'), '<!doctype html><title>Tent</title>');
  writeFileSync(join(root, '_assets', 'app.1a2b3c.js'), `console.log(${JSON.stringify('x'.repeat(2000))});`);
  writeFileSync(join(root, '404.html'), '<!doctype html><title>Not found</title><h1>Page not found</h1>');
  writeFileSync(join(root, '_headers'), '/_assets/*\n  Cache-Control: immutable\n');
  writeFileSync(join(dir.path, 'site', 'secret.txt'), 'outside the site');
  site = openStaticSite(root);
});
after(() => dir.remove());

const get = (path: string, headers: Record<string, string> = {}) => site.serve(path, new Request(`http://127.0.0.1${path}`, { headers }));

it('serves directory paths as their index.html, with or without the slash', async () => {
  for (const path of ['/', '/products/tent/', '/products/tent']) {
    const response = get(path);
    assert.equal(response?.status, 200, path);
    assert.equal(response?.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(response?.headers.get('cache-control'), htmlCache);
  }
});

it('never serves a file outside the site, nor the _headers file', () => {
  for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/_headers', '/%00', '/%E0%A4%A']) {
    assert.equal(get(path), undefined, path);
  }
  const notFound = site.notFound(new Request('http://127.0.0.1/nope'));
  assert.equal(notFound.status, 404);
  assert.equal(notFound.headers.get('cache-control'), 'no-cache');
});

it('compresses for clients that accept it and answers a matching ETag with 304', async () => {
  const gzipped = get('/', { 'accept-encoding': 'gzip' });
  assert.equal(gzipped?.headers.get('content-encoding'), 'gzip');
  assert.equal(gunzipSync(Buffer.from(await gzipped!.arrayBuffer())).toString(), page);
  const brotli = get('/', { 'accept-encoding': 'gzip, br' });
  assert.equal(brotli?.headers.get('content-encoding'), 'br');
  const plain = get('/');
  assert.equal(plain?.headers.get('content-encoding'), null);
  assert.equal(await plain?.text(), page);
  const etag = plain?.headers.get('etag') ?? '';
  assert.ok(etag.length > 2);
  assert.equal(get('/', { 'if-none-match': etag })?.status, 304);
  assert.equal(get('/', { 'if-none-match': '"other"' })?.status, 200);
});

it('caches hashed assets for a year', () => {
  const asset = get('/_assets/app.1a2b3c.js');
  assert.equal(asset?.status, 200);
  assert.equal(asset?.headers.get('cache-control'), immutableCache);
  assert.equal(asset?.headers.get('content-type'), 'text/javascript; charset=utf-8');
});

// Node answers the hottest catalog GETs before the Hono app (src/runtime/catalog-fast-path.ts).
// Its answers must be the app's: the same status, bytes and headers for every variant a browser
// or CDN sends (gzip or not, revalidation, CORS origin, request id), and what it declines must
// reach the app, which answers it as before (problems included, never a 5xx).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { seedDemo } from '../../src/cli/seed.ts';
import { createApp } from '../../src/http/app.ts';
import { catalogFastPath } from '../../src/http/catalog-fast-path.ts';
import { noMetrics, silentLogger } from '../../src/http/ports.ts';
import { gzipOnce } from '../../src/runtime/node.ts';
import { rawRequest, type RawAnswer } from '../support/raw-http.ts';
import { adminKey, startTestServer, type TestServer } from '../support/server.ts';

const storefrontOrigin = 'http://shop.test';

type Raw = RawAnswer;

const rawGet = (base: string, path: string, headers: Record<string, string>): Promise<Raw> => rawRequest(base, 'GET', path, headers);

/** Headers that belong to the connection, not to the answer. */
const transportHeaders = new Set(['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);

function answerHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !transportHeaders.has(name)).sort(([a], [b]) => a.localeCompare(b)));
}

let server: TestServer;
let app: ReturnType<typeof createApp>;
let slug: string;
let skus: string[];

before(async () => {
  server = await startTestServer({ PEAKCART_CORS_ORIGINS: storefrontOrigin });
  const shop = server.server.shop;
  await seedDemo(shop.deps.store, Date.now());
  // The app the fast path stands in front of, over the same shop.
  app = createApp({
    shop,
    adminKey,
    metrics: noMetrics,
    logger: silentLogger,
    corsOrigins: [storefrontOrigin],
    bodyBytesMax: 64 * 1024,
    inFlightMax: { checkout: 100, cart: 100, admin: 10 },
    isReady: () => true,
    pingStore: async () => {},
    compress: gzipOnce,
  });
  const page = (await (await fetch(`${server.url}/store/products?limit=3`)).json()) as { items: Array<{ slug: string; variants: Array<{ sku: string }> }> };
  const first = page.items[0];
  assert.ok(first !== undefined && page.items.length === 3);
  slug = first.slug;
  skus = page.items.map((item) => item.variants[0]?.sku ?? '');
});
after(() => server.stop());

async function viaApp(path: string, headers: Record<string, string>): Promise<Raw> {
  const response = await app.fetch(new Request(`http://peakcart.test${path}`, { headers }));
  const flat: Record<string, string> = {};
  response.headers.forEach((value, name) => (flat[name] = value));
  return { status: response.status, headers: flat, body: Buffer.from(await response.arrayBuffer()) };
}

async function assertSameAnswer(path: string, headers: Record<string, string>): Promise<Raw> {
  const fast = await rawGet(server.url, path, headers);
  const full = await viaApp(path, headers);
  assert.equal(fast.status, full.status, `${path}: status`);
  assert.deepEqual(answerHeaders(fast.headers), answerHeaders(full.headers), `${path}: headers`);
  assert.ok(fast.body.equals(full.body), `${path}: body`);
  if (fast.body.length > 0) assert.equal(fast.headers['content-length'], String(fast.body.length), `${path}: content-length`);
  return fast;
}

describe('the catalog fast path', () => {
  const requestId = { 'x-request-id': 'fast-path-test-1' };

  it('answers lists, product pages, categories and availability exactly as the app does', async () => {
    for (const path of ['/store/products', '/store/products?limit=24', '/store/products?category=jackets&limit=5', `/store/products/${slug}`, '/store/categories', `/store/availability?sku=${skus[0]}&sku=${skus[1]}`, `/store/availability?sku=${skus[2]}`]) {
      const answer = await assertSameAnswer(path, requestId);
      assert.equal(answer.status, 200, path);
      assert.equal(answer.headers['x-request-id'], 'fast-path-test-1');
    }
  });

  it('gzips big catalog bodies for clients that take gzip, and only for them', async () => {
    const zipped = await assertSameAnswer('/store/products?limit=24', { ...requestId, 'accept-encoding': 'gzip, deflate, br' });
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    const plain = await assertSameAnswer('/store/products?limit=24', { ...requestId, 'accept-encoding': 'br;q=1, gzip;q=0' });
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.deepEqual(JSON.parse(gunzipSync(zipped.body).toString('utf8')), JSON.parse(plain.body.toString('utf8')));
    assert.ok(zipped.body.length < plain.body.length / 3, 'the list compresses well');
    assert.equal(zipped.headers['etag'], plain.headers['etag'], 'one weak validator for both codings');
    const small = await assertSameAnswer(`/store/availability?sku=${skus[0]}`, { ...requestId, 'accept-encoding': 'gzip' });
    assert.equal(small.headers['content-encoding'], undefined, 'tiny bodies are not worth compressing');
  });

  it('answers a matching If-None-Match with an empty 304, as the app does', async () => {
    const first = await rawGet(server.url, `/store/products/${slug}`, {});
    const etag = first.headers['etag'];
    assert.ok(etag !== undefined);
    const revalidated = await assertSameAnswer(`/store/products/${slug}`, { ...requestId, 'if-none-match': etag });
    assert.equal(revalidated.status, 304);
    assert.equal(revalidated.body.length, 0);
  });

  it('adds the same CORS headers for the storefront origin and for a stranger', async () => {
    const allowed = await assertSameAnswer('/store/categories', { ...requestId, origin: storefrontOrigin });
    assert.equal(allowed.headers['access-control-allow-origin'], storefrontOrigin);
    const stranger = await assertSameAnswer('/store/categories', { ...requestId, origin: 'http://elsewhere.test' });
    assert.equal(stranger.headers['access-control-allow-origin'], undefined);
    assert.equal(stranger.headers['vary'], 'accept-encoding, origin');
  });

  it('leaves what it declines to the app: invalid parameters, unknown products, encoded queries', async () => {
    const cases: Array<[string, number, string | undefined]> = [
      ['/store/products?limit=0', 422, 'validation'],
      ['/store/products?limit=abc', 422, 'validation'],
      ['/store/availability', 422, 'validation'],
      ['/store/products/no-such-product', 404, 'not-found'],
      ['/store/products/Not_A_Slug', 422, 'validation'],
      ['/store/products?q=rain%20jacket&limit=2', 200, undefined],
      ['/store/products?category=%E2%9C%93', 422, 'validation'],
    ];
    for (const [path, status, type] of cases) {
      const answer = await assertSameAnswer(path, requestId);
      assert.equal(answer.status, status, path);
      if (type !== undefined) {
        assert.match(answer.headers['content-type'] ?? '', /application\/problem\+json/, path);
        assert.match((JSON.parse(answer.body.toString('utf8')) as { type: string }).type, new RegExp(`/${type}$`), path);
      }
    }
  });

  it('takes the hot GETs itself and declines the rest at once', async () => {
    const fastPath = catalogFastPath({ shop: server.server.shop, corsOrigins: [storefrontOrigin], compress: gzipOnce });
    const ask = (method: string, url: string) => fastPath({ method, url, header: () => undefined });
    for (const url of ['/store/products?limit=24', `/store/products/${slug}`, '/store/categories', `/store/availability?sku=${skus[0]}`]) {
      const answer = await ask('GET', url);
      assert.equal(answer?.status, 200, url);
    }
    for (const [method, url] of [['HEAD', '/store/categories'], ['POST', '/store/products'], ['GET', '/store/products?limit=0'], ['GET', '/store/products?q=a%20b'], ['GET', '/store/products/'], ['GET', '/store/carts/x'], ['GET', '/healthz']] as const) {
      assert.equal(ask(method, url), undefined, `${method} ${url}`);
    }
    await assert.rejects(ask('GET', '/store/products/no-such-product') ?? Promise.resolve(), 'an unknown product fails the fast path, so the app answers it');
  });

  it('counts its answers in /metrics under the routes the app would name', async () => {
    await rawGet(server.url, `/store/products/${slug}`, {});
    const metrics = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${adminKey}` } })).text();
    assert.match(metrics, /peakcart_http_request_duration_seconds_count\{method="GET",route="\/store\/products\/:slug",status="200"\} [1-9]/);
    assert.match(metrics, /peakcart_http_request_duration_seconds_count\{method="GET",route="\/store\/products",status="200"\} [1-9]/);
  });
});

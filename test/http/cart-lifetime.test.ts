// A cart's life (DESIGN.md §3): it stays while the shopper keeps changing it (sliding TTL), then
// expires, says so with 410 cart-expired, and gives its held units back to sale. Also: only the
// configured storefront origins may call the Store API from a browser.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { client, createProduct, type Client } from '../support/client.ts';
import { assertProblem, stockLevel } from '../support/http-helpers.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const cartTtlMs = 1_500;
const storefront = 'http://shop.example';
let server: TestServer;
let api: Client;

before(async () => {
  server = await startTestServer({ PEAKCART_CART_TTL_MS: String(cartTtlMs), PEAKCART_CORS_ORIGINS: storefront });
  api = client(server.url);
});
after(() => server.stop());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('cart lifetime', () => {
  it('slides with every change, then expires and releases its holds', { timeout: 20_000 }, async () => {
    // The hold TTL (60 s) is longer than the cart's: the hold must still end with the cart.
    const { sku } = await createProduct(api, { onHand: 3, limited: true, holdAt: 'cart', holdTtlMs: 60_000 });
    const cart = (await api.post('/store/carts', {})).body.id;
    await sleep(cartTtlMs - 500);
    assert.equal((await api.post(`/store/carts/${cart}/lines`, { sku, quantity: 2 })).status, 201);
    assert.deepEqual(await stockLevel(api, sku), { onHand: 3, sold: 0, held: 2, available: 1 });

    // Past the first deadline, but the change moved it on.
    await sleep(cartTtlMs - 500);
    assert.equal((await api.get(`/store/carts/${cart}`)).status, 200);

    await sleep(cartTtlMs);
    assertProblem(await api.get(`/store/carts/${cart}`), 410, 'cart-expired');
    assertProblem(await api.post(`/store/carts/${cart}/lines`, { sku, quantity: 1 }), 410, 'cart-expired');
    const availability = await api.get(`/store/availability?sku=${sku}`);
    assert.equal(availability.body.items[0].available, 3);
  });
});

describe('CORS', () => {
  it('lets the configured storefront origin call the Store API, and no other', async () => {
    const preflight = (origin: string) =>
      api.call('OPTIONS', '/store/carts', {
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, idempotency-key' },
      });
    const allowed = await preflight(storefront);
    assert.equal(allowed.headers.get('access-control-allow-origin'), storefront);
    assert.match(allowed.headers.get('access-control-allow-headers') ?? '', /idempotency-key/);
    const other = await preflight('http://evil.example');
    assert.equal(other.headers.get('access-control-allow-origin'), null);
  });
});

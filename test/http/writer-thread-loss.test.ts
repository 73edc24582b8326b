// The embedded store's writer thread dies (a crash of the thread, not of the process): the shop
// keeps showing its catalog and stock, turns every write and cart read away with 503
// store-unavailable and Retry-After (never a 500, never a hang), and /readyz says it is not
// ready, so a balancer or the engineer on call sees it at once.

import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { ThreadedSqliteStore } from '../../src/adapters/sqlite/threaded-store.ts';
import { checkoutBody, client, createProduct, type Client } from '../support/client.ts';
import { assertProblem } from '../support/http-helpers.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let api: Client;
let sku: string;
let slug: string;
let cartId: string;

before(async () => {
  server = await startTestServer();
  api = client(server.url);
  ({ sku, slug } = await createProduct(api, { onHand: 5 }));
  cartId = (await api.post('/store/carts', { currency: 'USD' })).body.id;
  assert.equal((await api.post(`/store/carts/${cartId}/lines`, { sku, quantity: 1 })).status, 201);
  const store = server.server.shop.deps.store as Partial<ThreadedSqliteStore>;
  assert.ok(store.killWriter !== undefined, 'the embedded default runs its writes on a thread');
  await store.killWriter();
});
after(() => server.stop());

it('answers writes and cart reads with 503 store-unavailable and Retry-After', async () => {
  const turnedAway = [
    await api.post('/store/carts', { currency: 'USD' }, { idempotencyKey: 'after-the-writer' }),
    await api.post('/store/carts', { currency: 'USD' }),
    await api.post(`/store/carts/${cartId}/lines`, { sku, quantity: 1 }, { idempotencyKey: 'line-after' }),
    await api.post(`/store/carts/${cartId}/checkout`, checkoutBody('late@example.com'), { idempotencyKey: 'order-after' }),
    await api.get(`/store/carts/${cartId}`),
  ];
  for (const reply of turnedAway) {
    assertProblem(reply, 503, 'store-unavailable');
    assert.equal(reply.headers.get('retry-after'), '1');
  }
});

it('still shows the catalog and the stock, and /readyz says it is not ready', async () => {
  assert.equal((await api.get('/store/products?limit=5')).status, 200);
  assert.equal((await api.get(`/store/products/${slug}`)).status, 200);
  const availability = await api.get(`/store/availability?sku=${sku}`);
  assert.equal(availability.status, 200, JSON.stringify(availability.body));
  assert.ok(availability.body.items.some((item: { sku: string }) => item.sku === sku), JSON.stringify(availability.body));
  assert.equal((await api.get('/healthz')).status, 200);
  assertProblem(await api.get('/readyz'), 503, 'store-unavailable');
});

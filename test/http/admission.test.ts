// Admission control: past its in-flight budget a class of requests is turned away at once with
// 503 + Retry-After (never a hang), and one class filling up does not block another.

import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { checkoutBody, client, createProduct, type Client } from '../support/client.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let api: Client;
let sku: string;

before(async () => {
  server = await startTestServer({ PEAKCART_CHECKOUT_IN_FLIGHT_MAX: '2', PEAKCART_CART_IN_FLIGHT_MAX: '2' });
  api = client(server.url);
  sku = (await createProduct(api, { onHand: 50 })).sku;
});
after(() => server.stop());

async function cartWithLine(): Promise<string> {
  const cart = await api.post('/store/carts', {});
  assert.equal((await api.post(`/store/carts/${cart.body.id}/lines`, { sku, quantity: 1 })).status, 201);
  return cart.body.id;
}

it('turns the checkout past its budget away at once with 503 and Retry-After, and lets the rest finish', { timeout: 30_000 }, async () => {
  const carts = [await cartWithLine(), await cartWithLine(), await cartWithLine()];
  // Two slow checkouts (2 s each) fill the budget of two.
  const slow = carts.slice(0, 2).map((id, i) => api.post(`/store/carts/${id}/checkout`, checkoutBody(`slow${i}@example.com`, 'tok_slow'), { idempotencyKey: `slow-${i}` }));
  await new Promise((resolve) => setTimeout(resolve, 200));

  const startedAt = performance.now();
  const turnedAway = await api.post(`/store/carts/${carts[2]}/checkout`, checkoutBody('third@example.com'), { idempotencyKey: 'third' });
  const waitedMs = performance.now() - startedAt;
  assert.equal(turnedAway.status, 503);
  assert.equal(turnedAway.body.type, 'https://peakcart.dev/problems/overloaded');
  assert.equal(turnedAway.headers.get('retry-after'), '1');
  assert.ok(waitedMs < 1_000, `the refusal took ${waitedMs} ms`);

  // Meanwhile carts have their own budget and browsing none: both still answer.
  assert.equal((await api.post('/store/carts', {})).status, 201);
  assert.equal((await api.get('/store/products?limit=1')).status, 200);

  for (const reply of await Promise.all(slow)) assert.equal(reply.status, 201);

  // The refused checkout changed nothing, so its retry with the same key goes through.
  const retried = await api.post(`/store/carts/${carts[2]}/checkout`, checkoutBody('third@example.com'), { idempotencyKey: 'third' });
  assert.equal(retried.status, 201);
  const stock = await api.get(`/admin/stock/${sku}`, { admin: true });
  assert.equal(stock.body.sold, 3);
});

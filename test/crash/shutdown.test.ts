// Graceful shutdown: on SIGTERM the instance reports not-ready, finishes the requests it has
// (here a checkout with the 2-second test card), then flushes, closes and exits 0.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { checkoutBody, client, createProduct } from '../support/client.ts';
import { startChildServer, tempDir } from '../support/server.ts';

const dir = tempDir('shutdown');
after(() => dir.remove());

it('drains an in-flight checkout on SIGTERM and keeps its order', { timeout: 60_000 }, async () => {
  const env = { PEAKCART_DB: join(dir.path, 'peakcart.db') };
  const server = await startChildServer(env);
  const api = client(server.url);
  const { sku } = await createProduct(api, { onHand: 3 });
  const cart = await api.post('/store/carts', {});
  assert.equal((await api.post(`/store/carts/${cart.body.id}/lines`, { sku, quantity: 1 })).status, 201);

  const slowCheckout = api.post(`/store/carts/${cart.body.id}/checkout`, checkoutBody('slow@example.com', 'tok_slow'), { idempotencyKey: 'slow-1' });
  // The slow card takes 2 s: SIGTERM at 1 s lands while the checkout is inside the server
  // even when a loaded machine delays the request's arrival by most of a second.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const exited = server.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 100));
  const readiness = await api.get('/readyz').catch(() => undefined);
  // Either the listener is already closed or it says it is not ready: never "ready".
  if (readiness !== undefined) assert.equal(readiness.status, 503);

  const placed = await slowCheckout;
  assert.equal(placed.status, 201, JSON.stringify(placed.body));
  const exitCode = await exited;
  assert.equal(exitCode, 0, server.output());

  const restarted = await startChildServer(env);
  try {
    const order = await client(restarted.url).get(`/admin/orders/${placed.body.id}`, { admin: true });
    assert.equal(order.status, 200);
    assert.equal(order.body.status, 'paid');
  } finally {
    await restarted.kill('SIGTERM');
  }
});

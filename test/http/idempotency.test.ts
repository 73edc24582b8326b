// Promise 4 over real HTTP: a replayed request returns the first result and never adds, orders
// or charges twice; a reused key with another body is refused; retries after a decline work.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { checkoutBody, client, createProduct, type Client } from '../support/client.ts';
import { allOrders, assertProblem, stockLevel } from '../support/http-helpers.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe('idempotency', () => {
  let server: TestServer;
  let api: Client;
  let sku: string;
  let emailCounter = 0;

  before(async () => {
    server = await startTestServer();
    api = client(server.url);
    ({ sku } = await createProduct(api, { onHand: 100 }));
  });

  after(async () => {
    await server.stop();
  });

  const uniqueEmail = () => `idem-${++emailCounter}-${Date.now()}@example.com`;

  async function cartWith(quantity: number): Promise<string> {
    const cartId: string = (await api.post('/store/carts', {})).body.id;
    if (quantity > 0) assert.equal((await api.post(`/store/carts/${cartId}/lines`, { sku, quantity })).status, 201);
    return cartId;
  }

  const ordersOf = async (email: string) => (await allOrders(api)).filter((order) => order.email === email);

  it('a replayed add-to-cart returns the identical answer, marked replayed, and adds the units once', async () => {
    const cartId = await cartWith(0);
    const first = await api.post(`/store/carts/${cartId}/lines`, { sku, quantity: 3 }, { idempotencyKey: 'add-3' });
    assert.equal(first.status, 201);
    assert.equal(first.headers.get('idempotent-replayed'), null);
    const replay = await api.post(`/store/carts/${cartId}/lines`, { sku, quantity: 3 }, { idempotencyKey: 'add-3' });
    assert.equal(replay.status, 201);
    assert.equal(replay.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(replay.body, first.body);
    assert.equal(replay.headers.get('cache-control'), 'no-store');
    assert.ok(replay.headers.get('x-request-id'));

    const cart = await api.get(`/store/carts/${cartId}`);
    assert.equal(cart.body.lines.length, 1);
    assert.equal(cart.body.lines[0].quantity, 3, 'the replay added the units again');

    // Without a key the same body is a new request: that is what the key is for.
    const again = await api.post(`/store/carts/${cartId}/lines`, { sku, quantity: 3 });
    assert.equal(again.body.lines[0].quantity, 6);
  });

  it('concurrent duplicates of one add-to-cart add the units once', async () => {
    const cartId = await cartWith(0);
    const replies = await Promise.all(
      Array.from({ length: 8 }, () => api.post(`/store/carts/${cartId}/lines`, { sku, quantity: 2 }, { idempotencyKey: 'add-2-at-once' })),
    );
    for (const reply of replies) {
      assert.equal(reply.status, 201, JSON.stringify(reply.body));
      assert.deepEqual(reply.body, replies[0]?.body);
    }
    assert.equal(replies.filter((reply) => reply.headers.get('idempotent-replayed') !== 'true').length, 1);
    assert.equal((await api.get(`/store/carts/${cartId}`)).body.lines[0].quantity, 2);
  });

  it('the same key with a different body is 422 idempotency-key-reused and changes nothing', async () => {
    const cartId = await cartWith(0);
    assert.equal((await api.post(`/store/carts/${cartId}/lines`, { sku, quantity: 1 }, { idempotencyKey: 'reused' })).status, 201);
    const before = await api.get(`/store/carts/${cartId}`);
    const reused = await api.post(`/store/carts/${cartId}/lines`, { sku, quantity: 5 }, { idempotencyKey: 'reused' });
    assertProblem(reused, 422, 'idempotency-key-reused');
    assert.deepEqual((await api.get(`/store/carts/${cartId}`)).body, before.body);
    // The first answer is still what the key replays.
    const replay = await api.post(`/store/carts/${cartId}/lines`, { sku, quantity: 1 }, { idempotencyKey: 'reused' });
    assert.equal(replay.headers.get('idempotent-replayed'), 'true');
    assert.equal(replay.body.lines[0].quantity, 1);
  });

  it('10 concurrent identical checkouts with one key make one order, and all get it', async () => {
    const cartId = await cartWith(2);
    const email = uniqueEmail();
    const before = await stockLevel(api, sku);
    const replies = await Promise.all(
      Array.from({ length: 10 }, () => api.post(`/store/carts/${cartId}/checkout`, checkoutBody(email), { idempotencyKey: 'checkout-once' })),
    );
    for (const reply of replies) assert.equal(reply.status, 201, JSON.stringify(reply.body));
    const orderIds = new Set(replies.map((reply) => reply.body.id));
    assert.equal(orderIds.size, 1, `several orders: ${[...orderIds].join(', ')}`);
    const [orderId] = orderIds;
    assert.equal(replies.filter((reply) => reply.headers.get('idempotent-replayed') !== 'true').length, 1);
    for (const reply of replies) assert.deepEqual(reply.body, replies[0]?.body);

    const orders = await ordersOf(email);
    assert.equal(orders.length, 1);
    assert.equal(orders[0].id, orderId);
    assert.equal(orders[0].status, 'paid');
    assert.equal((await api.get(`/store/carts/${cartId}`)).body.orderId, orderId);
    const afterLevel = await stockLevel(api, sku);
    assert.equal(afterLevel.sold - before.sold, 2, 'sold more than once');

    // The token every duplicate got reads the order.
    const read = await api.get(`/store/orders/${orderId}`, { headers: { authorization: `Bearer ${replies[9]?.body.token}` } });
    assert.equal(read.status, 200);
    assert.equal(read.body.id, orderId);
  });

  it('a declined checkout leaves no order, and a retry with a new key and a good card succeeds', async () => {
    const cartId = await cartWith(1);
    const email = uniqueEmail();
    const before = await stockLevel(api, sku);

    const declined = await api.post(`/store/carts/${cartId}/checkout`, checkoutBody(email, 'tok_decline'), { idempotencyKey: 'decline-1' });
    assertProblem(declined, 402, 'payment-declined');
    assert.equal((await ordersOf(email)).length, 0);
    assert.equal((await api.get(`/store/carts/${cartId}`)).body.status, 'open');
    assert.deepEqual(await stockLevel(api, sku), before);

    // The same key replays the decline; it does not charge the card again.
    const replayed = await api.post(`/store/carts/${cartId}/checkout`, checkoutBody(email, 'tok_decline'), { idempotencyKey: 'decline-1' });
    assertProblem(replayed, 402, 'payment-declined');
    assert.equal(replayed.headers.get('idempotent-replayed'), 'true');

    const retried = await api.post(`/store/carts/${cartId}/checkout`, checkoutBody(email, 'tok_visa'), { idempotencyKey: 'decline-1-retry' });
    assert.equal(retried.status, 201, JSON.stringify(retried.body));
    assert.equal(retried.body.status, 'paid');
    const orders = await ordersOf(email);
    assert.equal(orders.length, 1);
    assert.equal(orders[0].id, retried.body.id);
    assert.equal((await stockLevel(api, sku)).sold, before.sold + 1);
  });

  it('a declined card keeps the checkout hold, so the retry is not sniped by another shopper', async () => {
    const { sku: lastUnit } = await createProduct(api, { onHand: 1, holdAt: 'checkout', limited: true, holdTtlMs: 60_000 });
    const cartId: string = (await api.post('/store/carts', {})).body.id;
    assert.equal((await api.post(`/store/carts/${cartId}/lines`, { sku: lastUnit, quantity: 1 })).status, 201);
    assertProblem(await api.post(`/store/carts/${cartId}/checkout`, checkoutBody(uniqueEmail(), 'tok_decline'), { idempotencyKey: 'held-decline' }), 402, 'payment-declined');
    assert.deepEqual(await stockLevel(api, lastUnit), { onHand: 1, sold: 0, held: 1, available: 0 });

    const sniper = (await api.post('/store/carts', {})).body.id;
    assertProblem(await api.post(`/store/carts/${sniper}/lines`, { sku: lastUnit, quantity: 1 }), 409, 'sold-out');

    const retried = await api.post(`/store/carts/${cartId}/checkout`, checkoutBody(uniqueEmail()), { idempotencyKey: 'held-decline-retry' });
    assert.equal(retried.status, 201, JSON.stringify(retried.body));
    assert.deepEqual(await stockLevel(api, lastUnit), { onHand: 1, sold: 1, held: 0, available: 0 });
  });

  it('a client that gives up on a slow checkout and retries with the same key gets the one order', async () => {
    const cartId = await cartWith(1);
    const email = uniqueEmail();
    const before = await stockLevel(api, sku);
    const body = JSON.stringify(checkoutBody(email, 'tok_slow'));
    const headers = { 'content-type': 'application/json', 'idempotency-key': 'slow-then-retry' };
    // tok_slow takes 2 s: the client's own timeout fires first and it sends the request again.
    const abandoned = await fetch(`${server.url}/store/carts/${cartId}/checkout`, { method: 'POST', headers, body, signal: AbortSignal.timeout(300) }).then(
      () => 'answered',
      (error: Error) => error.name,
    );
    assert.equal(abandoned, 'TimeoutError');
    const retried = await api.post(`/store/carts/${cartId}/checkout`, checkoutBody(email, 'tok_slow'), { idempotencyKey: 'slow-then-retry' });
    assert.equal(retried.status, 201, JSON.stringify(retried.body));
    assert.equal(retried.body.status, 'paid');
    const orders = await ordersOf(email);
    assert.deepEqual(orders.map((order) => order.id), [retried.body.id]);
    assert.equal((await stockLevel(api, sku)).sold, before.sold + 1);
  });

  it('a second checkout of a completed cart with another key is 409 cart-completed and still one order', async () => {
    const cartId = await cartWith(1);
    const email = uniqueEmail();
    const first = await api.post(`/store/carts/${cartId}/checkout`, checkoutBody(email), { idempotencyKey: 'complete-1' });
    assert.equal(first.status, 201);
    const soldAfterFirst = (await stockLevel(api, sku)).sold;

    const second = await api.post(`/store/carts/${cartId}/checkout`, checkoutBody(email), { idempotencyKey: 'complete-2' });
    assertProblem(second, 409, 'cart-completed');
    assert.equal(second.body.orderId, first.body.id);
    const withoutKey = await api.post(`/store/carts/${cartId}/checkout`, checkoutBody(email));
    assertProblem(withoutKey, 409, 'cart-completed');

    assert.equal((await ordersOf(email)).length, 1);
    assert.equal((await stockLevel(api, sku)).sold, soldAfterFirst);
    // And the completed cart cannot be changed any more.
    assertProblem(await api.post(`/store/carts/${cartId}/lines`, { sku, quantity: 1 }), 409, 'cart-completed');
  });

  it('an invalid Idempotency-Key is 400 idempotency-key-invalid and runs nothing', async () => {
    const cartId = await cartWith(1);
    const email = uniqueEmail();
    for (const key of ['k'.repeat(300), 'has space', 'tab\there']) {
      const add = await api.post(`/store/carts/${cartId}/lines`, { sku, quantity: 1 }, { idempotencyKey: key });
      assertProblem(add, 400, 'idempotency-key-invalid');
      const checkout = await api.post(`/store/carts/${cartId}/checkout`, checkoutBody(email), { idempotencyKey: key });
      assertProblem(checkout, 400, 'idempotency-key-invalid');
    }
    assert.equal((await api.get(`/store/carts/${cartId}`)).body.lines[0].quantity, 1);
    assert.equal((await ordersOf(email)).length, 0);
    // 255 visible characters is the most a key may have, and it works.
    const longest = await api.post(`/store/carts/${cartId}/lines`, { sku, quantity: 1 }, { idempotencyKey: 'k'.repeat(255) });
    assert.equal(longest.status, 201);
  });

  // Keys belong to state-changing requests: a stored GET would replay one caller's answer to another.
  it('an Idempotency-Key on GET /store/orders/{id} does not let a request without the token read the order', async () => {
    const cartId = await cartWith(1);
    const email = uniqueEmail();
    const placed = await api.post(`/store/carts/${cartId}/checkout`, checkoutBody(email), { idempotencyKey: 'placed-for-read' });
    assert.equal(placed.status, 201);
    const owner = await api.get(`/store/orders/${placed.body.id}`, { headers: { authorization: `Bearer ${placed.body.token}` }, idempotencyKey: 'order-read' });
    assert.equal(owner.status, 200);
    const stranger = await api.get(`/store/orders/${placed.body.id}`, { idempotencyKey: 'order-read' });
    assertProblem(stranger, 404, 'not-found');
    assert.ok(!JSON.stringify(stranger.body).includes(email), 'the order leaked to a request without its token');
  });

  it('an Idempotency-Key on GET /store/carts/{id} still reads the current cart', async () => {
    const cartId = await cartWith(1);
    assert.equal((await api.get(`/store/carts/${cartId}`, { idempotencyKey: 'cart-read' })).body.lines[0].quantity, 1);
    await api.post(`/store/carts/${cartId}/lines`, { sku, quantity: 4 });
    const reread = await api.get(`/store/carts/${cartId}`, { idempotencyKey: 'cart-read' });
    assert.equal(reread.headers.get('idempotent-replayed'), null);
    assert.equal(reread.body.lines[0].quantity, 5, 'a stale cart was replayed');
  });

  it('admin writes replay too: a receipt sent twice with one key adds the units once', async () => {
    const before = await stockLevel(api, sku);
    const movement = { type: 'receive', quantity: 7, reason: 'delivery 42' };
    const first = await api.post(`/admin/stock/${sku}/movements`, movement, { admin: true, idempotencyKey: 'delivery-42' });
    const second = await api.post(`/admin/stock/${sku}/movements`, movement, { admin: true, idempotencyKey: 'delivery-42' });
    assert.equal(first.status, 201);
    assert.equal(second.status, 201);
    assert.equal(second.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(second.body, first.body);
    assert.equal((await stockLevel(api, sku)).onHand, before.onHand + 7);
  });
});

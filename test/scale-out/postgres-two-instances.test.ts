// Two `peakcart serve` processes on one PostgreSQL, as the scale-out runs: shoppers spread over
// both race for a few units and nothing is oversold; one cart checked out on both at once
// becomes one order; each outbox event reaches a webhook once although both instances relay;
// an instance stopped with SIGTERM turns not-ready first and finishes its checkout.

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkoutBody, client, createProduct, type Client } from '../support/client.ts';
import { allOrders, assertProblem, buy, stockLevel, waitFor } from '../support/http-helpers.ts';
import { postgresSkipReason, startPostgres, type PostgresServer } from '../support/postgres-server.ts';
import { startChildServer, tempDir, type ChildServer } from '../support/server.ts';

const skip = postgresSkipReason();
const stockUnits = 8;
const shoppers = 48;

describe('two instances on one PostgreSQL', { skip }, () => {
  let postgres: PostgresServer;
  const instances: ChildServer[] = [];
  const apis: Client[] = [];
  const dir = tempDir('two-instances');

  before(async () => {
    postgres = await startPostgres('two-instances');
    // Both start at once, so both run the migrations at once: one applies them, one waits.
    const started = await Promise.allSettled(
      ['a', 'b'].map((name) =>
        startChildServer({
          PEAKCART_DATABASE_URL: postgres.url,
          PEAKCART_DB: join(dir.path, name, 'unused.db'),
          PEAKCART_SWEEP_INTERVAL_MS: '100',
          PEAKCART_RELAY_INTERVAL_MS: '50',
          PEAKCART_SHUTDOWN_GRACE_MS: '2000',
        }),
      ),
    );
    for (const outcome of started) if (outcome.status === 'fulfilled') instances.push(outcome.value);
    const failed = started.find((outcome) => outcome.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    for (const instance of instances) apis.push(client(instance.url));
  });

  after(async () => {
    for (const instance of instances) await instance.kill('SIGTERM');
    await postgres?.destroy();
    dir.remove();
  });

  for (const holdAt of ['order', 'cart'] as const) {
    it(`${shoppers} shoppers on two instances for ${stockUnits} units held at ${holdAt}: exactly ${stockUnits} orders`, async () => {
      const { sku } = await createProduct(apis[0]!, { onHand: stockUnits, holdAt, limited: holdAt === 'cart', holdTtlMs: 60_000 });
      const outcomes = await Promise.all(
        Array.from({ length: shoppers }, (_, index) => buy(apis[index % 2]!, sku, { email: `two-${holdAt}-${index}@example.com` })),
      );
      let ordered = 0;
      for (const outcome of outcomes) {
        const last = outcome.checkout ?? outcome.add;
        if (last.status === 201 && outcome.checkout !== undefined) ordered++;
        else assertProblem(last, 409, 'sold-out');
      }
      assert.equal(ordered, stockUnits);
      for (const api of apis) assert.deepEqual(await stockLevel(api, sku), { onHand: stockUnits, sold: stockUnits, held: 0, available: 0 });
      const orders = (await allOrders(apis[1]!)).filter((order) => order.lines.some((line: { sku: string }) => line.sku === sku));
      assert.equal(orders.length, stockUnits);
      assert.equal(new Set(orders.map((order) => order.number)).size, stockUnits, 'order numbers are unique');
    });
  }

  it('turns one cart checked out on both instances at once into one order', async () => {
    const { sku } = await createProduct(apis[0]!, { onHand: 50, holdAt: 'order' });
    for (let round = 0; round < 5; round++) {
      const cart = await apis[0]!.post('/store/carts', { email: 'twice@example.com' });
      assert.equal(cart.status, 201);
      assert.equal((await apis[1]!.post(`/store/carts/${cart.body.id}/lines`, { sku, quantity: 1 })).status, 201);
      // Different keys: to the shop these are two checkouts of one cart, not a retry.
      const replies = await Promise.all(
        apis.map((api, index) => api.post(`/store/carts/${cart.body.id}/checkout`, checkoutBody('twice@example.com'), { idempotencyKey: `twice-${round}-${index}` })),
      );
      const orderIds = new Set<string>();
      for (const reply of replies) {
        if (reply.status === 201) orderIds.add(reply.body.id);
        else assertProblem(reply, 409);
      }
      assert.equal(orderIds.size, 1, JSON.stringify(replies.map((reply) => [reply.status, reply.body])));
      const ofCart = (await allOrders(apis[0]!)).filter((order) => order.cartId === cart.body.id || orderIds.has(order.id));
      assert.equal(ofCart.length, 1);
    }
    assert.equal((await stockLevel(apis[1]!, sku)).sold, 5);
  });

  it('delivers each event to a webhook once while both instances relay', async () => {
    const deliveries: string[] = [];
    const receiver: Server = createServer((request, response) => {
      deliveries.push(String(request.headers['webhook-id']));
      request.resume();
      request.on('end', () => response.writeHead(204).end());
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const address = receiver.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      const created = await apis[0]!.post('/admin/webhooks', { url: `http://127.0.0.1:${port}/hook`, events: ['order.placed'] }, { admin: true });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const { sku } = await createProduct(apis[1]!, { onHand: 100, holdAt: 'order' });
      const placed = await Promise.all(Array.from({ length: 20 }, (_, index) => buy(apis[index % 2]!, sku, { email: `hook-${index}@example.com` })));
      const orderIds = new Set(placed.map((outcome) => String(outcome.checkout?.body.id)));
      for (const outcome of placed) assert.equal(outcome.checkout?.status, 201);
      const expected = new Set<string>();
      for (let after = 0; ; ) {
        const page = await apis[1]!.get(`/admin/events?after=${after}&limit=500`, { admin: true });
        assert.equal(page.status, 200, JSON.stringify(page.body));
        for (const event of page.body.items) if (event.type === 'order.placed' && orderIds.has(event.data.order.id)) expected.add(event.id);
        if (page.body.items.length < 500) break;
        after = page.body.items.at(-1).sequence;
      }
      assert.equal(expected.size, 20);
      await waitFor('every order.placed delivered', async () => (expected.size > 0 && [...expected].every((id) => deliveries.includes(id)) ? true : undefined), 20_000);
      // A little longer: a second delivery by the other instance would arrive now.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const counts = new Map<string, number>();
      for (const id of deliveries) counts.set(id, (counts.get(id) ?? 0) + 1);
      assert.deepEqual([...counts.entries()].filter(([, count]) => count > 1), [], 'no event delivered twice');
    } finally {
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });

  // Last: it stops instance b.
  it('drains an in-flight checkout on SIGTERM, not-ready first, and the other instance sees the order', async () => {
    const { sku } = await createProduct(apis[0]!, { onHand: 3 });
    const cart = await apis[1]!.post('/store/carts', {});
    assert.equal((await apis[1]!.post(`/store/carts/${cart.body.id}/lines`, { sku, quantity: 1 })).status, 201);
    const slowCheckout = apis[1]!.post(`/store/carts/${cart.body.id}/checkout`, checkoutBody('slow@example.com', 'tok_slow'), { idempotencyKey: 'slow-two' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const exited = instances[1]!.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const readiness = await apis[1]!.get('/readyz').catch(() => undefined);
    // Either the listener is already closed or it says it is not ready: never "ready".
    if (readiness !== undefined) assertProblem(readiness, 503);
    const placed = await slowCheckout;
    assert.equal(placed.status, 201, JSON.stringify(placed.body));
    assert.equal(await exited, 0, instances[1]!.output());
    const order = await apis[0]!.get(`/admin/orders/${placed.body.id}`, { admin: true });
    assert.equal(order.body.status, 'paid');
    assert.equal((await apis[0]!.get('/readyz')).status, 200);
  });
});

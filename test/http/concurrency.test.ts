// Promises 2 and 3 over real HTTP: many shoppers racing for a few units never oversell, the
// losers get a clean 409 sold-out, and holds of abandoned carts expire and return to sale.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { checkoutBody, client, createProduct, type Client } from '../support/client.ts';
import { allOrders, assertProblem, buy, problemCode, stockLevel, waitFor } from '../support/http-helpers.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/** The shortest hold the Admin API accepts (VariantInput.holdTtlMs in src/http/schemas.ts). */
const holdTtlMs = 10_000;
const stockUnits = 5;
const shoppers = 40;

describe('concurrency', () => {
  let server: TestServer;
  let api: Client;

  before(async () => {
    server = await startTestServer({ PEAKCART_SWEEP_INTERVAL_MS: '100' });
    api = client(server.url);
  });

  after(async () => {
    await server.stop();
  });

  async function availableNow(sku: string): Promise<number> {
    const reply = await api.get(`/store/availability?sku=${sku}`);
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    return reply.body.items[0].available;
  }

  async function ordersOfSku(sku: string): Promise<any[]> {
    return (await allOrders(api)).filter((order) => order.lines.some((line: any) => line.sku === sku));
  }

  // Separate SKUs, so these run side by side: the hold-expiry wait overlaps the races.
  describe('many shoppers', { concurrency: true }, () => {
    for (const holdAt of ['order', 'checkout', 'cart'] as const) {
      it(`${shoppers} shoppers for ${stockUnits} units held at ${holdAt}: exactly ${stockUnits} orders, the rest 409 sold-out`, async () => {
        const { sku } = await createProduct(api, {
          onHand: stockUnits,
          holdAt,
          limited: holdAt !== 'order',
          holdTtlMs,
          purchaseLimitPerCustomer: holdAt === 'cart' ? 1 : null,
        });
        const outcomes = await Promise.all(
          Array.from({ length: shoppers }, (_, index) => buy(api, sku, { email: `racer-${holdAt}-${index}@example.com` })),
        );

        let ordered = 0;
        let soldOutAtAdd = 0;
        let soldOutAtCheckout = 0;
        for (const outcome of outcomes) {
          if (outcome.checkout === undefined) {
            assertProblem(outcome.add, 409, 'sold-out');
            soldOutAtAdd++;
          } else if (outcome.checkout.status === 201) {
            assert.equal(outcome.checkout.body.status, 'paid');
            ordered++;
          } else {
            assertProblem(outcome.checkout, 409, 'sold-out');
            assert.equal(outcome.checkout.body.shortages[0].sku, sku);
            soldOutAtCheckout++;
          }
        }
        assert.equal(ordered, stockUnits, `orders: ${ordered}, sold out at add: ${soldOutAtAdd}, at checkout: ${soldOutAtCheckout}`);
        assert.equal(soldOutAtAdd + soldOutAtCheckout, shoppers - stockUnits);
        if (holdAt === 'cart') assert.equal(soldOutAtCheckout, 0, 'a cart that held its unit lost it at checkout');

        assert.deepEqual(await stockLevel(api, sku), { onHand: stockUnits, sold: stockUnits, held: 0, available: 0 });
        const orders = await ordersOfSku(sku);
        assert.equal(orders.length, stockUnits);
        assert.equal(new Set(orders.map((order) => order.email)).size, stockUnits);
        const availability = await api.get(`/store/availability?sku=${sku}`);
        assert.deepEqual(availability.body.items, [{ sku, available: 0, status: 'sold_out' }]);
      });
    }

    it('holds of abandoned carts expire after their TTL and the units go back on sale', async () => {
      const { sku } = await createProduct(api, { onHand: 3, holdAt: 'cart', limited: true, holdTtlMs, purchaseLimitPerCustomer: 1 });
      const startedAtMs = Date.now();
      const abandoned: string[] = [];
      for (let index = 0; index < 3; index++) {
        const cartId: string = (await api.post('/store/carts', {})).body.id;
        const added = await api.post(`/store/carts/${cartId}/lines`, { sku, quantity: 1 });
        assert.equal(added.status, 201, JSON.stringify(added.body));
        assert.ok(added.body.lines[0].heldUntil !== null, 'a held line shows when its hold ends');
        abandoned.push(cartId);
      }
      assert.equal(await availableNow(sku), 0);
      assert.deepEqual(await stockLevel(api, sku), { onHand: 3, sold: 0, held: 3, available: 0 });
      const late = (await api.post('/store/carts', {})).body.id;
      assertProblem(await api.post(`/store/carts/${late}/lines`, { sku, quantity: 1 }), 409, 'sold-out');

      await waitFor('the expired holds to be released', async () => ((await availableNow(sku)) === 3 ? true : undefined), holdTtlMs + 5_000, 200);
      assert.ok(Date.now() - startedAtMs >= holdTtlMs, `holds released after ${Date.now() - startedAtMs} ms, before their TTL`);
      assert.deepEqual(await stockLevel(api, sku), { onHand: 3, sold: 0, held: 0, available: 3 });

      // Others buy the freed units; an abandoned cart coming back then finds them gone.
      for (let index = 0; index < 3; index++) {
        const bought = await buy(api, sku, { email: `after-expiry-${index}@example.com` });
        assert.equal(bought.checkout?.status, 201, JSON.stringify(bought.checkout?.body ?? bought.add.body));
      }
      const comeback = await api.post(`/store/carts/${abandoned[0]}/checkout`, checkoutBody('comeback@example.com'), { idempotencyKey: 'comeback' });
      assertProblem(comeback, 409, 'sold-out');
      assert.deepEqual(await stockLevel(api, sku), { onHand: 3, sold: 3, held: 0, available: 0 });
    });

    it('one per customer: a second order by the same email is 409 over-limit until the first is cancelled', async () => {
      const { sku } = await createProduct(api, { onHand: 5, holdAt: 'cart', limited: true, holdTtlMs, purchaseLimitPerCustomer: 1 });
      const email = 'drop-fan@example.com';

      const first = await buy(api, sku, { email });
      assert.equal(first.checkout?.status, 201, JSON.stringify(first.checkout?.body));
      const firstOrderId: string = first.checkout.body.id;

      // Two units in one cart are over the limit already at add-to-cart.
      const greedyCart = (await api.post('/store/carts', {})).body.id;
      assertProblem(await api.post(`/store/carts/${greedyCart}/lines`, { sku, quantity: 2 }), 409, 'over-limit');

      // A second cart of the same shopper (the email written differently) may hold a unit but not buy it.
      const secondCart = (await api.post('/store/carts', {})).body.id;
      assert.equal((await api.post(`/store/carts/${secondCart}/lines`, { sku, quantity: 1 })).status, 201);
      const second = await api.post(`/store/carts/${secondCart}/checkout`, checkoutBody('Drop-Fan@Example.COM'), { idempotencyKey: 'second-try' });
      assertProblem(second, 409, 'over-limit');
      assert.equal(second.body.sku, sku);
      assert.equal(second.body.max, 1);
      assert.equal((await ordersOfSku(sku)).length, 1);
      assert.equal((await stockLevel(api, sku)).sold, 1);

      // Cancelling the first order returns its unit and frees the shopper's allowance.
      const cancelled = await api.post(`/admin/orders/${firstOrderId}/cancel`, {}, { admin: true });
      assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
      assert.equal(cancelled.body.status, 'refunded');
      assert.equal((await stockLevel(api, sku)).sold, 0);

      const third = await api.post(`/store/carts/${secondCart}/checkout`, checkoutBody(email), { idempotencyKey: 'third-try' });
      assert.equal(third.status, 201, JSON.stringify(third.body));
      assert.deepEqual(await stockLevel(api, sku), { onHand: 5, sold: 1, held: 0, available: 4 });
      const standing = (await ordersOfSku(sku)).filter((order) => order.status === 'paid');
      assert.deepEqual(standing.map((order) => order.id), [third.body.id]);
      assert.equal(problemCode(second), 'over-limit');
    });

    it('one per customer holds when the same email checks out six carts at once', async () => {
      const { sku } = await createProduct(api, { onHand: 10, limited: true, purchaseLimitPerCustomer: 1 });
      const carts = await Promise.all(
        Array.from({ length: 6 }, async () => {
          const cartId: string = (await api.post('/store/carts', {})).body.id;
          assert.equal((await api.post(`/store/carts/${cartId}/lines`, { sku, quantity: 1 })).status, 201);
          return cartId;
        }),
      );
      const replies = await Promise.all(
        carts.map((cartId, index) => api.post(`/store/carts/${cartId}/checkout`, checkoutBody('twin@example.com'), { idempotencyKey: `twin-${index}` })),
      );
      assert.equal(replies.filter((reply) => reply.status === 201).length, 1);
      for (const reply of replies.filter((reply) => reply.status !== 201)) assertProblem(reply, 409, 'over-limit');
      assert.deepEqual(await stockLevel(api, sku), { onHand: 10, sold: 1, held: 0, available: 9 });
    });
  });

  // One cart changed by many requests at once (a double-clicking shopper); these run alone.
  describe('one cart', () => {
    it('changing or removing a held line changes its hold at once', async () => {
      const { sku } = await createProduct(api, { onHand: 5, holdAt: 'cart', limited: true, holdTtlMs });
      const cartId: string = (await api.post('/store/carts', {})).body.id;
      const lineId: string = (await api.post(`/store/carts/${cartId}/lines`, { sku, quantity: 3 })).body.lines[0].id;
      assert.deepEqual(await stockLevel(api, sku), { onHand: 5, sold: 0, held: 3, available: 2 });
      assert.equal((await api.patch(`/store/carts/${cartId}/lines/${lineId}`, { quantity: 1 })).status, 200);
      assert.deepEqual(await stockLevel(api, sku), { onHand: 5, sold: 0, held: 1, available: 4 });
      assertProblem(await api.patch(`/store/carts/${cartId}/lines/${lineId}`, { quantity: 6 }), 409, 'sold-out');
      assert.deepEqual(await stockLevel(api, sku), { onHand: 5, sold: 0, held: 1, available: 4 }, 'a refused change moved the hold');
      const emptied = await api.patch(`/store/carts/${cartId}/lines/${lineId}`, { quantity: 0 });
      assert.deepEqual(emptied.body.lines, []);
      assert.deepEqual(await stockLevel(api, sku), { onHand: 5, sold: 0, held: 0, available: 5 });
      const again: string = (await api.post(`/store/carts/${cartId}/lines`, { sku, quantity: 2 })).body.lines[0].id;
      assert.equal((await api.delete(`/store/carts/${cartId}/lines/${again}`)).status, 200);
      assert.deepEqual(await stockLevel(api, sku), { onHand: 5, sold: 0, held: 0, available: 5 });
    });

    it('concurrent adds to one cart are each applied once or refused with a clean 409 conflict', async () => {
      const { sku } = await createProduct(api, { onHand: 100, holdAt: 'cart', limited: true, holdTtlMs });
      const cartId: string = (await api.post('/store/carts', {})).body.id;
      const replies = await Promise.all(Array.from({ length: 20 }, () => api.post(`/store/carts/${cartId}/lines`, { sku, quantity: 1 })));
      const applied = replies.filter((reply) => reply.status === 201).length;
      for (const reply of replies.filter((reply) => reply.status !== 201)) assertProblem(reply, 409, 'conflict');
      assert.ok(applied >= 1);
      assert.equal((await api.get(`/store/carts/${cartId}`)).body.lines[0].quantity, applied);
    });

    // A hold written by a change that then loses the race to save the cart must not stay behind.
    it('after concurrent changes to one cart, the units held are the units its line shows', async () => {
      const { sku } = await createProduct(api, { onHand: 100, holdAt: 'cart', limited: true, holdTtlMs });
      const cartId: string = (await api.post('/store/carts', {})).body.id;
      const lineId: string = (await api.post(`/store/carts/${cartId}/lines`, { sku, quantity: 1 })).body.lines[0].id;
      // A race may go either way in one round; three rounds make a lost one all but certain to show.
      for (let round = 0; round < 3; round++) {
        await Promise.all(Array.from({ length: 20 }, (_, index) => api.patch(`/store/carts/${cartId}/lines/${lineId}`, { quantity: index + 1 })));
        const lineQuantity: number = (await api.get(`/store/carts/${cartId}`)).body.lines[0].quantity;
        const level = await stockLevel(api, sku);
        assert.equal(level.held, lineQuantity, `round ${round}: the line shows ${lineQuantity} but ${level.held} units are held`);
      }
    });
  });
});

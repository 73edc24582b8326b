// kill -9 during a flash sale: the server runs as a child process, shoppers check out
// concurrently, the process is killed mid-run and restarted on the same file — three times.
// Every order that was answered 2xx must be there and readable, nothing is oversold, retries
// with the same Idempotency-Key never make a second order, and every hold of an unfinished
// cart expires.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { checkoutBody, client, createProduct } from '../support/client.ts';
import { allOrders } from '../support/http-helpers.ts';
import { startChildServer, tempDir, type ChildServer } from '../support/server.ts';

const stockUnits = 40;
const shoppersPerRound = 50;
const rounds = 3;
const holdTtlMs = 2_000;

const dir = tempDir('crash');
const env = {
  PEAKCART_DB: join(dir.path, 'peakcart.db'),
  PEAKCART_CHECKOUT_HOLD_MIN_MS: String(holdTtlMs),
  PEAKCART_SWEEP_INTERVAL_MS: '100',
  PEAKCART_CAPTURE_RECOVERY_AFTER_MS: '1000',
};
let server: ChildServer | undefined;

before(() => undefined);
after(async () => {
  await server?.kill('SIGKILL');
  dir.remove();
});

interface Attempt {
  shopper: string;
  cartId?: string;
  key: string;
  acknowledged?: { orderId: string; token: string };
  refused?: number;
  cutOff?: boolean;
}

async function shop(baseUrl: string, attempt: Attempt, sku: string): Promise<void> {
  const api = client(baseUrl);
  try {
    if (attempt.cartId === undefined) {
      const cart = await api.post('/store/carts', {});
      if (cart.status !== 201) return void (attempt.refused = cart.status);
      attempt.cartId = cart.body.id;
      const line = await api.post(`/store/carts/${cart.body.id}/lines`, { sku, quantity: 1 });
      if (line.status !== 201) return void (attempt.refused = line.status);
    }
    const placed = await api.post(`/store/carts/${attempt.cartId}/checkout`, checkoutBody(`${attempt.shopper}@example.com`), {
      idempotencyKey: attempt.key,
    });
    if (placed.status === 201) attempt.acknowledged = { orderId: placed.body.id, token: placed.body.token };
    else attempt.refused = placed.status;
    attempt.cutOff = false;
  } catch {
    // The connection died with the server: the shopper does not know what happened.
    attempt.cutOff = true;
  }
}

it('keeps every acknowledged order and oversells nothing across kill -9 and restart', { timeout: 120_000 }, async () => {
  server = await startChildServer(env, ['--seed-if-empty']);
  const { sku } = await createProduct(client(server.url), { onHand: stockUnits, limited: true, holdAt: 'cart', holdTtlMs, purchaseLimitPerCustomer: 1 });
  const attempts: Attempt[] = [];

  for (let round = 0; round < rounds; round++) {
    const roundAttempts = Array.from({ length: shoppersPerRound }, (_, i): Attempt => ({ shopper: `r${round}s${i}`, key: `crash-${round}-${i}` }));
    attempts.push(...roundAttempts);
    // Some shoppers only fill a cart and walk away: their holds must come back.
    const abandoned = Array.from({ length: 5 }, () => client(server!.url).post('/store/carts', {}).then(async (cart) => {
      if (cart.status === 201) await client(server!.url).post(`/store/carts/${cart.body.id}/lines`, { sku, quantity: 1 });
    }).catch(() => undefined));
    const running = roundAttempts.map((attempt) => shop(server!.url, attempt, sku));
    // Kill once the sale is under way (a few orders acknowledged, the rest in flight), not on a
    // timer: on a loaded machine a fixed delay sometimes fired before any order was answered.
    const killAfterAcknowledged = 2 + round * 3;
    const killBy = Date.now() + 20_000;
    while (roundAttempts.filter((attempt) => attempt.acknowledged !== undefined).length < killAfterAcknowledged && Date.now() < killBy) {
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await server.kill('SIGKILL');
    await Promise.all([...running, ...abandoned]);
    server = await startChildServer(env);

    // Shoppers cut off mid-checkout retry with the same key, as a careful client would.
    await Promise.all(roundAttempts.filter((attempt) => attempt.cutOff === true && attempt.cartId !== undefined).map((attempt) => shop(server!.url, attempt, sku)));
  }

  const api = client(server.url);
  const acknowledged = attempts.filter((attempt) => attempt.acknowledged !== undefined);
  assert.ok(acknowledged.length > 0, 'some orders were acknowledged');

  // Every acknowledged order is stored and the shopper can read it with the token they got.
  for (const attempt of acknowledged) {
    const { orderId, token } = attempt.acknowledged!;
    const asAdmin = await api.get(`/admin/orders/${orderId}`, { admin: true });
    assert.equal(asAdmin.status, 200, `acknowledged order ${orderId} is missing`);
    const asShopper = await api.get(`/store/orders/${orderId}`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(asShopper.status, 200);
  }

  // Nothing oversold; sold equals the units of live orders; no cart made two orders.
  const orders = await allOrders(api);
  const live = orders.filter((order) => order.status !== 'cancelled' && order.status !== 'refunded');
  const unitsSold = live.flatMap((order) => order.lines).filter((line) => line.sku === sku).reduce((sum, line) => sum + line.quantity, 0);
  assert.ok(unitsSold <= stockUnits, `oversold: ${unitsSold} > ${stockUnits}`);
  const ids = new Set(orders.map((order) => order.id));
  assert.equal(ids.size, orders.length);
  const acknowledgedIds = acknowledged.map((attempt) => attempt.acknowledged!.orderId);
  assert.equal(new Set(acknowledgedIds).size, acknowledgedIds.length, 'two shoppers were given the same order');

  // After the hold TTL every hold of an unfinished cart is gone, and orders that were written
  // but not captured before a crash have been captured by recovery.
  await new Promise((resolve) => setTimeout(resolve, holdTtlMs + 1_500));
  const stock = await api.get(`/admin/stock/${sku}`, { admin: true });
  assert.equal(stock.status, 200);
  assert.equal(stock.body.held, 0, `holds left: ${JSON.stringify(stock.body)}`);
  assert.equal(stock.body.sold, unitsSold);
  assert.ok(stock.body.sold <= stock.body.onHand);
  const after = await allOrders(api);
  assert.deepEqual(after.filter((order) => order.status === 'placed').map((order) => order.id), [], 'orders left uncaptured');

  await server.kill('SIGTERM');
  server = undefined;
  console.log(`crash test: ${attempts.length} shoppers, ${acknowledged.length} acknowledged, ${orders.length} stored, ${unitsSold}/${stockUnits} units sold, ${attempts.filter((a) => a.cutOff).length} cut off`);
});

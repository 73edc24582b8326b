// What happens after a process died between writing an order and answering it, on the real
// core and a real SQLite file, with a clock the test moves:
// - an order left 'placed' (written, not captured) is captured by the sweep;
// - the shopper's retry with the same Idempotency-Key gets that order, with a token that works,
//   and a retry with another key is told the cart is already an order.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { openSqliteStore } from '../../src/adapters/sqlite/store.ts';
import { createTestPaymentProvider } from '../../src/adapters/payments/test-provider.ts';
import { defaultShopConfig } from '../../src/core/config.ts';
import { DomainError } from '../../src/core/errors.ts';
import { createShop } from '../../src/core/shop.ts';
import { webCryptoIds } from '../../src/platform/web-crypto.ts';
import { stockedProduct } from '../support/core-fixtures.ts';
import { tempDir } from '../support/server.ts';

const dir = tempDir('recovery');
after(() => dir.remove());

const address = { name: 'A', line1: 'B', line2: null, city: 'C', postalCode: '1', region: null, country: 'US', phone: null };

async function shopWithPlacedOrder(file: string) {
  let nowMs = 1_800_000_000_000;
  const clock = { nowMs: () => nowMs };
  const store = await openSqliteStore({ path: join(dir.path, file) });
  const payments = createTestPaymentProvider({ sleep: async () => {} });
  const shop = createShop({ store, clock, ids: webCryptoIds, payments, config: defaultShopConfig });
  const sku = 'REC-1';
  await stockedProduct(store, shop, { name: 'rec', sku, nowMs, onHand: 5, variant: { limited: false, holdAt: 'order' } });
  const cart = await shop.carts.create({ currency: 'USD' });
  await shop.carts.addLine(cart.id, sku, 1);

  // What checkout does up to the crash: authorise and write the order, then the process dies.
  const authorization = await payments.authorize({ amountMinor: 1599, currency: 'USD', token: 'tok_visa', reference: cart.id });
  assert.ok(authorization.ok);
  const committed = await store.orders.commitOrder({
    draft: {
      id: 'ord_crashed',
      cartId: cart.id,
      tokenHash: await webCryptoIds.hashSecret('token-nobody-received'),
      email: 'a@example.com',
      status: 'placed',
      currency: 'USD',
      lines: [{ sku, productId: 'prod_rec', title: 'Rec', quantity: 1, unitPriceMinor: 1000, lineTotalMinor: 1000 }],
      totals: { currency: 'USD', subtotalMinor: 1000, shippingMinor: 599, taxMinor: 0, totalMinor: 1599, taxIncluded: false },
      shippingAddress: address,
      shippingOption: 'standard',
      payment: { provider: 'test', authorizationId: authorization.authorizationId, captured: false, refunded: false },
      checkoutKey: 'key-1',
      createdAtMs: nowMs,
      updatedAtMs: nowMs,
    },
    sales: [{ sku, quantity: 1, allowBackorder: false, purchaseLimitPerCustomer: null }],
    events: [{ id: 'evt_placed', type: 'order.placed', occurredAtMs: nowMs }],
    nowMs,
  });
  assert.ok(committed.ok);
  return { shop, store, cartId: cart.id, advance: (ms: number) => (nowMs += ms) };
}

it('captures an order a dead process wrote but did not capture, once it is old enough', async () => {
  const { shop, store, advance } = await shopWithPlacedOrder('sweep.db');
  try {
    assert.equal((await shop.sweep()).recoveredOrders, 0, 'too young: its own process may still be capturing it');
    advance(defaultShopConfig.captureRecoveryAfterMs + 1);
    assert.equal((await shop.sweep()).recoveredOrders, 1);
    const order = await shop.orders.get('ord_crashed');
    assert.equal(order.status, 'paid');
    assert.equal(order.payment.captured, true);
    const events = await store.events.listEvents(0, 10);
    assert.deepEqual(events.map((event) => event.type), ['order.placed', 'order.paid']);
  } finally {
    await store.close();
  }
});

it('answers a retried checkout with the order the first attempt wrote, and a working token', async () => {
  const { shop, store, cartId } = await shopWithPlacedOrder('replay.db');
  try {
    const request = { cartId, email: 'a@example.com', shippingAddress: address, shippingOption: 'standard', paymentToken: 'tok_visa' };
    const replayed = await shop.checkout({ ...request, idempotencyKey: 'key-1' });
    assert.equal(replayed.order.id, 'ord_crashed');
    assert.equal(replayed.order.status, 'paid');
    assert.equal((await shop.orders.getWithToken('ord_crashed', replayed.token)).id, 'ord_crashed');
    await assert.rejects(shop.orders.getWithToken('ord_crashed', 'token-nobody-received'));

    await assert.rejects(
      shop.checkout({ ...request, idempotencyKey: 'key-2' }),
      (error: unknown) => error instanceof DomainError && error.code === 'cart-completed',
    );
    assert.equal((await store.orders.listOrders({ limit: 10 })).items.length, 1);
    assert.equal((await store.stock.getLevels(['REC-1'], Date.now())).get('REC-1')?.sold, 1);
  } finally {
    await store.close();
  }
});

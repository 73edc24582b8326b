// The checkout's paid mark written after its answer (CoreDeps.afterAnswer), on the real core and
// a real SQLite file whose paid writes a test holds back: the checkout answers a paid order once
// the order is durable and its money taken; while the mark is on its way the file says placed but
// no read of this process does; a mark that fails is reported and the sweep marks the order paid
// later; a replay of the checkout starts from the mark; and without afterAnswer the checkout waits
// for the mark as before.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { openSqliteStore } from '../../src/adapters/sqlite/store.ts';
import { createTestPaymentProvider } from '../../src/adapters/payments/test-provider.ts';
import type { CheckoutRequest } from '../../src/core/checkout.ts';
import { defaultShopConfig } from '../../src/core/config.ts';
import type { CoreDeps } from '../../src/core/deps.ts';
import type { Store, TransitionInput } from '../../src/core/ports.ts';
import { createShop } from '../../src/core/shop.ts';
import { webCryptoIds } from '../../src/platform/web-crypto.ts';
import { stockedProduct } from '../support/core-fixtures.ts';
import { tempDir } from '../support/server.ts';

const dir = tempDir('paid-after-answer');
after(() => dir.remove());

const address = { name: 'A', line1: 'B', line2: null, city: 'C', postalCode: '1', region: null, country: 'US', phone: null };

/** A store whose order transitions wait until the test lets them through (or fails them). */
function heldTransitions(store: Store) {
  const held: Array<{ input: TransitionInput; release(): void; fail(error: Error): void }> = [];
  let arrived: (() => void) | undefined;
  const orders: Store['orders'] = {
    ...store.orders,
    transitionOrder(input) {
      return new Promise<boolean>((resolve, reject) => {
        held.push({ input, release: () => resolve(store.orders.transitionOrder(input)), fail: reject });
        arrived?.();
      });
    },
  };
  return {
    store: { ...store, orders } as Store,
    held,
    /** Resolves once `count` transitions are waiting. */
    async waiting(count: number): Promise<void> {
      while (held.length < count) await new Promise<void>((resolve) => (arrived = resolve));
    },
  };
}

async function shopWithCart(file: string, withAfterAnswer: boolean) {
  let nowMs = 1_800_000_000_000;
  const sqlite = await openSqliteStore({ path: join(dir.path, file) });
  const { store, held, waiting } = heldTransitions(sqlite);
  const handed: Array<{ what: string; outcome: Promise<'written' | Error> }> = [];
  const afterAnswer: CoreDeps['afterAnswer'] = (write, what) => {
    handed.push({ what, outcome: write.then(() => 'written' as const, (error: unknown) => (error instanceof Error ? error : new Error(String(error)))) });
  };
  const shop = createShop({
    store,
    clock: { nowMs: () => nowMs },
    ids: webCryptoIds,
    payments: createTestPaymentProvider({ sleep: async () => {} }),
    config: defaultShopConfig,
    ...(withAfterAnswer ? { afterAnswer } : {}),
  });
  const sku = 'PAID-1';
  await stockedProduct(store, shop, { name: 'paid', sku, nowMs, onHand: 5, variant: { limited: true, holdAt: 'cart' } });
  const cart = await shop.carts.create({ currency: 'USD' });
  await shop.carts.addLine(cart.id, sku, 1);
  const request: CheckoutRequest = {
    cartId: cart.id,
    email: 'a@example.com',
    shippingAddress: address,
    shippingOption: 'standard',
    paymentToken: 'tok_visa',
    idempotencyKey: 'checkout-1',
  };
  return { sqlite, shop, held, waiting, handed, request, advance: (ms: number) => (nowMs += ms) };
}

/** Whether the promise settled within a few turns of the event loop. */
async function settledSoon(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
  return settled;
}

it('answers a paid order once it is written and its money taken, and no read of the process shows it placed meanwhile, not even the event feed', async () => {
  const { sqlite, shop, held, waiting, handed, request } = await shopWithCart('answer.sqlite', true);
  const checkout = shop.checkout(request);
  await waiting(1);
  assert.equal(await settledSoon(checkout), true, 'answered while the mark is held back');
  const placed = await checkout;
  assert.equal(placed.order.status, 'paid');
  assert.equal(placed.order.payment.captured, true);
  assert.equal(handed.length, 1, 'the paid mark went to afterAnswer');
  assert.match(handed[0]?.what ?? '', new RegExp(placed.order.id));
  assert.equal((await sqlite.orders.getOrder(placed.order.id))?.status, 'placed', 'the file has the order, not yet the mark');

  const read = shop.orders.get(placed.order.id);
  const listed = shop.orders.list({ limit: 10 });
  const feed = shop.webhooks.events(0, 100);
  assert.equal(await settledSoon(read), false, 'the read waits for the mark');
  assert.equal(await settledSoon(listed), false, 'so does the list');
  assert.equal(await settledSoon(feed), false, 'and the event feed');
  held[0]?.release();
  assert.equal(await handed[0]?.outcome, 'written');
  assert.equal((await read).status, 'paid');
  assert.deepEqual(
    (await listed).items.map((order) => order.status),
    ['paid'],
  );
  assert.deepEqual(
    (await feed).items.map((event) => event.type),
    ['order.placed', 'order.paid'],
  );
  assert.equal((await sqlite.orders.getOrder(placed.order.id))?.status, 'paid');
  await sqlite.close();
});

it('reports a paid mark that fails, and the sweep marks the order paid once it is old enough', async () => {
  const { sqlite, shop, held, waiting, handed, request, advance } = await shopWithCart('fails.sqlite', true);
  const placed = await shop.checkout(request);
  await waiting(1);
  held[0]?.fail(new Error('disk full'));
  const outcome = await handed[0]?.outcome;
  assert.ok(outcome instanceof Error && outcome.message === 'disk full', String(outcome));
  assert.equal((await shop.orders.get(placed.order.id)).status, 'placed', 'placed, with its money taken');

  advance(defaultShopConfig.captureRecoveryAfterMs + 1);
  const sweep = shop.sweep();
  await waiting(2);
  held[1]?.release();
  assert.equal((await sweep).recoveredOrders, 1);
  assert.equal((await shop.orders.get(placed.order.id)).status, 'paid');
  await sqlite.close();
});

it('starts a replay of the checkout from the first attempt’s paid mark', async () => {
  const { sqlite, shop, held, waiting, request } = await shopWithCart('replay.sqlite', true);
  const first = await shop.checkout(request);
  await waiting(1);
  const replay = shop.checkout(request);
  assert.equal(await settledSoon(replay), false, 'the replay waits for the mark');
  held[0]?.release();
  // The replay reissues the order's token, itself a transition.
  await waiting(2);
  held[1]?.release();
  const replayed = await replay;
  assert.equal(replayed.order.id, first.order.id);
  assert.equal(replayed.order.status, 'paid');
  await sqlite.close();
});

it('waits for the paid mark before answering where the runtime takes no writes after an answer', async () => {
  const { sqlite, shop, held, waiting, handed, request } = await shopWithCart('waits.sqlite', false);
  const checkout = shop.checkout(request);
  await waiting(1);
  assert.equal(await settledSoon(checkout), false, 'no answer before the mark');
  held[0]?.release();
  assert.equal((await checkout).order.status, 'paid');
  assert.equal(handed.length, 0);
  await sqlite.close();
});

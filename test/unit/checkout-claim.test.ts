// A checkout that claims its Idempotency-Key in the order's write (the embedded store's fast
// path), on the real core and a real SQLite file: of duplicates sent at once exactly one places
// the order, the others change nothing and void the authorisation they took; a checkout of a
// cart this key checked out already is refused before anything runs; one of another key is told
// the cart is an order; and the key stays the winner's until its answer is kept.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { openSqliteStore } from '../../src/adapters/sqlite/store.ts';
import { createTestPaymentProvider } from '../../src/adapters/payments/test-provider.ts';
import type { CheckoutRequest } from '../../src/core/checkout.ts';
import { defaultShopConfig } from '../../src/core/config.ts';
import { DomainError, isClaimRefused } from '../../src/core/errors.ts';
import type { PaymentProvider } from '../../src/core/ports.ts';
import { createShop } from '../../src/core/shop.ts';
import { webCryptoIds } from '../../src/platform/web-crypto.ts';
import { stockedProduct } from '../support/core-fixtures.ts';
import { tempDir } from '../support/server.ts';

const dir = tempDir('checkout-claim');
after(() => dir.remove());

const address = { name: 'A', line1: 'B', line2: null, city: 'C', postalCode: '1', region: null, country: 'US', phone: null };
const scope = 'POST /store/carts/x/checkout';
const leaseMs = 15_000;

/** The test provider, with every authorisation, capture and void written down. */
function recordingPayments(): PaymentProvider & { authorized: string[]; captured: string[]; voided: string[] } {
  const inner = createTestPaymentProvider({ sleep: async () => {} });
  const authorized: string[] = [];
  const captured: string[] = [];
  const voided: string[] = [];
  return {
    ...inner,
    authorized,
    captured,
    voided,
    async authorize(request) {
      const result = await inner.authorize(request);
      if (result.ok) authorized.push(result.authorizationId);
      return result;
    },
    async capture(authorizationId, amountMinor) {
      captured.push(authorizationId);
      return inner.capture(authorizationId, amountMinor);
    },
    async void(authorizationId) {
      voided.push(authorizationId);
      return inner.void(authorizationId);
    },
  };
}

async function shopWithCart(file: string) {
  const nowMs = 1_800_000_000_000;
  const store = await openSqliteStore({ path: join(dir.path, file) });
  const payments = recordingPayments();
  const shop = createShop({ store, clock: { nowMs: () => nowMs }, ids: webCryptoIds, payments, config: defaultShopConfig });
  const sku = 'CLAIM-1';
  await stockedProduct(store, shop, { name: 'claim', sku, nowMs, onHand: 5, variant: { limited: true, holdAt: 'cart' } });
  const cart = await shop.carts.create({ currency: 'USD' });
  await shop.carts.addLine(cart.id, sku, 1);
  const request = (key: string, onClaimed: () => void = () => {}): CheckoutRequest => ({
    cartId: cart.id,
    email: 'a@example.com',
    shippingAddress: address,
    shippingOption: 'standard',
    paymentToken: 'tok_visa',
    idempotencyKey: key,
    claim: { scope, key, requestHash: `hash of ${key}`, nowMs, leaseMs },
    onClaimed,
  });
  return { store, shop, payments, cart, sku, nowMs, request };
}

it('lets one of several checkouts sent at once with a key place the order; the others change nothing and void what they authorised', async () => {
  // Checkouts of one cart queue behind each other in the core, so a later duplicate finds the
  // cart checked out. Claims are per key, so two carts under one claim race in the store
  // itself, as duplicates sent to two processes would.
  const { store, shop, payments, cart, sku, nowMs, request } = await shopWithCart('duplicates.sqlite');
  const other = await shop.carts.create({ currency: 'USD' });
  await shop.carts.addLine(other.id, sku, 1);
  let claims = 0;
  const onClaimed = () => (claims += 1);
  const results = await Promise.allSettled([shop.checkout(request('dup', onClaimed)), shop.checkout({ ...request('dup', onClaimed), cartId: other.id })]);
  const placed = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  assert.equal(placed.length, 1, 'one order');
  assert.equal(claims, 1, 'one request holds the key');
  const refused = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
  assert.equal(refused.length, 1);
  assert.ok(isClaimRefused(refused[0]), String(refused[0]));
  assert.equal(payments.authorized.length, 2, 'both authorised before their writes');
  assert.equal(payments.captured.length, 1);
  assert.deepEqual(payments.voided, payments.authorized.filter((id) => !payments.captured.includes(id)), 'the loser voided its own authorisation');
  const loser = placed[0]?.order.cartId === cart.id ? other.id : cart.id;
  assert.equal(await store.orders.getOrderByCart(loser), undefined, 'the loser wrote no order');
  assert.equal((await store.stock.listHolds(loser, nowMs)).length, 1, "the loser's cart keeps its hold");
  assert.deepEqual((await store.stock.getLevels([sku], nowMs)).get(sku), { sku, onHand: 5, sold: 1, held: 1, available: 3 });
  // The winner answered without keeping an answer here, so the key is still its claim.
  assert.deepEqual(await store.idempotency.begin(scope, 'dup', 'hash of dup', nowMs, leaseMs), { kind: 'in-progress' });
  await store.close();
});

it('refuses a checked-out cart before anything runs when the key is the one that checked it out, and names the cart an order for another key', async () => {
  const { store, shop, payments, request } = await shopWithCart('checked-out.sqlite');
  await shop.checkout(request('first'));
  const authorizedBefore = payments.authorized.length;
  await assert.rejects(shop.checkout(request('first')), (error: unknown) => isClaimRefused(error));
  await assert.rejects(shop.checkout(request('second')), (error: unknown) => error instanceof DomainError && error.code === 'cart-completed');
  assert.equal(payments.authorized.length, authorizedBefore, 'neither reached the payment');
  await store.close();
});

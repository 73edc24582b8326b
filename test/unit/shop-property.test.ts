// Random interleavings of everything shoppers and merchants do — add, change, remove, checkout,
// declined payments, time passing past hold TTLs, admin adjustments, sweeps — over many carts,
// through the real core on a real SQLite file. After every step: no SKU is oversold, and every
// cart and order adds up.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import fc from 'fast-check';
import { openSqliteStore, type SqliteStore } from '../../src/adapters/sqlite/store.ts';
import { createTestPaymentProvider } from '../../src/adapters/payments/test-provider.ts';
import { defaultShopConfig } from '../../src/core/config.ts';
import { DomainError } from '../../src/core/errors.ts';
import type { HoldAt, Product } from '../../src/core/catalog.ts';
import { createShop, type Shop } from '../../src/core/shop.ts';
import { webCryptoIds } from '../../src/platform/web-crypto.ts';
import { tempDir } from '../support/server.ts';

const skus: Array<{ sku: string; holdAt: HoldAt; onHand: number; price: number }> = [
  { sku: 'HOT-CART', holdAt: 'cart', onHand: 4, price: 1999 },
  { sku: 'HOT-CHECKOUT', holdAt: 'checkout', onHand: 3, price: 550 },
  { sku: 'PLAIN-ORDER', holdAt: 'order', onHand: 5, price: 12_345 },
];
const cartCount = 3;

type Step =
  | { kind: 'add'; cart: number; sku: number; quantity: number }
  | { kind: 'change'; cart: number; line: number; quantity: number }
  | { kind: 'remove'; cart: number; line: number }
  | { kind: 'checkout'; cart: number; token: 'tok_visa' | 'tok_decline' }
  | { kind: 'advance'; ms: number }
  | { kind: 'adjust'; sku: number; quantity: number }
  | { kind: 'cancel'; order: number }
  | { kind: 'sweep' };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('add' as const), cart: fc.nat(cartCount - 1), sku: fc.nat(skus.length - 1), quantity: fc.integer({ min: 1, max: 2 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('checkout' as const), cart: fc.nat(cartCount - 1), token: fc.constant('tok_visa' as const) }) },
  fc.record({ kind: fc.constant('add' as const), cart: fc.nat(cartCount - 1), sku: fc.nat(skus.length - 1), quantity: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('change' as const), cart: fc.nat(cartCount - 1), line: fc.nat(2), quantity: fc.integer({ min: 0, max: 4 }) }),
  fc.record({ kind: fc.constant('remove' as const), cart: fc.nat(cartCount - 1), line: fc.nat(2) }),
  fc.record({ kind: fc.constant('checkout' as const), cart: fc.nat(cartCount - 1), token: fc.constantFrom('tok_visa' as const, 'tok_decline' as const) }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 8_000 }) }),
  fc.record({ kind: fc.constant('adjust' as const), sku: fc.nat(skus.length - 1), quantity: fc.integer({ min: -3, max: 4 }) }),
  fc.record({ kind: fc.constant('cancel' as const), order: fc.nat(5) }),
  fc.constant({ kind: 'sweep' as const }),
);

const dir = tempDir('property');
after(() => dir.remove());

let run = 0;

async function freshShop(): Promise<{ shop: Shop; store: SqliteStore; clock: { nowMs(): number; advance(ms: number): void } }> {
  let nowMs = 1_800_000_000_000;
  const clock = { nowMs: () => nowMs, advance: (ms: number) => (nowMs += ms) };
  const store = await openSqliteStore({ path: join(dir.path, `shop-${run++}.db`) });
  const config = { ...defaultShopConfig, policy: { ...defaultShopConfig.policy, checkoutHoldMinMs: 3_000 } };
  const shop = createShop({ store, clock, ids: webCryptoIds, payments: createTestPaymentProvider({ sleep: async () => {} }), config });
  await store.catalog.upsertCategory({ slug: 'gear', name: 'Gear', description: '', position: 1 });
  for (const [index, spec] of skus.entries()) {
    const product: Product = {
      id: `prod_${index}`,
      slug: `product-${index}`,
      title: `Product ${index}`,
      description: '',
      images: [],
      categorySlug: 'gear',
      attributes: {},
      published: true,
      variants: [
        { sku: spec.sku, title: '', options: {}, prices: { USD: spec.price }, limited: spec.holdAt !== 'order', holdAt: spec.holdAt, holdTtlMs: 5_000, purchaseLimitPerCustomer: null, allowBackorder: false },
      ],
      createdAtMs: clock.nowMs(),
      updatedAtMs: clock.nowMs(),
    };
    await store.catalog.createProduct(product);
    await store.stock.applyMovement({ sku: spec.sku, type: 'receive', quantity: spec.onHand, reason: 'opening', reference: null, allowBelowCommitted: false }, clock.nowMs());
  }
  return { shop, store, clock };
}

const address = { name: 'A', line1: 'B', line2: null, city: 'C', postalCode: '1', region: null, country: 'US', phone: null };

before(async () => {
  // Fail fast with a clear message if the store cannot even open.
  const { store } = await freshShop();
  await store.close();
});

it('keeps sold + held <= on-hand and every total consistent under random interleavings', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 5, maxLength: 40 }), async (steps) => {
      const { shop, store, clock } = await freshShop();
      try {
        const carts: string[] = [];
        for (let i = 0; i < cartCount; i++) carts.push((await shop.carts.create({ currency: 'USD' })).id);
        const orders: string[] = [];
        let attempt = 0;

        for (const s of steps) {
          try {
            switch (s.kind) {
              case 'add':
                await shop.carts.addLine(carts[s.cart]!, skus[s.sku]!.sku, s.quantity);
                break;
              case 'change':
              case 'remove': {
                const view = await shop.carts.get(carts[s.cart]!);
                const line = view.lines[s.line];
                if (line === undefined) break;
                if (s.kind === 'remove') await shop.carts.removeLine(view.id, line.id);
                else await shop.carts.setLineQuantity(view.id, line.id, s.quantity);
                break;
              }
              case 'checkout': {
                const placed = await shop.checkout({
                  cartId: carts[s.cart]!,
                  email: `shopper${s.cart}@example.com`,
                  shippingAddress: address,
                  shippingOption: 'standard',
                  paymentToken: s.token,
                  idempotencyKey: `key-${attempt++}`,
                });
                orders.push(placed.order.id);
                // The cart became an order: the shopper starts a new one.
                carts[s.cart] = (await shop.carts.create({ currency: 'USD' })).id;
                break;
              }
              case 'advance':
                clock.advance(s.ms);
                break;
              case 'adjust':
                await shop.stock.move(skus[s.sku]!.sku, { type: 'adjust', quantity: s.quantity, reason: 'count' });
                break;
              case 'cancel': {
                const id = orders[s.order];
                if (id !== undefined) await shop.orders.cancel(id, 'property test');
                break;
              }
              case 'sweep':
                await shop.sweep();
                break;
            }
          } catch (error) {
            // Refusals (sold out, declined, over a limit, illegal transition) are expected answers.
            if (!(error instanceof DomainError)) throw error;
          }

          const nowMs = clock.nowMs();
          const levels = await store.stock.getLevels(skus.map((spec) => spec.sku), nowMs);
          for (const spec of skus) {
            const level = levels.get(spec.sku);
            assert.ok(level !== undefined);
            assert.ok(level.sold >= 0 && level.held >= 0, `${spec.sku} negative counter ${JSON.stringify(level)}`);
            assert.ok(level.sold + level.held <= level.onHand, `${spec.sku} oversold after ${s.kind}: ${JSON.stringify(level)}`);
            assert.equal(level.available, level.onHand - level.sold - level.held);
          }
          assert.deepEqual(store.checkInvariants(nowMs), { heldMismatches: [], oversold: [] });

          // Units sold equal the units of orders that still count.
          const sold = new Map<string, number>();
          for (const id of orders) {
            const order = await shop.orders.get(id);
            const lineSum = order.lines.reduce((sum, line) => sum + line.lineTotalMinor, 0);
            assert.equal(order.totals.subtotalMinor, lineSum);
            assert.equal(order.totals.totalMinor, order.totals.subtotalMinor + order.totals.shippingMinor + order.totals.taxMinor);
            if (order.status === 'cancelled' || order.status === 'refunded') continue;
            for (const line of order.lines) sold.set(line.sku, (sold.get(line.sku) ?? 0) + line.quantity);
          }
          for (const spec of skus) assert.equal(levels.get(spec.sku)?.sold, sold.get(spec.sku) ?? 0, `${spec.sku} sold`);

          for (const id of carts) {
            try {
              const view = await shop.carts.get(id);
              for (const line of view.lines) assert.equal(line.lineTotalMinor, line.unitPriceMinor * line.quantity);
              assert.equal(view.totals.subtotalMinor, view.lines.reduce((sum, line) => sum + line.lineTotalMinor, 0));
            } catch (error) {
              if (!(error instanceof DomainError && error.code === 'cart-expired')) throw error;
            }
          }
        }
      } finally {
        await store.close();
      }
    }),
    { numRuns: 80 },
  );
});

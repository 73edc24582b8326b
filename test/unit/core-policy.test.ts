// Every cart-policy answer of DESIGN.md §3 and every order transition, on the pure core.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Cart } from '../../src/core/cart.ts';
import { isExpired, normalizeEmail } from '../../src/core/cart.ts';
import type { Variant } from '../../src/core/catalog.ts';
import { DomainError } from '../../src/core/errors.ts';
import { applyBasisPoints, includedTax } from '../../src/core/money.ts';
import { canTransition, orderStatuses, type OrderStatus } from '../../src/core/order.ts';
import { cartHoldExpiry, checkLineCount, checkLineQuantity, checkoutHoldExpiry, defaultCartPolicy } from '../../src/core/policy.ts';
import { defaultPricing } from '../../src/core/config.ts';
import { cartTotals, orderTotals, shippingPrice } from '../../src/core/pricing.ts';
import { movementEffect, stockStatus, violatesInvariant } from '../../src/core/stock.ts';

const variant = (overrides: Partial<Variant> = {}): Variant => ({
  sku: 'SKU-1',
  title: '',
  options: {},
  prices: { USD: 1000 },
  limited: false,
  holdAt: 'order',
  holdTtlMs: 60_000,
  purchaseLimitPerCustomer: null,
  allowBackorder: false,
  ...overrides,
});

const cart = (lines: number, overrides: Partial<Cart> = {}): Cart => ({
  id: 'cart_1',
  currency: 'USD',
  email: null,
  lines: Array.from({ length: lines }, (_, i) => ({ id: `line_${i}`, sku: `S${i}`, quantity: 1, heldUntilMs: null, addedAtMs: 0 })),
  status: 'open',
  orderId: null,
  createdAtMs: 0,
  updatedAtMs: 0,
  expiresAtMs: 1_000,
  version: 1,
  ...overrides,
});

function code(fn: () => void): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    assert.ok(error instanceof DomainError);
    return `${error.code}:${String(error.extras['limit'])}`;
  }
}

describe('cart policy', () => {
  const policy = { ...defaultCartPolicy, cartLinesMax: 3, lineQuantityMax: 10 };

  it('a cart left alone expires at its TTL, and a completed cart never does', () => {
    assert.equal(isExpired(cart(0), 999), false);
    assert.equal(isExpired(cart(0), 1_000), true);
    assert.equal(isExpired(cart(0, { status: 'completed' }), 5_000), false);
  });

  it('limits the number of lines: a new line past the limit is refused, a merge is not', () => {
    assert.equal(code(() => checkLineCount(policy, cart(2), true)), undefined);
    assert.equal(code(() => checkLineCount(policy, cart(3), true)), 'over-limit:cart-lines');
    assert.equal(code(() => checkLineCount(policy, cart(3), false)), undefined);
  });

  it('limits units per line, so a large amount is all or nothing', () => {
    assert.equal(code(() => checkLineQuantity(policy, variant(), 10)), undefined);
    assert.equal(code(() => checkLineQuantity(policy, variant(), 11)), 'over-limit:line-quantity');
  });

  it('limits units per customer on limited SKUs (one per customer in a drop)', () => {
    const drop = variant({ limited: true, purchaseLimitPerCustomer: 1 });
    assert.equal(code(() => checkLineQuantity(policy, drop, 1)), undefined);
    assert.equal(code(() => checkLineQuantity(policy, drop, 2)), 'over-limit:per-customer');
  });

  it('holds at add-to-cart only for holdAt cart, for the SKU hold TTL', () => {
    assert.equal(cartHoldExpiry(policy, variant({ holdAt: 'cart', holdTtlMs: 5_000 }), 100), 5_100);
    assert.equal(cartHoldExpiry(policy, variant({ holdAt: 'checkout' }), 100), null);
    assert.equal(cartHoldExpiry(policy, variant({ holdAt: 'order' }), 100), null);
  });

  it('never holds longer than the cart lives', () => {
    const shortCarts = { ...policy, cartTtlMs: 2_000 };
    assert.equal(cartHoldExpiry(shortCarts, variant({ holdAt: 'cart', holdTtlMs: 5_000 }), 100), 2_100);
  });

  it('holds at checkout for cart and checkout SKUs, long enough to outlive a slow payment', () => {
    const checkoutPolicy = { ...policy, checkoutHoldMinMs: 30_000 };
    assert.equal(checkoutHoldExpiry(checkoutPolicy, variant({ holdAt: 'cart', holdTtlMs: 5_000 }), 0), 30_000);
    assert.equal(checkoutHoldExpiry(checkoutPolicy, variant({ holdAt: 'checkout', holdTtlMs: 60_000 }), 0), 60_000);
    assert.equal(checkoutHoldExpiry(checkoutPolicy, variant({ holdAt: 'order' }), 0), null);
  });

  it('treats emails case- and space-insensitively for per-customer limits', () => {
    assert.equal(normalizeEmail('  Ada@Example.COM '), 'ada@example.com');
  });
});

describe('order transitions', () => {
  const legal: Array<[OrderStatus, OrderStatus]> = [
    ['placed', 'paid'],
    ['placed', 'cancelled'],
    ['paid', 'fulfilled'],
    ['paid', 'cancelled'],
    ['cancelled', 'refunded'],
  ];

  it('allows exactly the transitions of placed → paid → fulfilled | cancelled → refunded', () => {
    for (const from of orderStatuses) {
      for (const to of orderStatuses) {
        const expected = legal.some(([a, b]) => a === from && b === to);
        assert.equal(canTransition(from, to), expected, `${from} → ${to}`);
      }
    }
  });
});

describe('stock ledger', () => {
  it('moves on-hand and sold as each movement type says', () => {
    assert.deepEqual(movementEffect('receive', 5), { onHandDelta: 5, soldDelta: 0 });
    assert.deepEqual(movementEffect('adjust', -2), { onHandDelta: -2, soldDelta: 0 });
    assert.deepEqual(movementEffect('sale', 3), { onHandDelta: 0, soldDelta: 3 });
    assert.deepEqual(movementEffect('return', 3), { onHandDelta: 0, soldDelta: -3 });
    assert.deepEqual(movementEffect('ship', 3), { onHandDelta: -3, soldDelta: -3 });
  });

  it('flags sold + held above on-hand as a violation', () => {
    assert.equal(violatesInvariant({ onHand: 5, sold: 3, held: 2 }), false);
    assert.equal(violatesInvariant({ onHand: 5, sold: 3, held: 3 }), true);
    assert.equal(violatesInvariant({ onHand: 5, sold: -1, held: 0 }), true);
  });

  it('names the availability status', () => {
    assert.equal(stockStatus(0, false, 5), 'sold_out');
    assert.equal(stockStatus(0, true, 5), 'backorder');
    assert.equal(stockStatus(3, false, 5), 'low_stock');
    assert.equal(stockStatus(30, false, 5), 'in_stock');
  });
});

describe('pricing', () => {
  it('rounds tax half away from zero in integers', () => {
    assert.equal(applyBasisPoints(1_005, 1_000), 101);
    assert.equal(applyBasisPoints(1_004, 1_000), 100);
    assert.equal(includedTax(11_900, 1_900), 1_900);
  });

  it('adds tax on top for exclusive currencies and shows it as included for inclusive ones', () => {
    const usd = orderTotals({ ...defaultPricing, taxRateBasisPoints: { US: 800 } }, 'USD', 10_000, 599, 'US');
    assert.deepEqual(usd, { currency: 'USD', subtotalMinor: 10_000, shippingMinor: 599, taxMinor: 848, totalMinor: 11_447, taxIncluded: false });
    const eur = orderTotals(defaultPricing, 'EUR', 11_900, 0, 'DE');
    assert.deepEqual(eur, { currency: 'EUR', subtotalMinor: 11_900, shippingMinor: 0, taxMinor: 1_900, totalMinor: 11_900, taxIncluded: true });
  });

  it('prices shipping per country with a rest-of-world fallback, and refuses unknown options', () => {
    assert.equal(shippingPrice(defaultPricing, 'US', 'express', 'USD'), 1_499);
    assert.equal(shippingPrice(defaultPricing, 'JP', 'standard', 'USD'), 999);
    assert.throws(() => shippingPrice(defaultPricing, 'US', 'teleport', 'USD'), (error: unknown) => error instanceof DomainError && error.code === 'shipping-unavailable');
  });

  it('totals a cart before an address is known without shipping or added tax', () => {
    assert.deepEqual(cartTotals(defaultPricing, 'USD', 2_500), { currency: 'USD', subtotalMinor: 2_500, shippingMinor: 0, taxMinor: 0, totalMinor: 2_500, taxIncluded: false });
  });
});

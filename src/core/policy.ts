// The cart policy: the merchant's answers to "how long does a cart live", "how many lines and
// units", "when are limited items held". Per-SKU answers live on the variant (catalog.ts).

import { DomainError } from './errors.ts';
import type { Cart } from './cart.ts';
import type { Variant } from './catalog.ts';

export interface CartPolicy {
  /** A cart lives this long after its last change (sliding), then expires and frees its holds. */
  cartTtlMs: number;
  cartLinesMax: number;
  lineQuantityMax: number;
  /** Holds taken or renewed at checkout last at least this long, to outlive a slow payment. */
  checkoutHoldMinMs: number;
}

export const defaultCartPolicy: CartPolicy = {
  cartTtlMs: 7 * 24 * 60 * 60 * 1000,
  cartLinesMax: 50,
  lineQuantityMax: 100,
  checkoutHoldMinMs: 5 * 60 * 1000,
};

export function checkLineCount(policy: CartPolicy, cart: Cart, addsLine: boolean): void {
  const lines = cart.lines.length + (addsLine ? 1 : 0);
  if (lines > policy.cartLinesMax) {
    throw new DomainError('over-limit', `A cart holds at most ${policy.cartLinesMax} lines.`, { limit: 'cart-lines', max: policy.cartLinesMax });
  }
}

/** Line limit and per-customer limit, checked for the quantity the line would have. */
export function checkLineQuantity(policy: CartPolicy, variant: Variant, quantity: number): void {
  if (quantity > policy.lineQuantityMax) {
    throw new DomainError('over-limit', `At most ${policy.lineQuantityMax} units of one item per cart.`, {
      limit: 'line-quantity',
      sku: variant.sku,
      max: policy.lineQuantityMax,
    });
  }
  const perCustomer = variant.purchaseLimitPerCustomer;
  if (perCustomer !== null && quantity > perCustomer) {
    throw new DomainError('over-limit', `${variant.sku} is limited to ${perCustomer} per customer.`, {
      limit: 'per-customer',
      sku: variant.sku,
      max: perCustomer,
    });
  }
}

/**
 * When a line's hold should end, or null for SKUs that are not held at cart time. A hold never
 * outlives its cart: the change that takes it pushes the cart's expiry to nowMs + cartTtlMs.
 */
export function cartHoldExpiry(policy: CartPolicy, variant: Variant, nowMs: number): number | null {
  return variant.holdAt === 'cart' ? nowMs + Math.min(variant.holdTtlMs, policy.cartTtlMs) : null;
}

/** At checkout, cart and checkout holds are (re)taken to cover the payment. */
export function checkoutHoldExpiry(policy: CartPolicy, variant: Variant, nowMs: number): number | null {
  if (variant.holdAt === 'order') return null;
  return nowMs + Math.max(variant.holdTtlMs, policy.checkoutHoldMinMs);
}

// A cart is a shopper's list of lines. It is stored without prices: prices, titles and totals
// come from the catalog each time the cart is shown, so a price change is never stale in a cart.

import type { CurrencyCode } from './money.ts';

export interface CartLine {
  id: string;
  sku: string;
  quantity: number;
  /** When the stock hold for this line ends; null when the SKU is not held at cart time. */
  heldUntilMs: number | null;
  addedAtMs: number;
}

export type CartStatus = 'open' | 'completed';

export interface Cart {
  id: string;
  currency: CurrencyCode;
  email: string | null;
  lines: CartLine[];
  status: CartStatus;
  /** The order this cart became; set once, in the order's own transaction. */
  orderId: string | null;
  createdAtMs: number;
  updatedAtMs: number;
  /** Sliding: every change pushes it to now + cartTtlMs. */
  expiresAtMs: number;
  /** Optimistic concurrency: a save succeeds only over the version it read. */
  version: number;
}

export function isExpired(cart: Cart, nowMs: number): boolean {
  return cart.status === 'open' && cart.expiresAtMs <= nowMs;
}

export function findLineBySku(cart: Cart, sku: string): CartLine | undefined {
  return cart.lines.find((line) => line.sku === sku);
}

export function findLineById(cart: Cart, lineId: string): CartLine | undefined {
  return cart.lines.find((line) => line.id === lineId);
}

export function withLine(cart: Cart, line: CartLine): CartLine[] {
  const index = cart.lines.findIndex((existing) => existing.id === line.id);
  if (index === -1) return [...cart.lines, line];
  return cart.lines.map((existing, i) => (i === index ? line : existing));
}

export function withoutLine(cart: Cart, lineId: string): CartLine[] {
  return cart.lines.filter((line) => line.id !== lineId);
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

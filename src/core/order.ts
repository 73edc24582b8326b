// An order is the durable record of a sale: lines snapshotted with their prices at checkout,
// totals, address, and a status that moves only along the legal transitions below.

import type { CurrencyCode } from './money.ts';
import type { Totals } from './pricing.ts';

export type OrderStatus = 'placed' | 'paid' | 'fulfilled' | 'cancelled' | 'refunded';

export const orderStatuses: readonly OrderStatus[] = ['placed', 'paid', 'fulfilled', 'cancelled', 'refunded'];

const legalTransitions: Record<OrderStatus, readonly OrderStatus[]> = {
  placed: ['paid', 'cancelled'],
  paid: ['fulfilled', 'cancelled'],
  fulfilled: [],
  cancelled: ['refunded'],
  refunded: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return legalTransitions[from].includes(to);
}

export interface Address {
  name: string;
  line1: string;
  line2: string | null;
  city: string;
  postalCode: string;
  region: string | null;
  /** ISO 3166-1 alpha-2. */
  country: string;
  phone: string | null;
}

export interface OrderLine {
  sku: string;
  productId: string;
  title: string;
  quantity: number;
  unitPriceMinor: number;
  lineTotalMinor: number;
}

export interface PaymentRecord {
  provider: string;
  authorizationId: string;
  /** Whether the money was taken (capture) and whether it went back (refund). */
  captured: boolean;
  refunded: boolean;
}

export interface Order {
  id: string;
  /** Human-readable, sequential per shop; assigned by the store when the order is written. */
  number: number;
  cartId: string;
  /** Hash of the shopper's bearer token; the token itself is shown once, at checkout. */
  tokenHash: string;
  email: string;
  status: OrderStatus;
  currency: CurrencyCode;
  lines: OrderLine[];
  totals: Totals;
  shippingAddress: Address;
  shippingOption: string;
  payment: PaymentRecord;
  /** The Idempotency-Key of the checkout that made it: a replay finds the order by it. */
  checkoutKey: string;
  createdAtMs: number;
  updatedAtMs: number;
}

export type OrderDraft = Omit<Order, 'number'>;

export interface OrderQuery {
  status?: OrderStatus;
  cursor?: string;
  limit: number;
}

export const orderPageSizeMax = 100;

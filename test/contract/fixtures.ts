// Small builders for the contract suite: products, orders, carts and webhooks with sensible
// defaults, so each test states only what it is about. Time is always passed in, never read.

import type { Cart } from '../../src/core/cart.ts';
import type { Category, Product, Variant } from '../../src/core/catalog.ts';
import type { Order, OrderDraft } from '../../src/core/order.ts';
import type { CommitOrderResult, OrderLineSale, Store, Webhook } from '../../src/core/ports.ts';
import type { HoldRequest, StockLevel } from '../../src/core/stock.ts';

/** The suite's "now": every test counts from here with explicit offsets. */
export const t0Ms = 1_700_000_000_000;

export type ContractStore = Store & { close(): Promise<void> };

export function variant(sku: string, overrides: Partial<Variant> = {}): Variant {
  return {
    sku,
    title: `Variant ${sku}`,
    options: { size: 'M' },
    prices: { EUR: 2_500, USD: 2_700 },
    limited: false,
    holdAt: 'checkout',
    holdTtlMs: 10 * 60 * 1000,
    purchaseLimitPerCustomer: null,
    allowBackorder: false,
    ...overrides,
  };
}

export function product(slug: string, overrides: Partial<Product> = {}): Product {
  return {
    id: `prod_${slug}`,
    slug,
    title: `Product ${slug}`,
    description: `The description of ${slug}.`,
    images: [{ url: `https://img.example/${slug}.jpg`, alt: slug }],
    categorySlug: 'shirts',
    attributes: { material: 'cotton' },
    published: true,
    variants: [variant(`${slug}-m`)],
    createdAtMs: t0Ms,
    updatedAtMs: t0Ms,
    ...overrides,
  };
}

export function category(slug: string, position: number): Category {
  return { slug, name: `Category ${slug}`, description: `All ${slug}.`, position };
}

export function cart(id: string, overrides: Partial<Cart> = {}): Cart {
  return {
    id,
    currency: 'EUR',
    email: 'shopper@example.com',
    lines: [{ id: `line_${id}_1`, sku: 'tee-m', quantity: 1, heldUntilMs: null, addedAtMs: t0Ms }],
    status: 'open',
    orderId: null,
    createdAtMs: t0Ms,
    updatedAtMs: t0Ms,
    expiresAtMs: t0Ms + 7 * 24 * 60 * 60 * 1000,
    version: 1,
    ...overrides,
  };
}

export interface LineSpec {
  sku: string;
  quantity: number;
  allowBackorder?: boolean;
  purchaseLimitPerCustomer?: number | null;
}

export function draft(id: string, cartId: string, lines: LineSpec[], options: { email?: string; nowMs?: number } = {}): OrderDraft {
  const nowMs = options.nowMs ?? t0Ms;
  const orderLines = lines.map((line) => ({
    sku: line.sku,
    productId: `prod_${line.sku}`,
    title: `Item ${line.sku}`,
    quantity: line.quantity,
    unitPriceMinor: 1_000,
    lineTotalMinor: 1_000 * line.quantity,
  }));
  const subtotalMinor = orderLines.reduce((sum, line) => sum + line.lineTotalMinor, 0);
  return {
    id,
    cartId,
    tokenHash: `hash_${id}`,
    email: options.email ?? 'shopper@example.com',
    status: 'placed',
    currency: 'EUR',
    lines: orderLines,
    totals: { currency: 'EUR', subtotalMinor, shippingMinor: 500, taxMinor: 0, totalMinor: subtotalMinor + 500, taxIncluded: true },
    shippingAddress: { name: 'Ada Lovelace', line1: '1 Main St', line2: null, city: 'Berlin', postalCode: '10115', region: null, country: 'DE', phone: null },
    shippingOption: 'standard',
    payment: { provider: 'test', authorizationId: `auth_${id}`, captured: false, refunded: false },
    checkoutKey: `key_${id}`,
    createdAtMs: nowMs,
    updatedAtMs: nowMs,
  };
}

export function sales(lines: LineSpec[]): OrderLineSale[] {
  return lines.map((line) => ({
    sku: line.sku,
    quantity: line.quantity,
    allowBackorder: line.allowBackorder ?? false,
    purchaseLimitPerCustomer: line.purchaseLimitPerCustomer ?? null,
  }));
}

/** Commits an order of these lines for this cart, with one 'order.placed' event. */
export function commit(
  store: Store,
  orderId: string,
  cartId: string,
  lines: LineSpec[],
  options: { email?: string; nowMs?: number } = {},
): Promise<CommitOrderResult> {
  const nowMs = options.nowMs ?? t0Ms;
  return store.orders.commitOrder({
    draft: draft(orderId, cartId, lines, options),
    sales: sales(lines),
    events: [{ id: `evt_${orderId}_placed`, type: 'order.placed', occurredAtMs: nowMs }],
    nowMs,
  });
}

/** The committed order, or a failed assertion naming why it was not committed. */
export function committedOrder(result: CommitOrderResult): Order {
  if (!result.ok) throw new Error(`expected the order to commit, got ${JSON.stringify(result)}`);
  return result.order;
}

export function hold(sku: string, quantity: number, expiresAtMs: number, allowBackorder = false): HoldRequest {
  return { sku, quantity, expiresAtMs, allowBackorder };
}

export async function receive(store: Store, sku: string, quantity: number, nowMs = t0Ms): Promise<void> {
  const result = await store.stock.applyMovement({ sku, type: 'receive', quantity, reason: 'delivery', reference: null, allowBelowCommitted: false }, nowMs);
  if (!result.ok) throw new Error(`receiving ${quantity} of ${sku} was refused`);
}

export async function levelOf(store: Store, sku: string, nowMs = t0Ms): Promise<StockLevel> {
  const level = (await store.stock.getLevels([sku], nowMs)).get(sku);
  if (level === undefined) throw new Error(`getLevels left out ${sku}`);
  return level;
}

/** The level as a plain tuple, for compact assertions. */
export async function counters(store: Store, sku: string, nowMs = t0Ms): Promise<{ onHand: number; sold: number; held: number; available: number }> {
  const { onHand, sold, held, available } = await levelOf(store, sku, nowMs);
  return { onHand, sold, held, available };
}

export function webhook(id: string, overrides: Partial<Webhook> = {}): Webhook {
  return {
    id,
    url: `https://hooks.example/${id}`,
    eventTypes: [],
    secret: `whsec_${id}`,
    createdAtMs: t0Ms,
    deliveredThrough: 0,
    attempts: 0,
    nextAttemptAtMs: t0Ms,
    lastError: null,
    ...overrides,
  };
}

/** Wraps a test body: a fresh store for the test, closed afterwards whatever happens. */
export type UseStore = (test: (store: ContractStore) => Promise<void>) => () => Promise<void>;

export function storeUser(makeStore: () => Promise<ContractStore>): UseStore {
  return (test) => async () => {
    const store = await makeStore();
    try {
      await test(store);
    } finally {
      await store.close();
    }
  };
}

/** Asserts a promise rejects with a DomainError of this code (by shape, so any adapter's copy passes). */
export async function rejectsWithCode(promise: Promise<unknown>, code: string): Promise<void> {
  await promise.then(
    () => {
      throw new Error(`expected a '${code}' error, but it succeeded`);
    },
    (error: unknown) => {
      const actual = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
      if (actual !== code) throw new Error(`expected a '${code}' error, got ${String(error)}`);
    },
  );
}

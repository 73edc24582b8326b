// Cart use cases: create, show, add, change and remove lines. Holds for SKUs with
// holdAt 'cart' are set in step with the line, so a line and its hold move together.

import { findLineById, findLineBySku, isExpired, normalizeEmail, withLine, withoutLine, type Cart, type CartLine } from './cart.ts';
import { isSellable, type SkuInfo } from './catalog.ts';
import { viewCart, type CartView } from './cart-view.ts';
import type { CoreDeps } from './deps.ts';
import { DomainError } from './errors.ts';
import type { KeyedQueue } from './keyed-queue.ts';
import type { KeepAnswer } from './ports.ts';
import { cartHoldExpiry, checkLineCount, checkLineQuantity } from './policy.ts';
import type { HoldRequest, Shortage } from './stock.ts';

/** A cart saved by someone else between our read and write is re-read this many times. */
const saveAttemptsMax = 5;

/** A change to a cart: its new lines, with the holds they need pushed onto `holds`. */
type Change = (cart: Cart, skus: Map<string, SkuInfo>, nowMs: number, holds: HoldRequest[]) => Promise<CartLine[]>;

export interface CartService {
  create(input: { currency?: string; email?: string }, keep?: KeepAnswer<CartView>): Promise<CartView>;
  get(cartId: string): Promise<CartView>;
  addLine(cartId: string, sku: string, quantity: number, keep?: KeepAnswer<CartView>): Promise<CartView>;
  setLineQuantity(cartId: string, lineId: string, quantity: number, keep?: KeepAnswer<CartView>): Promise<CartView>;
  removeLine(cartId: string, lineId: string, keep?: KeepAnswer<CartView>): Promise<CartView>;
}

export function soldOut(shortages: Shortage[]): DomainError {
  const names = shortages.map((shortage) => `${shortage.sku} (${Math.max(0, shortage.available)} available)`).join(', ');
  return new DomainError('sold-out', `Not enough stock for ${names}.`, {
    shortages: shortages.map((shortage) => ({ ...shortage, available: Math.max(0, shortage.available) })),
  });
}

/** A cart that can be shown: it exists and has not expired (a completed cart never expires). */
export function readableCart(cart: Cart | undefined, nowMs: number): Cart {
  if (cart === undefined) throw new DomainError('not-found', 'No cart with this id.', { resource: 'cart' });
  if (isExpired(cart, nowMs)) {
    throw new DomainError('cart-expired', 'This cart expired after a period without changes; its items were released.', {
      expiredAt: new Date(cart.expiresAtMs).toISOString(),
    });
  }
  return cart;
}

/** A cart that may still change: readable, and not yet an order. */
export function openCart(cart: Cart | undefined, nowMs: number): Cart {
  const readable = readableCart(cart, nowMs);
  if (readable.status === 'completed') {
    throw new DomainError('cart-completed', 'This cart has already been checked out.', { orderId: readable.orderId });
  }
  return readable;
}

/**
 * `perCart` serialises the changes of one cart (and its checkout) within this process: the
 * hold is written before the cart, and two interleaved changes could otherwise leave the hold
 * at one request's quantity and the line at the other's.
 */
export function createCartService(deps: CoreDeps, perCart: KeyedQueue): CartService {
  const { store, clock, ids, config } = deps;

  /** The catalog entries of every SKU in the cart plus `extraSku`, in one read. */
  function skusOf(cart: Cart, extraSku?: string): Promise<Map<string, SkuInfo>> {
    const skus = cart.lines.map((line) => line.sku);
    if (extraSku !== undefined) skus.push(extraSku);
    return store.catalog.findSkus(skus);
  }

  /**
   * Re-reads and re-applies `change` until the save lands on the version it read. `change`
   * gets the catalog entries of the cart's SKUs (and of `newSku`), read once per attempt and
   * used again to show the result.
   */
  function mutate(
    cartId: string,
    newSku: string | undefined,
    keep: KeepAnswer<CartView> | undefined,
    change: Change,
  ): Promise<CartView> {
    return perCart.run(cartId, () => mutateNow(cartId, newSku, keep, change));
  }

  async function mutateNow(
    cartId: string,
    newSku: string | undefined,
    keep: KeepAnswer<CartView> | undefined,
    change: Change,
  ): Promise<CartView> {
    for (let attempt = 0; attempt < saveAttemptsMax; attempt++) {
      const nowMs = clock.nowMs();
      const cart = openCart(await store.carts.getCart(cartId), nowMs);
      const skus = await skusOf(cart, newSku);
      const holds: HoldRequest[] = [];
      const lines = await change(cart, skus, nowMs, holds);
      const next: Cart = {
        ...cart,
        lines,
        updatedAtMs: nowMs,
        expiresAtMs: nowMs + config.policy.cartTtlMs,
        version: cart.version + 1,
      };
      const view = viewCart(next, skus, config.pricing);
      const answer = keep?.(view);
      if (holds.length === 0) {
        if (await store.carts.saveCart(next, answer)) return view;
        continue;
      }
      // The line and its hold in one write: a cart that moved on takes no hold either.
      const saved = await store.carts.saveCartWithHolds(next, holds, nowMs, answer);
      if (saved.ok) return view;
      if (saved.reason === 'sold-out') throw soldOut(saved.shortages);
    }
    throw new DomainError('conflict', 'The cart is being changed by another request; try again.');
  }

  function sellableSku(skus: Map<string, SkuInfo>, sku: string, currency: string): SkuInfo {
    const info = skus.get(sku);
    if (!isSellable(info)) throw new DomainError('unknown-sku', `No product is for sale with SKU ${sku}.`, { sku });
    if (info.variant.prices[currency] === undefined) {
      throw new DomainError('price-unavailable', `${sku} cannot be bought in ${currency}.`, { sku, currency });
    }
    return info;
  }

  /**
   * Asks for the hold of a held SKU (in `holds`, taken with the cart's save), or checks
   * availability for the rest (a courtesy, not a promise).
   */
  async function reserve(info: SkuInfo, quantity: number, nowMs: number, holds: HoldRequest[]): Promise<number | null> {
    const { variant } = info;
    const heldUntilMs = cartHoldExpiry(config.policy, variant, nowMs);
    if (heldUntilMs !== null) {
      holds.push({ sku: variant.sku, quantity, expiresAtMs: heldUntilMs, allowBackorder: variant.allowBackorder });
      return heldUntilMs;
    }
    if (!variant.allowBackorder) {
      const level = (await store.stock.getLevels([variant.sku], nowMs)).get(variant.sku);
      const available = level?.available ?? 0;
      if (available < quantity) throw soldOut([{ sku: variant.sku, requested: quantity, available }]);
    }
    return null;
  }

  return {
    async create(input, keep) {
      const currency = input.currency ?? config.defaultCurrency;
      if (!config.currencies.includes(currency)) {
        throw new DomainError('validation', `This shop sells in ${config.currencies.join(', ')}.`, { currency });
      }
      const nowMs = clock.nowMs();
      const cart: Cart = {
        id: ids.newId('cart'),
        currency,
        email: input.email === undefined ? null : normalizeEmail(input.email),
        lines: [],
        status: 'open',
        orderId: null,
        createdAtMs: nowMs,
        updatedAtMs: nowMs,
        expiresAtMs: nowMs + config.policy.cartTtlMs,
        version: 1,
      };
      const view = viewCart(cart, new Map(), config.pricing);
      await store.carts.createCart(cart, keep?.(view));
      return view;
    },

    async get(cartId) {
      const cart = readableCart(await store.carts.getCart(cartId), clock.nowMs());
      return viewCart(cart, await skusOf(cart), config.pricing);
    },

    async addLine(cartId, sku, quantity, keep) {
      return mutate(cartId, sku, keep, async (cart, skus, nowMs, holds) => {
        const info = sellableSku(skus, sku, cart.currency);
        const existing = findLineBySku(cart, sku);
        const total = (existing?.quantity ?? 0) + quantity;
        checkLineCount(config.policy, cart, existing === undefined);
        checkLineQuantity(config.policy, info.variant, total);
        const heldUntilMs = await reserve(info, total, nowMs, holds);
        const line: CartLine = existing
          ? { ...existing, quantity: total, heldUntilMs }
          : { id: ids.newId('line'), sku, quantity: total, heldUntilMs, addedAtMs: nowMs };
        return withLine(cart, line);
      });
    },

    async setLineQuantity(cartId, lineId, quantity, keep) {
      return mutate(cartId, undefined, keep, async (cart, skus, nowMs, holds) => {
        const line = findLineById(cart, lineId);
        if (line === undefined) throw new DomainError('not-found', 'No line with this id in the cart.', { resource: 'cart-line' });
        if (quantity === 0) {
          await store.stock.releaseHolds(cart.id, [line.sku], nowMs);
          return withoutLine(cart, lineId);
        }
        const info = sellableSku(skus, line.sku, cart.currency);
        checkLineQuantity(config.policy, info.variant, quantity);
        const heldUntilMs = await reserve(info, quantity, nowMs, holds);
        return withLine(cart, { ...line, quantity, heldUntilMs });
      });
    },

    async removeLine(cartId, lineId, keep) {
      return mutate(cartId, undefined, keep, async (cart, _skus, nowMs) => {
        const line = findLineById(cart, lineId);
        if (line === undefined) throw new DomainError('not-found', 'No line with this id in the cart.', { resource: 'cart-line' });
        await store.stock.releaseHolds(cart.id, [line.sku], nowMs);
        return withoutLine(cart, lineId);
      });
    },
  };
}

// The carts this process last wrote, as they were committed, so that reading one back does not
// ask the writer thread. Each order reads its cart twice (adding the line, checking out), and
// each ask waited behind the writer's running batch and cost a message both ways.
//
// It can answer for the writer because every change to a cart row goes through this process's
// writer thread: the cart writes of the Store, and the checkout that completes the cart (which
// drops its entry). A save that finds another version drops it too, so the retry reads the row.
// A new write that changes or deletes cart rows (a purge of expired carts, say) must drop
// their entries as well, or the cache would answer for rows that moved on.
// A second process writing carts into the same file is outside what the embedded shop supports,
// as for the claims of Idempotency-Keys (idempotency.ts): the file has one serving process.

import type { Cart } from '../../core/cart.ts';
import type { CartStore, OrderStore } from '../../core/ports.ts';
import { storedCart } from './carts.ts';

/** Carts kept at once; the least recently written go first. A cart is a few hundred bytes. */
export const cartCacheMax = 10_000;

export interface CartCache {
  get(id: string): Cart | undefined;
  /** The cart as committed; what getCart would read back from the row. */
  written(cart: Cart): void;
  /** The row may differ from what this process last wrote (a failed save, a completed checkout). */
  forget(id: string): void;
}

export function createCartCache(max: number = cartCacheMax): CartCache {
  const carts = new Map<string, Cart>();
  return {
    get: (id) => carts.get(id),
    written(cart) {
      // Deleted first, so that the map's order stays the order of the last writes.
      carts.delete(cart.id);
      carts.set(cart.id, storedCart(cart));
      if (carts.size > max) {
        const oldest = carts.keys().next();
        if (oldest.done !== true) carts.delete(oldest.value);
      }
    },
    forget(id) {
      carts.delete(id);
    },
  };
}

/**
 * The cart and order stores of the writer with the cart read answered from the cache: every
 * write that changes cart rows keeps or drops its cart here. `unavailable` is why the writer
 * can take no more calls, if it cannot: then a cached cart is not answered either.
 */
export function withCartCache(
  stores: { carts: CartStore; orders: OrderStore },
  unavailable: () => Error | undefined,
): { carts: CartStore; orders: OrderStore } {
  const { carts, orders } = stores;
  const cache = createCartCache();
  /** Runs a cart write; the cart is kept when `committed` says its row now holds it, forgotten otherwise. */
  async function keeping<T>(cart: Cart, write: Promise<T>, committed: (result: T) => boolean): Promise<T> {
    let result: T;
    try {
      result = await write;
    } catch (error) {
      // A failed write rolled back, so the row is still the cached cart; but nothing is lost by
      // reading it once more, and a cache must not outlive a surprise.
      cache.forget(cart.id);
      throw error;
    }
    if (committed(result)) cache.written(cart);
    else cache.forget(cart.id);
    return result;
  }
  return {
    carts: {
      getCart(id) {
        const refused = unavailable();
        if (refused !== undefined) return Promise.reject(refused);
        const cart = cache.get(id);
        return cart === undefined ? carts.getCart(id) : Promise.resolve(cart);
      },
      createCart: (cart, answer) => keeping(cart, carts.createCart(cart, answer), () => true),
      saveCart: (cart, answer) => keeping(cart, carts.saveCart(cart, answer), (saved) => saved),
      saveCartWithHolds: (cart, holds, nowMs, answer) => keeping(cart, carts.saveCartWithHolds(cart, holds, nowMs, answer), (saved) => saved.ok),
    },
    orders: {
      ...orders,
      // Whatever came of it, the checkout may have completed the cart in its own transaction.
      commitOrder: (input) => orders.commitOrder(input).finally(() => cache.forget(input.draft.cartId)),
    },
  };
}

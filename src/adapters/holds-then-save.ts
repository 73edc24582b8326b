// saveCartWithHolds for stores whose holds live apart from their carts (PostgreSQL's hold
// batcher, Redis): the holds first, then the save, as the two calls were made before the port
// had one for both. A stale save leaves the hold at the new quantity; the cart's next change,
// its checkout or the hold's expiry puts it right, and commitOrder checks stock in any case.

import type { Cart } from '../core/cart.ts';
import type { CartSaveResult, CartStore, KeptAnswer, StockStore } from '../core/ports.ts';
import type { HoldRequest } from '../core/stock.ts';

export async function holdsThenSave(
  stock: Pick<StockStore, 'setHolds'>,
  carts: Pick<CartStore, 'saveCart'>,
  cart: Cart,
  holds: HoldRequest[],
  nowMs: number,
  answer: KeptAnswer | undefined,
): Promise<CartSaveResult> {
  const held = await stock.setHolds(cart.id, holds, nowMs);
  if (!held.ok) return { ok: false, reason: 'sold-out', shortages: held.shortages };
  return (await carts.saveCart(cart, answer)) ? { ok: true } : { ok: false, reason: 'stale' };
}

// The OrderStore port over any Store, with the sale reserved in Redis first. The store stays
// the truth for what was sold and refuses by itself to sell beyond on-hand; Redis adds what
// the store cannot see, the holds of other carts. A checkout's commit:
//   1. reserve each SKU in Redis (one script per SKU: fits next to other carts' holds?),
//      taking what it needs of the cart's own hold into the reservation, the rest staying held
//      until the sale ends; undo all if any SKU is short
//   2. commit the order in the store (its own stock check, limits, number, outbox)
//   3. settle in Redis: the reservation becomes sold, or is undone (the hold comes back)
// Orders are unique per cart in the store, so a retry or a race never makes two orders. The
// commits of one cart take turns (a lock per cart in Redis): a checkout lends its cart's hold to
// its reservation, and one that failed gave the hold back after another checkout of the same
// cart had sold those units without it, leaving the order's units both sold and held.

import type { CommitOrderInput, CommitOrderResult, OrderLineSale, OrderStore, Store } from '../../core/ports.ts';
import { movementEffect, type Shortage } from '../../core/stock.ts';
import { int, type HotStock } from './hot-stock.ts';
import { withCartCommitLock, withSkuLocks } from './locks.ts';
import type { RedisStockStore } from './stock.ts';

interface Need {
  sku: string;
  quantity: number;
  allowBackorder: boolean;
}

/** One need per SKU: lines of the same SKU add up; backorder only if every line allows it. */
function needsOf(sales: readonly OrderLineSale[]): Need[] {
  const bySku = new Map<string, Need>();
  for (const sale of sales) {
    if (!Number.isSafeInteger(sale.quantity) || sale.quantity <= 0) throw new Error(`a sale of ${sale.sku} must be a positive integer`);
    const seen = bySku.get(sale.sku);
    bySku.set(sale.sku, seen === undefined ? { sku: sale.sku, quantity: sale.quantity, allowBackorder: sale.allowBackorder } : {
      sku: sale.sku,
      quantity: seen.quantity + sale.quantity,
      allowBackorder: seen.allowBackorder && sale.allowBackorder,
    });
  }
  return [...bySku.values()];
}

export function createRedisOrderStore(hot: HotStock, inner: Store, stock: RedisStockStore): OrderStore {
  async function settle(skus: readonly string[], intentId: string, outcome: 'ok' | 'fail', nowMs: number): Promise<void> {
    await Promise.all(skus.map((sku) => hot.resolve(sku, intentId, outcome, nowMs)));
  }

  async function reserve(intentId: string, cartId: string, needs: Need[], nowMs: number): Promise<{ reserved: string[]; shortages: Shortage[]; failure?: unknown }> {
    const settled = await Promise.allSettled(
      needs.map(async (need) => {
        const reply = await hot.runLoaded('pcReserve', need.sku, [intentId, cartId, need.quantity, need.allowBackorder ? 1 : 0, nowMs], nowMs);
        const oldestIntentAgeMs = int(reply[0] === 'short' ? reply[2] : reply[1]);
        // A sale reserved by an instance that died holds units until the SKU is reloaded.
        if (oldestIntentAgeMs > hot.options.intentLeaseMs) await hot.markDirty([need.sku]);
        if (reply[0] === 'short') return { sku: need.sku, shortage: { sku: need.sku, requested: need.quantity, available: int(reply[1]) } };
        return { sku: need.sku, shortage: undefined };
      }),
    );
    const reserved: string[] = [];
    const shortages: Shortage[] = [];
    let failure: unknown;
    for (const result of settled) {
      if (result.status === 'rejected') failure ??= result.reason;
      else if (result.value.shortage === undefined) reserved.push(result.value.sku);
      else shortages.push(result.value.shortage);
    }
    return failure === undefined ? { reserved, shortages } : { reserved, shortages, failure };
  }

  async function commitOrder(input: CommitOrderInput): Promise<CommitOrderResult> {
    const { draft, nowMs } = input;
    const existing = await inner.orders.getOrderByCart(draft.cartId);
    if (existing !== undefined) return { ok: false, reason: 'cart-completed', orderId: existing.id };

    const needs = needsOf(input.sales);
    const intentId = `sale:${draft.id}`;
    const { reserved, shortages, failure } = await reserve(intentId, draft.cartId, needs, nowMs);
    if (failure !== undefined || shortages.length > 0) {
      await settle(reserved, intentId, 'fail', nowMs);
      if (failure !== undefined) throw failure;
      return { ok: false, reason: 'sold-out', shortages };
    }

    let result: CommitOrderResult;
    try {
      result = await inner.orders.commitOrder(input);
    } catch (error) {
      await settle(reserved, intentId, 'fail', nowMs);
      throw error;
    }
    if (!result.ok) {
      await settle(reserved, intentId, 'fail', nowMs);
      // The store refused what Redis allowed: Redis's figures are behind the truth.
      if (result.reason === 'sold-out') await hot.markDirty(result.shortages.map((shortage) => shortage.sku));
      return result;
    }
    // The order ends every hold of its cart, also on SKUs it did not buy; settling the SKUs it
    // bought ended its holds on those.
    const bought = new Set(reserved);
    const [, held] = await Promise.all([settle(reserved, intentId, 'ok', nowMs), stock.heldSkus(draft.cartId).catch(() => [])]);
    const others = held.filter((sku) => !bought.has(sku));
    if (others.length > 0) {
      // Acknowledged all the same if this fails: leftover holds only wait for their expiry.
      await stock.releaseHolds(draft.cartId, others, nowMs).catch(() => undefined);
    }
    return result;
  }

  return {
    commitOrder: (input) => withCartCommitLock(hot, input.draft.cartId, () => commitOrder(input)),

    getOrder: (id) => inner.orders.getOrder(id),
    getOrderByCart: (cartId) => inner.orders.getOrderByCart(cartId),
    listOrders: (query) => inner.orders.listOrders(query),
    listStaleOrders: (status, beforeMs, limit) => inner.orders.listStaleOrders(status, beforeMs, limit),

    async transitionOrder(input) {
      const deltas = new Map<string, { onHand: number; sold: number }>();
      for (const movement of input.movements) {
        const effect = movementEffect(movement.type, movement.quantity);
        const seen = deltas.get(movement.sku) ?? { onHand: 0, sold: 0 };
        deltas.set(movement.sku, { onHand: seen.onHand + effect.onHandDelta, sold: seen.sold + effect.soldDelta });
      }
      if (deltas.size === 0) return inner.orders.transitionOrder(input);
      const locked = [...deltas].filter(([, delta]) => delta.onHand !== 0).map(([sku]) => sku);
      return withSkuLocks(hot, locked, async () => {
        const intentId = hot.newIntentId('move');
        const announced: string[] = [];
        try {
          for (const [sku, delta] of deltas) {
            // Returns and shipments never lower the margin, so Redis never refuses them.
            await hot.runLoaded('pcMove', sku, [intentId, delta.onHand, delta.sold, 1, input.nowMs], input.nowMs);
            announced.push(sku);
          }
        } catch (error) {
          await settle(announced, intentId, 'fail', input.nowMs);
          throw error;
        }
        let applied: boolean;
        try {
          applied = await inner.orders.transitionOrder(input);
        } catch (error) {
          await settle(announced, intentId, 'fail', input.nowMs);
          throw error;
        }
        await settle(announced, intentId, applied ? 'ok' : 'fail', input.nowMs);
        return applied;
      });
    },
  };
}

// The shop: every use case of the core, wired to the ports it is given. The HTTP app and the
// CLI hold one of these. Its only state is the per-cart queue that keeps a cart's changes in order.

import { createCartService, type CartService } from './carts.ts';
import { createCatalogService, type CatalogService } from './catalog-service.ts';
import { checkout, type CheckoutRequest, type PlacedOrder } from './checkout.ts';
import type { CoreDeps } from './deps.ts';
import { createKeyedQueue } from './keyed-queue.ts';
import { createOrderService, type OrderService } from './orders.ts';
import { createStockService, type StockService } from './stock-service.ts';
import { createWebhookService, type WebhookService } from './webhooks.ts';

/** One sweep does at most this much of each chore, so it never blocks for long. */
export const sweepBatchMax = 500;
export const idempotencyKeyRetentionMs = 24 * 60 * 60 * 1000;

export interface SweepReport {
  releasedHolds: number;
  purgedIdempotencyKeys: number;
  recoveredOrders: number;
}

export interface Shop {
  readonly deps: CoreDeps;
  readonly catalog: CatalogService;
  readonly carts: CartService;
  readonly orders: OrderService;
  readonly stock: StockService;
  readonly webhooks: WebhookService;
  checkout(request: CheckoutRequest): Promise<PlacedOrder>;
  /** Background chores: expired holds back to sale, old idempotency keys, unfinished captures. */
  sweep(): Promise<SweepReport>;
}

export function createShop(deps: CoreDeps): Shop {
  const orders = createOrderService(deps);
  const perCart = createKeyedQueue();
  return {
    deps,
    catalog: createCatalogService(deps),
    carts: createCartService(deps, perCart),
    orders,
    stock: createStockService(deps),
    webhooks: createWebhookService(deps, () => orders.settled()),
    checkout: (request) => perCart.run(request.cartId, () => checkout(deps, orders, request)),
    async sweep() {
      const nowMs = deps.clock.nowMs();
      return {
        releasedHolds: await deps.store.stock.releaseExpiredHolds(nowMs, sweepBatchMax),
        purgedIdempotencyKeys: await deps.store.idempotency.purgeOlderThan(nowMs - idempotencyKeyRetentionMs, sweepBatchMax),
        recoveredOrders: await orders.recoverPlaced(sweepBatchMax),
      };
    },
  };
}

// The scale-out hot path: wraps any Store (SQLite today, PostgreSQL in scale-out) and moves the
// stock holds into Redis, shared by every API instance. The wrapped store stays the system of
// record for catalog, carts, orders, the stock ledger, idempotency keys and the outbox.
// docs/architecture.md ("Redis and the system of record") says why it is built this way.

import type { Store } from '../../core/ports.ts';
import { openLink, type RedisLink, type RedisLinkOptions } from './client.ts';
import { createHotStock, hotStockDefaults, type HotStock, type HotStockOptions } from './hot-stock.ts';
import { createRedisOrderStore } from './orders.ts';
import { createRedisStockStore } from './stock.ts';
import { holdsThenSave } from '../holds-then-save.ts';

export interface RedisStore extends Store {
  /** The wrapped system of record. */
  readonly inner: Store;
  readonly hot: HotStock;
}

/** Wraps `inner` with holds in Redis over an open link; closing the store closes both. */
export function wrapWithRedis(inner: Store, link: RedisLink, options: Partial<HotStockOptions> = {}): RedisStore {
  const hot = createHotStock(link, inner, { ...hotStockDefaults, ...options });
  const stock = createRedisStockStore(hot, inner);
  let closing: Promise<void> | undefined;
  return {
    inner,
    hot,
    catalog: inner.catalog,
    stock,
    // The holds are Redis's, not the wrapped store's.
    carts: { ...inner.carts, saveCartWithHolds: (cart, holds, nowMs, answer) => holdsThenSave(stock, inner.carts, cart, holds, nowMs, answer) },
    orders: createRedisOrderStore(hot, inner, stock),
    // Its saves set Redis's holds before the wrapped store's write runs, so a claim that write
    // refused would have moved a hold already: the keys are claimed before, never in the writes.
    idempotency: { ...inner.idempotency, claimsInWrites: false },
    events: inner.events,

    async ping() {
      await inner.ping();
      await link.command((redis) => redis.ping());
    },

    close() {
      closing ??= Promise.allSettled([inner.close(), link.close()]).then(([store]) => {
        if (store.status === 'rejected') throw store.reason;
      });
      return closing;
    },
  };
}

export async function openRedisStore(inner: Store, options: RedisLinkOptions & Partial<HotStockOptions>): Promise<RedisStore> {
  const link = await openLink(options);
  return wrapWithRedis(inner, link, options);
}

// Short locks in Redis. One per SKU, for the writes that read on-hand and then change it (a WMS
// sync sets an absolute figure); sales and holds never take it: they are single scripts. One
// per cart, for its checkout's commit (orders.ts says why).

import { randomUUID } from 'node:crypto';
import { DomainError } from '../../core/errors.ts';
import type { HotStock } from './hot-stock.ts';
import { cartCommitLockKey, skuKeys } from './keys.ts';

/** A lock whose holder died frees itself after this long. */
export const lockTtlMs = 10_000;
/** Longest a writer waits for a lock (a SKU's or a cart's) before answering 503. */
export const lockWaitMs = 5_000;

/** Runs `work` holding the locks of these SKUs (taken in sorted order, so two writers cannot deadlock). */
export function withSkuLocks<T>(hot: HotStock, skus: readonly string[], work: () => Promise<T>): Promise<T> {
  return withLocks(hot, [...new Set(skus)].sort().map((sku) => skuKeys(hot.options.keyPrefix, sku).movementLock), work);
}

/** Runs `work` holding the commit lock of this cart. */
export function withCartCommitLock<T>(hot: HotStock, cartId: string, work: () => Promise<T>): Promise<T> {
  return withLocks(hot, [cartCommitLockKey(hot.options.keyPrefix, cartId)], work);
}

async function withLocks<T>(hot: HotStock, keys: readonly string[], work: () => Promise<T>): Promise<T> {
  const token = randomUUID();
  const taken: string[] = [];
  try {
    const deadlineMs = Date.now() + lockWaitMs;
    for (const key of keys) {
      for (;;) {
        const got = await hot.link.command((redis) => redis.set(key, token, 'PX', lockTtlMs, 'NX'));
        if (got === 'OK') break;
        if (Date.now() > deadlineMs) throw new DomainError('overloaded', 'The stock or the cart is busy with another change; retry shortly.');
        await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
      }
      taken.push(key);
    }
    return await work();
  } finally {
    await Promise.all(taken.map((key) => hot.link.helper('pcUnlock', key, [token]).catch(() => undefined)));
  }
}

// A short lock per SKU in Redis, for the writes that read on-hand and then change it (a WMS
// sync sets an absolute figure). Sales and holds never take it: they are single scripts.

import { randomUUID } from 'node:crypto';
import { DomainError } from '../../core/errors.ts';
import type { HotStock } from './hot-stock.ts';
import { skuKeys } from './keys.ts';

/** A lock whose holder died frees itself after this long. */
export const skuLockTtlMs = 10_000;
/** Longest a writer waits for a SKU's lock before answering 503. */
export const skuLockWaitMs = 5_000;

/** Runs `work` holding the locks of these SKUs (taken in sorted order, so two writers cannot deadlock). */
export async function withSkuLocks<T>(hot: HotStock, skus: readonly string[], work: () => Promise<T>): Promise<T> {
  const token = randomUUID();
  const keys = [...new Set(skus)].sort().map((sku) => skuKeys(hot.options.keyPrefix, sku).movementLock);
  const taken: string[] = [];
  try {
    const deadlineMs = Date.now() + skuLockWaitMs;
    for (const key of keys) {
      for (;;) {
        const got = await hot.link.command((redis) => redis.set(key, token, 'PX', skuLockTtlMs, 'NX'));
        if (got === 'OK') break;
        if (Date.now() > deadlineMs) throw new DomainError('overloaded', 'The stock is busy with another change; retry shortly.');
        await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
      }
      taken.push(key);
    }
    return await work();
  } finally {
    await Promise.all(taken.map((key) => hot.link.helper('pcUnlock', key, [token]).catch(() => undefined)));
  }
}

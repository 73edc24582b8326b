// The StockStore port with holds in Redis and the ledger in the system of record (any Store).
// Holds, levels and the sweep are Redis scripts; movements are announced to Redis as intents,
// applied by the store (the truth), then settled in Redis.
//
// A cart's hold over several SKUs is all or nothing although each SKU lives in its own slot:
// growing holds are set first, one script per SKU; if any is short, the ones that grew are put
// back as they were (shrinking never needs room, so putting back always succeeds). Only when
// every growth fit are the shrinking holds applied, and those cannot fail for lack of stock.

import { DomainError } from '../../core/errors.ts';
import type { MovementResult, Store, StockStore } from '../../core/ports.ts';
import { availableOf, movementEffect, type Hold, type HoldRequest, type Shortage, type StockLevel } from '../../core/stock.ts';
import { asOutage } from './client.ts';
import { int, type HotStock } from './hot-stock.ts';
import { cartKey, holdIndexKey, skuKeys } from './keys.ts';
import { withSkuLocks } from './locks.ts';

/** Most SKUs one setHolds call may touch (as the embedded store). */
export const holdRequestsMax = 1000;
/** A cart's SKU index outlives its longest hold by this much, then Redis drops it. */
export const cartIndexSlackMs = 24 * 60 * 60 * 1000;

function assertCount(value: number, what: string): void {
  if (!Number.isSafeInteger(value)) throw new Error(`${what} must be an integer, got ${value}`);
}

export function refuseNulIn(values: Record<string, string>): void {
  for (const [name, value] of Object.entries(values)) {
    if (value.includes('\u0000')) throw new DomainError('validation', `The ${name} must not contain a NUL character.`);
  }
}

function checkHoldRequests(requests: HoldRequest[], nowMs: number): void {
  if (requests.length > holdRequestsMax) throw new Error(`setHolds takes at most ${holdRequestsMax} SKUs`);
  const seen = new Set<string>();
  for (const request of requests) {
    if (seen.has(request.sku)) throw new Error(`setHolds got SKU ${request.sku} twice`);
    seen.add(request.sku);
    assertCount(request.quantity, 'a hold quantity');
    if (request.quantity < 0) throw new Error(`a hold quantity must not be negative, got ${request.quantity}`);
    if (request.quantity > 0 && !(request.expiresAtMs > nowMs)) throw new Error(`a hold on ${request.sku} must expire after nowMs`);
  }
}

function level(sku: string, onHand: number, sold: number, held: number): StockLevel {
  return { sku, onHand, sold, held, available: availableOf(onHand, sold, held) };
}

type GrowOutcome =
  | { kind: 'grown'; request: HoldRequest; previous: { quantity: number; expiresAtMs: string } }
  | { kind: 'shrink'; request: HoldRequest }
  | { kind: 'short'; shortage: Shortage };

export interface RedisStockStore extends StockStore {
  /** The SKUs the cart's index lists (a superset of those it holds). */
  heldSkus(cartId: string): Promise<string[]>;
  /** Live held units of a SKU as Redis counts them (for a movement's answer). */
  heldOf(sku: string, nowMs: number): Promise<number>;
  /** Runs a store write that moves on-hand or sold, announced to Redis as an intent. */
  withMovement(sku: string, onHandDelta: number, soldDelta: number, allowBelowCommitted: boolean, nowMs: number, write: () => Promise<MovementResult>): Promise<MovementResult>;
}

export function createRedisStockStore(hot: HotStock, inner: Store): RedisStockStore {
  const prefix = hot.options.keyPrefix;
  const link = hot.link;

  async function noteStaleIntents(sku: string, oldestIntentAgeMs: number): Promise<void> {
    if (oldestIntentAgeMs > hot.options.intentLeaseMs) await hot.markDirty([sku]);
  }

  async function indexCart(cartId: string, requests: HoldRequest[], nowMs: number): Promise<void> {
    const growing = requests.filter((request) => request.quantity > 0);
    if (growing.length === 0) return;
    const key = cartKey(prefix, cartId);
    const ttlMs = Math.max(...growing.map((request) => request.expiresAtMs - nowMs)) + cartIndexSlackMs;
    // One round trip (one key, so one slot also on a cluster). NX sets a first expiry, GT only lengthens it.
    const replies = await link.command((redis) =>
      redis
        .pipeline()
        .sadd(key, ...growing.map((request) => request.sku))
        .pexpire(key, ttlMs, 'NX')
        .pexpire(key, ttlMs, 'GT')
        .exec(),
    );
    const failed = replies?.find(([error]) => error !== null)?.[0];
    if (failed) throw asOutage(failed);
  }

  async function indexHolds(holds: HoldRequest[], nowMs: number): Promise<void> {
    await Promise.all(
      holds.filter((request) => request.quantity > 0).map((request) => link.helper('pcIndexHold', holdIndexKey(prefix), [request.sku, request.expiresAtMs, nowMs])),
    );
  }

  async function grow(cartId: string, request: HoldRequest, nowMs: number): Promise<GrowOutcome> {
    const args = [cartId, request.quantity, request.expiresAtMs, request.allowBackorder ? 1 : 0, nowMs, 'grow'];
    const reply = await hot.runLoaded('pcHold', request.sku, args, nowMs);
    if (reply[0] === 'shrink') return { kind: 'shrink', request };
    if (reply[0] === 'short') {
      // Units may look taken only because an instance died mid-sale: let the sweep reload them.
      await noteStaleIntents(request.sku, int(reply[2]));
      return { kind: 'short', shortage: { sku: request.sku, requested: request.quantity, available: int(reply[1]) } };
    }
    await noteStaleIntents(request.sku, int(reply[3]));
    return { kind: 'grown', request, previous: { quantity: int(reply[1]), expiresAtMs: String(reply[2]) } };
  }

  async function putBack(cartId: string, grown: Extract<GrowOutcome, { kind: 'grown' }>, nowMs: number): Promise<void> {
    await hot.run('pcRestore', grown.request.sku, [cartId, grown.previous.quantity, grown.previous.expiresAtMs, nowMs]);
  }

  async function releaseOne(cartId: string, sku: string): Promise<void> {
    await hot.run('pcRelease', sku, [cartId]);
  }

  const stock: RedisStockStore = {
    async getLevels(skus, nowMs) {
      const unique = [...new Set(skus)];
      const replies = await Promise.all(unique.map(async (sku) => [sku, (await hot.run('pcLevel', sku, [nowMs])) as Array<string | number>] as const));
      const levels = new Map<string, StockLevel>();
      const unknown: string[] = [];
      for (const [sku, reply] of replies) {
        if (reply[0] === 'notloaded') {
          unknown.push(sku);
          continue;
        }
        await noteStaleIntents(sku, int(reply[5]));
        const pending = int(reply[3]);
        // Units of sales in flight count as sold: they are gone unless the sale fails.
        levels.set(sku, level(sku, int(reply[1]), int(reply[2]) + pending, int(reply[4])));
      }
      if (unknown.length > 0) {
        // Redis lost (or never had) these SKUs, and their holds with them: the store's figures are exact.
        for (const [sku, found] of await inner.stock.getLevels(unknown, nowMs)) levels.set(sku, level(sku, found.onHand, found.sold, 0));
      }
      const ordered = new Map<string, StockLevel>();
      for (const sku of skus) ordered.set(sku, levels.get(sku) ?? level(sku, 0, 0, 0));
      return ordered;
    },

    async applyMovement(request, nowMs) {
      assertCount(request.quantity, 'a movement quantity');
      const effect = movementEffect(request.type, request.quantity);
      return withSkuLocks(hot, [request.sku], () =>
        stock.withMovement(request.sku, effect.onHandDelta, effect.soldDelta, request.allowBelowCommitted, nowMs, () => inner.stock.applyMovement(request, nowMs)),
      );
    },

    async setOnHand(sku, onHand, reason, allowBelowCommitted, nowMs) {
      assertCount(onHand, 'on-hand');
      // Under the SKU's lock nothing else moves on-hand, so the difference read here is the one written.
      return withSkuLocks(hot, [sku], async () => {
        const current = (await inner.stock.getLevels([sku], nowMs)).get(sku)?.onHand ?? 0;
        const request = { sku, type: 'sync' as const, quantity: onHand - current, reason, reference: null, allowBelowCommitted };
        return stock.withMovement(sku, request.quantity, 0, allowBelowCommitted, nowMs, () => inner.stock.applyMovement(request, nowMs));
      });
    },

    async withMovement(sku, onHandDelta, soldDelta, allowBelowCommitted, nowMs, write) {
      const intentId = hot.newIntentId('move');
      const announced = await hot.runLoaded('pcMove', sku, [intentId, onHandDelta, soldDelta, allowBelowCommitted ? 1 : 0, nowMs], nowMs);
      if (announced[0] === 'refused') return { ok: false, level: level(sku, int(announced[1]), int(announced[2]), int(announced[3])) };
      let result: MovementResult;
      try {
        result = await write();
      } catch (error) {
        await hot.resolve(sku, intentId, 'fail', nowMs);
        throw error;
      }
      await hot.resolve(sku, intentId, result.ok ? 'ok' : 'fail', nowMs);
      let held = 0;
      try {
        held = await stock.heldOf(sku, nowMs);
      } catch {
        // The store has applied the movement; its answer must not turn into an error now.
      }
      return { ok: result.ok, level: level(sku, result.level.onHand, result.level.sold, held) };
    },

    heldSkus(cartId) {
      return link.command((redis) => redis.smembers(cartKey(prefix, cartId)));
    },

    async heldOf(sku, nowMs) {
      const reply = (await hot.run('pcLevel', sku, [nowMs])) as Array<string | number>;
      return reply[0] === 'ok' ? int(reply[4]) : 0;
    },

    listMovements(sku, limit) {
      return inner.stock.listMovements(sku, limit);
    },

    async setHolds(cartId, requests, nowMs) {
      checkHoldRequests(requests, nowMs);
      for (const request of requests) if (request.quantity > 0) refuseNulIn({ 'cart id': cartId, sku: request.sku });
      // Both indexes before the holds: they may list a SKU without a hold, never a hold they do
      // not list. (The sweeper's index replaces a due score, so a sweep that just found the SKU
      // empty cannot drop it; a hold that then turns out short leaves a hint the sweep clears.)
      await Promise.all([indexCart(cartId, requests, nowMs), indexHolds(requests, nowMs)]);

      const settled = await Promise.allSettled(requests.map((request) => grow(cartId, request, nowMs)));
      const outcomes = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
      const grown = outcomes.filter((outcome) => outcome.kind === 'grown');
      const failure = settled.find((result) => result.status === 'rejected');
      const shortages = outcomes.flatMap((outcome) => (outcome.kind === 'short' ? [outcome.shortage] : []));
      if (failure !== undefined || shortages.length > 0) {
        // Best effort when Redis failed: a hold left grown is never an oversell, and it expires.
        await Promise.all(grown.map((outcome) => putBack(cartId, outcome, nowMs).catch(() => undefined)));
        if (failure !== undefined) throw failure.reason;
        return { ok: false, shortages };
      }
      const shrinking = outcomes.flatMap((outcome) => (outcome.kind === 'shrink' ? [outcome.request] : []));
      const shrunk = await Promise.all(
        shrinking.map(async (request) => {
          const reply = await hot.runLoaded('pcHold', request.sku, [cartId, request.quantity, request.expiresAtMs, request.allowBackorder ? 1 : 0, nowMs, 'any'], nowMs);
          // Short only if another request of this cart changed its hold in between (two instances at once).
          return reply[0] === 'short' ? [{ sku: request.sku, requested: request.quantity, available: int(reply[1]) }] : [];
        }),
      );
      if (shrunk.flat().length > 0) {
        await Promise.all(grown.map((outcome) => putBack(cartId, outcome, nowMs).catch(() => undefined)));
        return { ok: false, shortages: shrunk.flat() };
      }
      const holds: Hold[] = requests
        .filter((request) => request.quantity > 0)
        .map((request) => ({ cartId, sku: request.sku, quantity: request.quantity, expiresAtMs: request.expiresAtMs }));
      return { ok: true, holds };
    },

    async releaseHolds(cartId, skus, nowMs) {
      void nowMs;
      const key = cartKey(prefix, cartId);
      const targets = skus ?? (await link.command((redis) => redis.smembers(key)));
      // The index keeps its entries (it expires with the cart): removing one here could race a
      // concurrent hold of the same cart, leaving a hold its cart's index no longer lists.
      await Promise.all(targets.map((sku) => releaseOne(cartId, sku)));
    },

    async listHolds(cartId, nowMs) {
      const skus = await link.command((redis) => redis.smembers(cartKey(prefix, cartId)));
      const holds = await Promise.all(
        skus.map(async (sku): Promise<Hold | undefined> => {
          const reply = (await hot.run('pcHoldOf', sku, [cartId, nowMs])) as Array<string | number>;
          const quantity = int(reply[0]);
          return quantity > 0 ? { cartId, sku, quantity, expiresAtMs: int(reply[1]) } : undefined;
        }),
      );
      return holds.filter((held) => held !== undefined).sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
    },

    async releaseExpiredHolds(nowMs, limit) {
      if (!(limit >= 1)) return 0;
      await hot.reloadDirty(nowMs, 20);
      const indexKey = holdIndexKey(prefix);
      const due = await link.command((redis) => redis.zrangebyscore(indexKey, '-inf', nowMs, 'WITHSCORES', 'LIMIT', 0, limit));
      let released = 0;
      for (let index = 0; index + 1 < due.length && released < limit; index += 2) {
        const sku = due[index]!;
        const seenScore = due[index + 1]!;
        const reply = (await hot.run('pcSweep', sku, [nowMs, limit - released])) as Array<string | number>;
        released += int(reply[0]);
        await link.helper('pcIndexSwept', indexKey, [sku, seenScore, String(reply[1])]);
      }
      return released;
    },
  };
  return stock;
}

/** The keys of a SKU, for tests that look at Redis directly. */
export { skuKeys };

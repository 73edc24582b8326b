// The StockStore port on SQLite: levels, movements and holds. Writes go through the batcher;
// reads run directly and subtract holds that expired but were not swept yet.

import type { MovementRequest, MovementResult, StockStore } from '../../core/ports.ts';
import { type Hold, type HoldRequest, type HoldResult, type MovementType, type Shortage, type StockLevel, type StockMovement } from '../../core/stock.ts';
import type { Batcher } from './batcher.ts';
import { asRow, int, jsonList, pageSize, text, textOrNull } from './codec.ts';
import type { Prepare } from './connection.ts';
import { afterMovement, createLedger, toLevel, type Counters, type Ledger } from './ledger.ts';

/** Most movements one listMovements call returns. */
export const movementPageSizeMax = 1000;
/** Most expired holds one releaseExpiredHolds call sweeps (one transaction). */
export const holdSweepBatchMax = 10_000;
/** Most SKUs one setHolds call may touch. */
export const holdRequestsMax = 1000;

const movementTypes: readonly MovementType[] = ['receive', 'adjust', 'sale', 'return', 'ship', 'sync'];

const sql = {
  levels: `
    SELECT s.sku, s.on_hand, s.sold,
      s.held - COALESCE((SELECT SUM(h.quantity) FROM stock_holds h WHERE h.sku = s.sku AND h.expires_at_ms <= :nowMs), 0) AS held
    FROM stock_levels s
    WHERE s.sku IN (SELECT value FROM json_each(:skus))`,
  movements: 'SELECT sku, type, quantity, reason, reference, at_ms FROM stock_movements WHERE sku = ? ORDER BY id DESC LIMIT ?',
  activeHoldsOfCart: 'SELECT sku, quantity, expires_at_ms FROM stock_holds WHERE cart_id = ? AND expires_at_ms > ? ORDER BY sku',
} as const;

function assertCount(value: number, what: string): void {
  if (!Number.isSafeInteger(value)) throw new Error(`${what} must be an integer, got ${value}`);
}

/**
 * Applies one movement inside the caller's transaction. `quantityOf` sees the current on-hand,
 * so a sync computes its difference from the figure it is about to replace.
 */
export function applyMovementInTransaction(
  ledger: Ledger,
  request: Omit<MovementRequest, 'quantity'> & { quantityOf: (onHand: number) => number },
  nowMs: number,
): MovementResult {
  if (!movementTypes.includes(request.type)) throw new Error(`unknown movement type ${request.type}`);
  ledger.releaseExpiredOf([request.sku], nowMs);
  const before = ledger.counters(request.sku);
  const quantity = request.quantityOf(before.onHand);
  assertCount(quantity, 'a movement quantity');
  const after = afterMovement(before, request.type, quantity);
  const lowersMargin = after.onHand - after.sold < before.onHand - before.sold;
  const belowCommitted = after.onHand < after.sold + after.held;
  // On-hand counts units that exist, so it never goes below zero, whatever the caller allows.
  if (after.onHand < 0 || after.sold < 0 || (lowersMargin && belowCommitted && !request.allowBelowCommitted)) {
    return { ok: false, level: toLevel(request.sku, before) };
  }
  ledger.writeCounters(request.sku, before, after, request.allowBelowCommitted);
  ledger.recordMovement({ sku: request.sku, type: request.type, quantity, reason: request.reason, reference: request.reference, atMs: nowMs });
  return { ok: true, level: toLevel(request.sku, after) };
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

function setHoldsInTransaction(ledger: Ledger, cartId: string, requests: HoldRequest[], nowMs: number): HoldResult {
  const shortages: Shortage[] = [];
  // Requests name distinct SKUs, so what is read here stays true until each one's own put.
  const known: Array<{ current: number; counters: Counters }> = [];
  for (const request of requests) {
    const fitsCart = (own: number, availableToCart: number) => request.quantity <= own || request.allowBackorder || availableToCart >= request.quantity;
    const { own, counters, availableToCart, fits } = ledger.standing(cartId, request.sku, nowMs, fitsCart);
    known.push({ current: own, counters });
    if (!fits) shortages.push({ sku: request.sku, requested: request.quantity, available: Math.max(0, availableToCart) });
  }
  if (shortages.length > 0) return { ok: false, shortages };
  requests.forEach((request, index) => {
    ledger.putHold(cartId, request.sku, request.quantity, request.expiresAtMs, request.allowBackorder, known[index]);
  });
  const holds: Hold[] = requests
    .filter((request) => request.quantity > 0)
    .map((request) => ({ cartId, sku: request.sku, quantity: request.quantity, expiresAtMs: request.expiresAtMs }));
  return { ok: true, holds };
}

/** setHolds for another write of this store, run inside that write's transaction. */
export function holdsInTransaction(prepare: Prepare): (cartId: string, requests: HoldRequest[], nowMs: number) => HoldResult {
  const ledger = createLedger(prepare);
  return (cartId, requests, nowMs) => {
    checkHoldRequests(requests, nowMs);
    return setHoldsInTransaction(ledger, cartId, requests, nowMs);
  };
}

export function createStockStore(prepare: Prepare, batcher: Batcher): StockStore {
  const ledger = createLedger(prepare);

  return {
    async getLevels(skus, nowMs) {
      const levels = new Map<string, StockLevel>();
      for (const sku of skus) levels.set(sku, toLevel(sku, { onHand: 0, sold: 0, held: 0 }));
      for (const found of prepare(sql.levels).all({ nowMs, skus: jsonList([...new Set(skus)]) })) {
        const row = asRow(found);
        const sku = text(row, 'sku');
        levels.set(sku, toLevel(sku, { onHand: int(row, 'on_hand'), sold: int(row, 'sold'), held: int(row, 'held') }));
      }
      return levels;
    },

    async applyMovement(request, nowMs) {
      assertCount(request.quantity, 'a movement quantity');
      return batcher.run(() => applyMovementInTransaction(ledger, { ...request, quantityOf: () => request.quantity }, nowMs));
    },

    async setOnHand(sku, onHand, reason, allowBelowCommitted, nowMs) {
      assertCount(onHand, 'on-hand');
      const request = { sku, type: 'sync' as const, reason, reference: null, allowBelowCommitted, quantityOf: (current: number) => onHand - current };
      return batcher.run(() => applyMovementInTransaction(ledger, request, nowMs));
    },

    async listMovements(sku, limit) {
      return prepare(sql.movements)
        .all(sku, pageSize(limit, movementPageSizeMax))
        .map((found): StockMovement => {
          const row = asRow(found);
          return {
            sku: text(row, 'sku'),
            type: text(row, 'type') as MovementType,
            quantity: int(row, 'quantity'),
            reason: text(row, 'reason'),
            reference: textOrNull(row, 'reference'),
            atMs: int(row, 'at_ms'),
          };
        });
    },

    async setHolds(cartId, requests, nowMs) {
      checkHoldRequests(requests, nowMs);
      return batcher.run(() => setHoldsInTransaction(ledger, cartId, requests, nowMs));
    },

    async releaseHolds(cartId, skus, nowMs) {
      return batcher.run(() => {
        const holds = ledger.holdsOfCart(cartId).filter((hold) => skus === undefined || skus.includes(hold.sku));
        // Releasing never adds to sold + held, so it needs no room and cannot break the invariant.
        for (const hold of holds) ledger.putHold(cartId, hold.sku, 0, nowMs, false);
      });
    },

    async listHolds(cartId, nowMs) {
      return prepare(sql.activeHoldsOfCart)
        .all(cartId, nowMs)
        .map((found) => {
          const row = asRow(found);
          return { cartId, sku: text(row, 'sku'), quantity: int(row, 'quantity'), expiresAtMs: int(row, 'expires_at_ms') };
        });
    },

    async releaseExpiredHolds(nowMs, limit) {
      if (!(limit >= 1)) return 0;
      // The sweeper runs on a timer; most runs find nothing, and that needs no write transaction.
      if (!ledger.anyExpired(nowMs)) return 0;
      return batcher.run(() => ledger.releaseExpired(nowMs, pageSize(limit, holdSweepBatchMax)));
    },
  };
}

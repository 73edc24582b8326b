// The StockStore port on PostgreSQL: levels, movements and holds. Each write is one transaction
// that locks its SKUs' rows (ledger.ts); reads run without locks and subtract holds that expired
// but were not swept yet, so a hold stops counting at its expiry on every instance.

import type { MovementRequest, MovementResult, StockStore } from '../../core/ports.ts';
import type { Hold, HoldRequest, HoldResult, MovementType, Shortage, StockLevel, StockMovement } from '../../core/stock.ts';
import { holdRequestsMax, holdSweepBatchMax, movementPageSizeMax } from '../sqlite/stock.ts';
import { int, pageSize, text, textOrNull, type Row } from './codec.ts';
import { read, transaction, type Sql, type Tx } from './connection.ts';
import { createBatcher } from './batcher.ts';
import { afterMovement, lockStock, subtractHeld, toLevel, type LockedStock } from './ledger.ts';

const movementTypes: readonly MovementType[] = ['receive', 'adjust', 'sale', 'return', 'ship', 'sync'];

function assertCount(value: number, what: string): void {
  if (!Number.isSafeInteger(value)) throw new Error(`${what} must be an integer, got ${value}`);
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

/**
 * Decides one movement on locked stock. `quantityOf` sees the current on-hand, so a sync
 * computes its difference from the figure it is about to replace.
 */
function decideMovement(
  stock: LockedStock,
  request: Omit<MovementRequest, 'quantity'> & { quantityOf: (onHand: number) => number },
  nowMs: number,
): MovementResult {
  const before = stock.counters(request.sku);
  const quantity = request.quantityOf(before.onHand);
  assertCount(quantity, 'a movement quantity');
  const after = afterMovement(before, request.type, quantity);
  const lowersMargin = after.onHand - after.sold < before.onHand - before.sold;
  const belowCommitted = after.onHand < after.sold + after.held;
  // On-hand counts units that exist, so it never goes below zero, whatever the caller allows.
  if (after.onHand < 0 || after.sold < 0 || (lowersMargin && belowCommitted && !request.allowBelowCommitted)) {
    return { ok: false, level: toLevel(request.sku, before) };
  }
  stock.move({ sku: request.sku, type: request.type, quantity, reason: request.reason, reference: request.reference, atMs: nowMs }, request.allowBelowCommitted);
  return { ok: true, level: toLevel(request.sku, after) };
}

function decideHolds(stock: LockedStock, cartId: string, requests: HoldRequest[]): HoldResult {
  const shortages: Shortage[] = [];
  for (const request of requests) {
    const own = stock.heldBy(cartId, request.sku);
    const availableToCart = toLevel(request.sku, stock.counters(request.sku)).available + own;
    const fits = request.quantity <= own || request.allowBackorder || availableToCart >= request.quantity;
    if (!fits) shortages.push({ sku: request.sku, requested: request.quantity, available: Math.max(0, availableToCart) });
  }
  if (shortages.length > 0) return { ok: false, shortages };
  for (const request of requests) stock.putHold(cartId, request.sku, request.quantity, request.expiresAtMs, request.allowBackorder);
  const holds: Hold[] = requests
    .filter((request) => request.quantity > 0)
    .map((request) => ({ cartId, sku: request.sku, quantity: request.quantity, expiresAtMs: request.expiresAtMs }));
  return { ok: true, holds };
}

interface SetHolds {
  cartId: string;
  requests: HoldRequest[];
  nowMs: number;
}

/**
 * Sets the holds of a batch of carts in one transaction, each decided in turn against the
 * stock the ones before it left, as if they had run one after the other.
 */
async function setHoldsBatch(tx: Tx, batch: readonly SetHolds[]): Promise<HoldResult[]> {
  const nowMs = Math.max(...batch.map((item) => item.nowMs));
  const stock = await lockStock(
    tx,
    batch.flatMap((item) => item.requests.map((request) => request.sku)),
    nowMs,
    [...new Set(batch.map((item) => item.cartId))],
  );
  const results = batch.map((item) => decideHolds(stock, item.cartId, item.requests));
  await stock.flush();
  return results;
}

export function createStockStore(sql: Sql): StockStore {
  // A flash sale with holds at add-to-cart: many carts hold one hot SKU, one lock per batch.
  const holdBatcher = createBatcher(sql, setHoldsBatch);

  async function movement(request: Omit<MovementRequest, 'quantity'> & { quantityOf: (onHand: number) => number }, nowMs: number): Promise<MovementResult> {
    if (!movementTypes.includes(request.type)) throw new Error(`unknown movement type ${request.type}`);
    return transaction(sql, async (tx) => {
      const stock = await lockStock(tx, [request.sku], nowMs);
      const result = decideMovement(stock, request, nowMs);
      await stock.flush();
      return result;
    });
  }

  return {
    async getLevels(skus, nowMs) {
      const levels = new Map<string, StockLevel>();
      for (const sku of skus) levels.set(sku, toLevel(sku, { onHand: 0, sold: 0, held: 0 }));
      const unique = [...new Set(skus)];
      if (unique.length === 0) return levels;
      const rows = await read(
        () => sql`
          SELECT s.sku, s.on_hand, s.sold,
            s.held - COALESCE((SELECT SUM(h.quantity) FROM stock_holds h WHERE h.sku = s.sku AND h.expires_at_ms <= ${nowMs}), 0)::INT8 AS held
          FROM stock_levels s WHERE s.sku = ANY(${unique}::TEXT[])`,
      );
      for (const row of rows as Row[]) {
        const sku = text(row, 'sku');
        levels.set(sku, toLevel(sku, { onHand: int(row, 'on_hand'), sold: int(row, 'sold'), held: int(row, 'held') }));
      }
      return levels;
    },

    async applyMovement(request, nowMs) {
      assertCount(request.quantity, 'a movement quantity');
      return movement({ ...request, quantityOf: () => request.quantity }, nowMs);
    },

    async setOnHand(sku, onHand, reason, allowBelowCommitted, nowMs) {
      assertCount(onHand, 'on-hand');
      return movement({ sku, type: 'sync', reason, reference: null, allowBelowCommitted, quantityOf: (current) => onHand - current }, nowMs);
    },

    async listMovements(sku, limit) {
      const rows = await read(
        () => sql`SELECT sku, type, quantity, reason, reference, at_ms FROM stock_movements WHERE sku = ${sku} ORDER BY seq DESC LIMIT ${pageSize(limit, movementPageSizeMax)}`,
      );
      return (rows as Row[]).map(
        (row): StockMovement => ({
          sku: text(row, 'sku'),
          type: text(row, 'type') as MovementType,
          quantity: int(row, 'quantity'),
          reason: text(row, 'reason'),
          reference: textOrNull(row, 'reference'),
          atMs: int(row, 'at_ms'),
        }),
      );
    },

    async setHolds(cartId, requests, nowMs) {
      checkHoldRequests(requests, nowMs);
      return holdBatcher.run({ cartId, requests, nowMs });
    },

    async releaseHolds(cartId, skus, nowMs) {
      await transaction(sql, async (tx) => {
        const heldSkus = (await tx`SELECT sku FROM stock_holds WHERE cart_id = ${cartId}` as Row[]).map((row) => text(row, 'sku'));
        const wanted = heldSkus.filter((sku) => skus === undefined || skus.includes(sku));
        if (wanted.length === 0) return;
        const stock = await lockStock(tx, wanted, nowMs, [cartId]);
        // A hold that appeared after the first read is left alone: it was not asked to go.
        // Releasing never adds to sold + held, so it needs no room and cannot break the invariant.
        for (const sku of wanted) stock.putHold(cartId, sku, 0, nowMs, false);
        await stock.flush();
      });
    },

    async listHolds(cartId, nowMs) {
      const rows = await read(() => sql`SELECT sku, quantity, expires_at_ms FROM stock_holds WHERE cart_id = ${cartId} AND expires_at_ms > ${nowMs} ORDER BY sku`);
      return (rows as Row[]).map((row) => ({ cartId, sku: text(row, 'sku'), quantity: int(row, 'quantity'), expiresAtMs: int(row, 'expires_at_ms') }));
    },

    async releaseExpiredHolds(nowMs, limit) {
      if (!(limit >= 1)) return 0;
      const batch = pageSize(limit, holdSweepBatchMax);
      // Most sweeps find nothing; that needs no transaction and no lock.
      const due = await read(() => sql`SELECT 1 AS due FROM stock_holds WHERE expires_at_ms <= ${nowMs} LIMIT 1`);
      if (due.length === 0) return 0;
      return transaction(sql, async (tx) => {
        const expired = (await tx`
          SELECT cart_id, sku FROM stock_holds WHERE expires_at_ms <= ${nowMs}
          ORDER BY expires_at_ms, cart_id, sku LIMIT ${batch}` as Row[]).map((row) => ({ cartId: text(row, 'cart_id'), sku: text(row, 'sku') }));
        const skus = [...new Set(expired.map((hold) => hold.sku))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        // SKIP LOCKED: a SKU another instance is selling right now is left to that sale, which
        // drops the SKU's expired holds itself under the same lock; the next sweep gets the rest.
        const free = new Set(
          (await tx`SELECT sku FROM stock_levels WHERE sku = ANY(${skus}::TEXT[]) ORDER BY sku FOR UPDATE SKIP LOCKED` as Row[]).map((row) => text(row, 'sku')),
        );
        const mine = expired.filter((hold) => free.has(hold.sku));
        if (mine.length === 0) return 0;
        const released = (await tx`
          DELETE FROM stock_holds WHERE (cart_id, sku) IN (
            SELECT unnest(${mine.map((hold) => hold.cartId)}::TEXT[]), unnest(${mine.map((hold) => hold.sku)}::TEXT[]))
          AND expires_at_ms <= ${nowMs}
          RETURNING sku, quantity` as Row[]);
        const bySku = new Map<string, number>();
        for (const row of released) bySku.set(text(row, 'sku'), (bySku.get(text(row, 'sku')) ?? 0) + int(row, 'quantity'));
        if (bySku.size > 0) await subtractHeld(tx, bySku);
        return released.length;
      });
    },
  };
}

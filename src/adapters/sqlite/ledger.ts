// The stock ledger's primitives. They run inside a batched write transaction (the caller holds
// the write lock), so each read-decide-write here is atomic. stock.ts and orders.ts build on
// them; only this file writes stock_levels, stock_holds and stock_movements.

import { availableOf, movementEffect, violatesInvariant, type Hold, type MovementType, type StockLevel } from '../../core/stock.ts';
import { asRow, int, refuseNul, text } from './codec.ts';
import type { Prepare } from './connection.ts';

/** The three counters of one SKU as stored; `held` counts every hold row, expired or not. */
export interface Counters {
  onHand: number;
  sold: number;
  held: number;
}

const zero: Counters = { onHand: 0, sold: 0, held: 0 };

const sql = {
  level: 'SELECT on_hand, sold, held FROM stock_levels WHERE sku = ?',
  upsertLevel: `
    INSERT INTO stock_levels (sku, on_hand, sold, held) VALUES (:sku, :onHand, :sold, :held)
    ON CONFLICT (sku) DO UPDATE SET on_hand = excluded.on_hand, sold = excluded.sold, held = excluded.held`,
  expiredHeldOfSku: 'SELECT COALESCE(SUM(quantity), 0) AS total FROM stock_holds WHERE sku = ? AND expires_at_ms <= ?',
  deleteExpiredOfSku: 'DELETE FROM stock_holds WHERE sku = ? AND expires_at_ms <= ?',
  subtractHeld: 'UPDATE stock_levels SET held = held - ? WHERE sku = ?',
  hold: 'SELECT quantity, expires_at_ms FROM stock_holds WHERE cart_id = ? AND sku = ?',
  holdsOfCart: 'SELECT sku, quantity, expires_at_ms FROM stock_holds WHERE cart_id = ? ORDER BY sku',
  upsertHold: `
    INSERT INTO stock_holds (cart_id, sku, quantity, expires_at_ms) VALUES (:cartId, :sku, :quantity, :expiresAtMs)
    ON CONFLICT (cart_id, sku) DO UPDATE SET quantity = excluded.quantity, expires_at_ms = excluded.expires_at_ms`,
  deleteHold: 'DELETE FROM stock_holds WHERE cart_id = ? AND sku = ?',
  expiredHolds: 'SELECT cart_id, sku, quantity FROM stock_holds WHERE expires_at_ms <= ? ORDER BY expires_at_ms, cart_id, sku LIMIT ?',
  insertMovement: `
    INSERT INTO stock_movements (sku, type, quantity, reason, reference, at_ms)
    VALUES (:sku, :type, :quantity, :reason, :reference, :atMs)`,
} as const;

export interface Movement {
  sku: string;
  type: MovementType;
  quantity: number;
  reason: string;
  reference: string | null;
  atMs: number;
}

/** The counters after a movement; holds are untouched by movements. */
export function afterMovement(before: Counters, type: MovementType, quantity: number): Counters {
  const effect = movementEffect(type, quantity);
  return { onHand: before.onHand + effect.onHandDelta, sold: before.sold + effect.soldDelta, held: before.held };
}

export function toLevel(sku: string, counters: Counters): StockLevel {
  return { sku, ...counters, available: availableOf(counters.onHand, counters.sold, counters.held) };
}

/** By how many units sold + held exceed on-hand (0 or less when the SKU is not oversold). */
function excessOf(counters: Counters): number {
  return counters.sold + counters.held - counters.onHand;
}

/**
 * The no-oversell invariant where stock is written: a write that is not allowed to oversell
 * (backorder, a WMS sync below committed) must leave sold + held <= on-hand, or, for a SKU
 * that was already oversold by such a write, must not make it worse. Failing it is a bug.
 */
export function assertLedgerWrite(sku: string, before: Counters, after: Counters, oversellAllowed: boolean): void {
  if (after.sold < 0 || after.held < 0) {
    throw new Error(`stock invariant broken for ${sku}: sold ${after.sold}, held ${after.held} must not be negative`);
  }
  if (!oversellAllowed && violatesInvariant(after) && excessOf(after) > Math.max(0, excessOf(before))) {
    throw new Error(`stock invariant broken for ${sku}: sold ${after.sold} + held ${after.held} > on hand ${after.onHand}`);
  }
}

/** Reads a sale can reuse: the cart's holds (undefined once they may have changed) and SKU levels. */
export interface SaleReads {
  holds: Hold[] | undefined;
  counters: Map<string, Counters>;
}

/** A cart's own hold on a SKU and the SKU's counters, as read for a check of what fits. */
export interface Standing {
  own: number;
  counters: Counters;
  /** What the cart may take of the SKU: the available units and its own hold. */
  availableToCart: number;
  /** The SKU's expired holds were released for it (the cart's own hold may have been one). */
  released: boolean;
  /** What the caller's `fits` said of this reading. */
  fits: boolean;
}

export interface Ledger {
  /** The stored counters; call releaseExpiredOf first to make `held` exact at nowMs. */
  counters(sku: string): Counters;
  /**
   * The cart's hold on `sku` (`own`, when the caller read it already) and the SKU's counters.
   * Expired holds of other carts count in `held` until released, so only when `fits` says no
   * are the SKU's expired holds released and both read again; the sweeper releases the rest.
   * So a request pays for the release only when it would otherwise be short.
   */
  standing(cartId: string, sku: string, nowMs: number, fits: (own: number, availableToCart: number) => boolean, own?: number): Standing;
  /** Deletes the expired holds on these SKUs and takes them out of `held`. */
  releaseExpiredOf(skus: readonly string[], nowMs: number): void;
  writeCounters(sku: string, before: Counters, after: Counters, oversellAllowed: boolean): void;
  holdOf(cartId: string, sku: string): Hold | undefined;
  holdsOfCart(cartId: string): Hold[];
  /**
   * Sets one hold to `quantity` (0 deletes it) and moves `held` by the difference. `known` is
   * the hold's current quantity and the SKU's counters when the caller just read them in this
   * transaction, so they are not read twice.
   */
  putHold(cartId: string, sku: string, quantity: number, expiresAtMs: number, oversellAllowed: boolean, known?: { current: number; counters: Counters }): void;
  recordMovement(movement: Movement): void;
  /** Applies a movement to its SKU's counters and records it: a sale, a return, a shipment. */
  move(movement: Movement, oversellAllowed: boolean): void;
  /**
   * Turns a cart into sales: deletes all its holds and applies each sale, writing each SKU's
   * level row once (held down by the cart's hold, sold up by the sale) instead of twice.
   * `known` is what the caller read in this transaction and did not change since.
   */
  sellFromHolds(cartId: string, sales: ReadonlyArray<Movement & { oversellAllowed: boolean }>, known?: SaleReads): void;
  /** Whether any hold has expired at nowMs (a read, so an idle sweeper needs no write). */
  anyExpired(nowMs: number): boolean;
  /** Deletes up to `limit` expired holds, oldest first, and takes them out of `held`. */
  releaseExpired(nowMs: number, limit: number): number;
}

export function createLedger(prepare: Prepare): Ledger {
  const ledger: Ledger = {
    counters(sku) {
      const found = prepare(sql.level).get(sku);
      if (found === undefined) return { ...zero };
      const row = asRow(found);
      return { onHand: int(row, 'on_hand'), sold: int(row, 'sold'), held: int(row, 'held') };
    },

    standing(cartId, sku, nowMs, fits, own) {
      const read = (held: number, released: boolean): Standing => {
        const counters = ledger.counters(sku);
        const availableToCart = toLevel(sku, counters).available + held;
        return { own: held, counters, availableToCart, released, fits: fits(held, availableToCart) };
      };
      const first = read(own ?? ledger.holdOf(cartId, sku)?.quantity ?? 0, false);
      if (first.fits) return first;
      ledger.releaseExpiredOf([sku], nowMs);
      return read(ledger.holdOf(cartId, sku)?.quantity ?? 0, true);
    },

    releaseExpiredOf(skus, nowMs) {
      for (const sku of new Set(skus)) {
        const expired = int(asRow(prepare(sql.expiredHeldOfSku).get(sku, nowMs)), 'total');
        if (expired === 0) continue;
        prepare(sql.deleteExpiredOfSku).run(sku, nowMs);
        prepare(sql.subtractHeld).run(expired, sku);
      }
    },

    writeCounters(sku, before, after, oversellAllowed) {
      assertLedgerWrite(sku, before, after, oversellAllowed);
      prepare(sql.upsertLevel).run({ sku, onHand: after.onHand, sold: after.sold, held: after.held });
    },

    holdOf(cartId, sku) {
      const found = prepare(sql.hold).get(cartId, sku);
      if (found === undefined) return undefined;
      const row = asRow(found);
      return { cartId, sku, quantity: int(row, 'quantity'), expiresAtMs: int(row, 'expires_at_ms') };
    },

    holdsOfCart(cartId) {
      return prepare(sql.holdsOfCart)
        .all(cartId)
        .map((found) => {
          const row = asRow(found);
          return { cartId, sku: text(row, 'sku'), quantity: int(row, 'quantity'), expiresAtMs: int(row, 'expires_at_ms') };
        });
    },

    putHold(cartId, sku, quantity, expiresAtMs, oversellAllowed, known) {
      if (quantity > 0) refuseNul({ 'cart id': cartId, sku });
      const current = known?.current ?? ledger.holdOf(cartId, sku)?.quantity ?? 0;
      if (current === 0 && quantity === 0) return;
      if (current === quantity) {
        // A renewal (checkout re-takes a cart's hold to cover the payment): only the expiry moves,
        // `held` stays, so the SKU's level row (the hot row of a sale) is not rewritten.
        prepare(sql.upsertHold).run({ cartId, sku, quantity, expiresAtMs });
        return;
      }
      const before = known?.counters ?? ledger.counters(sku);
      // The level row first: stock_holds references it.
      ledger.writeCounters(sku, before, { ...before, held: before.held - current + quantity }, oversellAllowed);
      if (quantity === 0) prepare(sql.deleteHold).run(cartId, sku);
      else prepare(sql.upsertHold).run({ cartId, sku, quantity, expiresAtMs });
    },

    recordMovement(movement) {
      refuseNul({ sku: movement.sku, reason: movement.reason, reference: movement.reference });
      prepare(sql.insertMovement).run({ ...movement });
    },

    move(movement, oversellAllowed) {
      const before = ledger.counters(movement.sku);
      ledger.writeCounters(movement.sku, before, afterMovement(before, movement.type, movement.quantity), oversellAllowed);
      ledger.recordMovement(movement);
    },

    sellFromHolds(cartId, sales, known) {
      const released = new Map<string, number>();
      for (const hold of known?.holds ?? ledger.holdsOfCart(cartId)) {
        released.set(hold.sku, hold.quantity);
        prepare(sql.deleteHold).run(cartId, hold.sku);
      }
      for (const sale of sales) {
        // Deleting hold rows leaves the level row as it was, so what the caller read still stands.
        const before = known?.counters.get(sale.sku) ?? ledger.counters(sale.sku);
        const heldBefore = released.get(sale.sku) ?? 0;
        released.delete(sale.sku);
        const after = afterMovement({ ...before, held: before.held - heldBefore }, sale.type, sale.quantity);
        ledger.writeCounters(sale.sku, before, after, sale.oversellAllowed);
        const { oversellAllowed: _oversellAllowed, ...movement } = sale;
        ledger.recordMovement(movement);
      }
      // Holds on SKUs the cart does not buy (none in a well-formed cart) simply end.
      for (const [sku, quantity] of released) {
        const before = ledger.counters(sku);
        ledger.writeCounters(sku, before, { ...before, held: before.held - quantity }, false);
      }
    },

    anyExpired(nowMs) {
      return prepare(sql.expiredHolds).all(nowMs, 1).length > 0;
    },

    releaseExpired(nowMs, limit) {
      const expired = prepare(sql.expiredHolds).all(nowMs, limit);
      for (const found of expired) {
        const row = asRow(found);
        const sku = text(row, 'sku');
        prepare(sql.deleteHold).run(text(row, 'cart_id'), sku);
        prepare(sql.subtractHeld).run(int(row, 'quantity'), sku);
      }
      return expired.length;
    },
  };
  return ledger;
}

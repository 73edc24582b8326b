// The stock ledger on PostgreSQL, for any number of instances. A write first locks the
// stock_levels rows of every SKU it touches (SELECT … FOR UPDATE, always in SKU order, so two
// writers never wait on each other in a circle), drops the holds that expired on them, decides
// in memory, then writes counters, holds and movements back in a few set-based statements.
// Every writer of a SKU's counters or holds holds its row lock, so `held` always equals the sum
// of its hold rows and sold + held <= on_hand holds across processes. The lock and the writes
// are each one pipelined round trip.

import type { Hold, MovementType } from '../../core/stock.ts';
import { afterMovement, assertLedgerWrite, toLevel, type Counters } from '../sqlite/ledger.ts';
import { int, refuseNul, text, type Row } from './codec.ts';
import { all, type Tx } from './connection.ts';

export { afterMovement, toLevel, type Counters };

export interface Movement {
  sku: string;
  type: MovementType;
  quantity: number;
  reason: string;
  reference: string | null;
  atMs: number;
}

interface LockedRow {
  before: Counters;
  now: Counters;
  movements: number;
  /** Whether every write of this transaction that grew the SKU's commitments may oversell it. */
  oversellAllowed: boolean;
  dirty: boolean;
}

/** The locked SKUs of one transaction, with their counters exact at nowMs. */
export interface LockedStock {
  counters(sku: string): Counters;
  /** The live holds of the carts read (on every SKU, locked or not), read after the locks were taken. */
  cartHolds(cartId: string): Hold[];
  /** The cart's hold on a locked SKU, 0 when none. */
  heldBy(cartId: string, sku: string): number;
  /** Sets one hold to `quantity` (0 deletes it) and moves `held` by the difference. */
  putHold(cartId: string, sku: string, quantity: number, expiresAtMs: number, oversellAllowed: boolean): void;
  /** Applies a movement to the SKU's counters and records it. */
  move(movement: Movement, oversellAllowed: boolean): void;
  /** Writes everything decided since the lock; checks the invariant on every changed SKU. */
  flush(): Promise<void>;
}

function uniqueSorted(skus: readonly string[]): string[] {
  // Byte order, not locale order, so every instance sorts alike (and as the database's "C" collation does).
  return [...new Set(skus)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function counterOf(row: Row): Counters {
  return { onHand: int(row, 'on_hand'), sold: int(row, 'sold'), held: int(row, 'held') };
}

/** Takes released units out of `held`, for SKUs this transaction has locked. */
export async function subtractHeld(tx: Tx, unitsBySku: ReadonlyMap<string, number>): Promise<void> {
  await tx`
    UPDATE stock_levels AS s SET held = s.held - v.quantity
    FROM (SELECT unnest(${[...unitsBySku.keys()]}::TEXT[]) AS sku, unnest(${[...unitsBySku.values()]}::INT8[]) AS quantity) AS v
    WHERE s.sku = v.sku`;
}

/**
 * Locks these SKUs' rows (creating missing ones at zero), releases their expired holds, and
 * reads the live holds of `cartIds`, all in one round trip.
 */
export async function lockStock(tx: Tx, skus: readonly string[], nowMs: number, cartIds: readonly string[] = []): Promise<LockedStock> {
  const sorted = uniqueSorted(skus);
  for (const sku of sorted) refuseNul({ sku });
  const [, lockedRows, expired, holdRows] = await all([
    sorted.length === 0
      ? Promise.resolve([])
      : tx`INSERT INTO stock_levels (sku, on_hand, sold, held) SELECT sku, 0, 0, 0 FROM unnest(${sorted}::TEXT[]) AS sku ON CONFLICT (sku) DO NOTHING`,
    sorted.length === 0
      ? Promise.resolve([])
      : tx`SELECT sku, on_hand, sold, held, movements FROM stock_levels WHERE sku = ANY(${sorted}::TEXT[]) ORDER BY sku FOR UPDATE`,
    sorted.length === 0
      ? Promise.resolve([])
      : tx`DELETE FROM stock_holds WHERE sku = ANY(${sorted}::TEXT[]) AND expires_at_ms <= ${nowMs} RETURNING sku, quantity`,
    cartIds.length === 0
      ? Promise.resolve([])
      : tx`SELECT cart_id, sku, quantity, expires_at_ms FROM stock_holds WHERE cart_id = ANY(${[...cartIds]}::TEXT[]) AND expires_at_ms > ${nowMs} ORDER BY cart_id, sku`,
  ]);

  const rows = new Map<string, LockedRow>();
  for (const found of lockedRows as Row[]) {
    const counters = counterOf(found);
    rows.set(text(found, 'sku'), { before: counters, now: { ...counters }, movements: int(found, 'movements'), oversellAllowed: true, dirty: false });
  }
  const expiredBySku = new Map<string, number>();
  for (const found of expired as Row[]) {
    const sku = text(found, 'sku');
    const row = rows.get(sku);
    if (row === undefined) throw new Error('an expired hold of a SKU that was not locked');
    row.now.held -= int(found, 'quantity');
    row.before = { ...row.now };
    expiredBySku.set(sku, (expiredBySku.get(sku) ?? 0) + int(found, 'quantity'));
  }
  // The expired holds are gone whatever this transaction decides next (a refusal writes
  // nothing else but still commits), so their units leave `held` right away.
  if (expiredBySku.size > 0) await subtractHeld(tx, expiredBySku);

  const holds: Hold[] = (holdRows as Row[]).map((found) => ({
    cartId: text(found, 'cart_id'),
    sku: text(found, 'sku'),
    quantity: int(found, 'quantity'),
    expiresAtMs: int(found, 'expires_at_ms'),
  }));
  const holdsByCartAndSku = new Map<string, number>(holds.map((held) => [`${held.cartId}\u0000${held.sku}`, held.quantity]));
  const cartsRead = new Set(cartIds);
  const holdWrites = new Map<string, { cartId: string; sku: string; quantity: number; expiresAtMs: number }>();
  const movementWrites: Array<Movement & { seq: number }> = [];

  function rowOf(sku: string): LockedRow {
    const row = rows.get(sku);
    if (row === undefined) throw new Error(`SKU ${sku} was not locked by this transaction`);
    return row;
  }

  function heldBy(holder: string, sku: string): number {
    rowOf(sku);
    const pending = holdWrites.get(`${holder}\u0000${sku}`);
    if (pending !== undefined) return pending.quantity;
    if (!cartsRead.has(holder)) throw new Error(`the holds of ${holder} were not read by this transaction`);
    return holdsByCartAndSku.get(`${holder}\u0000${sku}`) ?? 0;
  }

  return {
    counters(sku) {
      return { ...rowOf(sku).now };
    },

    cartHolds(cartId) {
      return holds.filter((held) => held.cartId === cartId).map((held) => ({ ...held }));
    },

    heldBy,

    putHold(holder, sku, quantity, expiresAtMs, oversellAllowed) {
      if (quantity > 0) refuseNul({ 'cart id': holder });
      const row = rowOf(sku);
      const current = heldBy(holder, sku);
      if (current === 0 && quantity === 0) return;
      row.now.held += quantity - current;
      // A smaller hold cannot oversell; only what grows a SKU's commitments needs the allowance.
      if (quantity > current) row.oversellAllowed &&= oversellAllowed;
      row.dirty = true;
      holdWrites.set(`${holder}\u0000${sku}`, { cartId: holder, sku, quantity, expiresAtMs });
    },

    move(movement, oversellAllowed) {
      refuseNul({ sku: movement.sku, reason: movement.reason, reference: movement.reference });
      const row = rowOf(movement.sku);
      row.now = afterMovement(row.now, movement.type, movement.quantity);
      row.oversellAllowed &&= oversellAllowed;
      row.dirty = true;
      row.movements += 1;
      movementWrites.push({ ...movement, seq: row.movements });
    },

    async flush() {
      const changed = [...rows.entries()].filter(([, row]) => row.dirty);
      for (const [sku, row] of changed) assertLedgerWrite(sku, row.before, row.now, row.oversellAllowed);
      const upserts = [...holdWrites.values()].filter((write) => write.quantity > 0);
      const deletes = [...holdWrites.values()].filter((write) => write.quantity === 0);
      const writes: Array<Promise<unknown>> = [];
      if (changed.length > 0) {
        writes.push(tx`
          UPDATE stock_levels AS s SET on_hand = v.on_hand, sold = v.sold, held = v.held, movements = v.movements
          FROM (SELECT unnest(${changed.map(([sku]) => sku)}::TEXT[]) AS sku,
                       unnest(${changed.map(([, row]) => row.now.onHand)}::INT8[]) AS on_hand,
                       unnest(${changed.map(([, row]) => row.now.sold)}::INT8[]) AS sold,
                       unnest(${changed.map(([, row]) => row.now.held)}::INT8[]) AS held,
                       unnest(${changed.map(([, row]) => row.movements)}::INT8[]) AS movements) AS v
          WHERE s.sku = v.sku`);
      }
      if (deletes.length > 0) {
        writes.push(tx`
          DELETE FROM stock_holds WHERE (cart_id, sku) IN (
            SELECT unnest(${deletes.map((write) => write.cartId)}::TEXT[]), unnest(${deletes.map((write) => write.sku)}::TEXT[]))`);
      }
      if (upserts.length > 0) {
        writes.push(tx`
          INSERT INTO stock_holds (cart_id, sku, quantity, expires_at_ms)
          SELECT unnest(${upserts.map((write) => write.cartId)}::TEXT[]), unnest(${upserts.map((write) => write.sku)}::TEXT[]),
                 unnest(${upserts.map((write) => write.quantity)}::INT8[]), unnest(${upserts.map((write) => write.expiresAtMs)}::INT8[])
          ON CONFLICT (cart_id, sku) DO UPDATE SET quantity = excluded.quantity, expires_at_ms = excluded.expires_at_ms`);
      }
      if (movementWrites.length > 0) {
        writes.push(tx`
          INSERT INTO stock_movements (sku, seq, type, quantity, reason, reference, at_ms)
          SELECT unnest(${movementWrites.map((write) => write.sku)}::TEXT[]), unnest(${movementWrites.map((write) => write.seq)}::INT8[]),
                 unnest(${movementWrites.map((write) => write.type)}::TEXT[]), unnest(${movementWrites.map((write) => write.quantity)}::INT8[]),
                 unnest(${movementWrites.map((write) => write.reason)}::TEXT[]), unnest(${movementWrites.map((write) => write.reference)}::TEXT[]),
                 unnest(${movementWrites.map((write) => write.atMs)}::INT8[])`);
      }
      await all(writes);
      for (const [, row] of changed) {
        row.before = { ...row.now };
        row.dirty = false;
      }
      holdWrites.clear();
      movementWrites.length = 0;
    },
  };
}
